"""Strict readers: careless input gives a clear error or a reject, never a
silently wrong corpus (issue 11, item 2).

Every input here is synthetic and written by the test itself.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.datasets.build import CorpusBuilder
from framing.datasets.cards import (
    BrokenCardWarning,
    SourceFile,
    _parse_mapping,
    broken_cards,
    list_cards,
    load_card,
)
from framing.datasets.readers import iter_records
from framing.errors import CardError, FramingError, MappingError, SourceError
from framing.normalize import (
    DateParseError,
    DateText,
    LanguageDetector,
    count_words,
    parse_date,
)
from framing.schema import REJECT_REASONS
from framing.store import Corpus

MAPPING: dict[str, Any] = {
    "id": "id",
    "text": "text",
    "published": "date",
    "outlet": {"value": "press"},
}


def _mapping_error(key: str, problem: str) -> Exception:
    return ValueError(f"{key}: {problem}")


def source(
    name: str,
    mapping: dict[str, Any] | None = None,
    fmt: str = "csv",
    **extra: Any,
) -> SourceFile:
    return SourceFile(
        name=name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(mapping or MAPPING, "test", _mapping_error),
        format=fmt,
        **extra,
    )


def build(
    folder: Path,
    data: bytes,
    *,
    name: str = "press.csv",
    mapping: dict[str, Any] | None = None,
    languages: tuple[str, ...] = ("en",),
    **extra: Any,
) -> Corpus:
    path = folder / name
    path.write_bytes(data)
    fmt = "jsonl" if name.endswith(".jsonl") else "csv"
    return CorpusBuilder("strict", languages=languages).build(
        [(path, source(name, mapping, fmt, **extra))], folder / "store"
    )


def rejects(corpus: Corpus) -> list[tuple[str, str, str, str]]:
    frame = corpus.rejects()
    return list(
        zip(
            frame["source_file"],
            frame["source_row"],
            frame["reason"],
            frame["detail"],
            strict=True,
        )
    )


def assert_reconciled(corpus: Corpus) -> None:
    counts = corpus.counts
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    assert len(corpus.articles()) == counts["kept"]
    assert len(corpus.rejects()) == counts["rejected"]
    for reason in counts["rejected_by_reason"]:
        assert reason in REJECT_REASONS


HEADER = "id,text,date\n"


def rows(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


# ------------------------------------------------------------------ CSV quoting


def test_unbalanced_quote_rejects_its_row_and_keeps_the_rows_after(
    tmp_path: Path,
) -> None:
    data = rows(
        "a1,Grain talks resumed in the port.,2022-01-01",
        'a2,"Ministers met again on Monday,2022-01-02',
        "a3,Shelling was reported overnight.,2022-01-03",
        'a4,"Convoys reached the city.",2022-01-04',
        "a5,Talks ended without a statement.,2022-01-05",
    )
    corpus = build(tmp_path, data)
    assert corpus.counts["read"] == 5
    assert corpus.counts["kept"] == 4
    [(file, row, reason, detail)] = rejects(corpus)
    assert (file, row, reason) == ("press.csv", "row 3", "malformed_record")
    assert "line 3" in detail and "unbalanced quote" in detail
    texts = corpus.articles(columns=["text"])["text"].tolist()
    assert "Shelling was reported overnight." in texts  # not swallowed
    assert all("\n" not in text for text in texts)
    assert_reconciled(corpus)


def test_quote_open_until_the_end_of_the_file_is_found(tmp_path: Path) -> None:
    data = rows(
        "a1,Grain talks resumed in the port.,2022-01-01",
        'a2,"Ministers met again on Monday,2022-01-02',
        "a3,Shelling was reported overnight.,2022-01-03",
        "a4,Convoys reached the city.,2022-01-04",
    )
    corpus = build(tmp_path, data)
    assert corpus.counts["read"] == 4
    assert corpus.counts["kept"] == 3
    assert [r[:3] for r in rejects(corpus)] == [
        ("press.csv", "row 3", "malformed_record")
    ]
    assert_reconciled(corpus)


def test_quoted_multi_line_fields_are_still_read(tmp_path: Path) -> None:
    data = rows(
        'a1,"First paragraph.\n\nSecond, with a ""quote"".",2022-01-01',
        "a2,Plain row.,2022-01-02",
    )
    corpus = build(tmp_path, data)
    assert corpus.counts["kept"] == 2
    assert corpus.counts["rejected"] == 0


def test_a_file_of_broken_quoting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    body = "".join(f'a{i},"x"y,2022-01-01\n' for i in range(120))
    path.write_text(HEADER + body)
    with pytest.raises(SourceError) as info:
        list(iter_records(path))
    message = str(info.value)
    assert "quotes.csv" in message and "broken quoting" in message
    assert "delimiter" in message


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("declared", ["cp1251", "latin-1", "cp1252", "koi8-r"])
def test_utf8_file_declared_in_a_code_page_is_refused(
    tmp_path: Path, declared: str
) -> None:
    data = rows("a1,Началась война в четверг утром.,2022-02-24")
    with pytest.raises(SourceError) as info:
        build(tmp_path, data, encoding=declared)
    message = str(info.value)
    assert "press.csv" in message
    assert f"encoding = {declared!r}" in message
    assert "declare encoding = 'utf-8'" in message


def test_utf8_jsonl_declared_latin1_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"text": "Війна почалася."}\n', encoding="utf-8")
    with pytest.raises(SourceError, match="declare encoding = 'utf-8'"):
        list(iter_records(path, encoding="latin-1"))


def test_code_page_rows_declared_utf8_are_rejected_with_a_guess(
    tmp_path: Path,
) -> None:
    good = "a1,Grain talks resumed in the port.,2022-01-01\n"
    bad = "a2,Переговоры о зерне возобновились в порту сегодня утром.,2022-01-02\n"
    data = HEADER.encode() + good.encode() + bad.encode("cp1251")
    corpus = build(tmp_path, data)
    assert corpus.counts["kept"] == 1
    [(file, row, reason, detail)] = rejects(corpus)
    assert (file, row, reason) == ("press.csv", "row 3", "broken_encoding")
    assert "not valid utf-8" in detail
    assert_reconciled(corpus)


def test_code_page_json_declared_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "posts.json"
    path.write_bytes('[{"text": "Переговоры в порту."}]'.encode("cp1251"))
    with pytest.raises(SourceError) as info:
        list(iter_records(path))
    assert "posts.json" in str(info.value)
    assert "not valid utf-8" in str(info.value)


def test_utf8_html_page_declared_cp1251_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><article><p>Переговоры возобновились.</p></article></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="declare encoding = 'utf-8'"):
        list(iter_records(path, encoding="cp1251"))


# ------------------------------------------------------------------ size caps


def test_file_over_the_cap_names_file_cap_and_option(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(rows(*(f"a{i},Some text here.,2022-01-01" for i in range(50))))
    with pytest.raises(SourceError) as info:
        list(iter_records(path, max_bytes=200))
    message = str(info.value)
    assert "big.csv" in message and "cap of 200 bytes" in message
    assert "max_bytes" in message


def test_html_page_has_a_default_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with open(path, "wb") as handle:
        handle.write(b"<html><body><p>")
        handle.truncate(9 * 1024 * 1024)
    with pytest.raises(SourceError) as info:
        list(iter_records(path))
    assert "huge.html" in str(info.value)
    assert "max_bytes" in str(info.value)


def test_jsonl_line_over_the_record_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    long_text = "word " * 400
    path.write_text(
        '{"id": "a1", "text": "Short post.", "date": "2022-01-01"}\n'
        f'{{"id": "a2", "text": "{long_text}", "date": "2022-01-02"}}\n'
        '{"id": "a3", "text": "Another post.", "date": "2022-01-03"}\n'
    )
    records = list(iter_records(path, max_record_bytes=500))
    assert [(r.locator, r.error_code) for r in records if r.error] == [
        ("line 2", "too_large")
    ]
    assert "max_record_bytes" in (records[1].error or "")
    assert [r.fields.get("id") for r in records if not r.error] == ["a1", "a3"]


def test_csv_row_over_the_record_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "press.csv"
    path.write_bytes(
        rows("a1,Short.,2022-01-01", f"a2,{'x' * 900},2022-01-02", "a3,Ok.,2022-01-03")
    )
    records = list(iter_records(path, max_record_bytes=500))
    assert [(r.locator, r.error_code) for r in records if r.error] == [
        ("row 3", "too_large")
    ]
    assert len(records) == 3


def test_folder_page_over_the_record_cap_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.txt").write_text("A short statement about the port.")
    (folder / "b.txt").write_text("long " * 300)
    records = list(iter_records(folder, format="folder", max_record_bytes=500))
    assert [(r.locator, r.error_code) for r in records if r.error] == [
        ("file b.txt", "too_large")
    ]


def test_the_card_size_caps_reach_the_reader(tmp_path: Path) -> None:
    data = rows(*(f"a{i},Talks in the port went on.,2022-01-01" for i in range(40)))
    with pytest.raises(SourceError, match="max_bytes"):
        build(tmp_path, data, max_bytes=300)


def test_card_size_options_are_validated(tmp_path: Path) -> None:
    card = write_card(tmp_path, files_extra="max_bytes = 5000\nmax_record_bytes = 100")
    loaded = load_card(card)
    assert loaded.files[0].max_bytes == 5000
    assert loaded.files[0].max_record_bytes == 100
    bad = write_card(tmp_path, files_extra="max_bytes = -1")
    with pytest.raises(CardError, match="max_bytes"):
        load_card(bad)


# ------------------------------------------------------------------ dates


def test_date_order_is_decided_by_the_whole_column(tmp_path: Path) -> None:
    data = rows(
        "a1,Talks in the port.,02/01/2022",
        "a2,Shelling overnight.,13/01/2022",
        "a3,Convoys arrived.,05/03/2022",
    )
    corpus = build(tmp_path, data)
    published = corpus.articles(columns=["doc_id", "published"])["published"]
    assert [str(p.date()) for p in published] == [
        "2022-01-02",
        "2022-01-13",
        "2022-03-05",
    ]
    assert corpus.counts["rejected"] == 0


def test_month_first_column_is_read_month_first(tmp_path: Path) -> None:
    data = rows("a1,Talks in the port.,02/01/2022", "a2,Shelling.,01/13/2022")
    corpus = build(tmp_path, data)
    published = corpus.articles(columns=["published"])["published"]
    assert [str(p.date()) for p in published] == ["2022-02-01", "2022-01-13"]


def test_ambiguous_column_is_rejected_naming_column_and_fix(tmp_path: Path) -> None:
    data = rows(
        "a1,Talks in the port.,2022-01-01",
        "a2,Shelling overnight.,02/01/2022",
        "a3,Convoys arrived.,03/04/2022",
    )
    corpus = build(tmp_path, data)
    assert corpus.counts["kept"] == 1
    found = rejects(corpus)
    assert [r[:3] for r in found] == [
        ("press.csv", "row 3", "ambiguous_date"),
        ("press.csv", "row 4", "ambiguous_date"),
    ]
    assert "column 'date'" in found[0][3]
    assert "date_order" in found[0][3]
    assert_reconciled(corpus)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("DMY", ["2022-01-02", "2022-04-03"]), ("MDY", ["2022-02-01", "2022-03-04"])],
)
def test_card_date_order_resolves_an_ambiguous_column(
    tmp_path: Path, order: str, expected: list[str]
) -> None:
    data = rows("a1,Shelling overnight.,02/01/2022", "a2,Convoys arrived.,03/04/2022")
    corpus = build(tmp_path, data, mapping={**MAPPING, "date_order": order})
    published = corpus.articles(columns=["published"])["published"]
    assert [str(p.date()) for p in published] == expected


def test_card_date_order_rejects_values_it_does_not_fit(tmp_path: Path) -> None:
    data = rows("a1,Shelling overnight.,02/01/2022", "a2,Convoys arrived.,13/01/2022")
    corpus = build(tmp_path, data, mapping={**MAPPING, "date_order": "MDY"})
    assert corpus.counts["kept"] == 1
    [(_, row, reason, detail)] = rejects(corpus)
    assert (row, reason) == ("row 3", "unparseable_date")
    assert "MDY" in detail and "date_order" in detail


def test_mixed_column_decides_nothing(tmp_path: Path) -> None:
    data = rows(
        "a1,Talks.  Port reopened.,13/01/2022",
        "a2,Shelling overnight.,01/13/2022",
        "a3,Convoys arrived.,02/03/2022",
    )
    corpus = build(tmp_path, data)
    assert [r[1:3] for r in rejects(corpus)] == [("row 4", "ambiguous_date")]
    assert "both day-first and month-first" in rejects(corpus)[0][3]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Feb 24", "incomplete_date"),
        ("24 Feb", "incomplete_date"),
        ("February 2022", "incomplete_date"),
        ("2022", "incomplete_date"),
        ("-2022-01-01", "unparseable_date"),
        ("#24.02.2022", "unparseable_date"),
        ("02/01/2022", "ambiguous_date"),
    ],
)
def test_incomplete_or_prefixed_dates_are_rejected(value: str, code: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == code
    assert code in REJECT_REASONS


def test_dates_the_parser_once_guessed_are_rejects_in_a_build(tmp_path: Path) -> None:
    data = rows(
        "a1,Talks in the port.,2022-01-01",
        "a2,Shelling overnight.,Feb 24",
        "a3,Convoys arrived.,-2022-01-01",
    )
    corpus = build(tmp_path, data)
    assert [r[1:3] for r in rejects(corpus)] == [
        ("row 3", "incomplete_date"),
        ("row 4", "unparseable_date"),
    ]
    assert_reconciled(corpus)


def test_date_text_is_an_ordinary_string() -> None:
    value = DateText("02/01/2022", order="MDY", column="d")
    assert value == "02/01/2022" and isinstance(value, str)
    assert parse_date(value) == parse_date("2022-02-01")
    assert parse_date("2022/01/02") == parse_date("2022-01-02")  # year first: YMD


def test_invalid_date_order_in_the_card_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="date_order"):
        _parse_mapping({**MAPPING, "date_order": "DDM"}, "test", MappingError)


# ------------------------------------------------------------------ languages


def test_text_in_an_undeclared_script_is_und_not_the_first_language(
    tmp_path: Path,
) -> None:
    chinese = "入侵在星期四黎明前开始人们躲在地铁站里"
    data = rows(
        "a1,The invasion began before dawn on Thursday.,2022-02-24",
        f"a2,{chinese},2022-02-24",
    )
    corpus = build(tmp_path, data)
    frame = corpus.articles(columns=["text", "language", "n_words"])
    pairs = zip(frame["language"], frame["n_words"], strict=True)
    by_text = dict(zip(frame["text"], pairs, strict=True))
    assert by_text["The invasion began before dawn on Thursday."] == ("en", 7)
    assert by_text[chinese] == ("und", len(chinese))


@pytest.mark.parametrize(
    ("languages", "text", "expected"),
    [
        (("ru",), "Вторгнення почалося вранці в четвер, і люди ховалися.", "und"),
        (("ru",), "Вторжение началось на рассвете в четверг, люди прятались.", "ru"),
        (("en",), "Die Menschen flüchteten über die Brücke nach Süden.", "und"),
        (("en",), "The invasion began at dawn; the café on Khreshchatyk shut.", "en"),
        (("en", "ru"), "Вторгнення почалося вранці в четвер, і люди ховалися.", "und"),
        (("en",), "Вторжение началось на рассвете в четверг.", "und"),
    ],
)
def test_language_outside_the_card_is_und(
    languages: tuple[str, ...], text: str, expected: str
) -> None:
    assert LanguageDetector(languages=languages)(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Russia's full-scale invasion of Ukraine", 5),
        ("入侵开始了", 5),
        ("基辅 Kyiv 市", 4),
        ("ロシアの侵攻", 3),  # one kana run, plus two Han characters
        ("", 0),
    ],
)
def test_word_counts_for_scripts_without_spaces(text: str, words: int) -> None:
    assert count_words(text) == words


# ------------------------------------------------------------------ cards

CARD = """\
name = "tiny"
title = "Tiny synthetic corpus"
description = "Written by the tests."
licence = "CC0-1.0"
attribution = "The tests"
citation = "None"
{top}
[[files]]
name = "press.csv"
url = "http://127.0.0.1:9/press.csv"
sha256 = "{sha}"
{files_extra}

