"""Corpus cards: the registry entry of one corpus.

A card is a TOML file under ``corpora/`` that says where a corpus's raw
files live upstream (URL + sha256), its licence and citation, and how its
fields map onto the canonical article schema (:mod:`framing.schema`). A
researcher registers a new source by writing a card; no code is needed.

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
    format = "csv"                    # optional; guessed from the name
    member = "inner/file.xlsx"        # optional: a member of a zip file
    sheet = "Sheet1"                  # optional, Excel
    encoding = "utf-8"                # optional, text formats

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

The canonical targets are ``text``, ``title``, ``published``, ``outlet``,
``url``, ``language``, ``author``, ``section`` and ``id``. ``outlet`` falls
back to the URL's domain (through ``[outlets]``) and ``language`` to
detection among ``languages``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
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
    "list_cards",
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
_MAPPING_OPTIONS = ("meta", "required", "date_formats", "date_languages")
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

    def extract(self, record: Mapping[str, Any]) -> Any:
        """Return the value for ``record`` (``None`` if absent or blank)."""
        if self.value is not None:
            return self.value
        if len(self.fields) == 1:
            return record.get(self.fields[0])
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

    def used_fields(self) -> set[str]:
        """Source fields consumed by a canonical target."""
        return {name for spec in self.specs.values() for name in spec.fields}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One registered raw file of a corpus."""

    name: str
    url: str
    sha256: str
    mapping: FieldMapping
    format: str | None = None
    member: str | None = None
    sheet: str | None = None
    encoding: str = "utf-8"
    delimiter: str | None = None


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
    "sha256",
    "format",
    "member",
    "sheet",
    "encoding",
    "delimiter",
    "mapping",
}
_DEDUPE_KEYS = {"threshold", "num_perm", "shingle_size", "near_duplicates", "seed"}


