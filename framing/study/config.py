"""Study configuration: one TOML file, validated before any work starts.

A study file names the corpora, how their outlets group into the sources
being compared, the events, the naming lexicon and its frames, the
statistical analyses, the topic model and the classifier, and the figure
and table formats. :func:`load_study` checks every key -- unknown keys,
wrong types, values outside their allowed set, corpora missing from the
registry, frames missing from the lexicon -- and reports *all* problems at
once, each with its key, the problem and the allowed values.

A minimal study::

    [study]
    name = "war-naming"
    seed = 1

    [corpora]
    names = ["kremlin-zelenskyy-2022"]

    [[events]]
    date = "2022-02-24"
    label = "full-scale invasion"

    [naming]
    frames = ["invasion", "war", "special-military-operation"]

Every other section is optional; see ``studies/war-naming.toml`` for all
keys with comments.

Subsets and several events (none of them is needed)::

    [subset]                    # which documents every analysis looks at
    start = "2022-01-01"        # inclusive, ISO date (UTC)
    end = "2023-01-01"          # exclusive
    outlets = ["tass", "mod"]   # keep only these outlets, or
    exclude_outlets = ["mfa"]   # leave these out
    # outlets are grouped into sources by [sources]

    [naming]
    freq = "Q"                  # D, W, M, Q (quarters) or Y (years)
    fields = ["title", "text"]  # whose mentions the features count
    # (default ["text"]; mentions are found in titles and texts either way,
    # see framing.frames.detect)

    [statistics]
    events = ["2022-02-24", "2022-09-21"]   # each ITS design is fitted at each
    # (event, the before/after split, defaults to the first)

    [[statistics.its]]
    source = "Kremlin"
    frame = "war"
    event = "2022-09-21"        # this design's own event (instead of events)
    start = "2022-06-01"        # and its own window, [start, end)
    end = "2023-01-01"
    freq = "W"
    errors = "ar1"              # AR(1) errors (default) or "hac" (Newey-West)
    estimation = "reml"         # AR(1) by "ml" (default) or "reml": REML
    # covers the slope change better in series of two years or shorter
    # (benchmarks/README.md, coverage study)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FramingError
from ..paths import cache_dir
from ..subsets import FREQUENCIES as _FREQUENCIES
from .output import output_problems

__all__ = [
    "StudyConfig",
    "StudyConfigError",
    "load_study",
    "parse_study",
]

# D, W, M, Q, Y: one list for every time axis (see framing.subsets).
FREQUENCIES = _FREQUENCIES
P_ADJUST = ("bh", "holm", "none")
ITS_KEYS = (
    "source",
    "frame",
    "voice",
    "errors",
    "estimation",
    "freq",
    "event",
    "start",
    "end",
)
ITS_ERRORS = ("ar1", "hac")
ITS_ESTIMATION = ("ml", "reml")
FIGURE_FORMATS = ("pdf", "png", "svg")
TABLE_FORMATS = ("csv", "tex")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class StudyConfigError(FramingError):
    """The study file is invalid; ``problems`` lists every problem found."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the study file "
            f"(nothing was run):\n{listed}"
        )


@dataclass(frozen=True)
class Event:
    date: str
    label: str


@dataclass(frozen=True)
class ItsSpec:
    source: str
    frame: str
    voice: str = "own"
    errors: str = "ar1"
    estimation: str = "ml"
    freq: str = "W"
    # Unset: fitted at each of [statistics] events (or at event).
    event: str | None = None
    start: str | None = None
    end: str | None = None

    def settings(self) -> dict[str, Any]:
        """The design's keys, unset optional ones left out (records, keys)."""
        # Unset keys and the default estimation are left out, so the records
        # (and stage keys) of designs written before the key existed hold.
        return {
            k: v
            for k, v in asdict(self).items()
            if (v is not None or k not in ("event", "start", "end"))
            and not (k == "estimation" and v == "ml")
        }


