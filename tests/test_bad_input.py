"""Explicit bad inputs: each rejected row says why and where; each unusable
file, archive, mirror copy or card fails with a message naming it.

All inputs are synthetic and written to tmp_path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.datasets.build import CorpusBuilder
from framing.datasets.cards import SourceFile, _parse_mapping, load_card
from framing.datasets.fetch import fetch_file
from framing.datasets.readers import iter_records, open_archive_member
from framing.errors import (
    CardError,
    DataUnavailableError,
    HashMismatchError,
    SourceError,
)
from framing.schema import REJECT_REASONS
from framing.store import Corpus

HEADER = b"id,text,title,published,outlet\n"
GOOD_ROW = b"a1,Kyiv held a press briefing on grain exports.,Briefing,2022-03-01,kyiv\n"
MAPPING: dict[str, Any] = {
    "id": "id",
    "text": "text",
    "title": "title",
    "published": "published",
    "outlet": "outlet",
}


def _mapping_error(key: str, problem: str) -> Exception:
    return ValueError(f"{key}: {problem}")


def csv_source(
    name: str, mapping: dict[str, Any] | None = None, **extra: Any
) -> SourceFile:
    return SourceFile(
        name=name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(mapping or MAPPING, "test", _mapping_error),
        format="csv",
        **extra,
    )


def build_csv(
    folder: Path,
    data: bytes,
    *,
    name: str = "press.csv",
    mapping: dict[str, Any] | None = None,
) -> Corpus:
    path = folder / name
    path.write_bytes(data)
    return CorpusBuilder("bad-input").build(
        [(path, csv_source(name, mapping))], folder / "store"
    )


def reject_rows(corpus: Corpus) -> list[tuple[str, str, str]]:
    """(source_file, source_row, reason) of every reject, in file order."""
    rejects = corpus.rejects()
    return list(
        zip(
            rejects["source_file"],
            rejects["source_row"],
            rejects["reason"],
            strict=True,
        )
    )


def assert_reconciled(corpus: Corpus) -> None:
    counts = corpus.counts
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    assert len(corpus.articles()) == counts["kept"]
    assert len(corpus.duplicates()) == counts["duplicates"]
    assert len(corpus.rejects()) == counts["rejected"]


# ------------------------------------------------------------------ row rejects


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (b"b2,   ,Empty,2022-03-02,kyiv\n", "empty_text"),
        ('b2,"\u200b\n\u00a0\n",Blank,2022-03-02,kyiv\n'.encode(), "empty_text"),
        (b"b2,Text about ports.,T,the day after the summit,kyiv\n", "unparseable_date"),
        (b"b2,Text about ports.,T,1700-05-01,kyiv\n", "implausible_date"),
        (b"b2,Text about ports.,T,2150-05-01T00:00:00Z,kyiv\n", "implausible_date"),
        (b"b2,Text about ports.,T,,kyiv\n", "missing_date"),
        (b"b2,Text about ports.,T,yesterday,kyiv\n", "unparseable_date"),
    ],
    ids=[
        "blank",
        "zero-width-only",
        "free-text-date",
        "year-1700",
        "year-2150",
        "no-date",
        "relative-date",
    ],
)
def test_bad_row_is_rejected_with_reason_file_and_row(
    tmp_path: Path, bad_row: bytes, reason: str
) -> None:
    corpus = build_csv(tmp_path, HEADER + GOOD_ROW + bad_row)
    assert reject_rows(corpus) == [("press.csv", "row 3", reason)]
    assert corpus.counts["kept"] == 1
    assert corpus.counts["rejected_by_reason"] == {reason: 1}
    assert reason in REJECT_REASONS
    assert_reconciled(corpus)


def test_reject_keeps_the_raw_record_and_a_detail(tmp_path: Path) -> None:
    corpus = build_csv(tmp_path, HEADER + GOOD_ROW + b"b2,Text.,T,not-a-date-42,kyiv\n")
    (reject,) = corpus.rejects().to_dict("records")
    assert "not-a-date-42" in reject["detail"]
    assert '"published": "not-a-date-42"' in reject["record"]
    assert reject["corpus"] == "bad-input"


def test_mapping_to_a_column_that_does_not_exist_rejects_every_row(
    tmp_path: Path,
) -> None:
    mapping = {**MAPPING, "text": "body"}  # the file has no "body" column
    # Every row rejected: no empty corpus is built; the error names the column.
    with pytest.raises(SourceError) as info:
        build_csv(tmp_path, HEADER + GOOD_ROW, mapping=mapping)
    message = str(info.value)
    assert message.startswith("press.csv: every one of its 1 records was rejected")
    assert "missing_field 1" in message and "['body']" in message
    assert not (tmp_path / "store").exists()


def test_a_file_that_yields_no_records_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="yields no records"):
        build_csv(tmp_path, HEADER)
    assert not (tmp_path / "store").exists()


def test_a_mapped_column_absent_from_every_row_is_a_warning(tmp_path: Path) -> None:
    mapping = {**MAPPING, "author": "byline"}
    with pytest.warns(UserWarning, match=r"maps field\(s\) \['byline'\]"):
        corpus = build_csv(tmp_path, HEADER + GOOD_ROW, mapping=mapping)
    assert corpus.counts["kept"] == 1


def test_required_mapped_field_that_is_blank_is_missing_field(tmp_path: Path) -> None:
    mapping = {**MAPPING, "required": ["text", "title"]}
    data = HEADER + GOOD_ROW + b"b2,Text about ports.,,2022-03-02,kyiv\n"
    corpus = build_csv(tmp_path, data, mapping=mapping)
    assert reject_rows(corpus) == [("press.csv", "row 3", "missing_field")]


def test_repeated_source_id_is_rejected_as_duplicate_id(tmp_path: Path) -> None:
    data = (
        HEADER
        + GOOD_ROW
        + b"b2,A different story about rail repairs.,Rail,2022-03-02,kyiv\n"
        + b"a1,A third story reusing the first id.,Reuse,2022-03-03,kyiv\n"
    )
    corpus = build_csv(tmp_path, data)
    assert reject_rows(corpus) == [("press.csv", "row 4", "duplicate_id")]
    (detail,) = corpus.rejects()["detail"]
    assert "a1" in detail
    assert corpus.counts["kept"] == 2
    assert_reconciled(corpus)


def test_invalid_utf8_row_is_broken_encoding_and_other_rows_are_kept(
    tmp_path: Path,
) -> None:
    data = (
        HEADER
        + GOOD_ROW
        + b"b2,Caf\xe9 owners in Lviv reopened \xff today.,Caf\xe9,2022-03-02,lviv\n"
        + b"c3,Trains to Odesa resumed after repairs.,Trains,2022-03-03,odesa\n"
    )
    corpus = build_csv(tmp_path, data)
    assert reject_rows(corpus) == [("press.csv", "row 3", "broken_encoding")]
    assert sorted(corpus.articles()["source_row"]) == ["row 2", "row 4"]
    (record,) = corpus.rejects()["record"]
    assert "\ufffd" in record  # undecodable bytes shown as replacement characters
    assert_reconciled(corpus)


def test_every_reason_in_one_file_reconciles(tmp_path: Path) -> None:
    data = (
        HEADER
        + GOOD_ROW
        + b"b2,  ,Empty,2022-03-02,kyiv\n"
        + b"b3,Text one.,T,no date here,kyiv\n"
        + b"b4,Text two.,T,1700-01-01,kyiv\n"
        + b"b5,Text three.,T,,kyiv\n"
        + b"a1,Text four.,T,2022-03-02,kyiv\n"
        + b"b6,Text \xff five.,T,2022-03-02,kyiv\n"
        + b"b7,too,few\n"
        + GOOD_ROW.replace(b"a1", b"b8")  # same text as row 2: an exact duplicate
    )
    corpus = build_csv(tmp_path, data)
    assert [(row, reason) for _, row, reason in reject_rows(corpus)] == [
        ("row 3", "empty_text"),
        ("row 4", "unparseable_date"),
        ("row 5", "implausible_date"),
        ("row 6", "missing_date"),
        ("row 7", "duplicate_id"),
        ("row 8", "broken_encoding"),
        ("row 9", "malformed_record"),
    ]
    counts = corpus.counts
    assert (counts["read"], counts["kept"], counts["duplicates"]) == (9, 1, 1)
    assert corpus.duplicates()["source_row"].tolist() == ["row 10"]
    assert_reconciled(corpus)


def test_invalid_utf8_in_header_does_not_abort_build(tmp_path: Path) -> None:
    data = b"id,text,title,published,outlet,r\xe9gion\n" + GOOD_ROW.replace(
        b"\n", b",west\n"
    )
    try:
        corpus = build_csv(tmp_path, data)
    except SourceError:
        return  # refusing the whole file, by name, is acceptable too
    assert_reconciled(corpus)


def test_date_at_the_edge_of_datetime_range_is_implausible_not_fatal(
    tmp_path: Path,
) -> None:
    data = HEADER + GOOD_ROW + b"b2,Text.,T,0001-01-01T00:00:00+05:00,kyiv\n"
    corpus = build_csv(tmp_path, data)
    assert reject_rows(corpus) == [("press.csv", "row 3", "implausible_date")]


# ------------------------------------------------------------------ whole files


def test_missing_file_is_a_source_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(SourceError, match="file not found") as info:
        iter_records(path)
    assert info.value.path == str(path)


def test_build_from_a_missing_file_leaves_no_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    with pytest.raises(SourceError, match="absent.csv"):
        CorpusBuilder("bad-input").build(
            [(tmp_path / "absent.csv", csv_source("absent.csv"))], target
        )
    assert [p for p in tmp_path.iterdir() if p.suffix != ".lock"] == []


def test_unsupported_suffix_is_a_source_error(tmp_path: Path) -> None:
    # (.docx is read as a Nexis export; .odt has no reader.)
    path = tmp_path / "notes.odt"
    path.write_bytes(b"PK\x03\x04 not really a document")
    with pytest.raises(SourceError, match=r"unsupported format \(suffix '.odt'\)"):
        iter_records(path)


def test_unknown_explicit_format_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(HEADER + GOOD_ROW)
    with pytest.raises(SourceError, match="unknown format 'docx'"):
        iter_records(path, format="docx")


def test_unknown_encoding_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "press.csv"
    path.write_bytes(HEADER + GOOD_ROW)
    with pytest.raises(SourceError, match="unknown encoding"):
        list(iter_records(path, encoding="no-such-codec"))


def test_csv_with_duplicate_column_names_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "press.csv"
    path.write_bytes(b"text,text\na,b\n")
    with pytest.raises(SourceError, match="duplicate column names"):
        list(iter_records(path))


def test_invalid_json_document_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "press.json"
    path.write_bytes(b'[{"text": "a"}, {"text": ')
    with pytest.raises(SourceError, match="not valid JSON"):
        list(iter_records(path))


# ------------------------------------------------------------------ archives


def zip_bytes(members: dict[str, bytes], *, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level
    ) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture()
def press_zip(tmp_path: Path) -> Path:
    path = tmp_path / "press.zip"
    row = "r{0},Synthetic bulletin number {0} for the archive.,B{0},2022-03-01,kyiv\n"
    rows = "".join(row.format(i) for i in range(200)).encode()
    path.write_bytes(zip_bytes({"inner/press.csv": HEADER + rows}))
    return path


def test_zip_member_is_extracted_and_built(press_zip: Path, tmp_path: Path) -> None:
    with open_archive_member(press_zip, "inner/press.csv") as member:
        assert member.read_bytes().startswith(HEADER)
        folder = member.parent
    assert not folder.exists(), "the temporary extraction folder is removed"
    source = csv_source("press.zip", member="inner/press.csv")
    corpus = CorpusBuilder("bad-input").build([(press_zip, source)], tmp_path / "store")
    assert corpus.counts["read"] == 200
    assert set(corpus.articles()["source_file"]) == {"press.zip"}


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_truncated_zip_is_a_source_error_naming_the_archive(
    press_zip: Path, keep: float
) -> None:
    data = press_zip.read_bytes()
    press_zip.write_bytes(data[: int(len(data) * keep)])
    with (
        pytest.raises(SourceError, match="truncated or corrupt") as info,
        open_archive_member(press_zip, "inner/press.csv"),
    ):
        pass
    assert info.value.path == str(press_zip)


def test_zip_with_corrupted_member_bytes_is_a_source_error(press_zip: Path) -> None:
    data = bytearray(press_zip.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    press_zip.write_bytes(bytes(data))
    with (
        pytest.raises(SourceError, match="truncated or corrupt"),
        open_archive_member(press_zip, "inner/press.csv"),
    ):
        pass


def test_build_from_a_truncated_zip_leaves_no_store(
    press_zip: Path, tmp_path: Path
) -> None:
    press_zip.write_bytes(press_zip.read_bytes()[:200])
    target = tmp_path / "store"
    source = csv_source("press.zip", member="inner/press.csv")
    with pytest.raises(SourceError, match="press.zip"):
        CorpusBuilder("bad-input").build([(press_zip, source)], target)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".lock"] == ["press.zip"]


def test_missing_zip_member_lists_the_members(press_zip: Path) -> None:
    with (
        pytest.raises(SourceError, match="no member 'press.csv'") as info,
        open_archive_member(press_zip, "press.csv"),
    ):
        pass
    assert "inner/press.csv" in info.value.fix


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_bytes({"zeros.csv": bytes(50 * 1024 * 1024)}, level=9))
    assert bomb.stat().st_size < 200 * 1024
    with (
        pytest.raises(SourceError, match=r"expands \d+-fold") as info,
        open_archive_member(bomb, "zeros.csv"),
    ):
        pass
    assert info.value.path == str(bomb)
    assert "zip bomb" in info.value.fix


def test_oversized_member_is_refused(press_zip: Path) -> None:
    with (
        pytest.raises(SourceError, match="over the limit of 1000") as info,
        open_archive_member(press_zip, "inner/press.csv", max_bytes=1000),
    ):
        pass
    assert "max_bytes" in info.value.fix


# ------------------------------------------------------------------ cards


CARD = """\
name = "tiny-press"
title = "Tiny synthetic press corpus"
description = "Synthetic rows written by the tests."
licence = "CC0-1.0"
attribution = "The tests"
citation = "None"
timezone = "Europe/Kyiv"
languages = ["en", "uk"]

