"""Corpus cards: the registry entry of one corpus.

A card is a TOML file that says where a corpus's raw files are (upstream,
by URL + sha256, or on this machine, by path), its licence and citation,
and how its fields map onto the canonical article schema
(:mod:`framing.schema`). A researcher adds a source by writing a card (or
drafting one with ``framing corpus init FILE...``); no code is needed.

Where cards are found
---------------------
Every command, :func:`find_card`, ``build_corpus``/``load_corpus`` and a
study's ``[corpora] names`` take a card *name* or a card *path* (a study's
relative paths are taken from the study file's folder). Names are looked
up as ``<name>.toml`` in, in order (:func:`registry_dirs`):

1. the registered cards: the repository's ``corpora/`` folder in a source
   checkout, the copy shipped in the package (``framing/_registry``)
   otherwise;
2. the folders listed in ``FRAMING_REGISTRY`` (separated by ``os.pathsep``,
   ``:`` on Linux and macOS);
3. the user's folder, ``<user config folder>/framing/corpora``
   (:func:`user_registry_dir`; ``~/.config/framing/corpora`` on Linux).

Stores are kept by corpus name, so a name is one corpus: two cards of one
name in two of these folders, or a card elsewhere that takes the name of
a card in them, is a :class:`~framing.errors.CardError` (a clash), never a
silent replacement of the other's store.

Card format
-----------
.. code-block:: toml

    name = "my-corpus"                # registry name, [a-z0-9-]
    title = "Human-readable title"
    description = "What it is."
    licence = "CC-BY-4.0"             # SPDX id or a short statement
    attribution = "Who to credit"
    citation = "How to cite it"
    homepage = "https://..."          # optional
    evaluation_only = false           # true: not for redistribution
    timezone = "UTC"                  # zone of dates that carry none
    languages = ["en", "ru", "uk"]    # candidates for language detection

    [outlets]                         # canonical outlet -> aliases/domains
    kremlin = ["en.kremlin.ru", "kremlin.ru"]

    [dedupe]                          # optional overrides
    threshold = 0.8

    [[files]]
    name = "putin.csv"                # file name in the mirror folder
    url = "https://..."
    sha256 = "..."
    # ... or a file on this machine instead of name/url:
    # path = "data/putin.csv"         # relative to the card's folder, or absolute
    # path = "headlines/*/*.json"     # a glob: every file matched, sorted
    format = "csv"                    # optional; guessed from the name
    member = "inner/file.xlsx"        # optional: a member of a zip file
    sheet = "Sheet1"                  # optional, Excel
    encoding = "utf-8"                # optional, text formats
    delimiter = ";"                   # optional, CSV: one character
    max_bytes = 1073741824            # optional: refuse larger files
    max_record_bytes = 33554432       # optional: reject larger records/pages

    [files.mapping]
    text = "body"                     # a source field ...
    title = "headline"
    published = "date"
    url = "link"
    outlet = { value = "kremlin" }    # ... or a constant ...
    language = { value = "en" }
    section = ["location", "rubric"]  # ... or fields joined by blank lines
    id = "link"                       # optional stable source id
    meta = ["summary"]                # optional; default: all unmapped fields
    required = ["text", "published"]  # optional; rows missing these are rejected
    date_formats = ["%d.%m.%Y"]       # optional strptime formats
    date_order = "DMY"                # optional: DMY, MDY or YMD for 02/01/2022

Formats
-------
``format`` is guessed from the file name when omitted: ``csv`` (.csv, .tsv,
.tab), ``json``, ``jsonl`` (.jsonl, .ndjson), ``parquet``, ``excel`` (.xlsx,
.xlsm, .xls, .ods), ``html``, ``feed`` (.rss, .atom, .xml), ``warc``
(.warc, .warc.gz) and ``folder``; and four readers of the exports
researchers download (:mod:`framing.datasets.exports` lists the field
names they share, so the mapping is ``title = "title"``, ``published =
"date"`` ...):

``nexis``
    Nexis Uni / LexisNexis exports, one record per document: Word (.docx)
    and RTF (.rtf) are guessed, a text export needs ``format = "nexis"``
    (:mod:`framing.datasets.nexis`).
``factiva``
    Factiva HTML and RTF exports in the "Article" format, one record per
    article (:mod:`framing.datasets.factiva`).
``telegram``
    A Telegram Desktop ``result.json`` or a JSON list of messages, one
    record per message; ``id`` is the channel and message id
    (:mod:`framing.datasets.telegram`).
``mediacloud``
    A Media Cloud story-list CSV, one record per story; ``text`` is the
    headline when the list has no text (:mod:`framing.datasets.mediacloud`).

Local files
-----------
A ``[[files]]`` entry with ``path`` (instead of ``url``) reads a file where
it is: relative to the card's folder, or absolute (``~`` expands). The path
may be a glob (``*``, ``?``, ``[...]``, ``**`` for any depth): each matched
file, in sorted order, is one source file with the entry's mapping and
options; a glob that matches nothing is an error naming the pattern.
``sha256`` is optional for a single local file: when given it is checked
(:class:`~framing.errors.HashMismatchError` on a mismatch); when absent it
is computed at build, recorded in the store manifest's ``inputs`` (and so in
a study's manifest), and the store is rebuilt when the file changes. A
local file's name in the corpus (``source_file`` of its articles and
rejects) is its path relative to the card's folder, such as
``headlines/kremlin/2025.json`` (for files outside that folder: relative to
the glob's last folder without a wildcard), so files called ``2025.json`` in
several folders stay distinct; a single ``path`` may set ``name`` instead.
Names are unique within a card.

Dates
-----
A date with a time of day and no zone is read in the card's ``timezone``;
a date with no time of day (``2025-01-01``, ``1 January 2025``, a date cell
of a spreadsheet) stays on its calendar day whatever the zone: it is stored
as 00:00 UTC of that day, and the article's ``date_precision`` column says
``"day"`` (``"time"`` for a value with a time of day).

Deduplication
-------------
The ``[dedupe]`` table sets which documents count as duplicates (the
canonical one, the earliest, is kept in ``articles``; the others go to
``duplicates``):

.. code-block:: toml

    [dedupe]
    mode = "near"        # "near" (exact + MinHash near duplicates, the default),
                         # "exact" (same normalised text only) or "off"
    scope = "corpus"     # "corpus" (across outlets, the default) or "outlet"
    window = "12h"       # longest gap between duplicates: "90m", "12h", "3d",
                         # "1w"; "0" or absent: unlimited (the default)
    threshold = 0.8      # near duplicates: Jaccard similarity, in (0, 1]
    num_perm = 128       # MinHash permutations (positive integer)
    shingle_size = 5     # words per shingle (positive integer)
    seed = 1             # MinHash seed (integer)

Wire copy and reposts of one item across outlets, published within hours,
are what a framing study wants removed; a headline repeated on other days
(a daily rubric, a weekly report, a yearly address) is a new publication and
is kept when ``window`` is shorter than the gap. With a window, a document
is a duplicate of the earliest kept document that matches it and was
published at most ``window`` before it, so a cluster never spans more than
the window (:mod:`framing.dedupe`). Dates given by day only are 00:00 UTC
of their day, so with such dates any window under ``"1d"`` means "the same
calendar day". Undated documents are never duplicates when a window is set.
The default policy (near, corpus, unlimited) is the one stores were always
built with; ``ru-state-headlines`` and ``ru-telegram-2024`` set their own
(see their cards). Documents removed as duplicates under each policy,
measured on those two (2026-12-01; "later days": removed although
published a day or more after the document kept):

=====================  =========================  =======================
policy                 ru-state-headlines         ru-telegram-2024
                       (47,246; later days)       (8,268; later days)
=====================  =========================  =======================
off                    0                          0
exact                  2,310 (2,108)              26 (13)
near                   3,067 (2,687)              84 (18)
exact, outlet          2,276 (2,101)              17 (13)
near, outlet           3,030 (2,679)              23 (17)
exact, 12h             **224** (0)                9 (0)
near, 12h              430 (0)                    **61** (0)
near, 1d               664 (246)                  67 (0)
near, 3d               875 (462)                  74 (7)
near, 7d               1,199 (790)                77 (11)
near, outlet, 12h      400 (0)                    1 (0)
=====================  =========================  =======================

Without a window most of what is removed are repeats on later days
(briefings, weekly reports, recurring posts); within 12 hours what is
removed are same-day repeats and reposts, 60 of the 61 Telegram ones
across channels. On the headlines, near matching within 12 hours would
remove 206 more that are not word-for-word repeats; the card keeps exact
matching, as it did before windows existed.

``framing corpus build --dedupe, --dedupe-scope, --dedupe-window``
override the card for one build; the policy in effect is recorded in the
store manifest and shown by ``framing corpus summary``.
``near_duplicates = true/false`` is the old spelling of ``mode = "near"``
/ ``"exact"``; it still works with a :class:`DeprecationWarning`.

Document ids
------------
``id`` in a mapping may name one source field or a list of fields joined
into one id: ``id = ["channel", "message_id"]``. Use the list when an id
is unique only within a part of the source: a Telegram ``message_id``
repeats across channels, so the channel and the message id together make
the id (otherwise posts of two channels with the same message id would be
rejected as ``duplicate_id``). Ids are checked for uniqueness within a
corpus; they play no part in deduplication, which compares texts.

Every problem of a card is reported at once, each naming the key. In a
``[dedupe]`` table: ``mode`` one of ``near``, ``exact``, ``off``; ``scope``
one of ``corpus``, ``outlet``; ``window`` a duration as above;
``threshold`` a number in (0, 1]; ``num_perm`` and ``shingle_size``
positive integers; ``seed`` an integer.

The canonical targets are ``text``, ``title``, ``published``, ``outlet``,
``url``, ``language``, ``author``, ``section`` and ``id``. ``outlet`` falls
back to the URL's domain (through ``[outlets]``) and ``language`` to
detection among ``languages``.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CardError, MappingError

__all__ = [
    "FieldSpec",
    "FieldMapping",
    "SourceFile",
    "CorpusCard",
    "load_card",
    "registry_dir",
    "registry_dirs",
    "user_registry_dir",
    "registry_clash",
    "is_card_path",
    "same_corpus",
    "list_cards",
    "broken_cards",
    "BrokenCardWarning",
    "find_card",
    "MAPPING_TARGETS",
]

MAPPING_TARGETS = (
    "text",
    "title",
    "published",
    "outlet",
    "url",
    "language",
    "author",
    "section",
    "id",
)
_MAPPING_OPTIONS = (
    "meta",
    "required",
    "date_formats",
    "date_languages",
    "date_order",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one canonical field comes from.

    Exactly one of ``fields`` (source field names, joined by blank lines
    when several) and ``value`` (a constant) is set.
    """

    fields: tuple[str, ...] = ()
    value: str | None = None
    date_order: str | None = None

    def extract(self, record: Mapping[str, Any]) -> Any:
        """Return the value for ``record`` (``None`` if absent or blank).

        With ``date_order`` (the card's, for ``published``) a string value
        is handed on as a :class:`~framing.normalize.DateText` in that order.
        """
        if self.value is not None:
            return self.value
        if len(self.fields) == 1:
            value = record.get(self.fields[0])
            if self.date_order is not None and isinstance(value, str):
                from ..normalize import DateText

                return DateText(
                    value, order=self.date_order, column=self.fields[0], declared=True
                )
            return value
        parts = [record.get(name) for name in self.fields]
        texts = [str(p).strip() for p in parts if _present(p)]
        return "\n\n".join(t for t in texts if t) or None


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:
        return False
    return not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How a source's fields map onto the canonical article schema."""

    specs: dict[str, FieldSpec]
    meta: tuple[str, ...] | None = None
    required: tuple[str, ...] = ("text", "published")
    date_formats: tuple[str, ...] = ()
    date_languages: tuple[str, ...] = ()
    date_order: str | None = None

    def used_fields(self) -> set[str]:
        """Source fields consumed by a canonical target."""
        return {name for spec in self.specs.values() for name in spec.fields}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One raw file of a corpus.

    Either downloaded (``url`` and ``sha256`` set) or a file on this
    machine (``local``: its absolute path; ``sha256`` optional, checked
    when set). ``name`` is unique within the card: the mirror file name,
    or for local files the path relative to the card's folder.
    """

    name: str
    url: str | None
    sha256: str | None
    mapping: FieldMapping
    local: Path | None = None
    format: str | None = None
    member: str | None = None
    sheet: str | None = None
    encoding: str = "utf-8"
    delimiter: str | None = None
    max_bytes: int | None = None
    max_record_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class CorpusCard:
    """A parsed, validated corpus card."""

    name: str
    title: str
    description: str
    licence: str
    attribution: str
    citation: str
    files: tuple[SourceFile, ...]
    path: Path
    sha256: str
    homepage: str | None = None
    evaluation_only: bool = False
    timezone: str = "UTC"
    languages: tuple[str, ...] = ("en",)
    outlets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dedupe: dict[str, Any] = field(default_factory=dict)


_CARD_KEYS = {
    "name",
    "title",
    "description",
    "licence",
    "attribution",
    "citation",
    "homepage",
    "evaluation_only",
    "timezone",
    "languages",
    "outlets",
    "dedupe",
    "files",
}
_FILE_KEYS = {
    "name",
    "url",
    "path",
    "sha256",
    "format",
    "member",
    "sheet",
    "encoding",
    "delimiter",
    "max_bytes",
    "max_record_bytes",
    "mapping",
}
_DEDUPE_KEYS = {
    "mode",
    "scope",
    "window",
    "threshold",
    "num_perm",
    "shingle_size",
    "near_duplicates",
    "seed",
}


class _Problems:
    """Every problem found in one card, reported together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []
        self.raw: list[tuple[str, str]] = []
        self.in_mapping = False

    def __call__(self, key: str, problem: str, *, mapping: bool = False) -> None:
        self.items.append(f"key {key!r}: {problem}")
        self.raw.append((key, problem))
        self.in_mapping = self.in_mapping or mapping

    def raise_any(self) -> None:
        if not self.items:
            return
        kind = MappingError if self.in_mapping else CardError
        if len(self.items) == 1:
            raise kind(f"{self.path}: {self.items[0]}")
        listed = "\n".join(f"  - {item}" for item in self.items)
        raise kind(f"{self.path}: {len(self.items)} problems:\n{listed}")