@dataclass(frozen=True)
class StudyConfig:
    """A validated study (see the module docstring for the file format).

    ``path`` is the study file; relative paths in it (``output``, a lexicon
    file) resolve against its folder.
    """

    path: Path
    name: str
    title: str
    seed: int
    output: Path
    corpora: tuple[str, ...]
    sources: dict[str, tuple[str, ...]]
    events: tuple[Event, ...]
    lexicon: str
    frames: tuple[str, ...]
    voices: tuple[str, ...]
    frame_labels: dict[str, str]
    freq: str
    min_docs: int
    ci_level: float
    event: str
    p_adjust: str
    stats_voice: str
    presence: tuple[str, ...]
    rates: tuple[str, ...]
    its: tuple[ItsSpec, ...]
    fightin_words: dict[str, Any]
    topics: dict[str, Any]
    classifier: dict[str, Any]
    figure_formats: tuple[str, ...]
    table_formats: tuple[str, ...]
    digits: int
    validation: dict[str, Any] = field(default_factory=lambda: {"enabled": False})
    subset: dict[str, Any] = field(default_factory=dict)
    events_stats: tuple[str, ...] = ()
    fields: tuple[str, ...] = ("text",)
    compute: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def its_events(self) -> tuple[str, ...]:
        """The events an ITS design without its own ``event`` is fitted at."""
        return self.events_stats or (self.event,)

    def document_subset(self) -> Any:
        """The ``[subset]`` as a :class:`~framing.subsets.Subset` (None: all)."""
        from ..subsets import Subset

        return Subset(**self.subset) if self.subset else None

    def as_dict(self) -> dict[str, Any]:
        """Every setting after defaults, JSON-ready (paths as strings).

        Subset and event keys a study does not use, and the default
        detection ``fields``, are left out, so a study written before they
        existed records the same settings; ``[compute]`` is never recorded
        (it does not change any output).
        """
        data = asdict(self)
        data.pop("raw")
        data["path"] = self.path.name
        data["output"] = str(self.output)
        data["its"] = [spec.settings() for spec in self.its]
        # Where the stages ran never changes a result, so manifests of
        # serial and parallel runs stay identical.
        data.pop("compute")
        for key in ("subset", "events_stats"):
            if not data[key]:
                data.pop(key)
        if tuple(data["fields"]) == ("text",):
            data.pop("fields")
        else:
            data["fields"] = list(data["fields"])
        return data


# --- a small checker that collects every problem -------------------------


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def section(
        self, data: dict[str, Any], name: str, allowed: tuple[str, ...]
    ) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.problem(f"[{name}]", f"must be a table, got {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(
                    f"[{name}] {key}",
                    f"unknown key; allowed keys are {', '.join(allowed)}",
                )
        return value

    def get(
        self,
        table: dict[str, Any],
        where: str,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = None,
        *,
        required: bool = False,
        allowed: tuple[Any, ...] | None = None,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        label = f"{where} {key}"
        if key not in table:
            if required:
                self.problem(label, "is required")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a TOML `true` is never a valid number here
        if isinstance(value, bool) and bool not in kinds:
            value_ok = False
        else:
            value_ok = isinstance(value, kinds)
        if not value_ok:
            names = " or ".join(_type_name(k) for k in kinds)
            self.problem(label, f"must be {names}, got {_kind(value)} {value!r}")
            return default
        if allowed is not None and value not in allowed:
            self.problem(
                label,
                f"{value!r} is not allowed; allowed values are "
                + ", ".join(repr(a) for a in allowed),
            )
            return default
        if check is not None:
            message = check(value)
            if message:
                self.problem(label, message)
                return default
        return value

    def strings(
        self,
        table: dict[str, Any],
        where: str,
        key: str,
        default: tuple[str, ...] = (),
        *,
        required: bool = False,
        allowed: tuple[str, ...] | None = None,
    ) -> tuple[str, ...]:
        value = self.get(table, where, key, list, None, required=required)
        if value is None:
            return default
        if not all(isinstance(v, str) for v in value):
            self.problem(f"{where} {key}", "must be a list of strings")
            return default
        if len(set(value)) != len(value):
            self.problem(f"{where} {key}", "lists a value twice")
        if allowed is not None:
            bad = [v for v in value if v not in allowed]
            if bad:
                self.problem(
                    f"{where} {key}",
                    f"{bad} not allowed; allowed values are "
                    + ", ".join(repr(a) for a in allowed),
                )
                return default
        return tuple(value)


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)


def _kind(value: Any) -> str:
    return _type_name(type(value))


def _date(value: str) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date; write YYYY-MM-DD"
    return None


def _probability(value: float) -> str | None:
    return None if 0 < value < 1 else f"{value} must lie strictly between 0 and 1"


def _positive(value: int) -> str | None:
    return None if value > 0 else f"{value} must be a positive integer"


# --- the study file ---------------------------------------------------------

SECTIONS = {
    "study": ("name", "title", "seed", "output"),
    "corpora": ("names",),
    "sources": (),
    "subset": ("start", "end", "outlets", "exclude_outlets"),
    "compute": ("mode", "workers", "scheduler"),
    "events": (),
    "naming": (
        "lexicon",
        "frames",
        "voices",
        "labels",
        "freq",
        "min_docs",
        "ci_level",
        "fields",
    ),
    "statistics": (
        "event",
        "events",
        "p_adjust",
        "voice",
        "presence",
        "rates",
        "its",
        "fightin_words",
    ),
    "topics": (
        "enabled",
        "corpus",
        "k",
        "k_grid",
        "seeds",
        "passes",
        "no_below",
        "no_above",
        "top_words",
        "phrase_max_vocab",
        "sample_size",
        "sample_by",
    ),
    "classifier": (
        "enabled",
        "positive",
        "negative",
        "model",
        "c_grid",
        "min_df",
        "folds",
        "repeats",
        "jobs",
    ),
    "figures": ("formats",),
    "tables": ("formats", "digits"),
    "validation": ("gold", "key", "split", "correct", "n_boot", "min_gold"),
}


