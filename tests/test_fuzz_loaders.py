"""Fuzzing of the loaders: corrupted CSV, JSON Lines, HTML pages and feeds.

Two properties are checked on every generated input:

* reading it with ``iter_records`` raises nothing but ``SourceError``
  (a whole-file problem); every other problem becomes a record with an error;
* building a corpus from it either raises ``SourceError`` and leaves no store,
  or gives counts that reconcile exactly with the parquet files, and every
  reject names its file, row and a known reason.

Inputs are synthetic and written to temporary folders. Hypothesis runs
derandomized without an example database, so the suite is deterministic.
Inputs that once triggered bugs (lone surrogates reaching the parquet writer,
corrupted XML encoding declarations, ...) are pinned by the regression tests
at the end of the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from framing.datasets.build import CorpusBuilder
from framing.datasets.cards import SourceFile, _parse_mapping
from framing.datasets.readers import RawRecord, iter_records
from framing.errors import SourceError
from framing.schema import REJECT_REASONS
from framing.store import (
    DUPLICATES_FILE,
    MANIFEST_FILE,
    REJECTS_FILE,
    Corpus,
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TABULAR_MAPPING = {
    "text": "text",
    "title": "title",
    "published": "published",
    "outlet": "outlet",
}
WEB_MAPPING = {"text": "text", "title": "title", "published": "date"}
HTML_MAPPING = {**WEB_MAPPING, "outlet": "sitename"}
FEED_MAPPING = {**WEB_MAPPING, "outlet": "feed_title"}


# ------------------------------------------------------------------ helpers


def _mapping_error(key: str, problem: str) -> Exception:
    return ValueError(f"{key}: {problem}")


def source_file(name: str, fmt: str, mapping: dict[str, Any]) -> SourceFile:
    return SourceFile(
        name=name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(mapping, "fuzz", _mapping_error),
        format=fmt,
    )


def read_all(path: Path, fmt: str) -> list[RawRecord] | None:
    """All records of a file, or None when the reader refuses the whole file.

    Any exception other than SourceError propagates and fails the test.
    """
    try:
        return list(iter_records(path, format=fmt))
    except SourceError as exc:
        assert str(path) in str(exc)
        return None


def parquet_rows(path: Path) -> int:
    return pq.read_metadata(path).num_rows


def assert_reconciled(corpus: Corpus, records: list[RawRecord] | None) -> None:
    counts = corpus.counts
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    if records is not None:
        assert counts["read"] == len(records)
    assert sum(parquet_rows(path) for path in corpus.article_files) == counts["kept"]
    assert parquet_rows(corpus.path / DUPLICATES_FILE) == counts["duplicates"]
    assert parquet_rows(corpus.path / REJECTS_FILE) == counts["rejected"]
    assert sum(counts["rejected_by_reason"].values()) == counts["rejected"]
    rejects = corpus.rejects()
    for reject in rejects.itertuples(index=False):
        assert reject.reason in REJECT_REASONS
        assert reject.source_file
        assert reject.source_row
        assert reject.detail
    if records is not None:
        erroneous = {r.locator for r in records if r.error is not None}
        assert erroneous <= set(rejects["source_row"])
    articles = corpus.articles(columns=["doc_id", "text"], include_duplicates=True)
    assert articles["doc_id"].is_unique
    assert (articles["text"].str.len() > 0).all()


def build_and_check(data: bytes, name: str, fmt: str, mapping: dict[str, Any]) -> None:
    """Write ``data``, read it, build a corpus from it and check reconciliation."""
    with tempfile.TemporaryDirectory(prefix="framing-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        records = read_all(path, fmt)
        target = Path(folder) / "store"
        builder = CorpusBuilder(
            "fuzz", dedupe={"near_duplicates": True, "num_perm": 32}
        )
        try:
            corpus = builder.build([(path, source_file(name, fmt, mapping))], target)
        except SourceError as error:
            left = [p.name for p in Path(folder).iterdir() if p.suffix != ".lock"]
            assert not target.exists()
            assert left == [name]
            if records is None:
                event("whole file refused")
                return
            # A file the reader accepts but that gives no document is refused
            # with the reason, never built into an empty corpus.
            event("no document: refused")
            assert "yields no records" in str(error) or "was rejected" in str(error)
            return
        assert (target / MANIFEST_FILE).is_file()
        assert_reconciled(corpus, records)
        counts = corpus.counts
        event("kept some" if counts["kept"] else "kept none")
        for kind in set(corpus.duplicates()["duplicate_kind"]):
            event(f"{kind} duplicates")
        for reason in counts["rejected_by_reason"]:
            event(f"reject: {reason}")


def check_reader_only(data: bytes, name: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory(prefix="framing-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        for record in read_all(path, fmt) or []:
            assert record.source_file == name
            assert record.locator
            assert isinstance(record.fields, dict)
            assert record.error is None or record.error_code in REJECT_REASONS


# ------------------------------------------------------------------ strategies

# Characters that matter to CSV and JSON syntax, and to text cleaning.
TRICKY = [
    '"',
    '""',
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\x00",
    "\ufeff",
    "\u2028",
    "“",
    "”",
    "«",
    "»",
    "„",
    "â€™",
    "&amp;",
    "\\",
    "{",
    "}",
    "[",
    "]",
]
PARAGRAPH = (
    "Officials in the synthetic town of Elmford said the new footbridge over the "
    "river would open on Monday after three weeks of load tests by engineers."
)
NEAR_PARAGRAPH = "ELMFORD (wire). " + PARAGRAPH
OTHER_PARAGRAPH = (
    "Grain barges left the synthetic port of Westhaven at dawn, and harbour staff "
    "expect twelve more departures before the end of the month."
)
GOOD_DATES = [
    "2022-02-24",
    "2022-02-24T03:00:00Z",
    "2022-02-24T05:00:00+02:00",
    "2022-02-24 03:00",
    "September 30, 2022",
    "24.02.2022",
    "Tue, 01 Mar 2022 10:00:00 GMT",
]
BAD_DATES = [
    "1700-01-01",
    "2150-06-01T00:00:00Z",
    "yesterday",
    "3 days ago",
    "not a date",
    "",
    "  ",
]
OUTLETS = [
    "Example Gazette",
    "https://www.reuters.com/world/",
    "en.kremlin.ru",
    "edition.cnn.com",
    "",
]

# Random text may contain "://" and so reach OutletResolver's URL parser.
free_text = st.text(max_size=30)
tricky_text = st.lists(st.one_of(free_text, st.sampled_from(TRICKY)), max_size=6).map(
    "".join
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    """``good`` three times out of four, so that some rows survive to dedupe."""
    return st.integers(0, 3).flatmap(lambda i: bad if i == 0 else good)


body_text = mostly(
    st.sampled_from([PARAGRAPH, NEAR_PARAGRAPH, OTHER_PARAGRAPH]),
    st.one_of(st.sampled_from(["", "   ", "\u200b\n"]), tricky_text),
)
date_text = mostly(
    st.sampled_from(GOOD_DATES), st.one_of(st.sampled_from(BAD_DATES), free_text)
)
outlet_text = st.one_of(st.sampled_from(OUTLETS), free_text)
row_cells = st.tuples(body_text, tricky_text, date_text, outlet_text).map(list)
# Invalid UTF-8: lone continuation bytes, truncated sequences, encoded
# surrogates, overlong forms. All are >= 0x80, so none is a CSV delimiter.
invalid_utf8 = st.one_of(
    st.sampled_from(
        [b"\xff", b"\x80", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\xaf"]
    ),
    st.binary(min_size=1, max_size=4).map(lambda b: bytes(x | 0x80 for x in b)),
)


@st.composite
def damaged_csv(draw: st.DrawFn) -> bytes:
    """A CSV with the mapped header and rows damaged at the text level.

    Cells hold quotes, delimiters and newlines; rows are serialised either
    properly quoted or naively joined (unbalanced quotes); some rows lose or
    gain cells; the file may be cut at any point after the header.
    """
    extra = draw(st.lists(st.sampled_from(["id_", "summary", "x"]), unique=True))
    header = ["text", "title", "published", "outlet", *extra]
    lines = [",".join(header) + "\n"]
    for cells in draw(st.lists(row_cells, max_size=12)):
        cells = cells + [draw(free_text) for _ in extra]
        delta = draw(st.sampled_from([0, 0, 0, 0, -1, -3, 1, 2]))
        cells = cells[: len(cells) + delta] if delta < 0 else cells + ["extra"] * delta
        if draw(st.integers(0, 3)):
            buffer = io.StringIO()
            csv.writer(
                buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
            ).writerow(cells)
            lines.append(buffer.getvalue())
        else:
            lines.append(",".join(cells) + "\n")
    text = "".join(lines)
    if draw(st.booleans()):
        # Cut between characters: a cut inside a multi-byte character would
        # add invalid UTF-8 to a short row, see
        # test_csv_row_with_wrong_field_count_and_invalid_utf8_is_rejected.
        text = text[: draw(st.integers(len(lines[0]), len(text)))]
    return text.encode("utf-8")


@st.composite
def csv_with_invalid_utf8(draw: st.DrawFn) -> bytes:
    """A well-formed CSV (every cell quoted) with invalid UTF-8 inside cells."""
    header = b'"text","title","published","outlet"\n'
    rows = []
    for cells in draw(st.lists(row_cells, min_size=1, max_size=10)):
        encoded = []
        for cell in cells:
            raw = cell.encode("utf-8")
            if draw(st.integers(0, 3)) == 0:
                at = draw(st.integers(0, len(raw)))
                raw = raw[:at] + draw(invalid_utf8) + raw[at:]
            encoded.append(b'"' + raw.replace(b'"', b'""') + b'"')
        rows.append(b",".join(encoded) + b"\n")
    return header + b"".join(rows)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**18), 10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    free_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(free_text, children, max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["record", "record", "record", "value", "junk", "bad"]))
    if kind == "record":
        record: dict[str, Any] = {}
        for key, value in (
            ("text", body_text),
            ("title", tricky_text),
            ("published", date_text),
            ("outlet", outlet_text),
        ):
            choice = draw(st.integers(0, 7))
            if choice == 0:
                continue  # field absent
            record[key] = draw(json_values if choice == 1 else value)
        record.update(draw(st.dictionaries(free_text, json_values, max_size=2)))
        line = json.dumps(record, ensure_ascii=draw(st.booleans())).encode()
    elif kind == "value":
        line = json.dumps(draw(json_values)).encode()
    elif kind == "junk":
        line = draw(tricky_text).replace("\n", " ").replace("\r", " ").encode()
    else:
        raw = json.dumps({"text": PARAGRAPH, "published": "2022-02-24"}).encode()
        at = draw(st.integers(0, len(raw)))
        line = raw[:at] + draw(invalid_utf8) + raw[at:]
    return line + draw(st.sampled_from([b"\n", b"\r\n", b"\n\n"]))


@st.composite
def damaged_jsonl(draw: st.DrawFn) -> bytes:
    data = b"".join(draw(st.lists(jsonl_line(), max_size=12)))
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def html_page(draw: st.DrawFn) -> bytes:
    """A synthetic news page, then possibly damaged at the byte level."""
    paragraphs = draw(
        st.lists(
            mostly(st.sampled_from([PARAGRAPH, OTHER_PARAGRAPH]), tricky_text),
            max_size=6,
        )
    )
    title = draw(tricky_text)
    charset = draw(st.sampled_from(["utf-8", "windows-1251", "bogus", "utf-16", ""]))
    tag = draw(st.sampled_from(["p", "div", "li", "td", "script", "b"]))
    body = "".join(f"<{tag}>{p}</{tag}>" for p in paragraphs)
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<title>{title}</title>"
        '<meta property="og:site_name" content="Example Gazette">'
        f'<meta property="article:published_time" content="{draw(date_text)}">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )
    data = bytearray(page.encode("utf-8"))
    mutation = draw(st.sampled_from(["none", "none", "truncate", "flip", "random"]))
    if mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif mutation == "random":
        data = bytearray(draw(st.binary(max_size=600)))
    return bytes(data)


XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
RSS_BODY = f"""<rss version="2.0"><channel>
<title>Synthetic Feed</title><link>https://feed.example/</link>
<item><title>First story</title><link>https://feed.example/a</link>
<pubDate>Tue, 01 Mar 2022 10:00:00 GMT</pubDate><guid>a</guid>
<description>&lt;p&gt;{PARAGRAPH}&lt;/p&gt;</description></item>
<item><title>Wire copy</title><link>https://feed.example/b</link>
<pubDate>Wed, 02 Mar 2022 10:00:00 GMT</pubDate><guid>b</guid>
<description>{NEAR_PARAGRAPH}</description></item>
<item><title>Undated</title><link>https://feed.example/c</link>
<description>A short undated note.</description></item>
</channel></rss>"""
ATOM_BODY = f"""<feed xmlns="http://www.w3.org/2005/Atom">
<title>Synthetic Atom</title><id>urn:synthetic:feed</id>
<updated>2022-03-01T10:00:00Z</updated>
<entry><title>Atom story</title><id>urn:synthetic:1</id>
<link href="https://feed.example/atom/1"/><updated>2022-03-01T10:00:00Z</updated>
<content type="html">&lt;p&gt;{PARAGRAPH}&lt;/p&gt;</content></entry>
<entry><title>Plain story</title><id>urn:synthetic:2</id>
<published>2022-03-02T10:00:00+02:00</published>
<content type="text">{NEAR_PARAGRAPH}</content></entry>
</feed>"""
ENTITY_DECLARATIONS = [
    '<!ENTITY story "boom">',
    '<!ENTITY story SYSTEM "file:///etc/hostname">',
    '<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;&l0;"><!ENTITY story "&l1;&l1;&l1;">',
]


@st.composite
def mutated_feed(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A valid RSS or Atom feed, randomly damaged; and whether it declares entities.

    The XML declaration is never damaged (see
    test_feed_with_corrupted_encoding_declaration_raises_source_error).
    """
    body = draw(st.sampled_from([RSS_BODY, ATOM_BODY]))
    root = "rss" if body is RSS_BODY else "feed"
    hostile = draw(st.booleans())
    if hostile:
        declaration = draw(st.sampled_from(ENTITY_DECLARATIONS))
        body = f"<!DOCTYPE {root} [{declaration}]>\n" + body.replace(
            "First story", "&story;"
        ).replace("Atom story", "&story;")
    prolog = XML_DECLARATION.encode() if draw(st.booleans()) else b""
    data = bytearray(body.encode("utf-8"))
    for _ in range(draw(st.integers(0, 3))):
        mutation = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if mutation == "truncate":
            data = data[:at]
        elif mutation == "flip":
            data[at] = draw(st.integers(0, 255))
        elif mutation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[at : at + draw(st.integers(1, 40))] = b""
    final = prolog + bytes(data)
    return final, hostile and re.search(rb"<!ENTITY", final) is not None