def _unfilled(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every string in a card that still starts with the draft's ``TODO``."""
    if isinstance(value, str):
        return [(key, value)] if value.lstrip().startswith("TODO") else []
    if isinstance(value, dict):
        return [
            found
            for name, item in value.items()
            for found in _unfilled(item, f"{key}.{name}" if key else str(name))
        ]
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in _unfilled(item, f"{key}[{index}]")
        ]
    return []


def load_card(path: str | Path) -> CorpusCard:
    """Read and validate a corpus card.

    Raises
    ------
    CardError
        With the file and, for every problem found, the key and the problem
        (:class:`~framing.errors.MappingError` when one is in a mapping).

    Examples
    --------
    >>> card = load_card(registry_dir() / "us-gov-2022.toml")
    >>> card.name, [f.name for f in card.files]
    ('us-gov-2022', ['Government_Data.xlsx'])
    """
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise CardError(f"{path}: cannot read the card ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CardError(f"{path}: not valid TOML: {exc}") from exc

    fail = _Problems(path)
    for key, value in _unfilled(data):
        # A card drafted by `framing corpus init` marks what only the user
        # can say; building it unfilled would publish placeholder metadata.
        fail(
            key, f"{value!r} is a placeholder left by `framing corpus init`; fill it in"
        )
    for key in sorted(set(data) - _CARD_KEYS):
        fail(key, f"unknown key; allowed: {sorted(_CARD_KEYS)}")
    for key in ("name", "title", "description", "licence", "attribution", "citation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            fail(key, "required, a non-empty string")
    if isinstance(data.get("name"), str) and not _NAME.match(data["name"]):
        fail("name", "use lower-case letters, digits and hyphens")
    files = data.get("files")
    if not isinstance(files, list) or not files:
        fail("files", "required: at least one [[files]] table")
        files = []
    outlets = data.get("outlets", {})
    if not isinstance(outlets, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v)
        for v in outlets.values()
    ):
        fail("outlets", "a table of outlet = [aliases...]")
        outlets = {}
    dedupe = _check_dedupe(data.get("dedupe", {}), fail)
    languages = data.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) and len(x) == 2 for x in languages)
    ):
        fail("languages", "a list of ISO 639-1 codes such as ['en', 'ru']")
    timezone = data.get("timezone", "UTC")
    _check_timezone(timezone, fail)
    parsed = [
        _parse_file(entry, index, fail, path.parent)
        for index, entry in enumerate(files, start=1)
    ]
    parsed_files = tuple(f for group in parsed for f in group)
    names = [f.name for f in parsed_files]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        fail("files", f"file names must be unique; more than once: {twice}")
    fail.raise_any()
    return CorpusCard(
        name=data["name"],
        title=data["title"].strip(),
        description=data["description"].strip(),
        licence=data["licence"].strip(),
        attribution=data["attribution"].strip(),
        citation=data["citation"].strip(),
        files=parsed_files,
        path=path,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        homepage=data.get("homepage"),
        evaluation_only=bool(data.get("evaluation_only", False)),
        timezone=timezone,
        languages=tuple(languages),
        outlets={k: tuple(v) for k, v in outlets.items()},
        dedupe=dict(dedupe),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_dedupe(dedupe: Any, fail: _Problems) -> dict[str, Any]:
    """The ``[dedupe]`` table if every value is valid; each problem reported."""
    if not isinstance(dedupe, dict):
        fail("dedupe", f"a table with keys among {sorted(_DEDUPE_KEYS)}")
        return {}
    for key in sorted(set(dedupe) - _DEDUPE_KEYS):
        fail(f"dedupe.{key}", f"unknown key; allowed: {sorted(_DEDUPE_KEYS)}")
    threshold = dedupe.get("threshold", 0.8)
    if not (
        isinstance(threshold, int | float)
        and not isinstance(threshold, bool)
        and 0 < threshold <= 1
    ):
        fail("dedupe.threshold", f"a number in (0, 1], such as 0.8; got {threshold!r}")
    for key in ("num_perm", "shingle_size"):
        value = dedupe.get(key, 1)
        if not (_is_int(value) and value > 0):
            fail(f"dedupe.{key}", f"a positive integer; got {value!r}")
    if not _is_int(dedupe.get("seed", 1)):
        fail("dedupe.seed", f"an integer; got {dedupe.get('seed')!r}")
    return _check_dedupe_policy(dedupe, fail)


_WARNED_ALIAS: set[Path] = set()


def _check_dedupe_policy(dedupe: dict[str, Any], fail: _Problems) -> dict[str, Any]:
    """Check ``mode``, ``scope`` and ``window``; turn ``near_duplicates`` into
    ``mode``."""
    from ..dedupe import MODES, SCOPES, parse_window

    dedupe = dict(dedupe)
    if "near_duplicates" in dedupe:
        alias = dedupe.pop("near_duplicates")
        if not isinstance(alias, bool):
            fail("dedupe.near_duplicates", "true or false (better: mode)")
        elif "mode" in dedupe:
            fail(
                "dedupe.near_duplicates",
                "the old spelling of mode; give mode only",
            )
        else:
            dedupe["mode"] = "near" if alias else "exact"
            if fail.path not in _WARNED_ALIAS:
                # Once per card: the registry is read by many commands.
                _WARNED_ALIAS.add(fail.path)
                warnings.warn(
                    f"{fail.path}: dedupe.near_duplicates = "
                    f"{str(alias).lower()} is deprecated; write "
                    f'mode = "{dedupe["mode"]}"',
                    DeprecationWarning,
                    stacklevel=4,
                )
    if dedupe.get("mode", "near") not in MODES:
        fail(
            "dedupe.mode",
            f"one of {', '.join(MODES)}; got {dedupe.get('mode')!r}",
        )
    if dedupe.get("scope", "corpus") not in SCOPES:
        fail(
            "dedupe.scope",
            f"one of {', '.join(SCOPES)}; got {dedupe.get('scope')!r}",
        )
    if "window" in dedupe:
        window = dedupe["window"]
        try:
            if isinstance(window, float | bool):
                raise ValueError
            parse_window(window)
        except ValueError:
            fail(
                "dedupe.window",
                f'a duration such as "12h", "3d", "1w", or "0" for '
                f"no window; got {window!r}",
            )
    return dedupe


def _check_timezone(name: Any, fail: _Problems) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str):
        fail("timezone", "an IANA zone name such as 'UTC' or 'Europe/Kyiv'")
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(
            "timezone", f"unknown zone {name!r}; use an IANA name such as 'Europe/Kyiv'"
        )


