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
    "load_lexicon",
    "builtin_lexicons",
    "surface_forms",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_POS = ("noun", "verb", "exact")
_FRAME_KEYS = {"name", "label", "description", "terms", "patterns"}
_LEXICON_KEYS = {"name", "description", "version", "languages", "frames", "exclude"}
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
            try:
                patterns.append((language, re.compile(entry)))
            except re.error as exc:
                raise here(
                    entry,
                    f"frame {name!r}: pattern {entry!r} is not a valid "
                    f"regular expression: {exc}",
                ) from exc
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