[files.mapping]
text = "text"
published = "date"
"""


def write_card(
    folder: Path, *, top: str = "", files_extra: str = "", name: str = "tiny"
) -> Path:
    path = folder / f"{name}.toml"
    text = CARD.format(top=top, files_extra=files_extra, sha="0" * 64)
    path.write_text(text.replace('name = "tiny"', f'name = "{name}"', 1))
    return path


@pytest.mark.parametrize(
    ("dedupe", "key"),
    [
        ("threshold = 0", "dedupe.threshold"),
        ("threshold = 1.5", "dedupe.threshold"),
        ('threshold = "high"', "dedupe.threshold"),
        ("threshold = true", "dedupe.threshold"),
        ("num_perm = 0", "dedupe.num_perm"),
        ("num_perm = 12.5", "dedupe.num_perm"),
        ("shingle_size = -3", "dedupe.shingle_size"),
        ('near_duplicates = "yes"', "dedupe.near_duplicates"),
        ("seed = 1.5", "dedupe.seed"),
        ("speed = 1", "dedupe.speed"),
    ],
)
def test_bad_dedupe_values_are_card_errors(
    tmp_path: Path, dedupe: str, key: str
) -> None:
    path = write_card(tmp_path, top=f"[dedupe]\n{dedupe}\n")
    with pytest.raises(CardError) as info:
        load_card(path)
    assert str(path) in str(info.value)
    assert f"key {key!r}" in str(info.value)


@pytest.mark.parametrize("delimiter", ['";;"', '""', '"\\""', '"\\n"', '"a"', "1"])
def test_bad_delimiters_are_card_errors(tmp_path: Path, delimiter: str) -> None:
    path = write_card(tmp_path, files_extra=f"delimiter = {delimiter}")
    with pytest.raises(CardError, match=r"files\[1\]\.delimiter"):
        load_card(path)


def test_good_delimiters_load(tmp_path: Path) -> None:
    for delimiter in ('";"', '"\\t"', '"|"'):
        assert load_card(write_card(tmp_path, files_extra=f"delimiter = {delimiter}"))


def test_every_card_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_card(
        tmp_path,
        top='timezone = "Mars/Olympus"\n[dedupe]\nthreshold = 2\nseed = "x"\n',
        files_extra='delimiter = ";;"\nencoding = "no-such-codec"',
    )
    with pytest.raises(CardError) as info:
        load_card(path)
    message = str(info.value)
    assert "5 problems" in message
    for key in (
        "timezone",
        "dedupe.threshold",
        "dedupe.seed",
        "files[1].delimiter",
        "files[1].encoding",
    ):
        assert f"key {key!r}" in message


def test_a_broken_card_does_not_hide_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    write_card(registry, name="good")
    write_card(registry, name="broken", top="[dedupe]\nthreshold = 7\n")
    monkeypatch.setenv("FRAMING_REGISTRY", str(registry))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cards = list_cards()
    # FRAMING_REGISTRY adds folders to the registered cards.
    names = [card.name for card in cards]
    assert "good" in names and "broken" not in names and "us-gov-2022" in names
    assert any(
        issubclass(w.category, BrokenCardWarning) and "broken.toml" in str(w.message)
        for w in caught
    )
    assert [path.name for path in broken_cards()] == ["broken.toml"]

    result = CliRunner().invoke(app, ["corpus", "list"])
    assert result.exit_code == 0, result.output
    assert "good" in result.output
    assert "broken.toml" in result.output and "dedupe.threshold" in result.output
    assert "Traceback" not in result.output


def test_a_study_naming_only_good_corpora_is_not_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing.datasets.cards import registry_dir
    from framing.study.config import parse_study

    registry = tmp_path / "registry"
    registry.mkdir()
    # us-gov-2022 is a registered card; FRAMING_REGISTRY adds this folder.
    assert (registry_dir() / "us-gov-2022.toml").is_file()
    write_card(registry, name="broken", top="[dedupe]\nnum_perm = 0\n")
    monkeypatch.setenv("FRAMING_REGISTRY", str(registry))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    study = {
        "study": {"name": "demo"},
        "corpora": {"names": ["us-gov-2022"]},
        "events": [{"date": "2022-02-24", "label": "invasion"}],
        "naming": {"frames": ["invasion", "war"]},
    }
    config = parse_study(study, tmp_path / "study.toml")
    assert config.corpora == ("us-gov-2022",)
    # A study that names the broken corpus is told why it cannot run.
    study["corpora"] = {"names": ["broken"]}
    with pytest.raises(FramingError, match="the card of 'broken' is broken"):
        parse_study(study, tmp_path / "study.toml")


@pytest.mark.parametrize(
    ("text", "written", "declared", "telltale"),
    [
        (
            "Переговоры о зерне возобновились в порту сегодня утром, "
            "заявил министр; в городе тихо, рынки открыты.",
            "cp1251",
            "latin-1",
            "accented letters",
        ),
        (
            "Les négociations ont repris à Odessa ; le ministre a déclaré "
            "qu'elles étaient très difficiles, et l'été sera long.",
            "latin-1",
            "cp1251",
            "mix Latin and other letters",
        ),
    ],
    ids=["cyrillic-read-as-latin-1", "french-read-as-cp1251"],
)
def test_text_in_another_code_page_is_refused(
    tmp_path: Path, text: str, written: str, declared: str, telltale: str
) -> None:
    path = tmp_path / "press.csv"
    path.write_bytes((HEADER + f"a1,{text},2022-01-01\n" * 3).encode(written))
    with pytest.raises(SourceError) as info:
        list(iter_records(path, encoding=declared))
    message = str(info.value)
    assert "press.csv" in message and f"encoding = {declared!r}" in message
    assert telltale in message and "Fix:" in message
    # Declared correctly, the same file reads.
    assert len(list(iter_records(path, encoding=written))) == 3


def test_date_order_is_found_in_json_lines(tmp_path: Path) -> None:
    lines = [
        '{"id": "a1", "text": "Talks in the port.", "date": "02/01/2022"}',
        '{"id": "a2", "text": "Shelling overnight.", "date": "01/13/2022 10:00"}',
    ]
    corpus = build(tmp_path, ("\n".join(lines) + "\n").encode(), name="posts.jsonl")
    published = corpus.articles(columns=["published"])["published"]
    assert [str(p) for p in published] == [
        "2022-02-01 00:00:00+00:00",
        "2022-01-13 10:00:00+00:00",
    ]


def test_date_order_is_found_in_an_excel_column(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "press.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "text", "date"])
    sheet.append(["a1", "Talks in the port.", "02/01/2022"])
    sheet.append(["a2", "Shelling overnight.", "03/04/2022"])
    workbook.save(path)
    records = list(iter_records(path))
    assert [getattr(r.fields["date"], "order", None) for r in records] == [
        "ambiguous",
        "ambiguous",
    ]
    with pytest.raises(DateParseError, match="column 'date'"):
        parse_date(records[0].fields["date"])
