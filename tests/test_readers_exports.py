"""Readers of the exports researchers have: Nexis, Factiva, Telegram, Media Cloud.

Real-format inputs: the Nexis samples in ``$FRAMING_DATA_MIRROR/nexis-samples``
(read there, never copied) and the Telegram channel lists of
``ru-telegram-2024``. Everything under ``tests/fixtures/exports`` and every
file a test writes is synthetic (invented outlets and sentences).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing.datasets.build import build_corpus
from framing.datasets.draft import draft_card
from framing.datasets.exports import rtf_to_text, sniff_export_format
from framing.datasets.readers import RawRecord, detect_format, iter_records
from framing.errors import SourceError
from framing.schema import REJECT_REASONS
from framing.store import DUPLICATES_FILE, REJECTS_FILE, Corpus

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def nexis_sample(name: str) -> Path:
    """A real-format Nexis sample from the mirror (skip only when unset)."""
    mirror = os.environ.get("FRAMING_DATA_MIRROR")
    if not mirror:
        pytest.skip("the Nexis samples need FRAMING_DATA_MIRROR")
    path = Path(mirror) / "nexis-samples" / name
    assert path.is_file(), f"{path} missing from the mirror"
    return path


def read(path: Path, fmt: str | None = None, **options: Any) -> list[RawRecord]:
    return list(iter_records(path, format=fmt, **options))


def refused(path: Path, fmt: str | None = None, **options: Any) -> str:
    """The message of the SourceError reading ``path`` raises; it names the file."""
    with pytest.raises(SourceError) as info:
        read(path, fmt, **options)
    message = str(info.value)
    assert str(path) in message
    assert "Fix:" in message
    return message


HEAD = """
name = "{name}"
title = "Synthetic exports"
description = "Synthetic test fixtures."
licence = "CC0-1.0"
attribution = "The test"
citation = "The test"
timezone = "UTC"
languages = ["en", "de", "ru"]
"""

#: The canonical targets each export's records carry (the card maps them 1:1).
TARGETS = {
    "nexis": ("title", "outlet", "author", "section", "language"),
    "factiva": ("title", "outlet", "author", "language", "id"),
    "telegram": ("outlet", "id"),
    "mediacloud": ("title", "outlet", "url", "language", "id"),
}


def card(folder: Path, files: list[tuple[str, str]], name: str) -> Path:
    """A card over ``(path, format)`` entries, each mapped field for field."""
    text = HEAD.format(name=name)
    for path, fmt in files:
        text += f'\n[[files]]\npath = "{path}"\nformat = "{fmt}"\n\n'
        text += '[files.mapping]\ntext = "text"\npublished = "date"\n'
        text += "".join(f'{t} = "{t}"\n' for t in TARGETS[fmt])
        text += 'required = ["text", "published"]\n'
    target = folder / f"{name}.toml"
    target.write_text(text, encoding="utf-8")
    return target


def assert_reconciled(corpus: Corpus) -> dict[str, Any]:
    counts = corpus.counts
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    assert (
        sum(pq.read_metadata(path).num_rows for path in corpus.article_files)
        == counts["kept"]
    )
    assert (
        pq.read_metadata(corpus.path / DUPLICATES_FILE).num_rows == counts["duplicates"]
    )
    assert pq.read_metadata(corpus.path / REJECTS_FILE).num_rows == counts["rejected"]
    assert sum(counts["rejected_by_reason"].values()) == counts["rejected"]
    for reject in corpus.rejects().itertuples(index=False):
        assert reject.reason in REJECT_REASONS
        assert reject.source_file and reject.source_row and reject.detail
    return counts


# ---------------------------------------------------------------- Nexis


def test_nexis_docx_sample_gives_ten_documents_with_metadata() -> None:
    records = read(nexis_sample("sample.DOCX"))
    assert len(records) == 10
    assert all(r.error is None for r in records)
    first = records[0].fields
    assert first["outlet"] == "The Guardian(London)"
    assert first["date"].startswith("July 1, 2019 Monday")
    assert first["section"] == "POLITICS" and first["version"] == "28"
    assert first["length"] == 355
    assert first["author"].startswith("Mattha Busby")
    for record in records:
        fields = record.fields
        assert record.locator.startswith("document ")
        assert {"title", "outlet", "date", "text", "length"} <= set(fields)
        # The metadata block and trailers are not part of the body.
        for marker in ("End of Document", "Load-Date:", "Length:", "Byline:"):
            assert marker not in fields["text"]
    assert records[6].fields["language"] == "en"
    assert records[6].fields["load_date"] == "July 4, 2019"


def test_nexis_text_sample_academic_layout() -> None:
    path = nexis_sample("sample.TXT")
    with pytest.raises(SourceError):
        detect_format(path)  # .txt only by explicit format (or corpus init)
    assert sniff_export_format(path) == "nexis"
    records = read(path, "nexis")
    assert [r.locator.split(" (")[0] for r in records] == [
        f"document {n}" for n in range(1, 11)
    ]
    assert all(r.error is None for r in records)
    sun = records[2].fields
    assert sun["outlet"] == "The Sun (England)"
    assert sun["date"] == "January 11, 2010 Monday"
    assert sun["section"] == "FEATURES; Pg. 6"
    assert sun["length"] == 677
    assert sun["edition"] == "Edition 1; Scotland"
    assert sun["language"] == "en" and sun["journal_code"] == "SUN"
    assert sun["copyright"].startswith("Copyright 2010")
    for record in records:
        assert "LOAD-DATE" not in record.fields["text"]
        assert "DOCUMENTS" not in record.fields["text"]
    assert records[7].fields["author"] == "STEPHEN POLLARD"  # "BY " dropped


def test_nexis_docx_without_separators_is_refused() -> None:
    message = refused(nexis_sample("test.DOCX"))
    assert "no Nexis document separators" in message


def test_nexis_samples_build_through_a_card(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("sample.DOCX", "sample.TXT"):
        shutil.copy(nexis_sample(name), folder / name)
    path = card(
        folder,
        [("sample.DOCX", "nexis"), ("sample.TXT", "nexis")],
        "nexis-samples-test",
    )
    corpus = build_corpus(path)
    counts = assert_reconciled(corpus)
    assert counts["read"] == 20
    assert counts["rejected"] == 0
    articles = corpus.articles(include_duplicates=True)
    assert set(articles["date_precision"]) == {"time", "day"}
    docx = articles[articles["source_file"] == "sample.DOCX"]
    assert docx["published"].min().strftime("%Y-%m-%d %H:%M") == "2019-07-01 09:20"
    assert set(docx["section"]) >= {"POLITICS", "SPORT"}
    first = docx.sort_values("published").iloc[0]
    meta = json.loads(first["meta"])
    assert meta["length"] == 355 and meta["version"] == "28"


def test_nexis_rtf_fixture() -> None:
    path = FIXTURES / "nexis-uni.rtf"
    assert detect_format(path) == "nexis"
    records = read(path)
    assert [r.error for r in records] == [None, None]
    first, second = (r.fields for r in records)
    assert first["title"] == "Elmford opens its footbridge"
    assert first["outlet"] == "Elmford Gazette"
    assert first["author"] == "Jane Placeholder"
    assert first["section"] == "NEWS; Pg. 4"
    assert first["length"] == 35 and first["language"] == "en"
    assert "Dupré" in first["text"] and "–" in first["text"]
    assert "Classification" not in first["text"]
    assert first["load_date"] == "March 4, 2022"
    assert second["date"] == "March 4, 2022 Friday 9:15 AM GMT"


def test_nexis_cut_export_rejects_its_tail(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_text(
        "Headline one\nExample Paper\nMarch 3, 2022\nBody\nSome text.\n"
        "End of Document\nHeadline two\nExample Paper\nMarch 4, 2022\nBody\nCut"
    )
    records = read(path, "nexis")
    assert records[0].error is None
    assert records[1].error is not None and "cut short" in records[1].error
    assert records[1].locator.startswith("document 2")


def test_nexis_document_without_date_is_a_reject_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nodate.txt"
    path.write_text(
        "Headline\nExample Paper\nBody\nText.\nEnd of Document\n"
        "Headline two\nExample Paper\nMarch 4, 2022\nBody\nMore text.\n"
        "End of Document\n"
    )
    records = read(path, "nexis")
    assert records[0].error is not None and "no date line" in records[0].error
    assert "document 1" in records[0].error
    assert records[1].error is None


def test_nexis_document_over_the_record_cap_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(
        "Short\nPaper\nMarch 3, 2022\nBody\nA few words.\nEnd of Document\n"
        "Long\nPaper\nMarch 4, 2022\nBody\n" + "word " * 100 + "\nEnd of Document\n"
    )
    records = read(path, "nexis", max_record_bytes=200)
    assert records[0].error is None
    assert records[1].error_code == "too_large"
    assert "max_record_bytes" in (records[1].error or "")
    assert "text" not in records[1].fields


def test_nexis_text_without_separators_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes\nMarch 3, 2022\nno export here\n")
    assert "no Nexis document separators" in refused(path, "nexis")


def _docx(path: Path, body: str, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return path


def _paragraphs(*lines: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


SYNTHETIC_DOC = (
    "Footbridge opens",
    "Elmford Gazette",
    "March 3, 2022 Thursday",
    "Length:\u00a05 words",
    "Body",
    "The synthetic footbridge opened.",
    "End of Document",
)


def test_nexis_docx_written_here(tmp_path: Path) -> None:
    path = _docx(tmp_path / "export.docx", _paragraphs(*SYNTHETIC_DOC))
    [record] = read(path)
    assert record.fields["text"] == "The synthetic footbridge opened."
    assert record.fields["length"] == 5


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    whole = _docx(tmp_path / "whole.docx", _paragraphs(*SYNTHETIC_DOC) * 50)
    path = tmp_path / "cut.docx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    message = refused(path)
    assert "zip" in message or "truncated" in message


def test_docx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old Word .doc file")
    assert "not a Word (.docx) file" in refused(path)


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _docx(tmp_path / "bomb.docx", "<w:p>" + " " * 5_000_000 + "</w:p>")
    assert "zip bomb" in refused(path)


def test_docx_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = _docx(
        tmp_path / "big.docx",
        _paragraphs(*SYNTHETIC_DOC) * 20,
        compression=zipfile.ZIP_STORED,
    )
    message = refused(path, max_bytes=path.stat().st_size - 1)
    assert "cap" in message and "max_bytes" in message
    message = refused(path, max_bytes=1000)
    assert "max_bytes" in message


def test_docx_without_document_part_and_hostile_xml(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    assert "word/document.xml" in refused(path)
    hostile = tmp_path / "hostile.docx"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>',
        )
    assert "forbidden XML" in refused(hostile)
    broken = _docx(tmp_path / "broken.docx", "<w:p><w:r>")
    assert "broken XML" in refused(broken)


# ------------------------------------------------------------------- RTF


def test_rtf_to_text_handles_escapes_and_destinations() -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1251{\fonttbl{\f0 Arial;}}{\colortbl;\red0;}"
        rb"{\stylesheet{\s0 Normal;}}{\info{\title secret}}{\*\unknown hidden}"
        rb"\'c2\'ee\'e9\'ed\'e0\par \uc1\u1074?\u1086?\par a\~b\{c\}\\ {\pict 0a0b}end}"
    )
    assert rtf_to_text(rtf) == "Война\nво\na\u00a0b{c}\\ end"
    # \binN data may hold braces; it is skipped whole.
    assert rtf_to_text(rb"{\rtf1\ansi A{\pict\bin4 }{{}}B}") == "AB"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (rb"{\rtf1\ansi Some text\par {\b unclosed", "never closed"),
        (rb"{\rtf1\ansi text}}", "text after the document's closing"),
        (rb"{\rtf1\ansi " + b"{" * 300 + b"x" + b"}" * 300 + b"}", "nested"),
    ],
    ids=["unclosed", "extra-brace", "too-deep"],
)
def test_broken_rtf_is_refused(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "export.rtf"
    path.write_bytes(data)
    assert problem in refused(path)
    assert problem in refused(path, "factiva")


def test_rtf_extra_closing_brace_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "export.rtf"
    path.write_bytes(b"{\\rtf1\\ansi\nline two}\n}\n")
    assert "line 3" in refused(path) or "line 2" in refused(path)


# --------------------------------------------------------------- Factiva


def test_factiva_html_fixture() -> None:
    path = FIXTURES / "factiva-articles.html"
    assert sniff_export_format(path) == "factiva"
    records = read(path, "factiva")
    assert len(records) == 3
    first = records[0].fields
    assert first["title"].startswith("Footbridge over the Elm river")
    assert first["author"] == "Jane Placeholder"
    assert first["length"] == 62 and first["date"] == "3 March 2022"
    assert first["outlet"] == "Elmford Gazette" and first["source_code"] == "ELMGAZ"
    assert first["language"] == "en" and first["page"] == "A4"
    assert first["id"] == "ELMGAZ0020220303ei330000a"
    assert first["copyright"].startswith("(c) 2022")
    assert "load tests & found" in first["text"]
    assert records[1].fields["date"] == "4 March 2022 09:15"
    assert "author" not in records[1].fields
    assert records[2].error is not None and "no body paragraphs" in records[2].error


def test_factiva_rtf_fixture_also_through_the_rtf_suffix() -> None:
    path = FIXTURES / "factiva-articles.rtf"
    explicit = read(path, "factiva")
    guessed = read(path)  # .rtf -> nexis, which hands the Factiva layout on
    assert [r.fields for r in explicit] == [r.fields for r in guessed]
    first = explicit[0].fields
    assert first["outlet"] == "Estuary Herald" and first["author"] == "Ola Fictional"
    assert "£5" in first["text"] and "café" in first["text"] and "—" in first["text"]
    assert "Document" not in first["text"] and "words" not in first["text"]
    assert explicit[1].fields["id"] == "ESTHER0020220308ei380000e"


def test_factiva_html_without_articles_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "headlines.html"
    path.write_text("<html><body><h1>Search results</h1><p>none</p></body></html>")
    assert "no Factiva article blocks" in refused(path, "factiva")


def test_factiva_rtf_without_accession_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.rtf"
    path.write_bytes(rb"{\rtf1\ansi Headline\par 3 March 2022\par Body.\par}")
    assert "no Factiva articles" in refused(path, "factiva")


def test_factiva_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("plain words")
    assert "neither RTF nor HTML" in refused(path, "factiva")


# -------------------------------------------------------------- Telegram


def test_telegram_desktop_export() -> None:
    path = FIXTURES / "telegram-result.json"
    assert detect_format(path) == "json"
    assert sniff_export_format(path) == "telegram"
    records = read(path, "telegram")
    assert len(records) == 6
    service = [r for r in records if r.error is not None]
    assert [r.locator for r in service] == ["message 1", "message 5"]
    assert {r.error_code for r in service} == {"service_message"}
    posts = {r.fields["message_id"]: r.fields for r in records if r.error is None}
    two = posts[2]
    assert two["text"].startswith("Footbridge opens: the synthetic town")
    assert "council notice" in two["text"] and "href" not in two["text"]
    assert two["links"] == ["https://example.org/notice"]
    assert two["hashtags"] == ["#elmford"]
    assert two["id"] == "1009990001:2" and two["outlet"] == "Elmford Evening"
    assert two["date"] == "2024-11-01T12:30:00+00:00"  # from date_unixtime
    assert two["edited"] == "2024-11-01T12:45:00+00:00"
    assert two["views"] == 1520 and two["author"] == "Ola Fictional"
    assert posts[3]["forwarded_from"] == "Northbay Daily"
    assert posts[3]["media"] == "photo"
    assert posts[6]["text"] == (
        "Council argues over heating costs in invented schools live"
    )
    assert posts[6]["links"] == ["https://example.org/live"]


def test_telegram_channel_list_from_the_mirror() -> None:
    mirror = os.environ.get("FRAMING_DATA_MIRROR")
    if not mirror:
        pytest.skip("needs FRAMING_DATA_MIRROR")
    path = Path(mirror) / "ru-telegram-2024" / "1001003313758_messages.json"
    records = read(path, "telegram")
    assert len(records) == 672
    assert all(r.error is None for r in records)
    ids = [r.fields["id"] for r in records]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("-1001003313758:") for i in ids)
    texts = [r.fields["text"] for r in records]
    assert not any("](" in t for t in texts)
    bold = re.compile(r"(?<!\w)\*\*(?!\s)[^\n]*?(?<!\s)\*\*(?!\w)")
    assert not any(bold.search(t) for t in texts)
    assert any(r.fields.get("links") for r in records)
    assert {r.fields["outlet"] for r in records} == {"Новости Москвы"}


def test_telegram_full_account_export(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    chat = {"name": "Invented", "id": 7, "messages": [{"id": 1, "text": "Hi."}]}
    path.write_text(json.dumps({"chats": {"list": [chat, {**chat, "id": 8}]}}))
    records = read(path, "telegram")
    assert [r.fields["id"] for r in records] == ["7:1", "8:1"]
    assert records[1].locator == "chat 2 message 1"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"name": "x", "about": "no messages"}', "not a Telegram export"),
        ("42", "not a Telegram export"),
        ('{"name": "x", "messages": {"1": {}}}', "no list of messages"),
        ('{"chats": {"list": [1]}}', "not a chat"),
        ('[{"id": 1, "text": "cut', "not valid JSON"),
    ],
    ids=["no-messages", "number", "messages-not-list", "bad-chat", "cut"],
)
def test_telegram_wrong_shape_is_refused(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "result.json"
    path.write_text(content)
    assert problem in refused(path, "telegram")


def test_telegram_bad_messages_are_rejects(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([[1], {"text": "no id"}, {"id": 3, "text": "ok"}]))
    records = read(path, "telegram")
    assert [r.error is None for r in records] == [False, False, True]
    assert "not a message object" in (records[0].error or "")
    assert "without an id" in (records[1].error or "")


# ------------------------------------------------------------ Media Cloud


def test_mediacloud_story_lists() -> None:
    new = read(FIXTURES / "mediacloud-stories.csv", "mediacloud")
    old = read(FIXTURES / "mediacloud-stories-v3.csv", "mediacloud")
    assert len(new) == 3 and len(old) == 3
    first = new[0].fields
    assert first["id"] == "a1b2c3" and first["outlet"] == "elmfordgazette.example"
    assert first["text"] == first["title"] and first["text_is_title"] is True
    assert first["date"] == "2022-03-03 10:00:00"
    assert old[0].fields["id"] == "9001" and old[0].fields["outlet"] == "Estuary Herald"
    assert old[0].fields["media_id"] == "41"


def test_mediacloud_text_column_is_the_text(tmp_path: Path) -> None:
    path = tmp_path / "stories.csv"
    path.write_text(
        "id,publish_date,title,url,media_name,text\n"
        "1,2022-03-03,A headline,https://x.example/1,x.example,The body.\n"
    )
    [record] = read(path, "mediacloud")
    assert record.fields["text"] == "The body."
    assert record.fields["text_is_title"] is False


def test_csv_that_is_not_mediacloud_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("headline,date\nA,2022-01-01\n")
    assert "not a Media Cloud story list" in refused(path, "mediacloud")


# --------------------------------------------------------- whole builds


def test_fixtures_build_through_a_card_with_reconciled_counts(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    path = card(
        folder,
        [
            ("nexis-uni.rtf", "nexis"),
            ("factiva-articles.html", "factiva"),
            ("factiva-articles.rtf", "factiva"),
            ("telegram-result.json", "telegram"),
            ("mediacloud-*.csv", "mediacloud"),
        ],
        "synthetic-exports",
    )
    corpus = build_corpus(path)
    counts = assert_reconciled(corpus)
    assert counts["read"] == 2 + 3 + 2 + 6 + 6
    reasons = counts["rejected_by_reason"]
    assert reasons["service_message"] == 2
    assert reasons["malformed_record"] == 1  # the Factiva article without body
    assert reasons["empty_text"] == 2  # a photo-only post, an untitled story
    assert reasons["unparseable_date"] == 1
    articles = corpus.articles(include_duplicates=True)
    by_title = articles.set_index("title")
    bridge = by_title.loc["Elmford opens its footbridge"]
    assert bridge["outlet"] == "Elmford Gazette"
    assert bridge["author"] == "Jane Placeholder"
    assert bridge["published"].strftime("%Y-%m-%d") == "2022-03-03"
    assert bridge["date_precision"] == "day"
    ferry = articles[articles["source_file"] == "factiva-articles.rtf"].iloc[0]
    assert json.loads(ferry["meta"])["source_code"] == "ESTHER"
    post = articles[articles["source_file"] == "telegram-result.json"]
    assert set(post["outlet"]) == {"Elmford Evening"}
    meta = [json.loads(m) for m in post["meta"]]
    assert any(m.get("hashtags") == ["#elmford"] for m in meta)
    stories = articles[articles["source_file"].str.startswith("mediacloud")]
    assert (stories["text"] == stories["title"]).all()
    assert all(json.loads(m)["text_is_title"] for m in stories["meta"])


def test_corpus_init_recognises_the_exports(tmp_path: Path) -> None:
    files = [
        FIXTURES / "telegram-result.json",
        FIXTURES / "factiva-articles.html",
        FIXTURES / "nexis-uni.rtf",
        FIXTURES / "mediacloud-stories-v3.csv",
    ]
    text = draft_card(files, name="mine", folder=FIXTURES)
    for fmt in ("telegram", "factiva", "nexis", "mediacloud"):
        assert f'format = "{fmt}"' in text
    assert 'published = "date"' in text and 'outlet = "outlet"' in text
    assert 'author = "author"' in text and 'id = "id"' in text
    assert "headlines only" in text


def test_corpus_init_cli_drafts_a_card_that_builds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from framing.cli import app

    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    files = [
        str(folder / name)
        for name in ("telegram-result.json", "factiva-articles.rtf", "nexis-uni.rtf")
    ]
    out = folder / "mine.toml"
    result = CliRunner().invoke(app, ["corpus", "init", *files, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'format = "telegram"' in text and 'format = "factiva"' in text
    out.write_text(re.sub(r'"TODO[^"]*"', '"Filled in"', text), encoding="utf-8")
    corpus = build_corpus(out)
    counts = assert_reconciled(corpus)
    assert counts["read"] == 6 + 2 + 2
    assert counts["rejected_by_reason"]["service_message"] == 2


def test_telegram_channel_lists_build_with_ids_across_channels(
    tmp_path: Path,
) -> None:
    mirror = os.environ.get("FRAMING_DATA_MIRROR")
    if not mirror:
        pytest.skip("needs FRAMING_DATA_MIRROR")
    files = Path(mirror) / "ru-telegram-2024"
    path = card(tmp_path, [(f"{files}/*_messages.json", "telegram")], "tg-lists")
    corpus = build_corpus(path)
    counts = assert_reconciled(corpus)
    assert counts["read"] == 672 + 1000 * 7 + 596
    assert counts["rejected_by_reason"].get("duplicate_id", 0) == 0
    articles = corpus.articles(columns=["outlet", "text"], include_duplicates=True)
    assert articles["outlet"].nunique() == 9
    # Markdown is gone; unpaired or in-word stars (censored words) stay.
    markup = r"(?<!\w)\*\*(?!\s)[^\n]*?(?<!\s)\*\*(?!\w)|\]\("
    assert not articles["text"].str.contains(markup, regex=True).any()
    assert articles["text"].str.contains(r"\w\*\*\w", regex=True).any()


def test_importing_framing_does_not_load_the_export_readers() -> None:
    code = (
        "import sys, framing, framing.datasets.readers\n"
        "loaded = [m for m in ('nexis', 'factiva', 'telegram', 'mediacloud')\n"
        "          if 'framing.datasets.' + m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "from framing.datasets.readers import known_formats\n"
        "new = {'nexis', 'factiva', 'telegram', 'mediacloud'}\n"
        "assert new <= set(known_formats())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ fuzz

NEXIS_TEXT = (FIXTURES / "nexis-uni.rtf").read_bytes()
TRICKY = ["{", "}", "\\", "\\'", "\\u", "\\par ", "\\*", "End of Document", "\n", ""]


def _only_source_errors(path: Path, fmt: str) -> list[RawRecord] | None:
    try:
        records = read(path, fmt)
    except SourceError as exc:
        assert str(path) in str(exc)
        return None
    for record in records:
        assert record.locator and isinstance(record.fields, dict)
        assert record.error is None or record.error_code in REJECT_REASONS
    return records


@FUZZ
@given(
    cuts=st.lists(st.integers(0, len(NEXIS_TEXT)), max_size=4),
    inserts=st.lists(
        st.tuples(st.integers(0, len(NEXIS_TEXT)), st.sampled_from(TRICKY)),
        max_size=6,
    ),
)
def test_fuzz_rtf_exports(cuts: list[int], inserts: list[tuple[int, str]]) -> None:
    data = bytearray(NEXIS_TEXT)
    for position, piece in sorted(inserts, reverse=True):
        data[position:position] = piece.encode()
    for cut in sorted(cuts, reverse=True):
        del data[cut : cut + 7]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.rtf"
        path.write_bytes(bytes(data))
        _only_source_errors(path, "nexis")
        _only_source_errors(path, "factiva")


LINE = st.one_of(
    st.sampled_from(
        [
            "End of Document",
            "Body",
            "Classification",
            "Length: 12 words",
            "Byline: A. Writer",
            "Section: NEWS; Version:3",
            "Load-Date: March 4, 2022",
            "Language: ENGLISH",
            "March 3, 2022 Thursday",
            "3 of 10 DOCUMENTS",
            "LENGTH: 40 words",
            "Copyright 2022 Example",
            "",
            "   indented",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        max_size=40,
    ),
)


@pytest.mark.filterwarnings("ignore:.*that no record of this file has")
@FUZZ
@given(lines=st.lists(LINE, max_size=40))
def test_fuzz_nexis_text_build_reconciles(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "export.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        records = _only_source_errors(path, "nexis")
        card_path = card(root, [("export.txt", "nexis")], "fuzz-nexis")
        try:
            with _cache_dir(root / "cache"):
                corpus = build_corpus(card_path)
        except SourceError:
            return
        counts = assert_reconciled(corpus)
        if records is not None:
            assert counts["read"] == len(records)


@contextlib.contextmanager
def _cache_dir(path: Path) -> Iterator[None]:
    """FRAMING_CACHE_DIR set for one hypothesis example, then restored.

    (Function-scoped fixtures such as monkeypatch do not reset between
    examples; a leaked value pointed later tests and notebook kernels at a
    deleted folder.)
    """
    before = os.environ.get("FRAMING_CACHE_DIR")
    os.environ["FRAMING_CACHE_DIR"] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("FRAMING_CACHE_DIR", None)
        else:
            os.environ["FRAMING_CACHE_DIR"] = before


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["id", "type", "text", "date", "date_unixtime", "href", "name", "x"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.integers(-5, 10**12), st.text(max_size=5), JSON_VALUE),
        "type": st.sampled_from(["message", "service", "other"]),
        "text": st.one_of(st.text(max_size=30), JSON_VALUE),
        "date": st.one_of(st.just("2024-11-01T12:30:00"), st.text(max_size=10)),
        "date_unixtime": st.one_of(
            st.just("1730464200"), st.integers(), st.text(max_size=12)
        ),
        "edited_unixtime": JSON_VALUE,
        "forwarded_from": JSON_VALUE,
        "views": JSON_VALUE,
    },
)


@pytest.mark.filterwarnings("ignore:.*that no record of this file has")
@FUZZ
@given(
    shape=st.sampled_from(["export", "list", "chats"]),
    messages=st.lists(st.one_of(MESSAGE, JSON_VALUE), max_size=8),
)
def test_fuzz_telegram_build_reconciles(shape: str, messages: list[Any]) -> None:
    data: Any = {"name": "Invented", "id": 5, "messages": messages}
    if shape == "list":
        data = messages
    elif shape == "chats":
        data = {"chats": {"list": [data]}}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "result.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        records = _only_source_errors(path, "telegram")
        card_path = card(root, [("result.json", "telegram")], "fuzz-telegram")
        try:
            with _cache_dir(root / "cache"):
                corpus = build_corpus(card_path)
        except SourceError:
            return
        counts = assert_reconciled(corpus)
        if records is not None:
            assert counts["read"] == len(records)


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.text(max_size=15), st.sampled_from(['"', "2022-03-03", ",", ""])
            ),
            min_size=0,
            max_size=9,
        ),
        max_size=6,
    ),
    html_pieces=st.lists(
        st.sampled_from(
            [
                '<div class="article">',
                "</div>",
                '<div id="hd">Head</div>',
                "<div>3 March 2022</div>",
                "<div>Paper</div>",
                '<p class="articleParagraph">Text &amp; more</p>',
                "<div>Document ABCDEFGHIJ0123456789</div>",
                "<p>",
                "<!--",
                "\x00",
            ]
        ),
        max_size=20,
    ),
)
def test_fuzz_mediacloud_and_factiva_html(
    rows: list[list[str]], html_pieces: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        buffer = io.StringIO()
        buffer.write("id,publish_date,title,url,media_name\n")
        for row in rows:
            buffer.write(",".join(row) + "\n")
        csv_path = root / "stories.csv"
        csv_path.write_text(buffer.getvalue(), encoding="utf-8")
        _only_source_errors(csv_path, "mediacloud")
        html_path = root / "export.html"
        html_path.write_text("<html><body>" + "".join(html_pieces), encoding="utf-8")
        _only_source_errors(html_path, "factiva")


def _synthetic_docx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = _docx(Path(folder) / "seed.docx", _paragraphs(*SYNTHETIC_DOC) * 3)
        return path.read_bytes()


DOCX_BYTES = _synthetic_docx_bytes()


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(DOCX_BYTES) - 1), st.integers(0, 255)),
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(0, len(DOCX_BYTES))),
)
def test_fuzz_docx_bytes(flips: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(DOCX_BYTES)
    for position, value in flips:
        data[position] = value
    if cut is not None:
        del data[cut:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.docx"
        path.write_bytes(bytes(data))
        _only_source_errors(path, "nexis")