def _parse_file(
    entry: Any, index: int, fail: _Problems, folder: Path
) -> list[SourceFile]:
    where = f"files[{index}]"
    if not isinstance(entry, dict):
        fail(where, "must be a table")
        return []
    before = len(fail.items)
    for key in sorted(set(entry) - _FILE_KEYS):
        fail(f"{where}.{key}", f"unknown key; allowed: {sorted(_FILE_KEYS)}")
    local = "path" in entry
    if local and "url" in entry:
        fail(f"{where}.path", "give either `path` (a local file) or `url`, not both")
    required = ("path",) if local else ("name", "url", "sha256")
    for key in required:
        if not isinstance(entry.get(key), str) or not entry[key]:
            fail(f"{where}.{key}", "required, a non-empty string")
    for key in ("name", "sha256"):
        if key in entry and not isinstance(entry[key], str):
            fail(f"{where}.{key}", "a string")
    if isinstance(entry.get("sha256"), str) and not _SHA256.match(entry["sha256"]):
        fail(f"{where}.sha256", "64 lower-case hex digits")
    name = entry.get("name")
    if isinstance(name, str) and (
        name.startswith(("/", ".")) or (not local and "/" in name)
    ):
        fail(f"{where}.name", "a plain file name, without folders")
    pattern = entry.get("path")
    matched: list[tuple[str, Path]] = []
    if local and isinstance(pattern, str) and pattern:
        matched = _expand_path(pattern, folder, f"{where}.path", fail)
        if len(matched) > 1 and ("name" in entry or "sha256" in entry):
            fail(
                f"{where}.name",
                "a glob names each file by its path and has no single sha256; "
                "drop `name` and `sha256` here, or list the files one by one",
            )
    mapping = _collect_mapping(entry.get("mapping"), f"{where}.mapping", fail)
    for key in ("format", "member", "sheet", "delimiter", "encoding"):
        if key in entry and not isinstance(entry[key], str):
            fail(f"{where}.{key}", "a string")
    if isinstance(entry.get("format"), str):
        from .readers import known_formats

        if entry["format"] not in known_formats():
            fail(f"{where}.format", f"unknown format; allowed: {known_formats()}")
    delimiter = entry.get("delimiter")
    if isinstance(delimiter, str) and (
        len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum()
    ):
        fail(
            f"{where}.delimiter",
            f"one character that is not a quote, a line break, a letter or a "
            f"digit, such as ',', ';' or '\\t'; got {delimiter!r}",
        )
    encoding = entry.get("encoding", "utf-8")
    if isinstance(encoding, str):
        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"{where}.encoding", f"unknown encoding {encoding!r}")
    for key in ("max_bytes", "max_record_bytes"):
        value = entry.get(key)
        if value is not None and not (_is_int(value) and value > 0):
            fail(f"{where}.{key}", f"a positive number of bytes; got {value!r}")
    if len(fail.items) > before or mapping is None:
        return []
    options = {
        "mapping": mapping,
        "format": entry.get("format"),
        "member": entry.get("member"),
        "sheet": entry.get("sheet"),
        "encoding": entry.get("encoding", "utf-8"),
        "delimiter": entry.get("delimiter"),
        "max_bytes": entry.get("max_bytes"),
        "max_record_bytes": entry.get("max_record_bytes"),
    }
    if not local:
        return [
            SourceFile(
                name=entry["name"], url=entry["url"], sha256=entry["sha256"], **options
            )
        ]
    if len(matched) == 1 and isinstance(name, str) and name:
        matched = [(name, matched[0][1])]
    return [
        SourceFile(
            name=label, url=None, sha256=entry.get("sha256"), local=file, **options
        )
        for label, file in matched
    ]


