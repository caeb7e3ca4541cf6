"""Streaming readers that turn source files into raw records.

A reader yields :class:`RawRecord` objects one at a time: the fields of one
source row as a dict, with the file name and a human-readable locator
("row 17", "line 5", "sheet Sheet1 row 9") so that a rejected row can be
found again. A record that cannot be parsed is still yielded, with
``error`` set, so that it is counted and reported instead of vanishing.

Whole-file problems (missing file, unknown format, truncated archive,
hostile XML) raise :class:`~framing.errors.SourceError`.

Formats are chosen by :func:`detect_format` from the file name, or given
explicitly; :data:`READERS` maps format names to reader functions and can be
extended with :func:`register_reader`.
"""

from __future__ import annotations

import csv
import io
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

__all__ = [
    "RawRecord",
    "ReaderOptions",
    "READERS",
    "register_reader",
    "detect_format",
    "iter_records",
    "known_formats",
    "open_archive_member",
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
        Largest plain JSON file read whole (JSONL has no limit).
    source_name : str or None
        Name to report as ``source_file`` (default: the file's name).
    """

    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    records_path: str | None = None
    pattern: str | None = None
    sidecar: str | None = None
    max_json_bytes: int = 512 * 1024 * 1024
    source_name: str | None = None


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
)


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
    return READERS[fmt](path, opts)


def _load_optional_readers() -> None:
    # The web readers import trafilatura and feedparser, which are slow to
    # import; load them only when a reader is first needed.
    if "html" not in READERS:
        from . import web  # noqa: F401


def _name(path: Path, opts: ReaderOptions) -> str:
    return opts.source_name or path.name


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _has_surrogates(value: str) -> bool:
    """Whether ``value`` holds bytes that did not decode (surrogate escapes)."""
    return _ESCAPED_BYTE.search(value) is not None


@register_reader("csv")
def read_csv(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a CSV/TSV file row by row (header in the first row)."""
    name = _name(path, opts)
    delimiter = opts.delimiter or (
        "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    )
    with _open_text(path, opts.encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
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
                'set the file\'s encoding in the card (e.g. encoding = "cp1252")',
            )
        if len(set(header)) != len(header):
            raise SourceError(
                path,
                f"duplicate column names in header {header}",
                "rename the columns so each is unique",
            )
        row_number = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row_number += 1
                yield RawRecord(name, f"row {row_number}", {}, f"CSV error: {exc}")
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
            if any(_has_surrogates(v) for v in row):
                yield RawRecord(
                    name,
                    locator,
                    _printable(fields),
                    f"bytes that are not valid {opts.encoding}",
                    "broken_encoding",
                )
                continue
            yield RawRecord(name, locator, fields)


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
    """Read JSON Lines: one JSON object per line."""
    name = _name(path, opts)
    with _open_text(path, opts.encoding) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            locator = f"line {line_number}"
            if _has_surrogates(line):
                yield RawRecord(
                    name, locator, {}, "undecodable bytes", "broken_encoding"
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
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