[[files]]
name = "press.csv"
url = "http://127.0.0.1:9/tiny-press/press.csv"
sha256 = "{sha256}"
format = "csv"

[files.mapping]
text = "text"
title = "title"
published = "published"
outlet = "outlet"
"""
PRESS_BYTES = HEADER + GOOD_ROW


def write_card(folder: Path, text: str | None = None) -> Path:
    path = folder / "tiny-press.toml"
    sha256 = hashlib.sha256(PRESS_BYTES).hexdigest()
    path.write_text(text or CARD.replace("{sha256}", sha256), encoding="utf-8")
    return path


@pytest.fixture()
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_DATA_MIRROR", raising=False)
    return tmp_path


def test_valid_card_loads(tmp_path: Path) -> None:
    card = load_card(write_card(tmp_path))
    assert card.name == "tiny-press"
    assert card.timezone == "Europe/Kyiv"
    assert card.files[0].mapping.required == ("text", "published")


def test_mirror_copy_is_verified_and_used(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_card(write_card(isolated_env))
    mirror = isolated_env / "mirror"
    (mirror / "tiny-press").mkdir(parents=True)
    (mirror / "tiny-press" / "press.csv").write_bytes(PRESS_BYTES)
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(mirror))
    assert fetch_file(card, card.files[0]) == mirror / "tiny-press" / "press.csv"


def test_mirror_file_with_wrong_sha256_is_refused(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_card(write_card(isolated_env))
    mirror = isolated_env / "mirror"
    (mirror / "tiny-press").mkdir(parents=True)
    tampered = PRESS_BYTES.replace(b"Briefing", b"Briefinq")
    (mirror / "tiny-press" / "press.csv").write_bytes(tampered)
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(mirror))
    expected = hashlib.sha256(PRESS_BYTES).hexdigest()
    actual = hashlib.sha256(tampered).hexdigest()
    with pytest.raises(HashMismatchError) as info:
        fetch_file(card, card.files[0])
    message = str(info.value)
    assert "press.csv" in message
    assert expected in message
    assert actual in message
    assert (info.value.expected, info.value.actual) == (expected, actual)


def test_no_mirror_and_no_network_is_data_unavailable(isolated_env: Path) -> None:
    card = load_card(write_card(isolated_env))
    source = dataclasses.replace(
        card.files[0], url="http://127.0.0.1:9/tiny-press/press.csv"
    )
    with pytest.raises(DataUnavailableError) as info:
        fetch_file(card, source)
    message = str(info.value)
    assert "FRAMING_DATA_MIRROR" in message
    assert "tiny-press/press.csv" in message
    assert "127.0.0.1:9" in message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('licence = "CC0-1.0"', 'licence = "CC0-1.0"\ncolour = "blue"', "'colour'"),
        ('sha256 = "{sha256}"', 'sha256 = "not-a-hash"', "'files[1].sha256'"),
        ('sha256 = "{sha256}"', 'sha256 = "' + "A" * 64 + '"', "'files[1].sha256'"),
        ('timezone = "Europe/Kyiv"', 'timezone = "Mars/Olympus"', "'timezone'"),
        ('text = "text"\n', "", "'files[1].mapping.text'"),
        ('format = "csv"', 'format = "docx"', "'files[1].format'"),
        ('name = "tiny-press"', 'name = "Tiny Press!"', "'name'"),
        ('languages = ["en", "uk"]', 'languages = ["english"]', "'languages'"),
        ('title = "title"', 'headline = "title"', "'files[1].mapping.headline'"),
        (
            'format = "csv"',
            'format = "csv"\ncompression = "gzip"',
            "'files[1].compression'",
        ),
    ],
    ids=[
        "unknown-key",
        "bad-sha256",
        "upper-case-sha256",
        "bad-timezone",
        "mapping-without-text",
        "unknown-format",
        "bad-name",
        "bad-language",
        "unknown-mapping-target",
        "unknown-file-key",
    ],
)
def test_invalid_card_names_file_and_key(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    valid = CARD.replace("{sha256}", "0" * 64)
    old = old.replace("{sha256}", "0" * 64)
    assert old in valid
    path = write_card(tmp_path, valid.replace(old, new, 1))
    with pytest.raises(CardError) as info:
        load_card(path)
    message = str(info.value)
    assert str(path) in message
    assert f"key {key}" in message


def test_card_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    path = write_card(tmp_path, "name = [unclosed\n")
    with pytest.raises(CardError, match="not valid TOML") as info:
        load_card(path)
    assert str(path) in str(info.value)


# ------------------------------------------------------------------ CLI


def test_cli_unknown_corpus_is_one_error_line_without_traceback(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = isolated_env / "registry"
    registry.mkdir()
    write_card(registry)
    monkeypatch.setenv("FRAMING_REGISTRY", str(registry))
    result = CliRunner().invoke(app, ["corpus", "info", "no-such-corpus"])
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "no-such-corpus" in result.output
    assert "tiny-press" in result.output  # the registered names are listed
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
