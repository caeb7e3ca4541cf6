"""Streaming readers that turn source files into raw records.

A reader yields :class:`RawRecord` objects one at a time: the fields of one
source row as a dict, with the file name and a human-readable locator
("row 17", "line 5", "sheet Sheet1 row 9") so that a rejected row can be
found again. A record that cannot be parsed is still yielded, with
``error`` set, so that it is counted and reported instead of vanishing.

Whole-file problems (missing file, unknown format, truncated archive,
hostile XML) raise :class:`~framing.errors.SourceError`.

Readers are strict by default:

* Every file has a size cap (``max_bytes``; by default 4 GiB for formats
  that stream, 512 MiB for those read whole, 64 MiB for a feed and 8 MiB
  for a single HTML page) and every record or page one too
  (``max_record_bytes``; 32 MiB for a row or line, 8 MiB for a page): a
  larger file is a ``SourceError`` naming the cap and the card option that
  raises it, a larger record a reject (``too_large``).
* CSV is parsed with ``strict`` quoting: a quote that opens a field and
  never closes it properly no longer swallows the rows after it. The row is
  rejected with the line it starts on, and reading resumes on the next line.
* A text file whose bytes are UTF-8 but whose declared encoding is another
  one (which would turn "война" into "Ð²Ð¾Ð¹Ð½Ð°") is refused with the fix,
  and so is one whose text, read in the declared code page, has the words
  of another (see :func:`code_page_is_wrong`); bytes that do not decode in
  the declared encoding make their row a ``broken_encoding`` reject, with a
  guess of the right encoding.
* In tabular files (CSV, JSON, JSON Lines, Excel, Parquet) holding numeric
  dates such as ``02/01/2022``, one extra pass finds, for every such
  column, the day/month order that all its values allow; the values are
  handed on as :class:`~framing.normalize.DateText` so that
  :func:`~framing.normalize.parse_date` reads the whole column in one order
  (or rejects the values no value decides). Files with ISO dates only are
  read once.

Formats are chosen by :func:`detect_format` from the file name, or given
explicitly; :data:`READERS` maps format names to reader functions and can be
extended with :func:`register_reader`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..normalize import DateText

__all__ = [
    "RawRecord",
    "ReaderOptions",
    "READERS",
    "register_reader",
    "detect_format",
    "iter_records",
    "known_formats",
    "open_archive_member",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_RECORD_BYTES",
    "DEFAULT_MAX_PAGE_BYTES",
    "code_page_is_wrong",
    "declared_encoding_is_wrong",
]

# Python's csv module refuses fields over 128 KiB by default; press releases
# with long transcripts exceed that.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One source record before mapping.

    Attributes
    ----------
    source_file : str
        File name of the input (as registered).
    locator : str
        Where the record sits in that file.
    fields : dict
        Field name -> value as read (strings for text formats).
    error : str or None
        Why the record could not be parsed, if it could not.
    error_code : str
        Reject reason code for ``error`` (see ``framing.schema.REJECT_REASONS``).
    """

    source_file: str
    locator: str
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_code: str = "malformed_record"


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Options a reader may use; each reader ignores those it does not need.

    Attributes
    ----------
    encoding : str
        Text encoding of the file.
    delimiter : str or None
        CSV delimiter (default: ``,`` for .csv, tab for .tsv).
    sheet : str or None
        Excel sheet name (default: the first sheet).
    records_path : str or None
        For a JSON object, the key that holds the list of records.
    pattern : str or None
        For a folder, glob of files to read.
    sidecar : str or None
        For a folder, a CSV/JSON/JSONL metadata file keyed by ``file``.
    max_json_bytes : int
        Largest plain JSON file read whole (JSONL streams).
    source_name : str or None
        Name to report as ``source_file`` (default: the file's name).
    max_bytes : int or None
        Largest file read; ``None`` for the format's default (see
        :data:`DEFAULT_MAX_BYTES`). A card sets it per file.
    max_record_bytes : int or None
        Largest record read; larger ones are rejected with reason
        ``too_large``. ``None`` for the default: 32 MiB for a CSV row or a
        JSON line, 8 MiB for a web page (whose extraction time grows faster
        than its size). A card sets it per file.
    """

    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    records_path: str | None = None
    pattern: str | None = None
    sidecar: str | None = None
    max_json_bytes: int = 512 * 1024 * 1024
    source_name: str | None = None
    max_bytes: int | None = None
    max_record_bytes: int | None = None

    def record_cap(self, *, page: bool = False) -> int:
        """The record cap in effect (see ``max_record_bytes``)."""
        if self.max_record_bytes is not None:
            return self.max_record_bytes
        return DEFAULT_MAX_PAGE_BYTES if page else DEFAULT_MAX_RECORD_BYTES


_MiB = 1024 * 1024
#: Default cap of a CSV row or JSON line (``max_record_bytes`` overrides it).
DEFAULT_MAX_RECORD_BYTES = 32 * _MiB
#: Default cap of a web page: extracting 4 MiB of HTML takes some ten
#: seconds, and the time grows faster than the size.
DEFAULT_MAX_PAGE_BYTES = 8 * _MiB
#: Default file size caps by format (``max_bytes`` overrides them).
DEFAULT_MAX_BYTES: dict[str, int] = {
    "csv": 4096 * _MiB,
    "jsonl": 4096 * _MiB,
    "parquet": 4096 * _MiB,
    "warc": 4096 * _MiB,
    "json": 512 * _MiB,
    "excel": 512 * _MiB,
    "feed": 64 * _MiB,
    "html": DEFAULT_MAX_PAGE_BYTES,
    # Export formats read whole (a DOCX's text is capped once unzipped).
    "nexis": 512 * _MiB,
    "factiva": 512 * _MiB,
    "telegram": 512 * _MiB,
    "mediacloud": 4096 * _MiB,
}
# Formats whose values are read twice to find each column's date order.
_TABULAR = frozenset({"csv", "json", "jsonl", "excel", "parquet", "mediacloud"})
# Formats read as text in the declared encoding.
_TEXT_FORMATS = frozenset({"csv", "json", "jsonl", "mediacloud"})


Reader = Callable[[Path, ReaderOptions], Iterator[RawRecord]]
READERS: dict[str, Reader] = {}

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
    ".html": "html",
    ".htm": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".warc.gz": "warc",
    # Word and RTF files are read as news-database exports; an RTF file in
    # the Factiva layout is handed to the factiva reader (see nexis.py).
    ".docx": "nexis",
    ".rtf": "nexis",
}


_BUILTIN_FORMATS = (
    "csv",
    "json",
    "jsonl",
    "parquet",
    "excel",
    "html",
    "folder",
    "feed",
    "warc",
    "nexis",
    "factiva",
    "telegram",
    "mediacloud",
)

# Export readers, each in its own module, imported when first needed.
_EXPORT_MODULES = {
    "nexis": "nexis",
    "factiva": "factiva",
    "telegram": "telegram",
    "mediacloud": "mediacloud",
}


def known_formats() -> list[str]:
    """Names of the formats a card may declare, built-in and registered."""
    return sorted(set(_BUILTIN_FORMATS) | set(READERS))


def register_reader(name: str) -> Callable[[Reader], Reader]:
    """Register a reader function under a format name (a decorator)."""

    def decorate(reader: Reader) -> Reader:
        READERS[name] = reader
        return reader

    return decorate


def detect_format(path: str | Path) -> str:
    """Guess a file's format from its name.

    Examples
    --------
    >>> detect_format("press/putin.csv")
    'csv'
    >>> detect_format("crawl-2022.warc.gz")
    'warc'
    >>> detect_format("articles/")
    'folder'
    """
    if str(path).endswith(("/", os.sep)) or Path(path).is_dir():
        return "folder"
    path = Path(path)
    name = path.name.lower()
    for suffix in sorted(_SUFFIX_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _SUFFIX_FORMATS[suffix]
    raise SourceError(
        path,
        f"unsupported format (suffix {path.suffix or 'none'!r})",
        f"give format= one of {known_formats()}",
    )


def iter_records(
    path: str | Path, *, format: str | None = None, **options: Any
) -> Iterator[RawRecord]:
    """Stream the raw records of one source file.

    Parameters
    ----------
    path : str or Path
        The file (or folder, for ``format="folder"``).
    format : str, optional
        A key of :data:`READERS`; guessed from the name when omitted.
    **options
        Fields of :class:`ReaderOptions`.

    Yields
    ------
    RawRecord

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.jsonl").write_text('{"text": "War."}\\n{broken\\n')
    >>> records = iter_records(folder / "a.jsonl")
    >>> [(r.locator, r.fields, r.error is None) for r in records]
    [('line 1', {'text': 'War.'}, True), ('line 2', {}, False)]
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(path, "file not found", "check the path, or fetch the corpus")
    fmt = format or detect_format(path)
    if fmt not in READERS:
        _load_optional_readers()
    if fmt not in READERS:
        raise SourceError(
            path, f"unknown format {fmt!r}", f"use one of {sorted(READERS)}"
        )
    opts = ReaderOptions(**options)
    _check_size(path, fmt, opts)
    if fmt in _TEXT_FORMATS:
        _check_declared_encoding(path, opts.encoding)
    if fmt in _TABULAR:
        return _with_date_orders(READERS[fmt], path, opts)
    return READERS[fmt](path, opts)


