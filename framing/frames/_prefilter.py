"""Run a regular expression only where one of its literal prefixes starts.

Python's :mod:`re` tries a pattern at every position of a string when the
pattern does not begin with a plain literal (``\\b(?:not|never|...)``,
``(?<=\\w\\s)(?:said|says|...)``), which makes the voice cues and the
referent cues the detector's main cost on long texts. Most such patterns
still begin with one of a small set of literal strings once the zero-width
assertions are skipped. One Aho-Corasick pass over the lower-cased text
finds where those strings start, and the pattern is tried only there.

:class:`PrefixSearch` does this for one compiled pattern and returns
exactly what :meth:`re.Pattern.search` returns: every match starts at a
candidate, candidates are tried from left to right, and the first match is
the leftmost, with the pattern's own alternation order at that position.
A pattern whose prefixes cannot be read (a leading ``\\w+``, ``(?:^|\\s)``,
an optional word) is searched as usual, as is a text holding one of the few
characters that :mod:`re` folds to a prefix letter in a way lower-casing
does not (``ſ`` for ``s``, ``ı`` for ``i``, old Cyrillic letter variants).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from ._regex_guard import _sre_constants, _sre_parse

try:  # the extra case-insensitive equivalences of re (Python >= 3.11)
    _EXTRA_CASES: dict[int, tuple[int, ...]] | None = importlib.import_module(
        "re._casefix"
    )._EXTRA_CASES
except (ImportError, AttributeError):  # pragma: no cover - other Pythons
    _EXTRA_CASES = None

__all__ = ["PrefixSearch", "literal_prefixes", "lower_aligned"]


def literal_prefixes(
    pattern: re.Pattern[str], *, min_length: int = 3
) -> set[str] | None:
    """Lower-case literal texts one of which every match of ``pattern`` starts
    with, or ``None`` when some match may start otherwise (or with fewer than
    ``min_length`` literal characters).

    Examples
    --------
    >>> sorted(literal_prefixes(re.compile(r"\\b(?:war|conflict)s?\\b")))
    ['conflict', 'war']
    >>> sorted(literal_prefixes(re.compile(r"Lu[hg]ansk")))
    ['lugansk', 'luhansk']
    >>> literal_prefixes(re.compile(r"\\w+ war")) is None
    True
    """

    def walk(items: list[Any], prefix: str) -> set[str] | None:
        for index, (op, av) in enumerate(items):
            if op == _sre_constants.AT or op in (
                _sre_constants.ASSERT,
                _sre_constants.ASSERT_NOT,
            ):
                continue  # zero-width: the literals after it start the match
            if op == _sre_constants.LITERAL:
                prefix += lower_aligned(chr(av))
                continue
            rest = list(items[index + 1 :])
            if (
                op == _sre_constants.IN
                and len(av) <= 4
                and all(kind == _sre_constants.LITERAL for kind, _ in av)
            ):
                # A small set of letters ("Lu[hg]ansk"): one prefix per letter.
                options: set[str] = set()
                for _, value in av:
                    sub = walk(rest, prefix + lower_aligned(chr(value)))
                    if sub is None:
                        return None
                    options |= sub
                return options
            if op == _sre_constants.SUBPATTERN:
                return walk(list(av[-1]) + rest, prefix)
            if op == _sre_constants.BRANCH:
                found: set[str] = set()
                for branch in av[1]:
                    sub = walk(list(branch) + rest, prefix)
                    if sub is None:
                        return None
                    found |= sub
                return found
            break
        return {prefix} if len(prefix) >= max(1, min_length) else None

    try:
        return walk(list(_sre_parse.parse(pattern.pattern, pattern.flags)), "")
    except (re.error, RecursionError):  # pragma: no cover - compiled already
        return None


def lower_aligned(text: str) -> str:
    """``text.lower()``, one character per character, so offsets still hold.

    Examples
    --------
    >>> lower_aligned("İstanbul WAR")
    'istanbul war'
    """
    lower = text.lower()
    if len(lower) != len(text):
        # A few characters (e.g. "İ") lower-case to two; keep offsets aligned.
        lower = "".join(ch.lower()[0] for ch in text)
    return lower


class PrefixSearch:
    """A compiled pattern searched only where one of its literal prefixes starts.

    Parameters
    ----------
    pattern : re.Pattern
        The pattern; :meth:`search` returns what ``pattern.search`` would.

    Examples
    --------
    >>> cue = PrefixSearch(re.compile(r"\\b(?:not|never)\\s+(?:a\\s+)?$", re.I))
    >>> cue.search("this is NOT a ").group(0)
    'NOT a '
    >>> cue.search("a notable war") is None
    True
    """

    __slots__ = ("pattern", "_automaton", "_variants")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._automaton: Any = None
        self._variants: tuple[str, ...] = ()
        prefixes = literal_prefixes(pattern, min_length=1)
        if prefixes is None or _EXTRA_CASES is None:
            return
        variants = {
            chr(code)
            for prefix in prefixes
            for char in prefix
            for code in _EXTRA_CASES.get(ord(char), ())
        }
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for prefix in prefixes:
            automaton.add_word(prefix, len(prefix))
        automaton.make_automaton()
        self._automaton = automaton
        self._variants = tuple(sorted(variants))

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match in ``text``, exactly as ``pattern.search``."""
        if self._automaton is None:
            return self.pattern.search(text)
        lower = lower_aligned(text)
        if self._variants and any(v in lower for v in self._variants):
            return self.pattern.search(text)
        starts = sorted(
            {end - length + 1 for end, length in self._automaton.iter(lower)}
        )
        match = self.pattern.match
        for start in starts:
            found = match(text, start)
            if found is not None:
                return found
        return None