_GLOB_CHARS = re.compile(r"[*?\[]")


def _expand_path(
    pattern: str, folder: Path, where: str, fail: _Problems
) -> list[tuple[str, Path]]:
    """Files a ``path`` names, sorted, each with its name in the card.

    A relative pattern is taken from the card's folder. The name is the
    path relative to the card's folder, or, for files outside it, relative
    to the pattern's last folder without a wildcard, so ``kremlin/2025.json``
    and ``tass/2025.json`` stay two files.
    """
    expanded = Path(pattern).expanduser()
    # normpath, not resolve: '..' is folded so names never climb out, while
    # symlinked folders keep their names.
    full = Path(
        os.path.normpath(expanded if expanded.is_absolute() else folder / expanded)
    )
    folder = Path(os.path.normpath(folder))
    parts = full.parts
    fixed = list(parts)
    for position, part in enumerate(parts):
        if _GLOB_CHARS.search(part):
            fixed = list(parts[:position])
            break
    if fixed == list(parts):
        if not full.is_file():
            fail(where, f"no file {full}" + (" (a folder)" if full.is_dir() else ""))
            return []
        return [(_label(full, folder, full.parent), full.resolve())]
    root = Path(*fixed)
    rest = str(Path(*parts[len(fixed) :]))
    files = sorted(p for p in root.glob(rest) if p.is_file()) if root.is_dir() else []
    if not files:
        fail(where, f"the pattern {pattern!r} matches no file (looked in {root})")
        return []
    return [(_label(p, folder, root), p.resolve()) for p in files]


