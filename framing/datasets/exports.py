"""Shared pieces of the news-database export readers.

The readers of :mod:`~framing.datasets.nexis`, :mod:`~framing.datasets.factiva`,
:mod:`~framing.datasets.telegram` and :mod:`~framing.datasets.mediacloud`
yield records whose fields follow one convention, so that a card maps them
one to one (``framing corpus init`` proposes exactly this mapping):

==============  =========================================================
field           what it holds
==============  =========================================================
``title``       the headline
``text``        the body (for Media Cloud story lists without text: the
                headline, with ``text_is_title`` set)
``date``        the publication date as the export writes it
``outlet``      the publication, source or channel name
``author``      the byline
``section``     the section or rubric
``length``      the word count the export states (an integer)
``url``         the article's address, when the export gives one
``language``    an ISO 639-1 code, when the export names the language
``id``          the source's own identifier (accession number, channel and
                message id, story id), when it has one
==============  =========================================================

Every other field of a record (``copyright``, ``load_date``, ``links``,
``hashtags``, ``forwarded_from``, ...) ends up in the article's ``meta``.

This module also holds the small converters the readers share:
:func:`rtf_to_text` (a guarded RTF-to-text conversion), :func:`docx_paragraphs`
(the paragraphs of a Word file, streamed, with the unzipped size capped) and
:func:`sniff_export_format` (which export a file is, from its first bytes).
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import SourceError

__all__ = [
    "EXPORT_FIELDS",
    "rtf_to_text",
    "docx_paragraphs",
    "language_code",
    "sniff_export_format",
]

#: The field names export readers use (see the module docstring).
EXPORT_FIELDS = (
    "title",
    "text",
    "date",
    "outlet",
    "author",
    "section",
    "length",
    "url",
    "language",
    "id",
)

# ---------------------------------------------------------------- languages

_LANGUAGES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "russian": "ru",
    "ukrainian": "uk",
    "polish": "pl",
    "czech": "cs",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "turkish": "tr",
    "arabic": "ar",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
    "hungarian": "hu",
    "romanian": "ro",
    "greek": "el",
}


def language_code(name: str | None) -> str | None:
    """The ISO 639-1 code of a language name as exports write it, if known.

    Examples
    --------
    >>> language_code("ENGLISH"), language_code("Deutsch"), language_code("ru")
    ('en', 'de', 'ru')
    >>> language_code("Klingon") is None
    True
    """
    if not name:
        return None
    key = name.strip().strip(";.").lower()
    if re.fullmatch(r"[a-z]{2}", key):
        return key
    return _LANGUAGES.get(key)


# ---------------------------------------------------------------------- RTF

# Destinations whose text is not part of the document.
_SKIP_DESTINATIONS = frozenset(
    {
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "header",
        "headerl",
        "headerr",
        "headerf",
        "footer",
        "footerl",
        "footerr",
        "footerf",
        "listtable",
        "listoverridetable",
        "revtbl",
        "rsidtbl",
        "generator",
        "xmlnstbl",
        "themedata",
        "colorschememapping",
        "latentstyles",
        "datastore",
        "object",
        "fldinst",
        "filetbl",
        "pgdsctbl",
        "bkmkstart",
        "bkmkend",
        "field_instruction",
    }
)
_RTF_SYMBOLS = {
    "par": "\n",
    "line": "\n",
    "sect": "\n",
    "page": "\n",
    "row": "\n",
    "tab": "\t",
    "cell": "\t",
    "emdash": "\u2014",
    "endash": "\u2013",
    "lquote": "\u2018",
    "rquote": "\u2019",
    "ldblquote": "\u201c",
    "rdblquote": "\u201d",
    "bullet": "\u2022",
    "emspace": " ",
    "enspace": " ",
    "qmspace": " ",
}
_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word
    r"|\\'([0-9a-fA-F]{2})"  # hex byte
    r"|\\(.)"  # control symbol
    r"|([{}])"  # group
    r"|[\r\n]+"  # line breaks carry no meaning in RTF
    r"|([^\\{}\r\n]+)",  # text
    re.DOTALL,
)
#: Deepest group nesting accepted (real files stay far below it).
MAX_RTF_DEPTH = 256


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def rtf_to_text(data: bytes, path: str | Path = "<rtf>") -> str:
    """The plain text of an RTF document.

    Handles groups, control words (paragraphs and line breaks become line
    breaks), ``\\'hh`` bytes in the document's code page (``\\ansicpg``),
    ``\\uN`` Unicode characters with their ``\\ucN`` fallbacks, and skips
    font, colour and style tables, document information, pictures, headers,
    footers and every ``{\\*\\...}`` destination.

    Raises
    ------
    SourceError
        The data is not RTF, or its groups are unbalanced or nested too
        deeply (naming the file and the line).

    Examples
    --------
    >>> rtf = rb"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}{\\*\\gen x}"
    >>> rtf_to_text(rtf + rb"Caf\\'e9\\par \\u8212?ok}")
    'Café\\n—ok'
    """
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{\\rtf"):
        raise SourceError(
            path,
            "not an RTF file (it does not start with '{\\rtf')",
            "export the documents as RTF again, or declare the file's real format",
        )
    # RTF is 7-bit: other bytes are taken as latin-1 and their code page
    # applied with the escaped ones below.
    text = data.decode("latin-1")
    codepage = "cp1252"
    match = re.search(r"\\ansicpg(\d{3,5})", text[:4096])
    if match:
        candidate = f"cp{match.group(1)}"
        try:
            codecs.lookup(candidate)
        except LookupError:
            # A code page Python does not know: RTF's own default (cp1252)
            # is the best reading; the \u escapes Word writes are exact anyway.
            candidate = codepage
        codepage = candidate
    out: list[str] = []
    pending = bytearray()  # \'hh bytes, decoded together (multi-byte pages)
    # Per group: (skipped, unicode fallback count).
    stack: list[tuple[bool, int]] = []
    skip = False
    uc = 1
    to_drop = 0  # fallback characters still to drop after a \uN
    star = False

    def flush() -> None:
        if pending:
            out.append(pending.decode(codepage, "replace"))
            pending.clear()

    skip_until = 0  # end of the raw bytes of a \binN
    for token in _RTF_TOKEN.finditer(text):
        if token.start() < skip_until:
            continue
        word, arg, hexbyte, symbol, brace, chunk = token.groups()
        if brace is not None:
            flush()
            to_drop = 0
            if brace == "{":
                stack.append((skip, uc))
                if len(stack) > MAX_RTF_DEPTH:
                    raise SourceError(
                        path,
                        f"RTF groups nested over {MAX_RTF_DEPTH} deep "
                        f"(line {_line_of(text, token.start())})",
                        "the file is damaged: export the documents again",
                    )
                star = False
            else:
                if not stack:
                    raise SourceError(
                        path,
                        "broken RTF: a '}' closes a group that was never opened "
                        f"(line {_line_of(text, token.start())})",
                        "the file is damaged: export the documents again",
                    )
                skip, uc = stack.pop()
                if not stack:
                    # Text after the document's closing brace is not RTF.
                    rest = text[token.end() :].strip("\x00 \r\n\t")
                    if rest:
                        raise SourceError(
                            path,
                            "broken RTF: text after the document's closing '}' "
                            f"(line {_line_of(text, token.end())})",
                            "the file is damaged: export the documents again",
                        )
                    break
            continue
        if not stack:
            raise SourceError(
                path,
                f"broken RTF: text outside any group (line "
                f"{_line_of(text, token.start())})",
                "the file is damaged: export the documents again",
            )
        if word is not None:
            if word == "bin" and arg is not None:
                # \binN is followed by N raw bytes that may hold braces.
                skip_until = token.end() + max(0, int(arg))
                continue
            if word != "u" or skip:
                flush()
            if word in _SKIP_DESTINATIONS or (star and not skip):
                skip = True
                star = False
                continue
            star = False
            if skip:
                continue
            if word == "uc" and arg is not None:
                uc = max(0, min(int(arg), 8))
            elif word == "u" and arg is not None:
                flush()
                code = int(arg)
                if code < 0:
                    code += 65536
                out.append(chr(code) if 0 < code < 0x110000 else "\ufffd")
                to_drop = uc
            elif word in _RTF_SYMBOLS:
                out.append(_RTF_SYMBOLS[word])
                to_drop = 0
            continue
        if symbol is not None:
            if symbol == "*":
                star = True
                continue
            if skip:
                continue
            flush()
            if symbol in "\\{}":
                out.append(symbol)
            elif symbol == "~":
                out.append("\u00a0")
            elif symbol == "_":
                out.append("\u2011")
            elif symbol in "\r\n":
                out.append("\n")
            to_drop = 0
            continue
        if hexbyte is not None:
            if skip:
                continue
            if to_drop:
                to_drop -= 1
                continue
            pending.append(int(hexbyte, 16))
            continue
        if chunk is not None and not skip:
            if to_drop:
                dropped = min(to_drop, len(chunk))
                chunk = chunk[dropped:]
                to_drop -= dropped
            if chunk:
                flush()
                out.append(chunk)
    else:
        if stack:
            raise SourceError(
                path,
                f"broken RTF: {len(stack)} group(s) never closed (the file "
                "ends early; a cut download?)",
                "export or download the documents again",
            )
    flush()
    return "".join(out)


# --------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Most a Word file may expand (unzipped size over zipped size).
MAX_DOCX_RATIO = 200.0


class _Capped:
    """A binary stream that raises once more than ``cap`` bytes are read."""

    def __init__(self, stream: IO[bytes], cap: int, path: Path) -> None:
        self._stream = stream
        self._cap = cap
        self._path = path
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size if size and size > 0 else 1024 * 1024)
        self.read_bytes += len(chunk)
        if self.read_bytes > self._cap:
            raise SourceError(
                self._path,
                f"word/document.xml unzips to over {self._cap:,} bytes "
                "(a zip bomb, or a huge export)",
                "split the export into smaller downloads, or raise max_bytes "
                "for the file in the card if it is genuine",
            )
        return chunk


def docx_paragraphs(path: Path, cap: int) -> Iterator[str]:
    """The text of each paragraph of a Word (.docx) file, in order.

    The main part, ``word/document.xml``, is streamed through a hardened
    XML parser (``defusedxml``); its unzipped size is capped at ``cap``
    bytes and its compression ratio at :data:`MAX_DOCX_RATIO`. Tabs become
    tab characters and line breaks inside a paragraph ``\\n``.

    Raises
    ------
    SourceError
        The file is not a zip archive, is truncated, has no
        ``word/document.xml``, expands too far, or holds broken XML.
    """
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise SourceError(
            path,
            f"not a Word (.docx) file: not a zip archive, or a truncated one ({exc})",
            "download or save the export again as .docx (an old .doc file must "
            "be saved as .docx first)",
        ) from exc
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError as exc:
            raise SourceError(
                path,
                "a zip archive without word/document.xml, so not a Word file",
                "save the export as .docx from the database again",
            ) from exc
        if info.file_size > cap:
            raise SourceError(
                path,
                f"word/document.xml is {info.file_size:,} bytes unzipped, over "
                f"the cap of {cap:,}",
                "split the export into smaller downloads, or raise max_bytes "
                "for the file in the card if it is genuine",
            )
        if info.compress_size and info.file_size / info.compress_size > MAX_DOCX_RATIO:
            raise SourceError(
                path,
                f"word/document.xml expands "
                f"{info.file_size / info.compress_size:.0f}-fold (a likely zip bomb)",
                "refusing it; open and re-save the file in Word if it is genuine",
            )
        try:
            with archive.open(info) as raw:
                stream = _Capped(raw, cap, path)
                parts: list[str] = []
                depth = 0
                events = safe_xml.iterparse(
                    stream, events=("start", "end"), forbid_dtd=True
                )
                for event, element in events:
                    tag = element.tag
                    if event == "start":
                        if tag == f"{_W}p":
                            depth += 1
                        continue
                    if tag == f"{_W}t":
                        if depth:
                            parts.append(element.text or "")
                    elif tag == f"{_W}tab":
                        if depth:
                            parts.append("\t")
                    elif tag in (f"{_W}br", f"{_W}cr"):
                        if depth:
                            parts.append("\n")
                    elif tag == f"{_W}p":
                        depth -= 1
                        if depth == 0:
                            yield "".join(parts)
                            parts = []
                            element.clear()
                    elif tag == f"{_W}body":
                        element.clear()
        except SourceError:
            raise
        except ParseError as exc:
            raise SourceError(
                path,
                f"broken XML in word/document.xml ({exc})",
                "open and re-save the file in Word, or export it again",
            ) from exc
        except DefusedXmlException as exc:
            raise SourceError(
                path,
                f"word/document.xml holds forbidden XML ({type(exc).__name__})",
                "this is not a database export; refusing it",
            ) from exc
        except (
            zipfile.BadZipFile,
            EOFError,
            zlib.error,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            # zipfile reports damaged headers as any of these (an unknown
            # compression or version: NotImplementedError; a bad offset:
            # OSError).
            raise SourceError(
                path,
                f"truncated or corrupt Word file ({exc})",
                "download or save the export again",
            ) from exc
        except RuntimeError as exc:  # an encrypted member
            raise SourceError(
                path,
                f"word/document.xml cannot be read ({exc})",
                "save the export again without a password",
            ) from exc


# ---------------------------------------------------------------- sniffing

_NEXIS_MARKS = (b"End of Document", b" DOCUMENTS")
_FACTIVA_MARK = re.compile(rb"Document [A-Za-z0-9]{16,40}\b")


def sniff_export_format(path: str | Path) -> str | None:
    """Which export a file is, from its name and first bytes (or ``None``).

    ``nexis`` for Word files and for RTF or text in the Nexis layouts,
    ``factiva`` for RTF or HTML with Factiva accession numbers, ``telegram``
    for a Telegram Desktop ``result.json``, ``mediacloud`` for a CSV with
    Media Cloud's story-list columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "stories.csv"
    >>> _ = path.write_text("stories_id,publish_date,title,url,media_name\\n")
    >>> sniff_export_format(path)
    'mediacloud'
    """
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".docx"):
        return "nexis"
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        head = handle.read(256 * 1024)
    if name.endswith((".rtf", ".txt", ".html", ".htm")):
        if _FACTIVA_MARK.search(head) and (
            name.endswith((".html", ".htm")) or b"End of Document" not in head
        ):
            return "factiva"
        if name.endswith((".rtf", ".txt")) and (
            b"End of Document" in head or re.search(rb"\d+ of \d+ DOCUMENTS?", head)
        ):
            return "nexis"
        return None
    if name.endswith(".json"):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
        if start.startswith(b"{") and b'"messages"' in head:
            return "telegram"
        return None
    if name.endswith((".csv", ".tsv")):
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        columns = {c.strip().strip('"').lstrip("\ufeff") for c in first.split(",")}
        if {"title", "publish_date"} <= columns and (
            {"stories_id", "media_name"} & columns
            or {"indexed_date", "media_url"} <= columns
        ):
            return "mediacloud"
    return None


def open_text_lines(path: Path, encoding: str) -> list[str]:
    """The lines of a text export, without line endings or a byte-order mark."""
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            path,
            f"bytes that are not valid {encoding} (at byte {exc.start})",
            "set the file's encoding in the card (Nexis text exports are "
            "usually utf-8 or cp1252)",
        ) from exc
    except LookupError as exc:
        raise SourceError(
            path, f"unknown encoding {encoding!r}", "set a valid encoding"
        ) from exc
    return text.lstrip("\ufeff").splitlines()


def capped(records: Iterator[Any], cap: int) -> Iterator[Any]:
    """Records, each one whose text fields exceed ``cap`` characters rejected.

    The reject (``too_large``) keeps the record's locator and says how to
    raise the card's ``max_record_bytes``.
    """
    from .readers import RawRecord

    for record in records:
        size = sum(len(v) for v in record.fields.values() if isinstance(v, str))
        if record.error is None and size > cap:
            yield RawRecord(
                record.source_file,
                record.locator,
                {k: v for k, v in record.fields.items() if k != "text"},
                f"{size:,} characters, over the cap of {cap:,}; raise "
                "max_record_bytes in the card if the document is genuine",
                "too_large",
            )
        else:
            yield record


def clean_field(value: Any) -> str:
    """A metadata value with non-breaking spaces and outer blanks removed."""
    return re.sub(r"[\u00a0\u202f\s]+", " ", str(value)).strip()