def load_card(path: str | Path) -> CorpusCard:
    """Read and validate a corpus card.

    Raises
    ------
    CardError
        With the file, the key and the problem.

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

    def fail(key: str, problem: str) -> CardError:
        return CardError(f"{path}: key {key!r}: {problem}")

    unknown = set(data) - _CARD_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown key; allowed: {sorted(_CARD_KEYS)}")
    for key in ("name", "title", "description", "licence", "attribution", "citation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, "required, a non-empty string")
    if not _NAME.match(data["name"]):
        raise fail("name", "use lower-case letters, digits and hyphens")
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise fail("files", "required: at least one [[files]] table")
    outlets = data.get("outlets", {})
    if not isinstance(outlets, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v)
        for v in outlets.values()
    ):
        raise fail("outlets", "a table of outlet = [aliases...]")
    dedupe = data.get("dedupe", {})
    if not isinstance(dedupe, dict) or set(dedupe) - _DEDUPE_KEYS:
        raise fail("dedupe", f"a table with keys among {sorted(_DEDUPE_KEYS)}")
    languages = data.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) and len(x) == 2 for x in languages)
    ):
        raise fail("languages", "a list of ISO 639-1 codes such as ['en', 'ru']")
    timezone = data.get("timezone", "UTC")
    _check_timezone(timezone, fail)
    parsed_files = tuple(
        _parse_file(entry, index, fail) for index, entry in enumerate(files, start=1)
    )
    names = [f.name for f in parsed_files]
    if len(set(names)) != len(names):
        raise fail("files", f"file names must be unique, got {names}")
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


def _check_timezone(name: Any, fail: Any) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str):
        raise fail("timezone", "an IANA zone name such as 'UTC' or 'Europe/Kyiv'")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(
            "timezone", f"unknown zone {name!r}; use an IANA name such as 'Europe/Kyiv'"
        ) from exc


def _parse_file(entry: Any, index: int, fail: Any) -> SourceFile:
    where = f"files[{index}]"
    if not isinstance(entry, dict):
        raise fail(where, "must be a table")
    unknown = set(entry) - _FILE_KEYS
    if unknown:
        raise fail(
            f"{where}.{sorted(unknown)[0]}",
            f"unknown key; allowed: {sorted(_FILE_KEYS)}",
        )
    for key in ("name", "url", "sha256"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise fail(f"{where}.{key}", "required, a non-empty string")
    if not _SHA256.match(entry["sha256"]):
        raise fail(f"{where}.sha256", "64 lower-case hex digits")
    if "/" in entry["name"] or entry["name"].startswith("."):
        raise fail(f"{where}.name", "a plain file name, without folders")
    mapping = _parse_mapping(entry.get("mapping"), f"{where}.mapping", fail)
    for key in ("format", "member", "sheet", "delimiter"):
        if key in entry and not isinstance(entry[key], str):
            raise fail(f"{where}.{key}", "a string")
    if "format" in entry:
        from .readers import known_formats

        if entry["format"] not in known_formats():
            raise fail(f"{where}.format", f"unknown format; allowed: {known_formats()}")
    return SourceFile(
        name=entry["name"],
        url=entry["url"],
        sha256=entry["sha256"],
        mapping=mapping,
        format=entry.get("format"),
        member=entry.get("member"),
        sheet=entry.get("sheet"),
        encoding=entry.get("encoding", "utf-8"),
        delimiter=entry.get("delimiter"),
    )


def _parse_mapping(raw: Any, where: str, fail: Any) -> FieldMapping:
    if not isinstance(raw, dict):
        raise MappingError(str(fail(where, "required: a [files.mapping] table")))
    unknown = set(raw) - set(MAPPING_TARGETS) - set(_MAPPING_OPTIONS)
    if unknown:
        raise MappingError(
            str(
                fail(
                    f"{where}.{sorted(unknown)[0]}",
                    f"unknown target; allowed: {[*MAPPING_TARGETS, *_MAPPING_OPTIONS]}",
                )
            )
        )
    specs: dict[str, FieldSpec] = {}
    for target in MAPPING_TARGETS:
        if target not in raw:
            continue
        value = raw[target]
        if isinstance(value, str) and value:
            specs[target] = FieldSpec(fields=(value,))
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
            raise MappingError(
                str(
                    fail(
                        f"{where}.{target}",
                        'a field name, a list of field names or { value = "..." }',
                    )
                )
            )
    if "text" not in specs:
        raise MappingError(
            str(fail(f"{where}.text", "required: which field holds the text"))
        )
    options: dict[str, tuple[str, ...]] = {}
    for option in _MAPPING_OPTIONS:
        if option in raw:
            value = raw[option]
            if not isinstance(value, list) or not all(
                isinstance(v, str) for v in value
            ):
                raise MappingError(str(fail(f"{where}.{option}", "a list of strings")))
            options[option] = tuple(value)
    required = options.get("required", ("text", "published"))
    bad = [r for r in required if r not in MAPPING_TARGETS]
    if bad:
        raise MappingError(str(fail(f"{where}.required", f"unknown targets {bad}")))
    if "text" not in required:
        required = ("text", *required)
    return FieldMapping(
        specs=specs,
        meta=options.get("meta"),
        required=required,
        date_formats=options.get("date_formats", ()),
        date_languages=options.get("date_languages", ()),
    )


def registry_dir() -> Path:
    """The folder of registered corpus cards.

    ``FRAMING_REGISTRY`` overrides it; the default is the ``corpora/`` folder
    of the source checkout.
    """
    override = os.environ.get("FRAMING_REGISTRY")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "corpora"


def list_cards() -> list[CorpusCard]:
    """All registered cards, sorted by name."""
    folder = registry_dir()
    if not folder.is_dir():
        raise CardError(f"{folder}: no corpus registry here; set FRAMING_REGISTRY")
    return sorted((load_card(p) for p in folder.glob("*.toml")), key=lambda c: c.name)


def find_card(name_or_path: str | Path) -> CorpusCard:
    """A registered card by name, or a card file by path.

    Raises
    ------
    CardError
        No such corpus; the message lists the registered names.
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" and candidate.exists():
        return load_card(candidate)
    path = registry_dir() / f"{name_or_path}.toml"
    if path.exists():
        return load_card(path)
    names = sorted(p.stem for p in registry_dir().glob("*.toml"))
    raise CardError(
        f"no corpus {str(name_or_path)!r}; registered: {names}, or give a .toml path"
    )