def _label(file: Path, folder: Path, root: Path) -> str:
    for base in (folder, root):
        try:
            return file.relative_to(base).as_posix()
        except ValueError:
            continue
    return file.name


def _parse_mapping(raw: Any, where: str, fail: Any) -> FieldMapping:
    """A mapping table, or ``MappingError`` with the first problem.

    ``fail(key, problem)`` returns the exception whose message is used; the
    card loader itself reports every problem (see :func:`load_card`).
    """
    problems = _Problems(Path(where))
    mapping = _collect_mapping(raw, where, problems)
    if mapping is None:
        key, problem = problems.raw[0]
        raise MappingError(str(fail(key, problem)))
    return mapping


def _collect_mapping(raw: Any, where: str, fail: _Problems) -> FieldMapping | None:
    if not isinstance(raw, dict):
        fail(where, "required: a [files.mapping] table", mapping=True)
        return None
    before = len(fail.items)
    for key in sorted(set(raw) - set(MAPPING_TARGETS) - set(_MAPPING_OPTIONS)):
        fail(
            f"{where}.{key}",
            f"unknown target; allowed: {[*MAPPING_TARGETS, *_MAPPING_OPTIONS]}",
            mapping=True,
        )
    date_order = raw.get("date_order")
    if date_order is not None:
        from ..normalize import DATE_ORDERS

        if date_order not in DATE_ORDERS:
            fail(
                f"{where}.date_order",
                f"one of {list(DATE_ORDERS)} (day, month, year order of numeric "
                f"dates such as 02/01/2022); got {date_order!r}",
                mapping=True,
            )
            date_order = None
    specs: dict[str, FieldSpec] = {}
    for target in MAPPING_TARGETS:
        if target not in raw:
            continue
        value = raw[target]
        order = date_order if target == "published" else None
        if isinstance(value, str) and value:
            specs[target] = FieldSpec(fields=(value,), date_order=order)
        elif (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        ):
            specs[target] = FieldSpec(fields=tuple(value))
        elif (
            isinstance(value, dict)
            and set(value) == {"value"}
            and isinstance(value["value"], str)
        ):
            specs[target] = FieldSpec(value=value["value"])
        else:
            fail(
                f"{where}.{target}",
                'a field name, a list of field names or { value = "..." }',
                mapping=True,
            )
    if "text" not in raw:
        fail(f"{where}.text", "required: which field holds the text", mapping=True)
    options: dict[str, tuple[str, ...]] = {}
    for option in _MAPPING_OPTIONS:
        if option in raw and option != "date_order":
            value = raw[option]
            if not isinstance(value, list) or not all(
                isinstance(v, str) for v in value
            ):
                fail(f"{where}.{option}", "a list of strings", mapping=True)
                continue
            options[option] = tuple(value)
    required = options.get("required", ("text", "published"))
    bad = [r for r in required if r not in MAPPING_TARGETS]
    if bad:
        fail(f"{where}.required", f"unknown targets {bad}", mapping=True)
    if len(fail.items) > before:
        return None
    if "text" not in required:
        required = ("text", *required)
    return FieldMapping(
        specs=specs,
        meta=options.get("meta"),
        required=required,
        date_formats=options.get("date_formats", ()),
        date_languages=options.get("date_languages", ()),
        date_order=date_order,
    )


