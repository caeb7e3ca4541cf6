"""Readers for web sources: HTML pages, folders of pages, feeds and WARC archives.

Importing this module registers four readers with
:func:`~framing.datasets.readers.register_reader`:

``html``
    One saved HTML page; its main text and metadata are extracted with
    trafilatura and yielded as a single record.
``folder``
    A directory of ``.txt`` and ``.html`` files (one record per file), with
    an optional sidecar table of metadata keyed by file name.
``feed``
    An RSS or Atom feed (one record per entry), screened for hostile XML
    before it is parsed.
``warc``
    A WARC or WARC.GZ web archive, streamed; one record per HTML response.

Like every reader, these yield a record with ``error`` set rather than
dropping a page whose text cannot be extracted, and raise
:class:`~framing.errors.SourceError` when the whole input is unusable.
"""

from __future__ import annotations

import codecs
import html
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import feedparser
import lxml.html
import trafilatura
from trafilatura.utils import detect_encoding
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import SourceError
from .readers import (
    DEFAULT_MAX_BYTES,
    READERS,
    RawRecord,
    ReaderOptions,
    _name,
    declared_encoding_is_wrong,
    detect_format,
    register_reader,
)

__all__ = ["html_to_text", "read_html", "read_folder", "read_feed", "read_warc"]

