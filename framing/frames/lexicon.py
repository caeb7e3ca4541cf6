"""Frame lexicons: a documented file format, validation and compilation.

A lexicon maps frames to the words that express them, per language. The
file format (TOML) is shown by the built-in lexicons in
``framing/frames/lexicons/``::

    name = "war-naming"
    description = "..."
    languages = ["en", "ru", "uk"]

    [[frames]]                       # order matters: ties go to earlier frames
    name = "invasion"                # [a-z0-9-]
    label = "Invasion"
    description = "..."
    terms.en = ["invasion", "full-scale invasion",
                { term = "invade", pos = "verb" }]
    terms.ru = ["вторжение"]
    patterns.en = ['\\bSMO\\b']      # optional regular expressions

    [exclude]                        # spans that are not this event
    en = ["world war", "war crime"]

    [referent]                       # optional: which event a mention names
    ambiguous = ["war", "invasion"]  # frames that need event context
    unambiguous.en = ["full-scale invasion"]   # ...except these terms
    window = 8                       # words each side, within the sentence
    no_context = "undecided"         # or "event"
    context.en = ['\\bUkrain', '\\bKyiv\\b']   # event cues (regex)

    [[referent.other]]               # another event, named by place or kind
    name = "gaza"
    context = true                   # also a cue at headline/document scope
    en = ['\\bwar\\s+(?:in|on)\\s+Gaza', '\\bGaza\\b']

Terms are lemmas expanded to surface forms when the lexicon is compiled:

* English: nouns also match the plural (``-s``, ``-es``, ``-ies``; the last
  word of a phrase is inflected); ``pos = "verb"`` adds ``-s``, ``-ed`` and
  ``-ing`` forms; ``pos = "exact"`` matches only as written.
* Russian and Ukrainian: every word of a term is expanded to all forms of
  its lexeme that keep its part of speech (pymorphy3 with the OpenCorpora
  and LanguageTool dictionaries), so case and number forms match.

Matching is case-insensitive on whole words. Overlapping candidates are
resolved leftmost-longest; an exclusion that overlaps a candidate and is at
least as long removes it. Regular-expression ``patterns`` run on the original
text with their own flags.

Referent
--------
Every mention gets a ``referent`` -- ``event`` (the event the lexicon is
about), ``other`` (another event) or ``undecided`` -- with the cue and the
layer that decided it (:mod:`framing.frames.referent`):

``other-event``
    an ``[exclude]`` term overlapping and outspanning the match, or a
    pattern of a ``[[referent.other]]`` rule found in the mention's window
    (``window`` words each side, cut at the sentence ends), decides
    ``other`` -- unless an event ``context`` cue lies strictly closer to the
    mention. Rules are matched case-insensitively (write ``(?-i:...)`` for
    a case-sensitive part) and should usually include the term itself
    (``war\\s+in\\s+Gaza``), which puts them at distance 0.
``context``
    mentions of an ``ambiguous`` frame (other than its ``unambiguous``
    terms) need an event cue: ``context`` patterns are looked for in the
    sentence, then the headline (the title, or the text's first line), then
    the whole document; the cue is reported with its scope. Rules marked
    ``context = true`` are cues for another event at these scopes: where
    only they are found the mention is ``other``; where both kinds are
    found, the nearer one wins in the sentence and the more frequent one
    in the headline or document (a tie is ``undecided``); a rule with
    ``scope = "sentence"`` is not counted in the headline or document. No cue anywhere
    gives ``no_context`` (``undecided`` by default).
``unambiguous``
    every other mention is ``event``.
``classifier``
    a :class:`~framing.frames.referent.MentionReferentClassifier` given to
    the detector decides the mentions the rules leave ``undecided``.

A lexicon without ``[referent]`` marks every kept match ``event``
(``[exclude]`` matches are still kept as ``other``).

Every regular expression in a lexicon is checked before it is compiled
(:mod:`framing.frames._regex_guard`): invalid syntax, patterns longer than
1000 characters and shapes that backtrack catastrophically (``(a+)+``,
``(a|a)*``) are refused with a :class:`LexiconError` naming the file, the
frame or section and the pattern.

Errors name the file, the line and the problem.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import FramingError

__all__ = [
    "Frame",
    "Lexicon",
    "LexiconError",
    "OtherEvent",
    "ReferentSpec",
    "REFERENTS",
    "checked_pattern",
    "load_lexicon",
    "builtin_lexicons",
    "surface_forms",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_POS = ("noun", "verb", "exact")
_FRAME_KEYS = {"name", "label", "description", "terms", "patterns"}
_LEXICON_KEYS = {
    "name",
    "description",
    "version",
    "languages",
    "frames",
    "exclude",
    "referent",
}
_REFERENT_KEYS = {
    "ambiguous",
    "unambiguous",
    "window",
    "no_context",
    "context",
    "other",
}
_OTHER_KEYS = {"name", "description", "context", "scope"}
#: The referents a mention can have.
REFERENTS = ("event", "other", "undecided")
_MAX_FORMS_PER_TERM = 50_000


class LexiconError(FramingError):
    """A lexicon file is invalid; the message names file, line and problem."""


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: a lemma, its language and how to inflect it."""

    text: str
    language: str
    pos: str = "noun"