def _check_size(path: Path, fmt: str, opts: ReaderOptions) -> None:
    if path.is_dir():
        return  # a folder's files are capped one by one (max_record_bytes)
    cap = opts.max_bytes or DEFAULT_MAX_BYTES.get(fmt, 4096 * _MiB)
    size = path.stat().st_size
    if size > cap:
        raise SourceError(
            path,
            f"{size:,} bytes, over the cap of {cap:,} bytes for a {fmt} file",
            "if the file is genuine, raise max_bytes for it in the card's "
            "[[files]] entry (e.g. max_bytes = " + str(size) + ")",
        )


_UTF8_NAMES = frozenset({"utf-8", "utf-8-sig", "ascii"})
_WIDE = ("utf-16", "utf-32")


def declared_encoding_is_wrong(data: bytes, encoding: str) -> str | None:
    """Why ``data`` is not in ``encoding`` when it is UTF-8, else ``None``.

    Non-ASCII bytes that form valid UTF-8 are UTF-8 in practice: text in a
    single-byte code page (cp1251, latin-1) almost never does. Decoding them
    in another encoding gives mojibake that no later step can tell from text.

    Examples
    --------
    >>> data = "война".encode("utf-8")
    >>> declared_encoding_is_wrong(data, "cp1252")
    "the bytes are UTF-8: 'война' would be read as 'Ð²Ð¾Ð¹Ð½Ð°'"
    >>> declared_encoding_is_wrong(data, "utf-8") is None
    True
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name in _UTF8_NAMES or name.startswith(_WIDE) or data.isascii():
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(data, final=False)  # a cut last character is fine
    except UnicodeDecodeError:
        return None
    word = next(
        (w for w in _WORD.findall(text) if not w.isascii()),
        None,
    )
    if word is None:
        return "the bytes are UTF-8"
    word = word[:30]
    garbled = word.encode("utf-8").decode(encoding, "replace")
    return f"the bytes are UTF-8: {word!r} would be read as {garbled!r}"


_WORD = re.compile(r"\w+")


def _check_declared_encoding(path: Path, encoding: str) -> None:
    with open(path, "rb") as handle:
        sample = handle.read(1024 * 1024)
    problem = declared_encoding_is_wrong(sample, encoding)
    if problem is not None:
        raise SourceError(
            path,
            f"the card declares encoding = {encoding!r}, but {problem}",
            "declare encoding = 'utf-8' for this file",
        )
    problem = code_page_is_wrong(sample, encoding)
    if problem is not None:
        raise SourceError(
            path,
            f"the card declares encoding = {encoding!r}, but {problem}",
            _encoding_fix(path, encoding),
        )


_LATIN_PAGES = frozenset(
    {"latin-1", "iso8859-1", "cp1252", "iso8859-15", "cp1250", "iso8859-2"}
)


def code_page_is_wrong(data: bytes, encoding: str) -> str | None:
    """Why ``data`` read in the single-byte ``encoding`` looks garbled, if it does.

    Text in one code page read in another gives tell-tale words: nothing but
    accented letters (Cyrillic cp1251 read as latin-1), Latin and Cyrillic
    letters in one word (French latin-1 read as cp1251), or capitals inside
    lower-case words (koi8-r read as cp1251). Real text almost never has
    them in a third of its non-ASCII words.

    Examples
    --------
    >>> text = "Переговоры о зерне возобновились в порту, заявил министр страны"
    >>> data = text.encode("cp1251")
    >>> code_page_is_wrong(data, "latin-1")[:44]
    'most of its letters read as accented letters'
    >>> code_page_is_wrong(data, "cp1251") is None
    True
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return None
    name = info.name
    if name in _UTF8_NAMES or name.startswith(_WIDE) or data.isascii():
        return None
    text = data.decode(encoding, "replace")
    words = [w for w in _WORD.findall(text) if not w.isascii() and w.isalpha()]
    if len(words) < 5:
        return None
    if name in _LATIN_PAGES:
        letters = sum(len(w) for w in _WORD.findall(text) if w.isalpha())
        accented = sum(1 for w in words for c in w if not c.isascii())
        if letters >= 50 and accented > letters / 2:
            return (
                f"most of its letters read as accented letters ({words[0][:20]!r}): "
                "the text is in another code page"
            )
    mixed = [w for w in words if _MIXED_SCRIPT.search(w)]
    if len(mixed) * 3 > len(words):
        return (
            f"{len(mixed)} of its {len(words)} non-ASCII words mix Latin and "
            f"other letters (such as {mixed[0][:20]!r}): the text is in another "
            "code page"
        )
    flipped = [w for w in words if _CASE_FLIP.search(w)]
    if len(flipped) * 3 > len(words):
        return (
            f"{len(flipped)} of its {len(words)} non-ASCII words have capitals "
            f"inside (such as {flipped[0][:20]!r}): the text is in another code page"
        )
    return None