_DEFAULT_FOLDER_SUFFIXES = frozenset({".txt", ".html", ".htm"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# A saved article is rarely over a few megabytes; a larger "page" in a crawl
# is usually a mislabelled download, and extracting it could exhaust memory
# or take minutes (ReaderOptions.record_cap(page=True), 8 MiB by default).


def _too_large(
    source: str, locator: str, size: int, cap: int, base: dict[str, Any]
) -> RawRecord:
    return RawRecord(
        source,
        locator,
        dict(base),
        f"{size:,} bytes, over the page cap of {cap:,}; raise max_record_bytes "
        "in the card if the page is genuine",
        "too_large",
    )


_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]*>")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r"[^\S\n]+")

# Break strength after/before an element: 2 starts a new paragraph (blank
# line), 1 a new line. Neighbouring breaks merge to the strongest, so nested
# blocks such as <div><p> do not pile up empty lines.
_PARAGRAPH, _LINE = 2, 1
_BREAKS: dict[str, int] = {
    **dict.fromkeys(
        [
            "p",
            "div",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "section",
            "article",
            "header",
            "footer",
            "aside",
            "nav",
            "main",
            "figure",
            "figcaption",
            "table",
            "ul",
            "ol",
            "dl",
            "address",
            "form",
            "fieldset",
            "details",
            "hr",
        ],
        _PARAGRAPH,
    ),
    **dict.fromkeys(["li", "dt", "dd", "tr", "caption", "summary"], _LINE),
}
_CELLS = frozenset({"td", "th"})
_INVISIBLE = frozenset({"script", "style", "template", "head", "noscript"})


# --------------------------------------------------------------------------
# HTML fragments to plain text


def html_to_text(fragment: str | bytes | None) -> str:
    r"""Convert an HTML fragment to plain text, one paragraph per block.

    Block elements (``p``, ``div``, ``h1``-``h6``, ...) start a new paragraph,
    separated by a blank line; ``li`` and ``br`` start a new line. Runs of
    whitespace inside text collapse to one space, as a browser renders them;
    scripts, styles and comments are dropped. Junk input never raises: text
    that lxml cannot parse falls back to stripping anything tag-like.

    Parameters
    ----------
    fragment : str, bytes or None
        HTML, e.g. the content of a feed entry. Plain text passes through.

    Returns
    -------
    str
        The text, without leading or trailing whitespace; ``""`` for empty
        input.

    Examples
    --------
    >>> html_to_text("<p>First <b>bold</b> line.</p><p>Second<br>line</p>")
    'First bold line.\n\nSecond\nline'
    >>> html_to_text("<ul><li>one</li><li>two &amp; three</li></ul>")
    'one\ntwo & three'
    >>> html_to_text("")
    ''
    """
    if isinstance(fragment, bytes):
        fragment = fragment.decode("utf-8", "replace")
    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    # lxml refuses control characters and lone surrogates outright; neither
    # belongs in text, so drop them instead of losing the whole fragment.
    cleaned = _CONTROL_CHARS.sub("", fragment)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")
    try:
        root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
        return _tidy(_render(root))
    except Exception:
        # lxml.html fails on junk with assorted types (ParserError,
        # ValueError, even AssertionError "too many bodies").
        return _tidy(html.unescape(_TAG.sub(" ", cleaned)))


def _render(root: Any) -> str:
    pieces: list[str] = []
    pending = 0  # break owed before the next visible text

    def emit(text: str | None) -> None:
        nonlocal pending
        if not text:
            return
        text = _WHITESPACE.sub(" ", text)
        if text == " " and (pending or not pieces):
            return  # whitespace next to a break is not content
        if pending and pieces:
            pieces.append("\n" * pending)
        pending = 0
        pieces.append(text)

    # An explicit stack rather than recursion: junk can nest deeply.
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if closing:
            pending = max(pending, _BREAKS.get(tag or "", 0))
            if tag in _CELLS:
                emit(" ")
            if element is not root:
                emit(element.tail)
            continue
        if tag is None or tag in _INVISIBLE:  # comments, processing instructions
            emit(element.tail)
            continue
        if tag == "br":
            # Unlike block breaks, consecutive <br> add up: two make a blank line.
            pending = min(pending + 1, _PARAGRAPH)
            emit(element.tail)
            continue
        pending = max(pending, _BREAKS.get(tag, 0))
        emit(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(pieces)


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------
# HTML pages


def _check_encoding(path: Path, encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise SourceError(
            path, f"unknown encoding {encoding!r}", "set a valid encoding"
        ) from exc


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _decode_page(data: bytes, preferred: Iterable[str | None]) -> str | None:
    """Decode page bytes, or return None when no encoding fits them."""
    candidates = [*preferred, _declared_charset(data)]
    for encoding in candidates:
        if not encoding:
            continue
        if declared_encoding_is_wrong(data, encoding):
            # UTF-8 bytes read in a single-byte code page are mojibake, and
            # a mislabelled page (header, meta or card) is common on the web.
            continue
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    # Not documented trafilatura API, but the very guesser it applies to
    # bytes: "undecodable" here then means undecodable for extraction too.
    for guess in detect_encoding(data):
        try:
            return data.decode(guess)
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _page_record(
    source: str,
    locator: str,
    data: bytes,
    *,
    encodings: Iterable[str | None],
    base: dict[str, Any],
    url: str | None = None,
) -> RawRecord:
    """Extract one page; ``base`` fields are kept, and returned on failure."""
    markup = _decode_page(data, encodings)
    if markup is None:
        return RawRecord(
            source,
            locator,
            dict(base),
            "bytes that fit neither the given nor any detected encoding",
            "broken_encoding",
        )
    try:
        result = trafilatura.bare_extraction(markup, url=url, with_metadata=True)
    except Exception as exc:  # whatever the parsers raise, it is this page's reject
        return RawRecord(
            source,
            locator,
            dict(base),
            f"extraction failed: {type(exc).__name__}: {exc}",
        )
    # trafilatura 2.x returns a Document; 1.x returned a dict.
    meta: dict[str, Any] = {}
    if isinstance(result, dict):
        meta = result
    elif result is not None:
        meta = result.as_dict()
    text = meta.get("text") or ""
    if not text.strip():
        return RawRecord(
            source, locator, dict(base), "no main text found", "empty_text"
        )
    fields = {
        "text": text,
        "title": meta.get("title"),
        "date": meta.get("date"),
        "author": meta.get("author"),
        "url": meta.get("url") or url,
        "sitename": meta.get("sitename"),
        "description": meta.get("description"),
    }
    fields.update(base)
    return RawRecord(source, locator, fields)


@register_reader("html")
def read_html(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read one saved HTML page as a single record.

    Parameters
    ----------
    path : Path
        The ``.html`` file.
    opts : ReaderOptions
        ``encoding`` is tried first; a ``<meta charset>`` declaration and
        trafilatura's encoding detection follow when the bytes do not fit it.

    Yields
    ------
    RawRecord
        Locator ``file <name>``; fields ``text``, ``title``, ``date``,
        ``author``, ``url``, ``sitename``, ``description`` and ``file``.
        When no main text can be extracted the record has error code
        ``empty_text``; when the bytes cannot be decoded, ``broken_encoding``.
    """
    _check_encoding(path, opts.encoding)
    size = path.stat().st_size
    cap = opts.max_bytes or DEFAULT_MAX_BYTES["html"]
    if size > cap:
        raise SourceError(
            path,
            f"{size:,} bytes, over the cap of {cap:,} bytes for an HTML page",
            f"if the page is genuine, raise max_bytes for it in the card's "
            f"[[files]] entry (e.g. max_bytes = {size})",
        )
    data = path.read_bytes()
    problem = declared_encoding_is_wrong(data, opts.encoding)
    if problem is not None:
        raise SourceError(
            path,
            f"the card declares encoding = {opts.encoding!r}, but {problem}",
            "declare encoding = 'utf-8' for this file",
        )
    yield _page_record(
        _name(path, opts),
        f"file {path.name}",
        data,
        encodings=[opts.encoding],
        base={"file": path.name},
    )


# --------------------------------------------------------------------------
# Folders of pages


def _folder_files(folder: Path, pattern: str | None) -> list[tuple[str, Path]]:
    if pattern is None:
        # Suffixes are compared case-insensitively so that PAGE.HTML counts.
        found = [
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in _DEFAULT_FOLDER_SUFFIXES
        ]
    else:
        if Path(pattern).is_absolute() or ".." in PurePosixPath(pattern).parts:
            raise SourceError(
                folder,
                f"pattern {pattern!r} reaches outside the folder",
                "give a pattern relative to the folder, like '**/*.txt'",
            )
        try:
            found = [p for p in folder.glob(pattern) if p.is_file()]
        except (ValueError, NotImplementedError) as exc:
            raise SourceError(
                folder,
                f"invalid pattern {pattern!r}: {exc}",
                "give a glob such as '*.txt' or '**/*.html'",
            ) from exc
    files = [(p.relative_to(folder).as_posix(), p) for p in found]
    return sorted(files)


def _sidecar_key(value: Any, folder: Path) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("\\", "/")
    path = PurePosixPath(text)
    if path.is_absolute():
        try:
            return Path(text).relative_to(folder).as_posix()
        except ValueError:
            return text
    return path.as_posix()


def _read_sidecar(
    folder: Path, opts: ReaderOptions
) -> tuple[Path | None, dict[str, tuple[str, dict[str, Any]]], list[RawRecord]]:
    """Load the sidecar as ``{relative path: (locator, fields)}`` plus bad rows."""
    if opts.sidecar is None:
        return None, {}, []
    sidecar = Path(opts.sidecar)
    if not sidecar.is_absolute():
        sidecar = folder / sidecar
    if not sidecar.is_file():
        raise SourceError(
            sidecar,
            "sidecar metadata file not found",
            "give sidecar as a path relative to the folder, or absolute",
        )
    try:
        fmt: str | None = detect_format(sidecar)
    except SourceError:
        fmt = None
    if fmt not in {"csv", "json", "jsonl"}:
        fmt = None
    if fmt is None:
        raise SourceError(
            sidecar,
            "sidecar is not .csv, .json or .jsonl",
            "save the metadata as CSV, a JSON array or JSON Lines",
        )
    source = _name(folder, opts)
    sidecar_opts = ReaderOptions(encoding=opts.encoding, delimiter=opts.delimiter)
    rows: dict[str, tuple[str, dict[str, Any]]] = {}
    problems: list[RawRecord] = []
    unkeyed: list[RawRecord] = []
    any_keyed = False
    for raw in READERS[fmt](sidecar, sidecar_opts):
        locator = f"sidecar {raw.locator}"
        if raw.error is not None:
            problems.append(
                RawRecord(
                    source, locator, raw.fields, f"sidecar: {raw.error}", raw.error_code
                )
            )
            continue
        if "file" not in raw.fields:
            unkeyed.append(
                RawRecord(
                    source,
                    locator,
                    raw.fields,
                    "sidecar row has no 'file' value",
                    "missing_field",
                )
            )
            continue
        any_keyed = True
        key = _sidecar_key(raw.fields["file"], folder)
        if key is None:
            problems.append(
                RawRecord(
                    source,
                    locator,
                    raw.fields,
                    "sidecar row has an empty 'file' value",
                    "missing_field",
                )
            )
        elif key in rows:
            problems.append(
                RawRecord(
                    source,
                    locator,
                    raw.fields,
                    f"second sidecar row for {key!r} (first at {rows[key][0]})",
                    "duplicate_id",
                )
            )
        else:
            rows[key] = (locator, {k: v for k, v in raw.fields.items() if k != "file"})
    if unkeyed and not any_keyed:
        raise SourceError(
            sidecar,
            "sidecar has no 'file' column",
            "add a column 'file' with each file's path relative to the folder",
        )
    return sidecar, rows, [*problems, *unkeyed]


def _merge(fields: dict[str, Any], meta: dict[str, Any]) -> None:
    # An empty cell means "not recorded", not "blank it": keep what was read.
    fields.update({k: v for k, v in meta.items() if v is not None and v != ""})


@register_reader("folder")
def read_folder(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read every text or HTML file in a folder, one record per file.

    Parameters
    ----------
    path : Path
        The folder.
    opts : ReaderOptions
        ``pattern`` selects files with a glob relative to the folder (such as
        ``**/*.txt`` to descend into subfolders); by default the folder's own
        ``.txt``, ``.html`` and ``.htm`` files. ``sidecar`` names a CSV, JSON
        array or JSON Lines file (relative to the folder, or absolute) whose
        column ``file`` holds a relative path; its other columns are merged
        into that file's fields and win over extracted values, except where
        a cell is empty. ``encoding`` applies to text files and the sidecar.

    Yields
    ------
    RawRecord
        First a record with an error for each unusable sidecar row (locator
        ``sidecar row N``), including rows naming a file that does not exist;
        then one record per file in order of relative path, locator
        ``file <relative path>``. HTML files get the fields of
        :func:`read_html`; other files are plain text with fields ``text``
        and ``file``, or error code ``broken_encoding`` if they do not decode.

    Raises
    ------
    SourceError
        If the path is not a folder, the pattern is invalid, or the sidecar
        is missing, of an unknown type or without a ``file`` column.
    """
    if not path.is_dir():
        raise SourceError(path, "not a folder", "give a folder, or another format")
    _check_encoding(path, opts.encoding)
    source = _name(path, opts)
    folder = path.resolve()
    sidecar, meta, problems = _read_sidecar(folder, opts)
    files = [
        (rel, file)
        for rel, file in _folder_files(folder, opts.pattern)
        if sidecar is None or file.resolve() != sidecar.resolve()
    ]
    yield from problems
    listed = {rel for rel, _ in files}
    for key, (row_locator, row) in meta.items():
        # A row for an existing file that the pattern leaves out is not an
        # error: the pattern chose a subset on purpose.
        if key not in listed and not (folder / key).is_file():
            yield RawRecord(
                source,
                row_locator,
                {"file": key, **row},
                f"sidecar names {key!r}, which is not in the folder",
            )
    for rel, file in files:
        locator = f"file {rel}"
        extra = meta[rel][1] if rel in meta else {}
        size = file.stat().st_size
        if size > opts.record_cap(page=True):
            record = _too_large(
                source, locator, size, opts.record_cap(page=True), {"file": rel}
            )
            _merge(record.fields, extra)
            yield record
            continue
        data = file.read_bytes()
        if file.suffix.lower() in _HTML_SUFFIXES:
            record = _page_record(
                source, locator, data, encodings=[opts.encoding], base={"file": rel}
            )
            _merge(record.fields, extra)
            yield record
            continue
        problem = declared_encoding_is_wrong(data, opts.encoding)
        if problem is not None:
            misread: dict[str, Any] = {"file": rel}
            _merge(misread, extra)
            yield RawRecord(
                source,
                locator,
                misread,
                f"the card declares encoding = {opts.encoding!r}, but {problem}; "
                "declare encoding = 'utf-8'",
                "broken_encoding",
            )
            continue
        try:
            text = data.decode(opts.encoding)
        except UnicodeDecodeError as exc:
            fields: dict[str, Any] = {"file": rel}
            _merge(fields, extra)
            yield RawRecord(
                source,
                locator,
                fields,
                f"bytes that are not valid {opts.encoding} (at byte {exc.start})",
                "broken_encoding",
            )
            continue
        fields = {"text": text.removeprefix("\ufeff"), "file": rel}
        _merge(fields, extra)
        yield RawRecord(source, locator, fields)


# --------------------------------------------------------------------------
# RSS and Atom feeds


def _screen_xml(path: Path, data: bytes) -> str | None:
    """Refuse hostile XML; return the parse error of merely broken XML."""
    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise SourceError(
            path,
            f"hostile XML: {exc} (entity declarations and external references "
            "are how billion-laughs and XXE attacks work)",
            "refusing to parse it; if the feed is trusted, remove the <!ENTITY> "
            "declarations from its DOCTYPE",
        ) from exc
    except (ParseError, LookupError) as exc:  # LookupError: unknown encoding
        # expat stops at the first syntax error, which may come before a
        # DOCTYPE it never screened; the tolerant parser would then meet it.
        if re.search(rb"<!ENTITY", data, re.IGNORECASE):
            raise SourceError(
                path,
                f"hostile XML: entity declarations in a feed that is not "
                f"well-formed ({exc})",
                "refusing to parse it; repair the XML and remove the <!ENTITY> "
                "declarations",
            ) from exc
        return str(exc)
    return None


def _entry_text(entry: Any) -> str:
    for detail in [*(entry.get("content") or [])[:1], entry.get("summary_detail")]:
        if not detail or not detail.get("value"):
            continue
        value = detail["value"]
        if detail.get("type") == "text/plain":
            return str(value).strip()
        return html_to_text(value)
    return html_to_text(entry.get("summary"))


@register_reader("feed")
def read_feed(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read an RSS or Atom feed, one record per entry.

    The bytes are first screened with defusedxml: a feed that declares XML
    entities or references external ones (billion laughs, XXE) is refused.
    Feeds that are merely not well-formed are still handed to feedparser,
    which recovers what it can.

    Parameters
    ----------
    path : Path
        The feed file (RSS 0.9x/1.0/2.0 or Atom).
    opts : ReaderOptions
        Not used: feeds declare their own encoding.

    Yields
    ------
    RawRecord
        Locator ``entry N``; fields ``title``, ``url``, ``date`` (published,
        else updated, as written in the feed), ``author``, ``id``,
        ``summary`` (as feedparser gives it, possibly HTML), ``tags`` (list of
        terms), ``text`` (the first content, else the summary, as plain text
        via :func:`html_to_text`) and ``feed_title``.

    Raises
    ------
    SourceError
        If the XML is hostile, or so broken that no entry can be read.
    """
    source = _name(path, opts)
    data = path.read_bytes()
    parse_problem = _screen_xml(path, data)
    # feedparser treats a str as a URL or file name to fetch; bytes are
    # parsed as the document itself, with no network access.
    try:
        parsed = feedparser.parse(data)
    except (UnicodeError, ValueError) as exc:
        # A broken encoding name in the XML declaration, or a character
        # reference to a surrogate, makes feedparser itself fail.
        raise SourceError(
            path,
            f"not a readable RSS or Atom feed: {type(exc).__name__}: {exc}",
            "check the feed's XML declaration and encoding",
        ) from exc
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or parse_problem):
        problem = parsed.get("bozo_exception") or parse_problem
        raise SourceError(
            path,
            f"not a readable RSS or Atom feed: {problem}",
            "check that the file is a complete feed",
        )
    feed_title = parsed.get("feed", {}).get("title")
    for number, entry in enumerate(entries, start=1):
        tags = [tag.get("term") for tag in entry.get("tags") or [] if tag.get("term")]
        fields = {
            "title": entry.get("title"),
            "url": entry.get("link"),
            "date": entry.get("published") or entry.get("updated"),
            "author": entry.get("author"),
            "id": entry.get("id"),
            "summary": entry.get("summary"),
            "tags": tags,
            "text": _entry_text(entry),
            "feed_title": feed_title,
        }
        yield RawRecord(source, f"entry {number}", fields)


# --------------------------------------------------------------------------
# WARC archives


class _CheckedArchiveIterator(ArchiveIterator):
    """An ArchiveIterator that notes where and how its last record ended.

    warcio ends iteration silently at a gzip member or a record header cut
    short, so a truncated download would otherwise look like a shorter,
    valid archive.
    """

    gzip_complete = True
    end_offset: int | None = None

    def close(self) -> None:
        reader = getattr(self, "reader", None)
        decompressor = getattr(reader, "decompressor", None)
        if decompressor is not None:
            self.gzip_complete = bool(getattr(decompressor, "eof", True))
        # Past the last complete record (and the blank lines after it); a
        # partial record left behind is not counted in this offset.
        self.end_offset = getattr(self, "offset", None)
        super().close()


def _corrupt(path: Path, detail: str) -> SourceError:
    return SourceError(path, f"truncated or corrupt WARC ({detail})", "fetch it again")


def _next_record(path: Path, records: Iterator[Any]) -> Any:
    try:
        return next(records)
    except StopIteration:
        return None
    except ArchiveLoadFailed as exc:
        message = " ".join(str(exc).split())
        if "non-chunked gzip" in message:
            raise SourceError(
                path,
                "the WARC is gzipped as a whole, not per record",
                "run `warcio recompress` on it",
            ) from exc
        raise _corrupt(path, message) from exc
    except Exception as exc:
        # warcio trips over damaged headers with whatever error comes first
        # (EOFError, zlib.error, even AttributeError on a missing URI); all
        # of them mean the bytes are not a readable archive.
        raise _corrupt(path, f"{type(exc).__name__}: {exc}") from exc


def _html_response(record: Any) -> tuple[bool, str | None]:
    """Whether a record is an article page, and the charset it declares."""
    if record.rec_type != "response":
        return False, None
    headers = record.http_headers
    if headers is not None:
        if headers.get_statuscode() != "200":
            return False, None
        content_type = headers.get_header("Content-Type") or ""
    else:
        content_type = record.content_type or ""
    mime, _, params = content_type.partition(";")
    if mime.strip().lower() not in _HTML_CONTENT_TYPES:
        return False, None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    return True, match.group(1) if match else None


def _read_payload(path: Path, record: Any, wanted: bool, cap: int) -> bytes | None:
    payload = None
    try:
        if wanted:
            payload = record.content_stream().read(cap + 1)
        # Drain the record here rather than in warcio, which would not tell
        # a short record from a complete one.
        while record.raw_stream.read(1024 * 1024):
            pass
    except (EOFError, OSError, ValueError, zlib.error) as exc:
        raise _corrupt(path, f"{type(exc).__name__}: {exc}") from exc
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise _corrupt(path, "a record ends before its Content-Length")
    return payload


@register_reader("warc")
def read_warc(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Stream the HTML pages of a WARC or WARC.GZ archive, one record per page.

    Only ``response`` records of ``text/html`` (with HTTP status 200 when the
    record has HTTP headers) are articles; request, metadata, warcinfo and
    revisit records, other media types and redirects are skipped.

    Parameters
    ----------
    path : Path
        The ``.warc`` or ``.warc.gz`` file (gzipped record by record, as
        crawlers write them).
    opts : ReaderOptions
        ``encoding`` is tried after the charset of the HTTP header.

    Yields
    ------
    RawRecord
        Locator ``record N <WARC-Record-ID>``, N counting every record of
        the archive; fields as for :func:`read_html` plus ``crawl_date``
        (WARC-Date), with ``url`` falling back to WARC-Target-URI. A page
        whose text cannot be extracted gives a record with an error.

    Raises
    ------
    SourceError
        If the archive is truncated or corrupt. Records before the damage
        have been yielded by then.
    """
    _check_encoding(path, opts.encoding)
    source = _name(path, opts)
    if path.stat().st_size == 0:
        raise _corrupt(path, "the file is empty")
    with open(path, "rb") as handle:
        archive = _CheckedArchiveIterator(handle)
        records = iter(archive)
        number = 0
        while (record := _next_record(path, records)) is not None:
            number += 1
            if record.format != "warc":
                # warcio falls back to reading anything as the older ARC
                # format, so junk shows up here rather than as an error.
                raise _corrupt(path, f"record {number} is not a WARC record")
            if not record.rec_type or record.length is None:
                raise _corrupt(path, f"record {number} has no WARC-Type or length")
            wanted, charset = _html_response(record)
            payload = _read_payload(path, record, wanted, opts.record_cap(page=True))
            if payload is None:
                continue
            headers = record.rec_headers
            record_id = headers.get_header("WARC-Record-ID") or ""
            locator = f"record {number} {record_id}".rstrip()
            url = headers.get_header("WARC-Target-URI")
            base = {"file": path.name, "crawl_date": headers.get_header("WARC-Date")}
            if len(payload) > opts.record_cap(page=True):
                yield _too_large(
                    source,
                    locator,
                    len(payload),
                    opts.record_cap(page=True),
                    {"url": url, **base},
                )
                continue
            page = _page_record(
                source,
                locator,
                payload,
                encodings=[charset, opts.encoding],
                base=base,
                url=url,
            )
            if page.error is not None and "url" not in page.fields:
                page.fields["url"] = url
            yield page
        if not archive.gzip_complete:
            raise _corrupt(path, "the last gzip member is cut short")
        size = path.stat().st_size
        if archive.end_offset is not None and archive.end_offset < size:
            raise _corrupt(
                path,
                f"{size - archive.end_offset} bytes after the last complete record",
            )