def registry_dir() -> Path:
    """The folder of the registered corpus cards that ship with the toolkit.

    In a source checkout, its top-level ``corpora/`` folder (so edits show
    at once); in an installed package, the copy packaged as
    ``framing/_registry``.

    Examples
    --------
    >>> (registry_dir() / "us-gov-2022.toml").is_file()
    True
    """
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "corpora").is_dir():
        return checkout / "corpora"
    return package / "_registry"


def user_registry_dir() -> Path:
    """The user's own card folder: ``<user config folder>/framing/corpora``."""
    import platformdirs

    return Path(platformdirs.user_config_dir("framing")) / "corpora"


def registry_dirs() -> list[Path]:
    """Every folder where cards are found by name, in search order.

    The registered cards (:func:`registry_dir`), then the folders listed
    in ``FRAMING_REGISTRY`` (separated by ``os.pathsep``, ``:`` on Linux),
    then :func:`user_registry_dir`. Folders that do not exist are skipped.
    """
    folders = [registry_dir()]
    for item in os.environ.get("FRAMING_REGISTRY", "").split(os.pathsep):
        if item.strip():
            folders.append(Path(item.strip()).expanduser())
    folders.append(user_registry_dir())
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and not any(_same(folder, seen) for seen in unique):
            unique.append(folder)
    return unique


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