_MIXED_SCRIPT = re.compile(
    r"(?:[A-Za-z][\u0400-\u04ff\u0370-\u03ff])|(?:[\u0400-\u04ff\u0370-\u03ff][A-Za-z])"
)
_CASE_FLIP = re.compile(
    r"[^\W\d_](?<=[a-z\u00df-\u00ff\u0430-\u045f])[A-Z\u00c0-\u00de\u0400-\u042f]"
)


def guess_encoding(path: Path) -> str | None:
    """A likely encoding of the file's first megabyte (``None`` if unsure).

    Uses ``charset_normalizer`` when it is installed (it comes with
    trafilatura); only for the hint of an error message.
    """
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a hint only
        return None
    with open(path, "rb") as handle:
        best = from_bytes(handle.read(1024 * 1024)).best()
    return None if best is None else str(best.encoding)


def _encoding_fix(path: Path, encoding: str) -> str:
    guess = guess_encoding(path)
    if guess is None or codecs.lookup(guess).name == codecs.lookup(encoding).name:
        return "set the file's encoding in the card"
    return f"the file looks like {guess}: set encoding = {guess!r} in the card"


# A numeric date whose first two parts could be day and month.
_DAY_MONTH = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})(?:$|[ T,])")


class _DateEvidence:
    """Per column: values that need day first, and values that need month first.

    ``DMY`` when some value has a first part over 12 and none a second part
    over 12, ``MDY`` the other way round, ``mixed`` when both occur, and
    ``ambiguous`` when no value decides.
    """

    def __init__(self) -> None:
        self.seen: dict[str, list[int]] = {}

    def add(self, key: str, value: str) -> None:
        match = _DAY_MONTH.match(value.strip())
        if match is None:
            return
        first, second = int(match.group(1)), int(match.group(3))
        seen = self.seen.setdefault(key, [0, 0])
        if first > 12 and second <= 12:
            seen[0] += 1
        elif second > 12 and first <= 12:
            seen[1] += 1

    def orders(self) -> dict[str, str]:
        orders: dict[str, str] = {}
        for key, (day_first, month_first) in self.seen.items():
            if day_first and month_first:
                orders[key] = "mixed"
            elif day_first:
                orders[key] = "DMY"
            elif month_first:
                orders[key] = "MDY"
            else:
                orders[key] = "ambiguous"
        return orders


