"""Reader for Nexis Uni and LexisNexis exports: Word (.docx), RTF and text.

Importing this module registers the ``nexis`` format with
:func:`~framing.datasets.readers.register_reader`. ``.docx`` and ``.rtf``
files are read as Nexis exports by default (an RTF file in the Factiva
layout is handed on to :mod:`~framing.datasets.factiva`); a ``.txt``
export needs ``format = "nexis"`` in the card.

Two layouts are understood, in all three file types:

* **Nexis Uni** (Word, RTF and text downloads since 2018): an optional
  cover page, then per document the headline, the publication, the date
  line (``July 4, 2019 Thursday 1:04 PM GMT``), a copyright line,
  ``Section:``, ``Length: 641 words``, ``Byline:`` and other ``Key: value``
  lines, the line ``Body``, the paragraphs, then optionally ``Graphic``,
  ``Classification`` (``Language:``, ``Subject:`` ...) and ``Load-Date:``
  lines, and ``End of Document``.
* **LexisNexis Academic** (the older text export): per document a header
  ``3 of 10 DOCUMENTS``, the publication, the date line, edition lines,
  the headline, ``BYLINE:``, ``SECTION:``, ``LENGTH:`` lines, the body,
  ``LOAD-DATE:``, ``LANGUAGE:`` ... lines and a copyright notice.

Each document is one record, located as ``document N`` (with the line or
Word paragraph it starts on), with the fields of
:mod:`~framing.datasets.exports`: ``title``, ``text`` (the body without
the metadata block and trailers), ``date`` (the date line as written; the
card's date parsing reads it), ``outlet``, ``author``, ``section``,
``length`` (words, an integer), ``language`` (ISO code) and ``url`` when
given, plus ``copyright``, ``load_date``, ``edition``, ``language_name``
and the export's other ``Key: value`` lines (in ``meta``). A document
whose date line or body cannot be found is still yielded, with the reason
(``malformed_record``). A file without any document separator is refused.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "export.txt"
>>> _ = path.write_text(
...     "Talks resume\\nThe Daily Example\\nMarch 3, 2022 Thursday\\n"
...     "Length: 6 words\\nByline: A. Writer\\nBody\\n"
...     "Negotiators met again on Thursday.\\nLoad-Date: March 4, 2022\\n"
...     "End of Document\\n"
... )
>>> from framing.datasets.readers import iter_records
>>> [record] = iter_records(path, format="nexis")
>>> {k: record.fields[k] for k in ("title", "outlet", "date", "length", "text")}
... # doctest: +NORMALIZE_WHITESPACE
{'title': 'Talks resume', 'outlet': 'The Daily Example',
 'date': 'March 3, 2022 Thursday', 'length': 6,
 'text': 'Negotiators met again on Thursday.'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .exports import (
    capped,
    clean_field,
    docx_paragraphs,
    language_code,
    open_text_lines,
    rtf_to_text,
)
from .readers import DEFAULT_MAX_BYTES, RawRecord, ReaderOptions, _name, register_reader

__all__ = ["read_nexis", "parse_nexis_lines"]

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|"
    "november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# A date line: "March 3, 2022 Thursday", "July 4, 2019 Thursday 1:04 PM GMT",
# "Thursday, March 3, 2022", "3 March 2022", "4. Juli 2019 Donnerstag".
_DATE_LINE = re.compile(
    rf"^(?:[^\W\d]+day,?\s+)?"
    rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{1,2}\.?\s+[^\W\d]{3,12}\.?,?\s+\d{4}"
    rf"|(?:{_MONTHS})\.?,?\s+\d{{4}})"
    r"(?:,?\s+[^\W\d]+)?"
    r"(?:,?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s+[A-Z]{2,5}|\s+[+-]\d{2}:?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_DOCS_HEADER = re.compile(r"^\s*(\d+)\s+of\s+(\d+)\s+DOCUMENTS?\s*$", re.IGNORECASE)
_END = "end of document"
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z-]{1,30}):\s*(.*)$")
_UPPER_KEY = re.compile(r"^([A-Z][A-Z-]{1,30}):\s*(.*)$")
_LENGTH = re.compile(r"(\d[\d,.]*)\s*(?:words?|wörter|mots|palabras)?", re.IGNORECASE)
# Keys of the block before the body ...
_HEAD_KEYS = frozenset(
    {
        "byline",
        "section",
        "length",
        "dateline",
        "highlight",
        "edition",
        "source",
        "url",
        "type",
        "series",
        "column",
        "author",
        "version",
        "rubrik",
        "länge",
        "autor",
    }
)
# ... and of the trailer after it, which ends the body.
_TRAIL_KEYS = frozenset(
    {
        "load-date",
        "language",
        "publication-type",
        "journal-code",
        "graphic",
        "subject",
        "geographic",
        "organization",
        "company",
        "person",
        "industry",
        "ticker",
        "document-type",
        "correction-date",
        "notes",
        "classification",
        "sprache",
    }
)
_TRAIL_LINES = frozenset({"classification", "graphic", "end of document"})
_COPYRIGHT = re.compile(r"^(?:copyright|\(c\)|©)", re.IGNORECASE)
_VERSION = re.compile(r";?\s*Version:\s*(\S+)\s*$", re.IGNORECASE)
_FIELD_NAMES = {
    "byline": "author",
    "autor": "author",
    "author": "author",
    "section": "section",
    "rubrik": "section",
    "length": "length",
    "länge": "length",
    "language": "language_name",
    "sprache": "language_name",
    "load-date": "load_date",
    "url": "url",
}


def _tidy(line: str) -> str:
    return line.replace("\u00a0", " ").strip()


def _field_name(key: str) -> str:
    key = key.lower()
    return _FIELD_NAMES.get(key, key.replace("-", "_"))


def _is_date(line: str) -> bool:
    return len(line) <= 80 and _DATE_LINE.match(line.strip()) is not None


def _finish(fields: dict[str, Any]) -> dict[str, Any]:
    length = fields.get("length")
    if isinstance(length, str):
        match = _LENGTH.match(length)
        if match:
            digits = re.sub(r"\D", "", match.group(1))
            fields["length"] = int(digits) if digits else length
    author = fields.get("author")
    if isinstance(author, str):
        fields["author"] = re.sub(r"^by\s+", "", author, flags=re.IGNORECASE)
    section = fields.get("section")
    if isinstance(section, str) and (m := _VERSION.search(section)):
        # Nexis Uni appends the story's revision: "POLITICS; Version:28".
        fields["section"] = section[: m.start()].strip()
        fields["version"] = m.group(1)
    name = fields.get("language_name")
    code = language_code(name) if isinstance(name, str) else None
    if code is not None:
        fields["language"] = code
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _body(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _trailer(lines: list[str], fields: dict[str, Any]) -> None:
    for line in lines:
        match = _KEY_LINE.match(line.strip())
        if match and match.group(1).lower() in _TRAIL_KEYS | _HEAD_KEYS:
            key = _field_name(match.group(1))
            fields.setdefault(key, clean_field(match.group(2)))
        elif _COPYRIGHT.match(line.strip()):
            fields.setdefault("copyright", clean_field(line))


def _parse_uni(lines: list[str]) -> dict[str, Any] | str:
    """Fields of one Nexis Uni document, or why they cannot be read."""
    # Cheap per-line tidying for finding the structure; a full clean_field
    # (a regex) on every body line would double the reader's time.
    stripped = [_tidy(line) for line in lines]
    start = next((i for i, line in enumerate(stripped) if line.lower() == "body"), None)
    if start is None:
        start = next(
            (
                i
                for i, line in enumerate(stripped)
                if (m := _KEY_LINE.match(line)) and m.group(1).lower() in _HEAD_KEYS
            ),
            None,
        )
        body_from = None
    else:
        body_from = start + 1
    limit = start if start is not None else len(stripped)
    date_at = next((i for i in range(limit - 1, -1, -1) if _is_date(stripped[i])), None)
    if date_at is None:
        return (
            "no date line (such as 'March 3, 2022 Thursday') before the "
            "document's metadata; is this a Nexis export?"
        )
    before = [line for line in stripped[:date_at] if line]
    fields: dict[str, Any] = {"date": clean_field(stripped[date_at])}
    if before:
        fields["outlet"] = clean_field(before[-1])
    if len(before) >= 2:
        fields["title"] = clean_field(before[-2])
    head_end = limit
    for line in stripped[date_at + 1 : head_end]:
        match = _KEY_LINE.match(line)
        if match and match.group(1).lower() in _HEAD_KEYS:
            fields[_field_name(match.group(1))] = clean_field(match.group(2))
        elif _COPYRIGHT.match(line):
            fields.setdefault("copyright", clean_field(line))
        elif line:
            line = clean_field(line)
            fields["edition"] = (
                f"{fields['edition']}; {line}" if "edition" in fields else line
            )
    if body_from is None:
        # No "Body" line: the body follows the last metadata line.
        body_from = head_end
        while body_from < len(stripped):
            match = _KEY_LINE.match(stripped[body_from])
            if match and match.group(1).lower() in _HEAD_KEYS:
                fields[_field_name(match.group(1))] = clean_field(match.group(2))
                body_from += 1
            elif not stripped[body_from]:
                body_from += 1
            else:
                break
    end = body_from
    while end < len(stripped):
        line = stripped[end]
        match = _KEY_LINE.match(line)
        if line.lower() in _TRAIL_LINES or (
            match and match.group(1).lower() in _TRAIL_KEYS
        ):
            break
        end += 1
    fields["text"] = _body(lines[body_from:end])
    _trailer(stripped[end:], fields)
    return _finish(fields)


def _parse_academic(lines: list[str]) -> dict[str, Any] | str:
    """Fields of one LexisNexis Academic document (after its header)."""
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return "an empty document"
    fields: dict[str, Any] = {"outlet": clean_field(lines[index])}
    index += 1
    date_at = next(
        (i for i in range(index, min(index + 6, len(lines))) if _is_date(lines[i])),
        None,
    )
    if date_at is None:
        return (
            "no date line (such as 'January 11, 2010 Monday') after the "
            "publication name"
        )
    fields["date"] = clean_field(lines[date_at])
    index = date_at + 1
    # Edition lines are indented (centred) like the header; the headline is
    # the first paragraph flush with the margin.
    edition = []
    while index < len(lines) and (
        not lines[index].strip() or lines[index][:1] in (" ", "\t")
    ):
        if lines[index].strip():
            edition.append(clean_field(lines[index]))
        index += 1
    if edition:
        fields["edition"] = "; ".join(e.rstrip("; ") for e in edition)
    if index < len(lines) and not _UPPER_KEY.match(lines[index]):
        title = []
        while index < len(lines) and lines[index].strip():
            title.append(lines[index].strip())
            index += 1
        fields["title"] = clean_field(" ".join(title))
    # The metadata block: KEY: value lines (a value may run on).
    while index < len(lines):
        line = lines[index]
        match = _UPPER_KEY.match(line)
        if match and match.group(1).lower() not in _TRAIL_KEYS:
            value = [match.group(2)]
            index += 1
            while index < len(lines) and lines[index].strip():
                if _UPPER_KEY.match(lines[index]):
                    break
                value.append(lines[index].strip())
                index += 1
            fields[_field_name(match.group(1))] = clean_field(" ".join(value))
        elif not line.strip():
            index += 1
        else:
            break
    end = index
    while end < len(lines):
        match = _UPPER_KEY.match(lines[end])
        if match and match.group(1).lower() in _TRAIL_KEYS:
            break
        if _COPYRIGHT.match(lines[end].strip()) and lines[end][:1] in (" ", "\t"):
            break
        end += 1
    fields["text"] = _body(lines[index:end])
    _trailer(lines[end:], fields)
    return _finish(fields)


def parse_nexis_lines(
    lines: Iterable[str], source: str, unit: str = "line"
) -> Iterator[RawRecord]:
    """Split an export's lines into documents and parse each one.

    ``lines`` are the file's lines (text, RTF) or paragraphs (Word);
    ``unit`` names them in locators. Raises
    :class:`~framing.errors.SourceError` (naming ``source``) when no
    document separator is found.

    Examples
    --------
    >>> lines = ["1 of 1 DOCUMENTS", "", "The Daily Example", "",
    ...          "January 8, 2010", "", "Rain again", "", "LENGTH: 2 words",
    ...          "", "Rain fell.", "", "LOAD-DATE: January 9, 2010"]
    >>> [record] = parse_nexis_lines(lines, "a.txt")
    >>> record.locator, record.fields["title"], record.fields["text"]
    ('document 1 (line 1)', 'Rain again', 'Rain fell.')
    """
    chunk: list[str] = []
    chunk_start = 1
    number = 0
    layout: str | None = None
    position = 0

    def emit(parsed: dict[str, Any] | str) -> RawRecord:
        where = f"document {number} ({unit} {chunk_start})"
        if isinstance(parsed, str):
            return RawRecord(source, where, {}, f"{parsed} (in {where})")
        if not parsed.get("text"):
            return RawRecord(
                source,
                where,
                parsed,
                f"no body text found in {where}; check the export's layout",
            )
        return RawRecord(source, where, parsed)

    for position, line in enumerate(lines, start=1):
        if layout != "academic" and len(line) < 80 and _tidy(line).lower() == _END:
            layout = "uni"
            number += 1
            yield emit(_parse_uni(chunk))
            chunk = []
            chunk_start = position + 1
            continue
        header = _DOCS_HEADER.match(line) if layout != "uni" else None
        if header is not None:
            if layout == "academic":
                number += 1
                yield emit(_parse_academic(chunk))
            layout = "academic"
            chunk = []
            chunk_start = position
            continue
        if len(chunk) > 2_000_000:
            raise SourceError(
                source,
                f"over two million lines without a document separator ({unit} "
                f"{chunk_start} on)",
                "check that the file is a Nexis export, not one huge document",
            )
        chunk.append(line)
    if layout is None:
        raise SourceError(
            source,
            "no Nexis document separators ('End of Document' lines, or "
            "'1 of 10 DOCUMENTS' headers): not a Nexis export, or one cut short",
            "download the documents again from Nexis (Word, RTF or text, "
            "'documents in one file'), or declare the file's real format",
        )
    if layout == "academic":
        number += 1
        yield emit(_parse_academic(chunk))
    elif any(_tidy(line) for line in chunk):
        number += 1
        where = f"document {number} ({unit} {chunk_start})"
        yield RawRecord(
            source,
            where,
            {},
            f"text after the last 'End of Document' ({where}): the export is "
            "cut short; download it again",
        )


def _read_nexis(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Nexis export (.docx, .rtf or text), one record per document."""
    name = _name(path, opts)
    suffix = path.suffix.lower()
    cap = opts.max_bytes or DEFAULT_MAX_BYTES["nexis"]
    if suffix == ".docx" or _is_zip(path):
        paragraphs = docx_paragraphs(path, cap)
        yield from _named(path, parse_nexis_lines(paragraphs, name, "paragraph"))
        return
    data = path.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        text = rtf_to_text(data, path)
        if "end of document" not in text.lower() and re.search(
            r"^\s*Document [A-Za-z0-9]{16,40}\s*$", text, re.MULTILINE
        ):
            from .factiva import factiva_text_records

            yield from factiva_text_records(text.splitlines(), name, path)
            return
        lines = text.splitlines()
        yield from _named(path, parse_nexis_lines(lines, name, "paragraph"))
        return
    lines = open_text_lines(path, opts.encoding)
    yield from _named(path, parse_nexis_lines(lines, name, "line"))


def _named(path: Path, records: Iterator[RawRecord]) -> Iterator[RawRecord]:
    # parse_nexis_lines names the file as the card does; a whole-file error
    # must name its path on this machine too.
    try:
        yield from records
    except SourceError as exc:
        if str(path) in str(exc):
            raise
        raise SourceError(path, exc.problem, exc.fix) from exc


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


@register_reader("nexis")
def read_nexis(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Nexis export (.docx, .rtf or text), one record per document.

    A record over ``max_record_bytes`` characters is rejected (``too_large``).
    """
    return capped(_read_nexis(path, opts), opts.record_cap())