class BrokenCardWarning(UserWarning):
    """A registered card is invalid; the other cards are still listed."""


def same_corpus(a: Path, b: Path) -> bool:
    """Whether two card paths are one card file (a store serves only one).

    Two files of one name are two corpora even when identical: local
    ``path`` entries resolve against each card's own folder.
    """
    return _same(a, b)


def _clash_error(name: str, paths: list[Path]) -> CardError:
    listed = ", ".join(str(p) for p in paths)
    return CardError(
        f"{paths[-1]}: the corpus name {name!r} is taken by more than one card "
        f"({listed}); stores are kept by name, so one would replace the other's. "
        "Rename one card (its file and its `name`)"
    )


def _candidates(name: str) -> list[Path]:
    """Card files named ``<name>.toml`` in the registry folders."""
    return [
        folder / f"{name}.toml"
        for folder in registry_dirs()
        if (folder / f"{name}.toml").is_file()
    ]


def _scan_registry() -> tuple[list[CorpusCard], dict[Path, CardError]]:
    folders = registry_dirs()
    if not folders:
        raise CardError(
            f"{registry_dir()}: no corpus registry here; set FRAMING_REGISTRY to a "
            "folder of cards"
        )
    cards: dict[str, CorpusCard] = {}
    broken: dict[Path, CardError] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.toml")):
            try:
                card = load_card(path)
            except CardError as exc:
                broken[path] = exc
                continue
            first = cards.get(card.name)
            if first is not None and not same_corpus(first.path, path):
                broken[path] = _clash_error(card.name, [first.path, path])
            elif first is None:
                cards[card.name] = card
    return sorted(cards.values(), key=lambda c: c.name), broken