def _date_evidence(records: Iterator[RawRecord]) -> dict[str, str]:
    """Each column's day/month order, from all its numeric date values."""
    evidence = _DateEvidence()
    for record in records:
        if record.error is not None:
            continue
        for key, value in record.fields.items():
            if isinstance(value, str) and value[:1].isdigit():
                evidence.add(key, value)
    return evidence.orders()


def _csv_date_evidence(path: Path, opts: ReaderOptions) -> dict[str, str]:
    """:func:`_date_evidence` for CSV with a bare parse, at half the cost.

    A file with broken quoting takes the full reader, which resynchronises.
    """
    delimiter = opts.delimiter or (
        "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    )
    evidence = _DateEvidence()
    with _open_text(path, opts.encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = [c.strip().lstrip("\ufeff") for c in next(reader, [])]
            for row in reader:
                if len(row) != len(header):
                    continue
                for key, cell in zip(header, row, strict=True):
                    if cell[:1].isdigit():
                        evidence.add(key, cell)
        except csv.Error:
            return _date_evidence(read_csv(path, opts))
    return evidence.orders()


def _with_date_orders(
    reader: Reader, path: Path, opts: ReaderOptions
) -> Iterator[RawRecord]:
    """Yield the file's records, numeric dates marked with their column order.

    The first record holding a day/month-first value starts one pass over
    the whole file that finds every column's order; records before it hold
    none, and files with ISO dates only are read once.
    """
    orders: dict[str, str] | None = None
    for record in reader(path, opts):
        if record.error is None:
            fields = record.fields
            if orders is None and any(
                isinstance(value, str)
                and value[:1].isdigit()
                and _DAY_MONTH.match(value.strip())
                for value in fields.values()
            ):
                if reader is read_csv:
                    orders = _csv_date_evidence(path, opts)
                else:
                    orders = _date_evidence(reader(path, opts))
            if orders:
                for key, order in orders.items():
                    value = fields.get(key)
                    if isinstance(value, str) and _DAY_MONTH.match(value.strip()):
                        fields[key] = DateText(value, order=order, column=key)
        yield record


def _load_optional_readers() -> None:
    # The web readers import trafilatura and feedparser, which are slow to
    # import; load them only when a reader is first needed. The export
    # readers are loaded the same way so that importing framing stays fast.
    if "html" not in READERS:
        from . import web  # noqa: F401
    import importlib

    for fmt, module in _EXPORT_MODULES.items():
        if fmt not in READERS:
            importlib.import_module(f"{__package__}.{module}")


def _name(path: Path, opts: ReaderOptions) -> str:
    return opts.source_name or path.name


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _has_surrogates(value: str) -> bool:
    """Whether ``value`` holds bytes that did not decode (surrogate escapes)."""
    # Most text is ASCII, which no escaped byte is: a check in C, not a scan.
    return not value.isascii() and _ESCAPED_BYTE.search(value) is not None


@register_reader("csv")
def read_csv(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a CSV/TSV file row by row (header in the first row).

    Quoting is strict: a field that opens a quote and does not close it
    before a delimiter or the end of the line where the quoted text ends is
    an error of that row, not a licence to swallow the rows after it. The
    row is rejected (locator ``row N``, detail naming its line) and reading
    resumes on the line after the one it starts on. A file with more than
    :data:`MAX_CSV_RESYNCS` such rows is refused: its quoting or delimiter
    is wrong as a whole.
    """
    name = _name(path, opts)
    delimiter = opts.delimiter or (
        "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    )
    record_cap = opts.record_cap()
    if record_cap > csv.field_size_limit():
        csv.field_size_limit(record_cap)
    with _open_text(path, opts.encoding) as handle:
        reader = _OffsetReader(csv.reader(handle, delimiter=delimiter, strict=True), 0)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(
                path, f"unreadable header: {exc}", "check the delimiter"
            ) from exc
        header = [column.strip().lstrip("\ufeff") for column in header]
        if any(_has_surrogates(column) for column in header):
            raise SourceError(
                path,
                f"the header has bytes that are not valid {opts.encoding}",
                _encoding_fix(path, opts.encoding),
            )
        if len(set(header)) != len(header):
            raise SourceError(
                path,
                f"duplicate column names in header {header}",
                "rename the columns so each is unique",
            )
        row_number = 1
        resyncs = 0
        encoding_fix: str | None = None
        while True:
            first_line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row_number += 1
                resyncs += 1
                if resyncs > MAX_CSV_RESYNCS:
                    raise SourceError(
                        path,
                        f"more than {MAX_CSV_RESYNCS} rows with broken quoting "
                        f"(the last at line {first_line}: {exc})",
                        "check the file's delimiter and quote characters",
                    ) from exc
                line = _physical_line(path, opts.encoding, first_line)
                yield RawRecord(
                    name,
                    f"row {row_number}",
                    _printable({"line": line[:2000]}),
                    f"CSV error in the row starting on line {first_line}: {exc} "
                    "(an unbalanced quote?); the row is rejected and reading "
                    f"resumes on line {first_line + 1}",
                )
                # The csv module cannot resynchronise by itself: start a new
                # reader on the line after the one the broken row began on.
                handle.seek(0)
                lines = itertools.islice(handle, first_line, None)
                reader = _OffsetReader(
                    csv.reader(lines, delimiter=delimiter, strict=True), first_line
                )
                continue
            row_number += 1
            locator = f"row {row_number}"
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not records
            if len(row) != len(header):
                yield RawRecord(
                    name,
                    locator,
                    _printable({f"column_{i}": v for i, v in enumerate(row)}),
                    f"{len(row)} fields where the header has {len(header)}",
                )
                continue
            fields = dict(zip(header, row, strict=True))
            if sum(map(len, row)) > record_cap:
                yield RawRecord(
                    name,
                    locator,
                    {},
                    f"{sum(map(len, row)):,} characters, over the cap of "
                    f"{record_cap:,}; raise max_record_bytes in the "
                    "card if the row is genuine",
                    "too_large",
                )
                continue
            # All-ASCII rows (most) are told apart in C, without a generator.
            if not all(map(str.isascii, row)) and any(map(_has_surrogates, row)):
                if encoding_fix is None:
                    encoding_fix = _encoding_fix(path, opts.encoding)
                yield RawRecord(
                    name,
                    locator,
                    _printable(fields),
                    f"bytes that are not valid {opts.encoding} ({encoding_fix})",
                    "broken_encoding",
                )
                continue
            yield RawRecord(name, locator, fields)


#: Rows with broken quoting a CSV file may have before it is refused.
MAX_CSV_RESYNCS = 100


class _OffsetReader:
    """A csv reader over lines after ``offset``, counting lines from the top."""

    def __init__(self, reader: Any, offset: int) -> None:
        self._reader = reader
        self._offset = offset

    def __iter__(self) -> _OffsetReader:
        return self

    def __next__(self) -> list[str]:
        return next(self._reader)

    @property
    def line_num(self) -> int:
        return int(self._reader.line_num) + self._offset


def _physical_line(path: Path, encoding: str, number: int) -> str:
    """Line ``number`` (from 1) of a text file, as read by the CSV reader."""
    with _open_text(path, encoding) as handle:
        for line in itertools.islice(handle, number - 1, number):
            return line.rstrip("\r\n")
    return ""


def _printable(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if isinstance(value, str)
        else value
        for key, value in fields.items()
    }


@contextmanager
def _open_text(path: Path, encoding: str) -> Iterator[io.TextIOWrapper]:
    try:
        handle = open(  # noqa: SIM115 - closed by the with block below
            path, encoding=encoding, errors="surrogateescape", newline=""
        )
    except LookupError as exc:
        raise SourceError(
            path, f"unknown encoding {encoding!r}", "set a valid encoding"
        ) from exc
    with handle:
        yield handle


@register_reader("jsonl")
def read_jsonl(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read JSON Lines: one JSON object per line.

    A line longer than ``max_record_bytes`` characters is skipped unread
    and rejected (``too_large``).
    """
    name = _name(path, opts)
    cap = opts.record_cap()
    encoding_fix: str | None = None
    with _open_text(path, opts.encoding) as handle:
        line_number = 0
        while line := handle.readline(cap + 1):
            line_number += 1
            locator = f"line {line_number}"
            if len(line) > cap and not line.endswith(("\n", "\r")):
                size = len(line)
                while (more := handle.readline(_MiB)) and not more.endswith(
                    ("\n", "\r")
                ):
                    size += len(more)
                yield RawRecord(
                    name,
                    locator,
                    {},
                    f"over {cap:,} characters (the cap); raise max_record_bytes "
                    "in the card if the line is genuine",
                    "too_large",
                )
                continue
            if not line.strip():
                continue
            if _has_surrogates(line):
                if encoding_fix is None:
                    encoding_fix = _encoding_fix(path, opts.encoding)
                yield RawRecord(
                    name,
                    locator,
                    {},
                    f"bytes that are not valid {opts.encoding} ({encoding_fix})",
                    "broken_encoding",
                )
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRecord(name, locator, {}, f"invalid JSON: {exc.msg}")
                continue
            except (RecursionError, ValueError) as exc:
                # Deeply nested values and huge integers are refused by the
                # parser itself; one such line must not stop the file.
                yield RawRecord(
                    name, locator, {}, f"invalid JSON: {type(exc).__name__}"
                )
                continue
            if not isinstance(value, dict):
                yield RawRecord(
                    name, locator, {}, f"a JSON {type(value).__name__}, not an object"
                )
                continue
            yield RawRecord(name, locator, value)


@register_reader("json")
def read_json(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a JSON array of objects (or a list under ``records_path``)."""
    name = _name(path, opts)
    size = path.stat().st_size
    if size > opts.max_json_bytes:
        raise SourceError(
            path,
            f"{size} bytes of plain JSON must be read whole",
            "convert it to JSON Lines (one object per line), which streams",
        )
    try:
        data = json.loads(path.read_text(encoding=opts.encoding))
    except UnicodeDecodeError as exc:
        raise SourceError(
            path,
            f"bytes that are not valid {opts.encoding} (at byte {exc.start})",
            _encoding_fix(path, opts.encoding),
        ) from exc
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"not valid JSON: {exc}", "check the file, or use JSON Lines"
        ) from exc
    if opts.records_path is not None:
        if not isinstance(data, dict) or opts.records_path not in data:
            raise SourceError(
                path,
                f"no key {opts.records_path!r} at the top level",
                "set records_path to the key holding the list",
            )
        data = data[opts.records_path]
    if not isinstance(data, list):
        raise SourceError(
            path,
            "the top level is not a list of records",
            "set records_path to the key holding the list",
        )
    for index, value in enumerate(data, start=1):
        locator = f"record {index}"
        if isinstance(value, dict):
            yield RawRecord(name, locator, value)
        else:
            yield RawRecord(
                name, locator, {}, f"a JSON {type(value).__name__}, not an object"
            )


@register_reader("parquet")
def read_parquet(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Parquet file in batches."""
    import pyarrow.parquet as pq

    name = _name(path, opts)
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
    except Exception as exc:  # pyarrow raises several types for bad files
        raise SourceError(
            path, f"not a readable Parquet file: {exc}", "check the file"
        ) from exc
    row = 0
    for batch in parquet.iter_batches(batch_size=2048):
        for fields in batch.to_pylist():
            row += 1
            yield RawRecord(name, f"row {row}", fields)


@register_reader("excel")
def read_excel(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read one sheet of an .xlsx/.xls/.ods workbook (first row is the header).

    Uses calamine, which skips the formatted-but-empty rows that spreadsheet
    programs often leave (a million of them in some exports) without
    parsing each one.
    """
    from python_calamine import CalamineWorkbook

    name = _name(path, opts)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise SourceError(
            path, f"not a readable workbook: {exc}", "save it as .xlsx, or export CSV"
        ) from exc
    if opts.sheet is not None and opts.sheet not in workbook.sheet_names:
        raise SourceError(
            path, f"no sheet {opts.sheet!r}", f"use one of {workbook.sheet_names}"
        )
    sheet_name = opts.sheet or workbook.sheet_names[0]
    sheet = workbook.get_sheet_by_name(sheet_name)
    first_row = (sheet.start or (0, 0))[0] + 1
    rows = sheet.iter_rows()
    header_row = next(rows, None)
    if header_row is None:
        return
    header = [
        str(c).strip() if c not in (None, "") else f"column_{i}"
        for i, c in enumerate(header_row)
    ]
    if len(set(header)) != len(header):
        raise SourceError(
            path,
            f"duplicate column names in header {header}",
            "rename the columns so each is unique",
        )
    for row_number, row in enumerate(rows, start=first_row + 1):
        if all(
            cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row
        ):
            continue  # blank rows are not records
        fields = dict(zip(header, row, strict=False))
        yield RawRecord(name, f"sheet {sheet_name} row {row_number}", fields)


@contextmanager
def open_archive_member(
    archive: Path,
    member: str,
    *,
    max_bytes: int = 1024**3,
    max_ratio: float = 200.0,
) -> Iterator[Path]:
    """Extract one member of a zip archive to a temporary file.

    Refuses truncated archives, missing members, members larger than
    ``max_bytes`` and members compressed more than ``max_ratio`` times
    (zip bombs), each with a message naming the archive.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(
            archive,
            f"truncated or corrupt zip archive ({exc})",
            "delete it and fetch it again",
        ) from exc
    with zf:
        try:
            info = zf.getinfo(member)
        except KeyError as exc:
            names = [n for n in zf.namelist() if not n.startswith("__MACOSX/")]
            raise SourceError(
                archive, f"no member {member!r}", f"set member to one of {names}"
            ) from exc
        if info.file_size > max_bytes:
            raise SourceError(
                archive,
                f"member {member!r} is {info.file_size} bytes, "
                f"over the limit of {max_bytes}",
                "raise max_bytes if it is genuine",
            )
        if info.compress_size and info.file_size / info.compress_size > max_ratio:
            raise SourceError(
                archive,
                f"member {member!r} expands "
                f"{info.file_size / info.compress_size:.0f}-fold",
                "refusing a likely zip bomb; unpack it yourself if it is genuine",
            )
        folder = Path(tempfile.mkdtemp(prefix="framing-zip-"))
        try:
            target = folder / Path(member).name
            try:
                with zf.open(info) as source, open(target, "wb") as sink:
                    copied = _copy_limited(source, sink, max_bytes)
            except (
                zipfile.BadZipFile,
                EOFError,
                zipfile.LargeZipFile,
                zlib.error,
            ) as exc:
                raise SourceError(
                    archive,
                    f"member {member!r} is truncated or corrupt ({exc})",
                    "delete the archive and fetch it again",
                ) from exc
            if copied != info.file_size:
                raise SourceError(
                    archive,
                    f"member {member!r} is truncated",
                    "delete the archive and fetch it again",
                )
            yield target
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _copy_limited(source: Any, sink: Any, max_bytes: int) -> int:
    copied = 0
    while chunk := source.read(1024 * 1024):
        copied += len(chunk)
        if copied > max_bytes:
            raise zipfile.LargeZipFile(f"more than {max_bytes} bytes")
        sink.write(chunk)
    return copied