@dataclass(frozen=True, slots=True)
class Frame:
    """A frame: its name, label and the terms and patterns that express it."""

    name: str
    label: str
    description: str
    terms: tuple[Term, ...]
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()


@dataclass(frozen=True, slots=True)
class OtherEvent:
    """A ``[[referent.other]]`` rule: another event, by place or kind."""

    name: str
    description: str
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    context: bool = False
    scope: str = "document"


@dataclass(frozen=True, slots=True)
class ReferentSpec:
    """The ``[referent]`` section of a lexicon (see the module docstring)."""

    ambiguous: tuple[str, ...] = ()
    unambiguous: tuple[tuple[str, str], ...] = ()
    window: int = 8
    no_context: str = "undecided"
    context: tuple[tuple[str, re.Pattern[str]], ...] = ()
    other: tuple[OtherEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A validated lexicon.

    Use :func:`load_lexicon` to read one; :meth:`surface_table` lists every
    surface form the matcher will look for.
    """

    name: str
    description: str
    languages: tuple[str, ...]
    frames: tuple[Frame, ...]
    exclusions: tuple[Term, ...] = ()
    version: str = "1"
    source: str = "<memory>"
    sha256: str = ""
    frame_names: tuple[str, ...] = field(default=())
    referent: ReferentSpec | None = None

    def frame(self, name: str) -> Frame:
        for frame in self.frames:
            if frame.name == name:
                return frame
        raise KeyError(
            f"lexicon {self.name!r} has no frame {name!r}; "
            f"frames: {[f.name for f in self.frames]}"
        )

    def surface_table(self) -> list[tuple[str, str, str, str]]:
        """``(form, frame, lemma, language)`` rows; frame ``""`` for exclusions."""
        rows: list[tuple[str, str, str, str]] = []
        for frame in self.frames:
            for term in frame.terms:
                rows.extend(
                    (form, frame.name, term.text, term.language)
                    for form in surface_forms(term)
                )
        for term in self.exclusions:
            rows.extend(
                (form, "", term.text, term.language) for form in surface_forms(term)
            )
        return rows


def builtin_lexicons() -> list[str]:
    """Names of the lexicons that ship with the toolkit.

    Examples
    --------
    >>> builtin_lexicons()
    ['country-mentions', 'war-naming']
    """
    folder = resources.files("framing.frames") / "lexicons"
    return sorted(
        p.name.removesuffix(".toml")
        for p in folder.iterdir()
        if p.name.endswith(".toml")
    )


def load_lexicon(name_or_path: str | Path) -> Lexicon:
    """Load a built-in lexicon by name, or a lexicon file by path.

    Raises
    ------
    LexiconError
        The file is not valid; the message gives file, line and problem.

    Examples
    --------
    >>> lexicon = load_lexicon("war-naming")
    >>> [f.name for f in lexicon.frames][:3]
    ['invasion', 'war', 'special-military-operation']
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        if not candidate.is_file():
            raise LexiconError(f"{candidate}: no such lexicon file")
        return _parse(candidate.read_text(encoding="utf-8"), str(candidate))
    if str(name_or_path) not in builtin_lexicons():
        raise LexiconError(
            f"no built-in lexicon {str(name_or_path)!r}; built-in: "
            f"{builtin_lexicons()}, or give a path to a .toml file"
        )
    resource = resources.files("framing.frames") / "lexicons" / f"{name_or_path}.toml"
    return _parse(
        resource.read_text(encoding="utf-8"), f"{name_or_path}.toml (built-in)"
    )


def _line_of(text: str, needle: str, after: str | None = None) -> int:
    """First line holding ``needle``, at or after the first line holding ``after``."""
    lines = text.splitlines()
    first = 0
    if after is not None:
        first = next((i for i, line in enumerate(lines) if after in line), 0)
    for number, line in enumerate(lines[first:], start=first + 1):
        if needle in line:
            return number
    return 0


def _parse(text: str, source: str) -> Lexicon:
    import hashlib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{source}: not valid TOML: {exc}") from exc

    def fail(needle: str, problem: str, after: str | None = None) -> LexiconError:
        line = _line_of(text, needle, after)
        where = f"line {line}" if line else "top level"
        return LexiconError(f"{source}, {where}: {problem}")

    unknown = set(data) - _LEXICON_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise fail(key, f"unknown key {key!r}; allowed: {sorted(_LEXICON_KEYS)}")
    for key in ("name", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, f"{key!r} is required, a non-empty string")
    if not _NAME.match(data["name"]):
        raise fail("name", "name: use lower-case letters, digits and hyphens")
    languages = data.get("languages", ["en"])
    if not isinstance(languages, list) or not all(
        isinstance(x, str) and _LANGUAGE.match(x) for x in languages
    ):
        raise fail("languages", "languages: a list of ISO 639-1 codes such as ['en']")
    frames_raw = data.get("frames")
    if not isinstance(frames_raw, list) or not frames_raw:
        raise fail("frames", "at least one [[frames]] table is required")
    frames = []
    seen: set[str] = set()
    for raw in frames_raw:
        frame = _parse_frame(raw, languages, fail)
        if frame.name in seen:
            raise fail(f'"{frame.name}"', f"frame {frame.name!r} is defined twice")
        seen.add(frame.name)
        frames.append(frame)
    exclude_raw = data.get("exclude", {})
    if not isinstance(exclude_raw, dict):
        raise fail("[exclude]", "[exclude] must be a table of language = [terms]")
    exclusions = tuple(
        term
        for language, entries in exclude_raw.items()
        for term in _parse_terms(entries, language, languages, "exclude", fail)
    )
    referent = None
    if "referent" in data:
        referent = _parse_referent(
            data["referent"], languages, [f.name for f in frames], fail, source
        )
    return Lexicon(
        name=data["name"],
        description=data["description"].strip(),
        languages=tuple(languages),
        frames=tuple(frames),
        exclusions=exclusions,
        version=str(data.get("version", "1")),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        frame_names=tuple(f.name for f in frames),
        referent=referent,
    )


def checked_pattern(
    pattern: Any, *, source: str, where: str, flags: int = 0, fail: Any = None
) -> re.Pattern[str]:
    """Compile a regular expression from a lexicon or rule file, safely.

    Raises :class:`LexiconError` naming ``source`` (the file), ``where``
    (the frame or section) and the pattern when the pattern is not a string,
    is invalid, overlong or can backtrack catastrophically
    (:func:`framing.frames._regex_guard.pattern_problem`). ``fail``, when
    given, builds the error (the lexicon parser passes one that adds the
    line).

    Examples
    --------
    >>> checked_pattern("war|conflict", source="my.toml", where="frame 'war'")
    re.compile('war|conflict')
    >>> checked_pattern("(a+)+$", source="my.toml", where="frame 'war'")
    Traceback (most recent call last):
    ...
    framing.frames.lexicon.LexiconError: my.toml: frame 'war': pattern '(a+)+$' ref...
    """
    from ._regex_guard import pattern_problem

    if not isinstance(pattern, str):
        problem = f"{where}: patterns are strings, got {pattern!r}"
        if fail is not None:
            raise fail(str(pattern)[:30], problem)
        raise LexiconError(f"{source}: {problem}")
    refused = pattern_problem(pattern)
    if refused is not None:
        message = f"{where}: pattern {pattern!r} refused: {refused}"
        if fail is not None:
            raise fail(pattern, message)
        raise LexiconError(f"{source}: {message}")
    return re.compile(pattern, flags)


def _parse_referent(
    raw: Any, languages: list[str], frames: list[str], fail: Any, source: str
) -> ReferentSpec:
    if not isinstance(raw, dict):
        raise fail("[referent]", "[referent] must be a table")
    unknown = set(raw) - _REFERENT_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise fail(
            key, f"[referent]: unknown key {key!r}; allowed: {sorted(_REFERENT_KEYS)}"
        )
    ambiguous = raw.get("ambiguous", [])
    if not isinstance(ambiguous, list) or not all(a in frames for a in ambiguous):
        raise fail(
            "ambiguous",
            f"[referent] ambiguous: {ambiguous!r} must list frames of this "
            f"lexicon ({frames})",
        )
    window = raw.get("window", 8)
    if (
        not isinstance(window, int)
        or isinstance(window, bool)
        or not 1 <= window <= 100
    ):
        raise fail("window", "[referent] window: a number of words from 1 to 100")
    no_context = raw.get("no_context", "undecided")
    if no_context not in REFERENTS:
        raise fail("no_context", f"[referent] no_context: one of {list(REFERENTS)}")

    def by_language(value: Any, key: str) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            raise fail(key, f"[referent] {key}: a table of language = [patterns]")
        for language, entries in value.items():
            if language not in languages:
                raise fail(
                    f"{language} =",
                    f"[referent] {key}: language {language!r} is not in the "
                    f"lexicon's languages {languages}",
                )
            if not isinstance(entries, list) or not all(
                isinstance(e, str) for e in entries
            ):
                raise fail(key, f"[referent] {key}.{language}: a list of strings")
        return value

    unambiguous = tuple(
        (language, " ".join(term.lower().split()))
        for language, terms in by_language(
            raw.get("unambiguous", {}), "unambiguous"
        ).items()
        for term in terms
    )
    context = tuple(
        (
            language,
            checked_pattern(
                entry,
                source=source,
                where=f"[referent] context.{language}",
                flags=re.IGNORECASE,
                fail=fail,
            ),
        )
        for language, entries in by_language(raw.get("context", {}), "context").items()
        for entry in entries
    )
    other_raw = raw.get("other", [])
    if not isinstance(other_raw, list):
        raise fail("[[referent.other]]", "use [[referent.other]] tables")
    others = []
    seen: set[str] = set()
    for rule in other_raw:
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str):
            raise fail("[[referent.other]]", "each [[referent.other]] needs a name")
        name = rule["name"]
        if not _NAME.match(name) or name in seen:
            raise fail(
                f'"{name}"',
                f"[[referent.other]] name {name!r}: lower-case letters, digits "
                "and hyphens, and unique",
            )
        seen.add(name)
        patterns = []
        for key, value in rule.items():
            if key in _OTHER_KEYS:
                continue
            if key not in languages:
                raise fail(
                    f'"{name}"',
                    f"[[referent.other]] {name!r}: unknown key {key!r}; use "
                    f"{sorted(_OTHER_KEYS)} or a language of {languages}",
                )
            if not isinstance(value, list):
                raise fail(f'"{name}"', f"[[referent.other]] {name!r}: {key} is a list")
            for entry in value:
                patterns.append(
                    (
                        key,
                        checked_pattern(
                            entry,
                            source=source,
                            where=f"[[referent.other]] {name!r} ({key})",
                            flags=re.IGNORECASE,
                            fail=fail,
                        ),
                    )
                )
        if not patterns:
            raise fail(f'"{name}"', f"[[referent.other]] {name!r} has no patterns")
        scope = rule.get("scope", "document")
        if scope not in ("sentence", "document"):
            raise fail(
                f'"{name}"',
                f"[[referent.other]] {name!r}: scope is 'sentence' or 'document'",
            )
        others.append(
            OtherEvent(
                name=name,
                description=str(rule.get("description", "")),
                patterns=tuple(patterns),
                context=bool(rule.get("context", False)),
                scope=scope,
            )
        )
    return ReferentSpec(
        ambiguous=tuple(ambiguous),
        unambiguous=unambiguous,
        window=window,
        no_context=no_context,
        context=context,
        other=tuple(others),
    )


