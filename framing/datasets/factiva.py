"""Reader for Factiva exports: HTML and RTF in the "Article" layout.

Importing this module registers the ``factiva`` format with
:func:`~framing.datasets.readers.register_reader`; a card declares
``format = "factiva"`` (an ``.rtf`` file in this layout is also recognised
by the ``nexis`` reader and handed on here).

Factiva writes every article as the headline, then short metadata lines -
an optional byline (``By Jane Doe``), the word count (``812 words``), the
date (``3 March 2022``) and sometimes a time, the source name and its code
(``The Daily Example`` / ``DAIEX``), a page, the language (``English``) and
the copyright notice - then the body paragraphs and the accession number
(``Document DAIEX00020220303ei330000x``). In the HTML layout each article
is a ``<div class="article">`` with the headline in ``<div id="hd">``,
metadata in ``<div>``\\ s and paragraphs in ``<p class="articleParagraph">``.

Each article is one record (``article N``), with the fields of
:mod:`~framing.datasets.exports`: ``title``, ``text``, ``date``,
``outlet`` (the source name), ``author``, ``length`` (words),
``language`` (ISO code) and ``id`` (the accession number), plus
``source_code``, ``copyright``, ``language_name``, ``time`` and ``page``
(in ``meta``). An article without body paragraphs is yielded with the
reason; a file without any article is refused.

Examples
--------
>>> from framing.datasets.factiva import parse_factiva_lines
>>> lines = ["Talks resume", "By A. Writer", "5 words", "3 March 2022",
...          "The Daily Example", "DAIEX", "English",
...          "(c) 2022 Example Media. All rights reserved.",
...          "Negotiators met again on Thursday.",
...          "Document DAIEX00020220303ei330000x"]
>>> [article] = parse_factiva_lines(lines, "export.rtf")
>>> {k: article.fields[k] for k in ("title", "outlet", "date", "author", "id")}
... # doctest: +NORMALIZE_WHITESPACE
{'title': 'Talks resume', 'outlet': 'The Daily Example', 'date': '3 March 2022',
 'author': 'A. Writer', 'id': 'DAIEX00020220303ei330000x'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .exports import capped, clean_field, language_code, rtf_to_text
from .readers import (
    DEFAULT_MAX_BYTES,
    RawRecord,
    ReaderOptions,
    _name,
    register_reader,
)

__all__ = ["read_factiva", "parse_factiva_lines", "factiva_text_records"]

_ACCESSION = re.compile(r"^Document\s+([A-Za-z0-9]{16,40})$")
_WORDS = re.compile(r"^(\d[\d,.]*)\s+words?$", re.IGNORECASE)
_DATE = re.compile(
    r"^(?:\d{1,2}\s+[A-Z][a-z]{2,9}\s+\d{4}|[A-Z][a-z]{2,9}\s+\d{1,2},\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})$"
)
_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?(?:\s+[A-Z]{2,5})?$")
_COPYRIGHT = re.compile(r"^(?:\(c\)|©|copyright)|all rights reserved", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+(.+)$")
_CODE = re.compile(r"^[A-Z0-9]{1,12}$")
_PAGE = re.compile(r"^(?:Page\s+\S+|[A-Z]?\d{1,4})$")


def _article(
    title: str, meta: list[str], body: list[str], accession: str | None
) -> dict[str, Any]:
    """Fields of one article from its headline, metadata lines and body."""
    fields: dict[str, Any] = {"title": title}
    after_date = False
    for line in meta:
        if m := _BYLINE.match(line):
            fields.setdefault("author", m.group(1))
        elif m := _WORDS.match(line):
            fields["length"] = int(re.sub(r"\D", "", m.group(1)))
        elif "date" not in fields and _DATE.match(line):
            fields["date"] = line
            after_date = True
        elif _TIME.match(line) and "date" in fields:
            fields["time"] = line
        elif _COPYRIGHT.search(line):
            fields["copyright"] = line
        elif (code := language_code(line)) is not None and line.isalpha():
            fields["language_name"] = line
            fields["language"] = code
        elif after_date and "outlet" not in fields:
            fields["outlet"] = line
        elif "outlet" in fields and "source_code" not in fields and _CODE.match(line):
            fields["source_code"] = line
        elif _PAGE.match(line):
            fields["page"] = line
        elif "date" not in fields and "author" not in fields:
            fields["author"] = line  # a byline without "By"
        else:
            fields.setdefault("notes", []).append(line)
    if "time" in fields and "date" in fields:
        fields["date"] = f"{fields['date']} {fields.pop('time')}"
    fields["text"] = "\n\n".join(body)
    if accession:
        fields["id"] = accession
    return fields


def _is_meta(line: str, seen: dict[str, bool]) -> bool:
    """Whether a line after the headline is still metadata (updates ``seen``)."""
    if seen.get("copyright"):
        return False
    if _COPYRIGHT.search(line):
        seen["copyright"] = True
        return True
    if _BYLINE.match(line) or _WORDS.match(line) or _TIME.match(line):
        return True
    if _DATE.match(line) and not seen.get("date"):
        seen["date"] = True
        return True
    if language_code(line) is not None and line.isalpha():
        seen["language"] = True
        return True
    if seen.get("date") and not seen.get("language"):
        # Source name, source code and page sit between date and language.
        return len(line) <= 80
    return not seen.get("date") and len(line) <= 80


def parse_factiva_lines(
    lines: Iterable[str], source: str, *, unit: str = "line"
) -> Iterator[RawRecord]:
    """Split the text of a Factiva export into articles and parse each one.

    Articles end with their ``Document <accession>`` line. Raises
    :class:`~framing.errors.SourceError` naming ``source`` when there is
    none.
    """
    chunk: list[tuple[int, str]] = []
    number = 0
    found = False
    for position, raw in enumerate(lines, start=1):
        line = clean_field(raw)
        match = _ACCESSION.match(line)
        if match is None:
            if line:
                chunk.append((position, line))
            continue
        found = True
        number += 1
        yield _from_chunk(chunk, match.group(1), source, number, unit)
        chunk = []
    if not found:
        raise SourceError(
            source,
            "no Factiva articles: no 'Document <accession number>' line ends an "
            "article",
            "save the articles from Factiva again (Format: Article, as RTF or "
            "HTML), or declare the file's real format",
        )
    if chunk:
        number += 1
        where = f"article {number} ({unit} {chunk[0][0]})"
        yield RawRecord(
            source,
            where,
            {},
            f"text after the last accession number ({where}): the export is "
            "cut short; save it again",
        )


def _from_chunk(
    chunk: list[tuple[int, str]], accession: str, source: str, number: int, unit: str
) -> RawRecord:
    where = f"article {number} ({unit} {chunk[0][0] if chunk else '?'})"
    if not chunk:
        return RawRecord(
            source, where, {"id": accession}, f"an empty article ({where})"
        )
    title = chunk[0][1]
    seen: dict[str, bool] = {}
    index = 1
    while index < len(chunk) and _is_meta(chunk[index][1], seen):
        index += 1
    meta = [line for _, line in chunk[1:index]]
    body = [line for _, line in chunk[index:]]
    fields = _article(title, meta, body, accession)
    if not body:
        return RawRecord(
            source, where, fields, f"no body paragraphs in {where} ({accession})"
        )
    return RawRecord(source, where, fields)


def factiva_text_records(
    lines: list[str], source: str, path: Path, unit: str = "paragraph"
) -> Iterator[RawRecord]:
    """:func:`parse_factiva_lines`, a whole-file error naming ``path``."""
    try:
        yield from parse_factiva_lines(lines, source, unit=unit)
    except SourceError as exc:
        if str(path) in str(exc):
            raise
        raise SourceError(path, exc.problem, exc.fix) from exc


def _has_class(element: Any, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _html_articles(path: Path, data: bytes, source: str) -> Iterator[RawRecord]:
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(data)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise SourceError(
            path, f"not readable HTML ({exc})", "save the articles from Factiva again"
        ) from exc
    blocks = root.xpath(
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"
    )
    if not blocks:
        paragraphs = root.xpath(
            "//p[contains(concat(' ', normalize-space(@class), ' '), "
            "' articleParagraph ')]"
        )
        blocks = list(dict.fromkeys(p.getparent() for p in paragraphs))
    if not blocks:
        raise SourceError(
            path,
            'no Factiva article blocks (<div class="article"> with '
            '<p class="articleParagraph"> paragraphs) in the page',
            "save the articles from Factiva with Format: Article as HTML (not a "
            "headline list or a browser's 'save page'), or declare the file's "
            "real format",
        )
    for number, block in enumerate(blocks, start=1):
        line = block.sourceline or "?"
        where = f"article {number} (line {line})"
        title = ""
        meta: list[str] = []
        body: list[str] = []
        accession = None
        for child in block:
            if not isinstance(child.tag, str):
                continue
            text = clean_field(child.text_content())
            if not text:
                continue
            if child.get("id") == "hd" or _has_class(child, "enHeadline"):
                title = text
            elif child.tag == "p" or _has_class(child, "articleParagraph"):
                if _has_class(child, "articleParagraph") or body:
                    body.append(text)
                else:
                    meta.append(text)
            elif m := _ACCESSION.match(text):
                accession = m.group(1)
            elif _has_class(child, "author") and not _BYLINE.match(text):
                meta.append(f"By {text}")
            else:
                meta.append(text)
        if not title:
            heads = block.xpath(".//*[contains(@class, 'enHeadline')]")
            title = clean_field(heads[0].text_content()) if heads else ""
        fields = _article(title, meta, body, accession)
        if not title:
            del fields["title"]
        if not body:
            yield RawRecord(source, where, fields, f"no body paragraphs in {where}")
        else:
            yield RawRecord(source, where, fields)


def _read_factiva(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Factiva export (HTML or RTF), one record per article."""
    name = _name(path, opts)
    cap = opts.max_bytes or DEFAULT_MAX_BYTES["factiva"]
    if path.stat().st_size > cap:  # pragma: no cover - iter_records checks first
        raise SourceError(path, "over the size cap", "raise max_bytes in the card")
    data = path.read_bytes()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{\\rtf"):
        text = rtf_to_text(data, path)
        yield from factiva_text_records(text.splitlines(), name, path)
        return
    if head[:1] == b"<":
        yield from _html_articles(path, data, name)
        return
    raise SourceError(
        path,
        f"neither RTF nor HTML (the file starts with {head[:20].decode('latin-1')!r})",
        "save the articles from Factiva as RTF or HTML (Format: Article)",
    )


@register_reader("factiva")
def read_factiva(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Factiva export (HTML or RTF), one record per article.

    A record over ``max_record_bytes`` characters is rejected (``too_large``).
    """
    return capped(_read_factiva(path, opts), opts.record_cap())
