"""Check regular expressions from lexicon and rule files before compiling them.

Patterns in a lexicon TOML (a frame's ``patterns``, the referent layers) run
over every document, so one pattern that backtracks catastrophically turns a
corpus run into a hang. Python's :mod:`re` has no timeout, so the patterns
are checked statically when the file is read:

* at most :data:`MAX_PATTERN_LENGTH` characters;
* valid syntax;
* no repetition inside an unbounded repetition -- ``(a+)+``, ``(a*)*``,
  ``(\\w+\\s?)+$`` -- and no unbounded repetition of an alternation whose
  branches can start with the same character -- ``(a|a)*``, ``(\\w|\\d)+``.
  These are the shapes behind exponential backtracking. Bounded repeats
  such as ``(?:\\w+\\s+){0,3}`` are allowed: their cost is polynomial in a
  small exponent.

The check is conservative: a harmless pattern of a rejected shape is
rewritten (``(?:ab)+`` is fine, ``(?:a|ab)+`` is not; make branches start
differently, or bound the outer repeat with ``{0,5}``).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# The parser behind re (Python >= 3.11), used only to read a pattern's shape.
_sre_constants: Any = importlib.import_module("re._constants")
_sre_parse: Any = importlib.import_module("re._parser")

__all__ = ["MAX_PATTERN_LENGTH", "MAX_BOUNDED_REPEAT", "pattern_problem"]

#: Longest pattern accepted, in characters.
MAX_PATTERN_LENGTH = 1000
#: A repeat with a larger upper bound counts as unbounded.
MAX_BOUNDED_REPEAT = 20

_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(_sre_constants, "POSSESSIVE_REPEAT", None)
_ANY = "<any>"


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused, or ``None`` when it is safe to compile.

    Examples
    --------
    >>> pattern_problem(r"\\bwar\\s+(?:in|on)\\s+Gaza")
    >>> pattern_problem(r"(a+)+$")
    'nested repetition: a repeat inside the unbounded repeat (...)+ ...'
    >>> pattern_problem(r"(a|a)*")
    'repeated alternation whose branches overlap: the unbounded repeat (...)* ...'
    >>> pattern_problem(r"(unclosed")[:22]
    'not a valid regular ex'
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        return (
            f"pattern is {len(pattern)} characters long (at most "
            f"{MAX_PATTERN_LENGTH}); split it into several patterns"
        )
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    except RecursionError:
        return "pattern is nested too deeply; simplify it"
    try:
        re.compile(pattern)
    except re.error as exc:  # pragma: no cover - parse accepted it
        return f"not a valid regular expression: {exc}"
    problem = _walk(list(parsed), inside_unbounded=None)
    if problem is None:
        return None
    kind, text = problem
    if kind == "nested":
        return (
            f"nested repetition: a repeat inside the unbounded repeat {text} "
            "can backtrack catastrophically; repeat only a fixed text inside "
            "an unbounded repeat (e.g. (?:ab)+), or bound the outer repeat "
            "(e.g. {0,5})"
        )
    return (
        f"repeated alternation whose branches overlap: the unbounded repeat "
        f"{text} holds alternatives that can match the same text, which can "
        "backtrack catastrophically; make the branches start with different "
        "characters, or bound the repeat (e.g. {0,5})"
    )


def _is_unbounded(op: Any, av: Any) -> bool:
    if op in _REPEATS:
        return bool(av[1] == _sre_constants.MAXREPEAT or av[1] > MAX_BOUNDED_REPEAT)
    return False


def _walk(items: list[Any], inside_unbounded: str | None) -> tuple[str, str] | None:
    for op, av in items:
        if op in _REPEATS:
            body = list(av[2])
            unbounded = _is_unbounded(op, av)
            inner_repeat = _has_repeat(body)
            if inside_unbounded is not None and (unbounded or inner_repeat):
                return ("nested", inside_unbounded)
            if unbounded:
                label = _describe(av)
                if inner_repeat:
                    return ("nested", label)
                if _overlapping_branches(body):
                    return ("alternation", label)
                found = _walk(body, label)
            else:
                found = _walk(body, inside_unbounded)
            if found:
                return found
        elif _POSSESSIVE is not None and op == _POSSESSIVE:
            # Possessive repeats never backtrack.
            continue
        elif op == _sre_constants.SUBPATTERN:
            found = _walk(list(av[-1]), inside_unbounded)
            if found:
                return found
        elif op == _sre_constants.BRANCH:
            for branch in av[1]:
                found = _walk(list(branch), inside_unbounded)
                if found:
                    return found
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            found = _walk(list(av[1]), inside_unbounded)
            if found:
                return found
        elif str(op) == "ATOMIC_GROUP":
            continue
    return None


def _has_repeat(items: list[Any]) -> bool:
    for op, av in items:
        if op in _REPEATS:
            if av[1] > 1:
                return True
            if _has_repeat(list(av[2])):
                return True
        elif op == _sre_constants.SUBPATTERN:
            if _has_repeat(list(av[-1])):
                return True
        elif op == _sre_constants.BRANCH and any(_has_repeat(list(b)) for b in av[1]):
            return True
    return False


def _describe(av: Any) -> str:
    low, high = av[0], av[1]
    if (low, high) == (0, _sre_constants.MAXREPEAT):
        suffix = "*"
    elif (low, high) == (1, _sre_constants.MAXREPEAT):
        suffix = "+"
    else:
        upper = "" if high == _sre_constants.MAXREPEAT else str(high)
        suffix = f"{{{low},{upper}}}"
    return f"(...){suffix}"


def _overlapping_branches(body: list[Any]) -> bool:
    """Whether an alternation in the body has branches that can start alike.

    Python factors a common prefix out of alternatives (``a|a`` becomes
    ``a(?:|)``), so two empty branches count as overlapping too.
    """
    for op, av in body:
        if op == _sre_constants.BRANCH:
            firsts = [_first_chars(list(b)) for b in av[1]]
            for i, a in enumerate(firsts):
                for b in firsts[i + 1 :]:
                    if a is None and b is None:
                        return True
                    if a is None or b is None:
                        continue
                    if _ANY in a or _ANY in b or a & b:
                        return True
            if any(_overlapping_branches(list(b)) for b in av[1]):
                return True
        elif op == _sre_constants.SUBPATTERN and _overlapping_branches(list(av[-1])):
            return True
    return False


def _first_chars(items: list[Any]) -> set[str] | None:
    """Characters (or classes) a branch can start with; ``None``: can be empty."""
    for op, av in items:
        if op in (_sre_constants.AT,):
            continue
        if op == _sre_constants.LITERAL:
            return {chr(av).lower()}
        if op == _sre_constants.NOT_LITERAL or op == _sre_constants.ANY:
            return {_ANY}
        if op == _sre_constants.IN:
            found: set[str] = set()
            for kind, value in av:
                if kind == _sre_constants.LITERAL:
                    found.add(chr(value).lower())
                else:
                    # Categories and ranges overlap with too much to tell.
                    found.add(_ANY)
            return found
        if op == _sre_constants.SUBPATTERN:
            return _first_chars(list(av[-1]))
        if op == _sre_constants.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                first = _first_chars(list(branch))
                if first is None:
                    return None
                union |= first
            return union
        if op in _REPEATS:
            if av[0] == 0:
                return None
            return _first_chars(list(av[2]))
        return {_ANY}
    return None