# ------------------------------------------------------------------ CSV


@FUZZ
@given(data=st.binary(max_size=2000))
def test_csv_reader_on_random_bytes_raises_only_source_error(data: bytes) -> None:
    check_reader_only(data, "random.csv", "csv")


@FUZZ
@given(data=damaged_csv())
def test_csv_reader_on_damaged_csv_raises_only_source_error(data: bytes) -> None:
    check_reader_only(data, "damaged.csv", "csv")


@FUZZ
@given(data=damaged_csv())
def test_csv_build_with_quotes_newlines_and_wrong_field_counts_reconciles(
    data: bytes,
) -> None:
    build_and_check(data, "damaged.csv", "csv", TABULAR_MAPPING)


@FUZZ
@given(data=csv_with_invalid_utf8())
def test_csv_build_with_invalid_utf8_cells_reconciles(data: bytes) -> None:
    build_and_check(data, "invalid.csv", "csv", TABULAR_MAPPING)


# ------------------------------------------------------------------ JSON Lines


@FUZZ
@given(data=st.binary(max_size=2000))
def test_jsonl_reader_on_random_bytes_raises_only_source_error(data: bytes) -> None:
    check_reader_only(data, "random.jsonl", "jsonl")


@FUZZ
@given(data=damaged_jsonl())
def test_jsonl_build_with_junk_lines_and_invalid_utf8_reconciles(data: bytes) -> None:
    build_and_check(data, "damaged.jsonl", "jsonl", TABULAR_MAPPING)


