"""Draft a corpus card from a researcher's own files (``framing corpus init``).

The draft sniffs each file's format and fields with the toolkit's own
readers, proposes a mapping from common field names (``t``/``title``/
``headline``, ``d``/``date``/``published``, ``text``/``body``/``content``
...), lists the outlets it finds (the values of an outlet field, or one
outlet per folder when the files sit in per-outlet folders) and writes a
commented TOML card for the user to check and edit. Local files are named
by ``path`` (globs where a folder holds several files of one kind), so the
card needs no URL and no sha256.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ..errors import CardError, FramingError
from .exports import sniff_export_format
from .readers import detect_format, iter_records

__all__ = ["FileSniff", "sniff_file", "propose_mapping", "draft_card", "write_draft"]

#: Field names (lower case) that suggest each canonical target, best first.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "body",
        "content",
        "full_text",
        "fulltext",
        "article",
        "message",
        "post",
        "lede",
        "story",
    ),
    "title": ("title", "headline", "t", "heading", "hl", "subject"),
    "published": (
        "published",
        "date",
        "d",
        "datetime",
        "pubdate",
        "published_at",
        "publication_date",
        "created_at",
        "timestamp",
        "time",
        "dt",
    ),
    "url": ("url", "link", "u", "href", "permalink", "uri"),
    "id": ("id", "doc_id", "guid", "uuid", "message_id", "post_id", "article_id"),
    "outlet": (
        "outlet",
        "source",
        "publisher",
        "channel",
        "media",
        "publication",
        "site",
        "domain",
        "newspaper",
    ),
    "author": ("author", "byline", "authors", "by"),
    "section": ("section", "category", "cat", "rubric", "tags"),
    "language": ("language", "lang"),
}
_SAMPLE = 5000


@dataclass
class FileSniff:
    """What one file holds: its format, fields and a sample of values."""

    path: Path
    format: str
    fields: list[str]
    records: int
    values: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)


def sniff_file(path: str | Path, sample: int = _SAMPLE) -> FileSniff:
    """Read up to ``sample`` records of a file: format, fields, values.

    Raises
    ------
    SourceError
        The file's format is unknown or it cannot be read (the message
        names the file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_text("headline,date\\nWar,2022-02-24\\n")
    >>> sniff = sniff_file(path)
    >>> sniff.format, sniff.fields, sniff.records
    ('csv', ['headline', 'date'], 1)
    """
    path = Path(path)
    # Exports (Nexis, Factiva, Telegram, Media Cloud) are told by their
    # content; their readers name fields so that the mapping is one to one.
    fmt = sniff_export_format(path) or detect_format(path)
    fields: dict[str, None] = {}
    values: dict[str, Counter[str]] = {}
    examples: dict[str, str] = {}
    records = 0
    for record in islice(iter_records(path, format=fmt), sample):
        if record.error is not None:
            continue
        records += 1
        for key, value in record.fields.items():
            fields.setdefault(key, None)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = str(value)
            examples.setdefault(key, text[:60])
            if len(text) <= 80:
                values.setdefault(key, Counter())[text] += 1
    return FileSniff(path, fmt, list(fields), records, values, examples)


def propose_mapping(fields: list[str]) -> dict[str, str]:
    """Canonical target -> source field, from the fields' names.

    A file with no text-like field takes its title-like field as the text
    (headline indexes: one headline per document).

    Examples
    --------
    >>> propose_mapping(["t", "d", "u", "cat"])
    {'text': 't', 'published': 'd', 'url': 'u', 'section': 'cat'}
    >>> propose_mapping(["Headline", "Body", "Date", "Source"])
    {'text': 'Body', 'title': 'Headline', 'published': 'Date', 'outlet': 'Source'}
    """
    lower: dict[str, str] = {}
    for name in fields:
        lower.setdefault(name.strip().lower(), name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target, names in CANDIDATES.items():
        for candidate in names:
            source = lower.get(candidate)
            if source is not None and source not in used:
                mapping[target] = source
                used.add(source)
                break
    if "text" not in mapping and "title" in mapping:
        mapping["text"] = mapping.pop("title")
        mapping = {"text": mapping["text"], **mapping}
    return mapping


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "my-corpus"


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_card(
    files: Sequence[str | Path], *, name: str | None = None, folder: str | Path = "."
) -> str:
    """A commented TOML card for ``files``, with paths relative to ``folder``.

    Files of one format in one folder share a ``[[files]]`` entry with a
    glob; when they sit in two or more sibling folders and have no outlet
    field, each folder is one outlet (``outlet = { value = "<folder>" }``).

    Raises
    ------
    CardError
        No files were given, or a file does not exist.
    """
    paths = [Path(f).expanduser() for f in files]
    if not paths:
        raise CardError("corpus init: give at least one data file")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CardError(f"corpus init: no such file(s): {', '.join(missing)}")
    folder = Path(folder)
    sniffs = [sniff_file(p) for p in paths]
    empty = [str(s.path) for s in sniffs if not s.fields]
    if empty:
        raise CardError(
            f"corpus init: no readable records in {', '.join(empty)}; check the "
            "files (or their encoding)"
        )
    parents = sorted({p.resolve().parent for p in paths})
    common = Path(*_common_parts([p.parts for p in parents]))
    name = name or _slug(paths[0].stem if len(paths) == 1 else common.name)
    groups: dict[tuple[Path, str], list[FileSniff]] = {}
    for sniff in sniffs:
        groups.setdefault((sniff.path.resolve().parent, sniff.format), []).append(sniff)
    per_folder = len(parents) > 1
    lines = _header(name, sniffs)
    outlets_found: Counter[str] = Counter()
    for (parent, fmt), members in groups.items():
        fields = list(dict.fromkeys(f for m in members for f in m.fields))
        mapping = propose_mapping(fields)
        outlet_value = None
        if "outlet" in mapping:
            for member in members:
                outlets_found.update(member.values.get(mapping["outlet"], Counter()))
        elif per_folder:
            outlet_value = _slug(parent.name)
            outlets_found[outlet_value] += sum(m.records for m in members)
        lines += _entry(members, parent, fmt, fields, mapping, outlet_value, folder)
    if outlets_found:
        listed = ", ".join(f"{o} ({n})" for o, n in outlets_found.most_common(30))
        more = len(outlets_found) - 30
        lines.insert(
            len(_header(name, [])) - 1,
            f"# Outlets found in the sampled records: {listed}"
            + (f" and {more} more" if more > 0 else "")
            + ".\n# Merge spellings of one outlet in [outlets] above.",
        )
    return "\n".join(lines) + "\n"


def _common_parts(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    common = list(parts[0])
    for other in parts[1:]:
        while common and tuple(common) != other[: len(common)]:
            common.pop()
    return tuple(common) or ("/",)


def _header(name: str, sniffs: list[FileSniff]) -> list[str]:
    return [
        "# A corpus card drafted by `framing corpus init`: check every line,",
        "# fill in the TODOs, then `framing corpus build <this file>`.",
        "# The card format is documented in framing.datasets.cards.",
        f'name = "{name}"',
        'title = "TODO: a human-readable title"',
        'description = "TODO: what the corpus is, how and when it was collected."',
        'licence = "TODO: the licence or terms of the source"',
        'attribution = "TODO: who to credit"',
        'citation = "TODO: how to cite the source"',
        "# true when the texts may not be redistributed (copyrighted news).",
        "evaluation_only = true",
        "# Zone of dates that have a time of day and no zone; a date without a",
        "# time of day stays on its calendar day whatever this says.",
        'timezone = "UTC"',
        'languages = ["en"]  # candidates for language detection',
        "",
        "[outlets]",
        "# canonical-outlet = [aliases or domains found in the outlet/url field]",
        "",
    ]


def _entry(
    members: list[FileSniff],
    parent: Path,
    fmt: str,
    fields: list[str],
    mapping: dict[str, str],
    outlet_value: str | None,
    folder: Path,
) -> list[str]:
    if len(members) == 1:
        path = _relative(members[0].path, folder)
    else:
        suffixes = {m.path.suffix for m in members}
        pattern = f"*{suffixes.pop()}" if len(suffixes) == 1 else "*"
        path = _relative(parent, folder) + "/" + pattern
    records = sum(m.records for m in members)
    lines = [
        "[[files]]",
        f"# {len(members)} file(s), {fmt}; {records} record(s) sampled; fields: "
        + ", ".join(fields[:40]),
        f"path = {_toml(path)}",
        f"format = {_toml(fmt)}",
        "",
        "[files.mapping]",
    ]
    examples = {k: v for m in members for k, v in m.examples.items()}
    export_note = _EXPORT_NOTES.get(fmt)
    if export_note:
        lines.append(f"# {export_note}")
    for target, source in mapping.items():
        example = examples.get(source)
        note = f"  # e.g. {example!r}" if example and target != "text" else ""
        lines.append(f"{target} = {_toml(source)}{note}")
    if "text" not in mapping:
        lines.append('text = "TODO: the field that holds the text"')
    if outlet_value is not None:
        lines.append(f'outlet = {{ value = "{outlet_value}" }}  # from the folder name')
    elif "outlet" not in mapping and "url" not in mapping:
        lines.append('outlet = { value = "TODO: the outlet of these files" }')
    numeric = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
    dates = [
        value
        for m in members
        for value in m.values.get(mapping.get("published", ""), Counter())
    ]
    ambiguous = next((v for v in dates if numeric.match(v)), None)
    if ambiguous is not None:
        lines.append(
            f'# date_order = "DMY"  # dates such as {ambiguous!r}: day or month '
            "first? say which (DMY or MDY)"
        )
    if "published" not in mapping:
        lines.append("# No date field recognised: map `published`, or drop it from")
        lines.append("# `required` (items without a date are rejected).")
    lines.append('required = ["text", "published"]')
    lines.append("")
    return lines


_EXPORT_NOTES = {
    "mediacloud": "Media Cloud story lists hold headlines only: `text` is the "
    "headline (text_is_title in meta); say so in the description.",
    "telegram": "id is <channel id>:<message id> (message ids repeat across "
    "channels); service messages are rejected as service_message.",
    "nexis": "One record per document; length, copyright and load_date go to meta.",
    "factiva": "One record per article; id is the accession number.",
}


def write_draft(
    files: Sequence[str | Path],
    out: str | Path | None = None,
    *,
    name: str | None = None,
) -> Path:
    """Write :func:`draft_card` to ``out``; never overwrite a file.

    ``out`` defaults to ``<name>.toml`` in the working folder, the name to
    the file's name (one file) or the files' common folder (several).

    Raises
    ------
    FramingError
        ``out`` exists already.
    """
    if out is None:
        paths = [Path(f).expanduser().resolve() for f in files]
        common = (
            Path(*_common_parts([p.parent.parts for p in paths])) if paths else None
        )
        single = paths[0].stem if len(paths) == 1 else None
        name = name or _slug(single or (common.name if common else ""))
        out = Path(f"{name}.toml")
    out = Path(out)
    if out.exists():
        raise FramingError(
            f"{out}: already exists; corpus init never overwrites a file. Give "
            "another --out, or remove it first"
        )
    text = draft_card(files, name=name or _slug(out.stem), folder=out.parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "x", encoding="utf-8") as handle:
        handle.write(text)
    return out