def _parse_frame(raw: Any, languages: list[str], fail: Any) -> Frame:
    if not isinstance(raw, dict):
        raise fail("[[frames]]", "each [[frames]] entry must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(
            f'"{name}"', f"frame name {name!r}: use lower-case letters, digits, hyphens"
        )
    anchor = f'"{name}"'

    def here(needle: str, problem: str) -> LexiconError:
        # Errors inside a frame point at lines after the frame's name.
        return fail(needle, problem, anchor)

    unknown = set(raw) - _FRAME_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise here(
            key, f"frame {name!r}: unknown key {key!r}; allowed: {sorted(_FRAME_KEYS)}"
        )
    terms_raw = raw.get("terms", {})
    patterns_raw = raw.get("patterns", {})
    if not isinstance(terms_raw, dict) or not isinstance(patterns_raw, dict):
        raise here(
            f'"{name}"', f"frame {name!r}: terms and patterns are tables by language"
        )
    terms = tuple(
        term
        for language, entries in terms_raw.items()
        for term in _parse_terms(entries, language, languages, f"frame {name!r}", here)
    )
    patterns = []
    for language, entries in patterns_raw.items():
        if language not in languages:
            raise here(
                f"patterns.{language}",
                f"frame {name!r}: language {language!r} "
                f"is not in the lexicon's languages {languages}",
            )
        if not isinstance(entries, list) or not all(
            isinstance(e, str) for e in entries
        ):
            raise here(f"patterns.{language}", f"frame {name!r}: patterns are strings")
        for entry in entries:
            patterns.append(
                (
                    language,
                    checked_pattern(
                        entry,
                        source="",
                        where=f"frame {name!r} (patterns.{language})",
                        fail=here,
                    ),
                )
            )
    if not terms and not patterns:
        raise here(f'"{name}"', f"frame {name!r} has no terms and no patterns")
    return Frame(
        name=name,
        label=str(raw.get("label", name)),
        description=str(raw.get("description", "")),
        terms=terms,
        patterns=tuple(patterns),
    )