def load_study(path: str | Path) -> StudyConfig:
    """Read and validate a study file.

    Raises
    ------
    StudyConfigError
        Listing every problem: key, what is wrong, the allowed values.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: no such study file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise StudyConfigError(path, [f"not valid TOML: {exc}"]) from None
    return parse_study(data, path)


def parse_study(data: dict[str, Any], path: str | Path) -> StudyConfig:
    """Validate a parsed study file (``path`` names it in errors and resolves
    relative paths).

    Examples
    --------
    >>> study = parse_study({"study": {"name": "demo"},
    ...     "corpora": {"names": ["us-gov-2022"]},
    ...     "events": [{"date": "2022-02-24", "label": "invasion"}],
    ...     "naming": {"frames": ["invasion", "war"]}}, "demo.toml")
    >>> study.voices, study.freq, study.event
    (('own', 'quoted'), 'W', '2022-02-24')
    >>> parse_study({"study": {"name": "demo", "seed": "one"}}, "bad.toml")
    Traceback (most recent call last):
    ...
    framing.study.config.StudyConfigError: bad.toml: 4 problem(s) in the study file (nothing was run):
      - [study] seed: must be an integer, got a string 'one'
      - [corpora] names: is required
      - [naming] frames: is required
      - [statistics] event: is required when no [[events]] are given (the before/after split)
    """  # noqa: E501
    path = Path(path)
    check = _Checker()
    for key in data:
        if key not in SECTIONS:
            check.problem(
                f"[{key}]",
                f"unknown section; allowed sections are {', '.join(SECTIONS)}",
            )

    study = check.section(data, "study", SECTIONS["study"])
    name = check.get(
        study,
        "[study]",
        "name",
        str,
        "study",
        required=True,
        check=lambda v: (
            None
            if NAME_PATTERN.match(v)
            else f"{v!r}: use lower-case letters, digits and '-'"
        ),
    )
    title = check.get(study, "[study]", "title", str, "")
    seed = check.get(study, "[study]", "seed", int, 0)
    output = check.get(study, "[study]", "output", str, f"out/{name}")
    for problem in output_problems(
        output, study_file=path, study_name=name, cache=cache_dir()
    ):
        check.problem("[study] output", problem)

    corpora_section = check.section(data, "corpora", SECTIONS["corpora"])
    corpora = check.strings(corpora_section, "[corpora]", "names", required=True)
    if "corpora" in data and not corpora and "names" in corpora_section:
        check.problem("[corpora] names", "must name at least one corpus")
    _check_corpora(check, corpora, path.parent)
    subset = _subset(check, data)
    compute = _compute(check, data)

    sources_raw = data.get("sources", {})
    sources: dict[str, tuple[str, ...]] = {}
    if not isinstance(sources_raw, dict):
        check.problem("[sources]", "must be a table: source label = [outlets]")
    else:
        seen: dict[str, str] = {}
        for label, outlets in sources_raw.items():
            values = check.strings(sources_raw, "[sources]", label)
            if not values:
                if isinstance(outlets, list):
                    check.problem(f"[sources] {label}", "lists no outlets")
                continue
            for outlet in values:
                if outlet in seen:
                    check.problem(
                        f"[sources] {label}",
                        f"outlet {outlet!r} is already in source {seen[outlet]!r}",
                    )
                seen[outlet] = label
            sources[label] = values
        if sources and not check.problems:
            known = subset_outlets(known_outlets(corpora, base=path.parent), subset)
            for problem in outlet_problems(sources, known):
                check.problem("[sources]", problem)
    if subset and not check.problems:
        for problem in subset_outlet_problems(
            subset, known_outlets(corpora, base=path.parent)
        ):
            check.problem("[subset]", problem)

    events: list[Event] = []
    events_raw = data.get("events", [])
    if not isinstance(events_raw, list):
        check.problem("[[events]]", "must be an array of tables with date and label")
    else:
        for i, entry in enumerate(events_raw, start=1):
            where = f"[[events]] #{i}"
            if not isinstance(entry, dict):
                check.problem(where, "must be a table with date and label")
                continue
            for key in entry:
                if key not in ("date", "label"):
                    check.problem(f"{where} {key}", "unknown key; allowed: date, label")
            date = check.get(
                entry, where, "date", str, None, required=True, check=_date
            )
            label = check.get(entry, where, "label", str, "", required=True)
            if date is not None:
                events.append(Event(date=date, label=label))

    naming = check.section(data, "naming", SECTIONS["naming"])
    lexicon = check.get(naming, "[naming]", "lexicon", str, "war-naming")
    frames = check.strings(naming, "[naming]", "frames", required=True)
    from ..frames.voice import VOICES

    voices = check.strings(
        naming, "[naming]", "voices", ("own", "quoted"), allowed=VOICES
    )
    labels = check.get(naming, "[naming]", "labels", dict, {})
    freq = check.get(naming, "[naming]", "freq", str, "W", allowed=FREQUENCIES)
    min_docs = check.get(naming, "[naming]", "min_docs", int, 5, check=_positive)
    ci_level = check.get(
        naming, "[naming]", "ci_level", float, 0.95, check=_probability
    )
    from ..frames.detect import FIELDS

    fields = check.strings(naming, "[naming]", "fields", ("text",), allowed=FIELDS)
    if "fields" in naming and naming["fields"] == []:
        check.problem(
            "[naming] fields", 'must name a field: ["text"] or ["title", "text"]'
        )
    lexicon_labels = _check_lexicon(check, lexicon, path)
    lexicon_frames = None if lexicon_labels is None else tuple(lexicon_labels)
    if lexicon_frames is not None:
        _check_frames(check, "[naming] frames", frames, lexicon_frames)
        for key in labels:
            if key not in lexicon_frames:
                check.problem(f"[naming] labels {key}", "is not a frame of the lexicon")

    stats = check.section(data, "statistics", SECTIONS["statistics"])
    events_stats = check.strings(stats, "[statistics]", "events")
    for value in events_stats:
        message = _date(value)
        if message:
            check.problem("[statistics] events", message)
    if "events" in stats and not events_stats and isinstance(stats["events"], list):
        check.problem(
            "[statistics] events", "lists no dates; remove it or add YYYY-MM-DD dates"
        )
    default_event = (
        events_stats[0] if events_stats else events[0].date if events else None
    )
    event = check.get(stats, "[statistics]", "event", str, default_event, check=_date)
    if event is None:
        check.problem(
            "[statistics] event",
            "is required when no [[events]] are given (the before/after split)",
        )
    elif events_stats and event not in events_stats:
        check.problem(
            "[statistics] event",
            f"{event!r} is not in [statistics] events {list(events_stats)}; the "
            "before/after split must be one of them (or leave event out: the "
            "first is used)",
        )
    p_adjust = check.get(stats, "[statistics]", "p_adjust", str, "bh", allowed=P_ADJUST)
    stats_voice = check.get(stats, "[statistics]", "voice", str, "own", allowed=VOICES)
    presence = check.strings(stats, "[statistics]", "presence", frames)
    rates = check.strings(stats, "[statistics]", "rates", frames)
    if lexicon_frames is not None:
        _check_frames(check, "[statistics] presence", presence, lexicon_frames)
        _check_frames(check, "[statistics] rates", rates, lexicon_frames)
    its = _its_specs(check, stats.get("its", []), sources, lexicon_frames, VOICES)
    fightin = stats.get("fightin_words", {})
    fightin_words: dict[str, Any] = {}
    if fightin is not False:
        if not isinstance(fightin, dict):
            check.problem("[statistics.fightin_words]", "must be a table (or false)")
            fightin = {}
        where = "[statistics.fightin_words]"
        for key in fightin:
            if key not in ("min_count", "prior_scale", "top", "stop_words"):
                check.problem(
                    f"{where} {key}",
                    "unknown key; allowed: min_count, prior_scale, top, stop_words",
                )
        fightin_words = {
            "min_count": check.get(
                fightin, where, "min_count", int, 10, check=_positive
            ),
            "prior_scale": check.get(
                fightin,
                where,
                "prior_scale",
                (int, float),
                500.0,
                check=lambda v: None if v > 0 else "must be positive",
            ),
            "top": check.get(fightin, where, "top", int, 10, check=_positive),
            "stop_words": check.get(
                fightin, where, "stop_words", str, "", allowed=("", "english")
            ),
        }

    topics = _topics(check, data, corpora)
    classifier = _classifier(check, data, lexicon_frames)
    validation = _validation(check, data, path)

    figures = check.section(data, "figures", SECTIONS["figures"])
    figure_formats = check.strings(
        figures, "[figures]", "formats", ("pdf", "png"), allowed=FIGURE_FORMATS
    )
    tables = check.section(data, "tables", SECTIONS["tables"])
    table_formats = check.strings(
        tables, "[tables]", "formats", ("csv", "tex"), allowed=TABLE_FORMATS
    )
    digits = check.get(tables, "[tables]", "digits", int, 3, check=_positive)

    if check.problems:
        raise StudyConfigError(path, check.problems)
    return StudyConfig(
        path=path,
        name=name,
        title=title,
        seed=seed,
        output=(path.parent / output)
        if not Path(output).is_absolute()
        else Path(output),
        corpora=corpora,
        sources=sources,
        events=tuple(events),
        lexicon=lexicon,
        frames=frames,
        voices=voices,
        frame_labels={
            **{f: (lexicon_labels or {}).get(f, f) for f in frames},
            **{str(k): str(v) for k, v in labels.items()},
        },
        freq=freq,
        min_docs=min_docs,
        ci_level=float(ci_level),
        event=str(event),
        p_adjust=p_adjust,
        stats_voice=stats_voice,
        presence=presence,
        rates=rates,
        its=its,
        fightin_words=fightin_words,
        topics=topics,
        classifier=classifier,
        figure_formats=figure_formats,
        table_formats=table_formats,
        digits=digits,
        validation=validation,
        subset=subset,
        events_stats=events_stats,
        fields=fields or ("text",),
        compute=compute,
        raw=data,
    )


def known_outlets(
    corpora: tuple[str, ...], base: Path | None = None
) -> dict[str, dict[str, int] | None]:
    """The outlets of each corpus, before anything is built where possible.

    Each corpus is a card name or a card path (relative ones from ``base``,
    the study's folder).

    From the corpus's store when it was built from the current card
    (outlet -> documents kept), else from the card when every file sets the
    outlet as a constant (documents unknown: -1); ``None`` when the outlets
    are only known after a build (they come from a field or a URL).
    """
    from ..datasets.build import store_path
    from ..datasets.cards import find_card

    known: dict[str, dict[str, int] | None] = {}
    for name in corpora:
        try:
            card = find_card(name, base=base)
        except FramingError:
            known[name] = None
            continue
        try:
            manifest = json.loads(
                (store_path(card.name) / "manifest.json").read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            manifest = {}
        by_outlet = manifest.get("counts", {}).get("by_outlet")
        if manifest.get("card", {}).get("sha256") == card.sha256 and isinstance(
            by_outlet, dict
        ):
            known[name] = {
                str(k): int(v.get("kept", 0)) for k, v in sorted(by_outlet.items())
            }
            continue
        constants = [f.mapping.specs.get("outlet") for f in card.files]
        if constants and all(c is not None and c.value for c in constants):
            known[name] = {str(c.value): -1 for c in constants if c is not None}
        else:
            known[name] = None
    return known


def outlet_problems(
    sources: dict[str, tuple[str, ...]],
    outlets: dict[str, dict[str, int] | None],
) -> list[str]:
    """Outlets that no source places, and sources left without documents.

    ``outlets`` maps each corpus to its outlets and their kept documents
    (``-1``: not counted yet) or to ``None`` when not known yet.

    Examples
    --------
    >>> outlet_problems({"A": ("a",), "B": ("b",)}, {"c": {"a": 3, "x": 2}})
    ["outlet 'x' (c: 2 documents) is in no source; add it to a source so no document is dropped", "source 'B' has no documents: its outlet(s) 'b' are not in the corpora (their outlets: 'a', 'x')"]
    """  # noqa: E501
    placed = {outlet for outs in sources.values() for outlet in outs}
    problems = []
    every: dict[str, int] = {}
    for corpus, found in outlets.items():
        for outlet, n in (found or {}).items():
            # -1: present, not yet counted (a constant outlet of the card).
            every[outlet] = every.get(outlet, 0) + (n if n >= 0 else 1)
            if outlet not in placed:
                counted = f"{corpus}: {n} documents" if n >= 0 else corpus
                problems.append(
                    f"outlet {outlet!r} ({counted}) is in no source; add it to a "
                    "source so no document is dropped"
                )
    if all(found is not None for found in outlets.values()):
        for label, outs in sources.items():
            if not any(every.get(outlet, 0) != 0 for outlet in outs):
                listed = ", ".join(repr(o) for o in outs)
                have = ", ".join(repr(o) for o in sorted(every)) or "none"
                problems.append(
                    f"source {label!r} has no documents: its outlet(s) {listed} "
                    f"are not in the corpora (their outlets: {have})"
                )
    return problems


def _check_corpora(
    check: _Checker, corpora: tuple[str, ...], base: Path | None = None
) -> None:
    import warnings

    from ..datasets.cards import (
        broken_cards,
        find_card,
        is_card_path,
        list_cards,
        registry_clash,
    )

    paths = tuple(name for name in corpora if is_card_path(name))
    for name in paths:
        # A card path (relative ones from the study's folder) instead of a name.
        try:
            clash = registry_clash(find_card(name, base=base))
        except FramingError as exc:
            check.problem("[corpora] names", str(exc))
            continue
        if clash is not None:
            check.problem("[corpora] names", str(clash))
    corpora = tuple(name for name in corpora if name not in paths)
    if not corpora:
        return

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # broken cards are reported below
            registered = tuple(card.name for card in list_cards())
        broken = {path.stem: error for path, error in broken_cards().items()}
    except FramingError as exc:
        check.problem("[corpora] names", str(exc))
        return
    for name in corpora:
        if name in broken:
            check.problem(
                "[corpora] names",
                f"the card of {name!r} is broken ({broken[name]}); fix the card",
            )
        elif name not in registered:
            check.problem(
                "[corpora] names",
                f"{name!r} is not a registered corpus; registered: "
                + ", ".join(registered),
            )


def _check_lexicon(check: _Checker, lexicon: str, path: Path) -> dict[str, str] | None:
    from ..frames.lexicon import builtin_lexicons, load_lexicon

    if lexicon.endswith(".toml"):
        candidate = path.parent / lexicon
        if not candidate.is_file():
            check.problem("[naming] lexicon", f"no lexicon file {candidate}")
            return None
        source: str | Path = candidate
    elif lexicon in builtin_lexicons():
        source = lexicon
    else:
        check.problem(
            "[naming] lexicon",
            f"{lexicon!r} is neither a built-in lexicon ("
            + ", ".join(builtin_lexicons())
            + ") nor a .toml file",
        )
        return None
    try:
        return {f.name: f.label or f.name for f in load_lexicon(source).frames}
    except FramingError as exc:
        check.problem("[naming] lexicon", str(exc))
        return None


def _check_frames(
    check: _Checker, key: str, frames: tuple[str, ...], known: tuple[str, ...]
) -> None:
    unknown = [f for f in frames if f not in known]
    if unknown:
        check.problem(
            key, f"{unknown} not in the lexicon; its frames are {', '.join(known)}"
        )


def _its_specs(
    check: _Checker,
    raw: Any,
    sources: dict[str, tuple[str, ...]],
    frames: tuple[str, ...] | None,
    voices: tuple[str, ...],
) -> tuple[ItsSpec, ...]:
    if not isinstance(raw, list):
        check.problem("[[statistics.its]]", "must be an array of tables")
        return ()
    specs = []
    for i, entry in enumerate(raw, start=1):
        where = f"[[statistics.its]] #{i}"
        if not isinstance(entry, dict):
            check.problem(where, "must be a table with source, frame, voice, errors")
            continue
        for key in entry:
            if key not in ITS_KEYS:
                check.problem(
                    f"{where} {key}",
                    f"unknown key; allowed: {', '.join(ITS_KEYS)}",
                )
        source = check.get(entry, where, "source", str, None, required=True)
        if source is not None and sources and source not in sources:
            check.problem(
                f"{where} source",
                f"{source!r} is not in [sources]; sources are {', '.join(sources)}",
            )
        frame = check.get(entry, where, "frame", str, None, required=True)
        if frame is not None and frames is not None and frame not in frames:
            check.problem(f"{where} frame", f"{frame!r} is not a frame of the lexicon")
        voice = check.get(entry, where, "voice", str, "own", allowed=voices)
        errors = check.get(entry, where, "errors", str, "ar1", allowed=ITS_ERRORS)
        estimation = check.get(
            entry, where, "estimation", str, "ml", allowed=ITS_ESTIMATION
        )
        if estimation == "reml" and errors != "ar1":
            check.problem(
                f"{where} estimation",
                'REML applies to AR(1) errors; remove it or set errors = "ar1"',
            )
        freq = check.get(entry, where, "freq", str, "W", allowed=FREQUENCIES)
        event = check.get(entry, where, "event", str, None, check=_date)
        start = check.get(entry, where, "start", str, None, check=_date)
        end = check.get(entry, where, "end", str, None, check=_date)
        if start is not None and end is not None and end <= start:
            check.problem(f"{where} end", f"{end!r} must be after start {start!r}")
        for bound, inside in (("start", start), ("end", end)):
            if inside is not None and event is not None:
                wrong = inside >= event if bound == "start" else inside <= event
                if wrong:
                    check.problem(
                        f"{where} {bound}",
                        f"{inside!r} leaves the event {event!r} outside the "
                        "window [start, end); widen the window",
                    )
        if source is not None and frame is not None:
            specs.append(
                ItsSpec(
                    source=source,
                    frame=frame,
                    voice=voice,
                    errors=errors,
                    estimation=estimation,
                    freq=freq,
                    event=event,
                    start=start,
                    end=end,
                )
            )
    return tuple(specs)


def _compute(check: _Checker, data: dict[str, Any]) -> dict[str, Any]:
    """``[compute]``: where the stages run (serial, processes or dask)."""
    from ..compute import MODES, Compute, ComputeError

    if "compute" not in data:
        return {}
    table = check.section(data, "compute", SECTIONS["compute"])
    where = "[compute]"
    mode = check.get(table, where, "mode", str, "serial")
    workers = check.get(table, where, "workers", int, None, check=_positive)
    scheduler = check.get(table, where, "scheduler", str, None)
    if mode not in MODES:
        check.problem(
            f"{where} mode",
            f"{mode!r} is not allowed; allowed values are "
            + ", ".join(repr(m) for m in MODES),
        )
        return {}
    chosen = {"mode": mode, "workers": workers, "scheduler": scheduler}
    settings = {key: value for key, value in chosen.items() if value is not None}
    try:
        Compute.from_config(settings)
    except ComputeError as exc:
        check.problem(where, str(exc))
    return settings


def _subset(check: _Checker, data: dict[str, Any]) -> dict[str, Any]:
    """``[subset]``: the date window and outlet filters (groups: [sources])."""
    if "subset" not in data:
        return {}
    table = check.section(data, "subset", SECTIONS["subset"])
    where = "[subset]"
    start = check.get(table, where, "start", str, None, check=_date)
    end = check.get(table, where, "end", str, None, check=_date)
    if start is not None and end is not None and end <= start:
        check.problem(
            f"{where} end", f"{end!r} must be after start {start!r} (end is exclusive)"
        )
    settings: dict[str, Any] = {}
    if start is not None:
        settings["start"] = start
    if end is not None:
        settings["end"] = end
    for key in ("outlets", "exclude_outlets"):
        names = check.strings(table, where, key)
        if key in table and not names and isinstance(table[key], list):
            check.problem(f"{where} {key}", "lists no outlets; remove the key")
        if names:
            settings[key] = list(names)
    both = set(settings.get("outlets", ())) & set(settings.get("exclude_outlets", ()))
    if both:
        check.problem(
            f"{where} exclude_outlets",
            f"{sorted(both)} are also in outlets; list each outlet in one of them",
        )
    return settings


def subset_outlets(
    outlets: dict[str, dict[str, int] | None], subset: dict[str, Any]
) -> dict[str, dict[str, int] | None]:
    """The known outlets of each corpus that ``[subset]`` keeps.

    Examples
    --------
    >>> subset_outlets({"c": {"a": 1, "b": 2}, "d": None}, {"outlets": ["a"]})
    {'c': {'a': 1}, 'd': None}
    """
    keep = subset.get("outlets")
    drop = set(subset.get("exclude_outlets", ()))
    return {
        corpus: None
        if found is None
        else {
            o: n
            for o, n in found.items()
            if (keep is None or o in keep) and o not in drop
        }
        for corpus, found in outlets.items()
    }


def subset_outlet_problems(
    subset: dict[str, Any], outlets: dict[str, dict[str, int] | None]
) -> list[str]:
    """Outlets ``[subset]`` names that no corpus has (when all are known).

    Examples
    --------
    >>> subset_outlet_problems({"outlets": ["a", "z"]}, {"c": {"a": 1, "b": 2}})
    ["outlets: no outlet 'z' in the corpora; their outlets are 'a', 'b'"]
    """
    if any(found is None for found in outlets.values()):
        return []
    every = sorted({o for found in outlets.values() for o in found or {}})
    problems = []
    for key in ("outlets", "exclude_outlets"):
        missing = [o for o in subset.get(key, ()) if o not in every]
        if missing:
            problems.append(
                f"{key}: no outlet {', '.join(repr(o) for o in missing)} in the "
                f"corpora; their outlets are {', '.join(repr(o) for o in every)}"
            )
    return problems


def _topics(check: _Checker, data: dict[str, Any], corpora: tuple[str, ...]) -> dict:
    table = check.section(data, "topics", SECTIONS["topics"])
    where = "[topics]"
    enabled = check.get(table, where, "enabled", bool, bool(table))
    if not enabled:
        return {"enabled": False}
    corpus = check.get(
        table,
        where,
        "corpus",
        str,
        corpora[0] if corpora else None,
        allowed=corpora or None,
    )
    k = check.get(table, where, "k", int, 10, check=_positive)
    grid = check.get(table, where, "k_grid", list, [])
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 1 for v in grid):
        check.problem(f"{where} k_grid", "must be a list of integers above 1")
        grid = []
    seeds = check.get(table, where, "seeds", list, [0, 1, 2])
    if not seeds or not all(isinstance(v, int) for v in seeds):
        check.problem(f"{where} seeds", "must be a non-empty list of integers")
        seeds = [0]
    return {
        "enabled": True,
        "corpus": corpus,
        "k": k,
        "k_grid": sorted(grid),
        "seeds": list(seeds),
        "passes": check.get(table, where, "passes", int, 10, check=_positive),
        "no_below": check.get(table, where, "no_below", int, 5, check=_positive),
        "no_above": check.get(table, where, "no_above", float, 0.5, check=_probability),
        "top_words": check.get(table, where, "top_words", int, 8, check=_positive),
        # Bounds the collocation counts the preparing process holds in memory
        # (see framing.frames.topics.tokens); unset counts exactly on disk.
        "phrase_max_vocab": check.get(
            table, where, "phrase_max_vocab", int, None, check=_positive
        ),
        **_topic_sample(check, table, where),
    }


# framing.frames.topics.sample.SAMPLE_FIELDS, without importing gensim to
# check a study file (tests/test_topics_sample.py holds them equal).
TOPIC_SAMPLE_FIELDS = ("outlet", "year")


def _topic_sample(check: _Checker, table: dict[str, Any], where: str) -> dict:
    """``sample_size`` and ``sample_by``, present only when a sample is asked
    for: a study without them keeps its settings and stage keys."""
    size = check.get(table, where, "sample_size", int, None, check=_positive)
    by = check.strings(
        table, where, "sample_by", TOPIC_SAMPLE_FIELDS, allowed=TOPIC_SAMPLE_FIELDS
    )
    if "sample_size" not in table:
        if "sample_by" in table:
            check.problem(f"{where} sample_by", "has no effect without sample_size")
        return {}
    return {"sample_size": size, "sample_by": list(by)}


def _classifier(
    check: _Checker, data: dict[str, Any], frames: tuple[str, ...] | None
) -> dict:
    table = check.section(data, "classifier", SECTIONS["classifier"])
    where = "[classifier]"
    enabled = check.get(table, where, "enabled", bool, bool(table))
    if not enabled:
        return {"enabled": False}
    positive = check.strings(table, where, "positive", ("war", "invasion"))
    negative = check.strings(
        table, where, "negative", ("special-military-operation", "military-operation")
    )
    if frames is not None:
        _check_frames(check, f"{where} positive", positive, frames)
        _check_frames(check, f"{where} negative", negative, frames)
    overlap = set(positive) & set(negative)
    if overlap:
        check.problem(f"{where} negative", f"{sorted(overlap)} are also positive")
    c_grid = check.get(table, where, "c_grid", list, [0.3, 1.0, 3.0])
    if not c_grid or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in c_grid
    ):
        check.problem(f"{where} c_grid", "must be a list of positive numbers")
        c_grid = [1.0]
    return {
        "enabled": True,
        "positive": list(positive),
        "negative": list(negative),
        "model": check.get(
            table, where, "model", str, "logreg", allowed=("logreg", "svm")
        ),
        "c_grid": [float(v) for v in c_grid],
        "min_df": check.get(table, where, "min_df", int, 2, check=_positive),
        "folds": check.get(
            table,
            where,
            "folds",
            int,
            5,
            check=lambda v: None if v >= 2 else "needs at least 2 folds",
        ),
        "repeats": check.get(table, where, "repeats", int, 2, check=_positive),
        # Parallel inner-search fits: results do not depend on it.
        "jobs": check.get(table, where, "jobs", int, 1, check=_positive),
    }


def _validation(check: _Checker, data: dict[str, Any], path: Path) -> dict:
    """``[validation]``: the gold that measures the detector's error on the
    study's own corpora, and whether to correct the naming shares with it.

    ``gold`` is one file or a list (e.g. one per corpus), in any format
    :func:`framing.frames.validation.read_gold` reads, relative to the study
    file; ``key`` the key file of a coded sample sheet (default beside it).
    """
    if "validation" not in data:
        return {"enabled": False}
    table = check.section(data, "validation", SECTIONS["validation"])
    where = "[validation]"
    gold = check.get(table, where, "gold", (str, list), None, required=True)
    if isinstance(gold, list) and (
        not gold or not all(isinstance(g, str) for g in gold)
    ):
        check.problem(f"{where} gold", "must be a file name or a list of file names")
        gold = None
    key = check.get(table, where, "key", (str, list), None)
    golds = [gold] if isinstance(gold, str) else gold or []
    if isinstance(key, list) and (
        len(key) != len(golds) or not all(isinstance(k, str) for k in key)
    ):
        check.problem(
            f"{where} key",
            "a list of key files needs one file name per gold file, in the same "
            f"order ({len(golds)} gold file(s), {len(key)} key(s))",
        )
        key = None
    settings: dict[str, Any] = {
        "enabled": True,
        "gold": gold,
        "key": key,
        "split": check.get(
            table, where, "split", str, "all", allowed=("all", "dev", "test")
        ),
        "correct": check.get(table, where, "correct", bool, True),
        "n_boot": check.get(table, where, "n_boot", int, 1000, check=_positive),
        "min_gold": check.get(table, where, "min_gold", int, 30, check=_positive),
    }
    keys = validation_keys(settings, len(golds))
    missing = False
    for name, value in [("key", k) for k in keys if k] + [("gold", g) for g in golds]:
        file = path.parent / value
        if not file.is_file():
            missing = True
            check.problem(
                f"{where} {name}",
                f"no file {file} (paths are relative to the study file)",
            )
    if not missing:
        from ..frames.validation import read_gold

        for gold_file, key_file in zip(golds, keys, strict=True):
            try:
                read_gold(
                    path.parent / gold_file,
                    key=path.parent / key_file if key_file else None,
                )
            except FramingError as exc:
                check.problem(f"{where} gold", str(exc))
    return settings


def validation_keys(settings: dict[str, Any], n_gold: int) -> list[str | None]:
    """The key file of each ``[validation]`` gold file (``None``: the default
    beside the sheet, or no weights): one key for every file, or one each."""
    key = settings.get("key")
    if isinstance(key, list):
        return list(key)
    return [key] * n_gold