def list_cards() -> list[CorpusCard]:
    """All valid cards of the registry folders, sorted by name.

    A broken card does not hide the others: it is left out with a
    :class:`BrokenCardWarning` naming it and its problems (see
    :func:`broken_cards`); so is a second card that takes a name already
    taken in an earlier folder.

    Examples
    --------
    >>> "us-gov-2022" in [card.name for card in list_cards()]
    True
    """
    cards, broken = _scan_registry()
    for error in broken.values():
        warnings.warn(
            f"{error}. This corpus is left out until its card is fixed",
            BrokenCardWarning,
            stacklevel=2,
        )
    return cards


def broken_cards() -> dict[Path, CardError]:
    """The cards of the registry folders that do not load, with their errors.

    Examples
    --------
    >>> broken_cards()
    {}
    """
    return _scan_registry()[1]


def find_card(name_or_path: str | Path, *, base: Path | None = None) -> CorpusCard:
    """A card by name (in :func:`registry_dirs`), or a card file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A corpus name, or the path of a ``.toml`` card.
    base : Path, optional
        Folder a relative card path is taken from (default: the working
        folder); a study passes its own folder.

    Raises
    ------
    CardError
        No such corpus (the message lists the names found), a missing card
        file, or a name that cards in two registry folders take.

    Examples
    --------
    >>> find_card("us-gov-2022").name
    'us-gov-2022'
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or is_card_path(text):
        candidate = Path(text).expanduser()
        if base is not None and not candidate.is_absolute():
            candidate = base / candidate
        if not candidate.is_file():
            raise CardError(f"{candidate}: no such card file")
        return load_card(candidate)
    found = _candidates(text)
    if len(found) > 1:
        distinct = [found[0]] + [p for p in found[1:] if not same_corpus(found[0], p)]
        if len(distinct) > 1:
            raise _clash_error(text, distinct)
    if found:
        return load_card(found[0])
    names = sorted({p.stem for f in registry_dirs() for p in f.glob("*.toml")})
    folders = ", ".join(str(f) for f in registry_dirs()) or "none"
    raise CardError(
        f"no corpus {text!r}; registered: {names} (in {folders}), or give a .toml path"
    )


def is_card_path(text: str) -> bool:
    """Whether a corpus reference is a card path rather than a name.

    Examples
    --------
    >>> is_card_path("us-gov-2022"), is_card_path("cards/mine.toml")
    (False, True)
    """
    return text.endswith(".toml") or "/" in text or os.sep in text


def registry_clash(card: CorpusCard) -> CardError | None:
    """The error for ``card`` if a registry card of another corpus has its name."""
    others = [p for p in _candidates(card.name) if not same_corpus(p, card.path)]
    if not others:
        return None
    return CardError(
        f"{card.path}: name = {card.name!r} is the name of the registered corpus "
        f"{others[0]}; building it would replace that corpus's store. Give your "
        "card another name"
    )