def _parse_terms(
    entries: Any, language: str, languages: list[str], owner: str, fail: Any
) -> list[Term]:
    if language not in languages:
        raise fail(
            f"{language} =",
            f"{owner}: language {language!r} is not in the "
            f"lexicon's languages {languages}",
        )
    if not isinstance(entries, list):
        raise fail(f"{language} =", f"{owner}: terms for {language!r} must be a list")
    terms = []
    for entry in entries:
        if isinstance(entry, str):
            text, pos = entry, "noun"
        elif isinstance(entry, dict) and isinstance(entry.get("term"), str):
            text, pos = entry["term"], entry.get("pos", "noun")
            if set(entry) - {"term", "pos"} or pos not in _POS:
                raise fail(
                    f'term = "{entry["term"]}"',
                    f"{owner}: term tables take term and pos "
                    f"(one of {list(_POS)}), got {entry}",
                )
        else:
            raise fail(
                str(entry)[:30],
                f"{owner}: a term is a string or "
                f'{{ term = "...", pos = "verb" }}, got {entry!r}',
            )
        if not text.strip():
            raise fail('""', f"{owner}: empty term in {language!r}")
        terms.append(Term(text=" ".join(text.split()), language=language, pos=pos))
    return terms


# Inflection ---------------------------------------------------------------