# ------------------------------------------------------------------ HTML


@FUZZ
@given(data=html_page())
def test_html_build_on_damaged_pages_reconciles(data: bytes) -> None:
    build_and_check(data, "page.html", "html", HTML_MAPPING)


# ------------------------------------------------------------------ feeds


@FUZZ
@given(feed=mutated_feed())
def test_feed_reader_refuses_entities_and_raises_only_source_error(
    feed: tuple[bytes, bool],
) -> None:
    data, declares_entities = feed
    with tempfile.TemporaryDirectory(prefix="framing-fuzz-") as folder:
        path = Path(folder) / "feed.xml"
        path.write_bytes(data)
        records = read_all(path, "feed")
        if declares_entities:
            assert records is None, "a feed declaring XML entities was parsed"


@FUZZ
@given(feed=mutated_feed())
def test_feed_build_on_mutated_feeds_reconciles(feed: tuple[bytes, bool]) -> None:
    build_and_check(feed[0], "feed.xml", "feed", FEED_MAPPING)


def test_unmutated_feeds_yield_every_entry() -> None:
    """The fuzzed feeds start out valid: the mutations are what breaks them."""
    for body, expected in ((RSS_BODY, 3), (ATOM_BODY, 2)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "feed.xml"
            path.write_text(XML_DECLARATION + body, encoding="utf-8")
            records = list(iter_records(path, format="feed"))
        assert len(records) == expected
        assert all(r.error is None and r.fields["text"] for r in records)


# ------------------------------------------------------------ regressions
# Inputs the fuzzers found (or that lie just outside their domain) that once
# broke a property; each is fixed in framing/ and pinned here.


def _build_raw(tmp_path: Path, name: str, data: bytes, fmt: str) -> Corpus:
    path = tmp_path / name
    path.write_bytes(data)
    return CorpusBuilder("fuzz").build(
        [(path, source_file(name, fmt, TABULAR_MAPPING))], tmp_path / "store"
    )


def test_jsonl_deeply_nested_line_becomes_a_malformed_record(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b"[" * 100_000 + b'\n{"text": "fine"}\n')
    records = list(iter_records(path))
    assert [r.error is not None for r in records] == [True, False]


def test_jsonl_integer_over_4300_digits_becomes_a_malformed_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bigint.jsonl"
    path.write_bytes(b'{"n": ' + b"7" * 5000 + b'}\n{"text": "fine"}\n')
    records = list(iter_records(path))
    assert [r.error is not None for r in records] == [True, False]


def test_jsonl_lone_surrogate_escape_in_meta_does_not_abort_build(
    tmp_path: Path,
) -> None:
    corpus = _build_raw(
        tmp_path,
        "s.jsonl",
        b'{"text": "fine", "published": "2022-02-24", "note": "\\ud800"}\n'
        # a good record too: a file that gives no document is refused
        b'{"text": "also fine", "published": "2022-02-25"}\n',
        "jsonl",
    )
    assert corpus.counts["read"] == 2


def test_jsonl_lone_surrogate_escape_in_outlet_does_not_abort_build(
    tmp_path: Path,
) -> None:
    corpus = _build_raw(
        tmp_path,
        "s.jsonl",
        b'{"text": "fine", "published": "2022-02-24", "outlet": "\\ud800"}\n'
        # a good record too: a file that gives no document is refused
        b'{"text": "also fine", "published": "2022-02-25"}\n',
        "jsonl",
    )
    assert corpus.counts["read"] == 2


def test_jsonl_reject_with_lone_surrogate_does_not_abort_build(
    tmp_path: Path,
) -> None:
    with pytest.raises(SourceError, match="broken_encoding 1"):
        _build_raw(tmp_path, "s.jsonl", b'{"text": "", "note": "\\udc80"}\n', "jsonl")


def test_csv_row_with_wrong_field_count_and_invalid_utf8_is_rejected(
    tmp_path: Path,
) -> None:
    corpus = _build_raw(
        tmp_path,
        "w.csv",
        b"text,title,published,outlet\ncaf\xe9,Title\nfine,T,2022-02-24,x\n",
        "csv",
    )
    assert corpus.counts["rejected_by_reason"] == {"malformed_record": 1}
    assert corpus.counts["kept"] == 1


def test_outlet_value_that_is_a_broken_url_is_rejected_not_fatal(
    tmp_path: Path,
) -> None:
    corpus = _build_raw(
        tmp_path,
        "u.csv",
        b"text,title,published,outlet\nfine,T,2022-02-24,http://[broken\n",
        "csv",
    )
    assert corpus.counts["read"] == 1


@pytest.mark.parametrize("encoding", [b"ut\x92-8", b"utf\x00-8"])
def test_feed_with_corrupted_encoding_declaration_raises_source_error(
    tmp_path: Path, encoding: bytes
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="' + encoding + b'"?>\n' + RSS_BODY.encode()
    )
    with pytest.raises(SourceError):
        list(iter_records(path, format="feed"))


def test_feed_with_surrogate_character_reference_is_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(
        XML_DECLARATION + RSS_BODY.replace("First story", "First &#xD800; story"),
        encoding="utf-8",
    )
    try:
        records = list(iter_records(path, format="feed"))
    except SourceError:
        return  # refusing the whole file is acceptable
    assert len(records) == 3