_VOWELS = set("aeiou")


def _english_noun_forms(word: str) -> set[str]:
    forms = {word}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    else:
        forms.add(word + "s")
    return forms


def _english_verb_forms(word: str) -> set[str]:
    forms = _english_noun_forms(word)
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        forms |= {word[:-1] + "ied", word + "ing"}
    else:
        forms |= {word + "ed", word + "ing"}
    return forms


@functools.lru_cache(maxsize=4)
def _morph(language: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@functools.lru_cache(maxsize=4096)
def _slavic_word_forms(word: str, language: str) -> frozenset[str]:
    if not any(ch.isalpha() for ch in word):
        return frozenset({word})
    parse = _morph(language).parse(word)[0]
    pos = parse.tag.POS
    forms = {form.word for form in parse.lexeme if pos == form.tag.POS}
    forms.add(word)
    # Russian texts write "е" for "ё" as often as not.
    forms |= {f.replace("ё", "е") for f in forms}
    return frozenset(forms)


def surface_forms(term: Term) -> set[str]:
    """All lower-case surface forms a term matches.

    Examples
    --------
    >>> sorted(surface_forms(Term("full-scale invasion", "en")))
    ['full-scale invasion', 'full-scale invasions']
    >>> sorted(surface_forms(Term("invade", "en", pos="verb")))
    ['invade', 'invaded', 'invades', 'invading']
    >>> "вторжения" in surface_forms(Term("вторжение", "ru"))
    True
    """
    words = term.text.lower().split()
    if term.pos == "exact":
        return {" ".join(words)}
    if term.language == "en":
        inflect = _english_verb_forms if term.pos == "verb" else _english_noun_forms
        return {" ".join([*words[:-1], form]) for form in inflect(words[-1])}
    if term.language in ("ru", "uk"):
        options = [sorted(_slavic_word_forms(word, term.language)) for word in words]
        size = 1
        for option in options:
            size *= len(option)
        if size > _MAX_FORMS_PER_TERM:
            raise LexiconError(
                f"term {term.text!r} expands to {size} forms; "
                'split it or mark it pos = "exact"'
            )
        return {" ".join(combo) for combo in itertools.product(*options)}
    return {" ".join(words)}
