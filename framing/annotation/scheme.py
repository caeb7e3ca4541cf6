"""Coding schemes: :class:`CodingScheme`, :class:`CodeVariable` and the errors.

A :class:`CodingScheme` is a named set of coded variables, read and checked
from a TOML file (:meth:`CodingScheme.from_toml`) or a dict
(:meth:`CodingScheme.from_dict`); an invalid scheme raises
:class:`SchemeError`. :class:`AnnotationError`, the error of every invalid
sheet or codings table, and the helper that lists all of its problems at
once are defined here too, as the other annotation modules build on them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import FramingError

MULTI_SEPARATOR = ";"
MAX_LISTED_PROBLEMS = 20
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_SCHEME_KEYS = {"name", "description", "variables"}
_VARIABLE_KEYS = {"name", "codes", "labels", "description", "multi"}


class AnnotationError(FramingError):
    """A coding sheet, adjudication sheet or codings table is not valid.

    Attributes
    ----------
    problems : list of str
        Every problem found; the message lists the first
        ``MAX_LISTED_PROBLEMS``.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class SchemeError(AnnotationError):
    """A coding scheme is not valid; the message names the file and the key."""


def _problems_error(
    headline: str, problems: Sequence[str], fix: str
) -> AnnotationError:
    shown = list(problems[:MAX_LISTED_PROBLEMS])
    more = len(problems) - len(shown)
    lines = [f"{headline}: {len(problems)} problem(s)"]
    lines += [f"  {p}" for p in shown]
    if more:
        lines.append(f"  ... and {more} more (see the exception's .problems)")
    lines.append(f"Fix: {fix}")
    return AnnotationError("\n".join(lines), problems)


@dataclass(frozen=True)
class CodeVariable:
    """One coded variable: its codes, their labels and a description.

    Parameters
    ----------
    name : str
        Variable name; the coding sheet column is ``code_<name>``.
    codes : tuple of str
        The allowed codes, in display order.
    labels : dict of str to str
        Human-readable label per code; missing labels default to the code.
    description : str
        The coding instruction, shown in the codebook.
    multi : bool, default False
        Whether a unit can carry several codes (``"a;b"``).
    """

    name: str
    codes: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    description: str = ""
    multi: bool = False

    def __post_init__(self) -> None:
        codes = tuple(self.codes)
        object.__setattr__(self, "codes", codes)
        labels = {code: self.labels.get(code, code) for code in codes}
        object.__setattr__(self, "labels", labels)

    @property
    def column(self) -> str:
        """The coding-sheet column of this variable, ``code_<name>``."""
        return f"code_{self.name}"

    def canonical(self, text: str) -> tuple[str | None, list[str]]:
        """The stored form of a cell and the parts that are not codes.

        Single-valued: the stripped text. Multi-valued: the codes split at
        ``;``, de-duplicated and put in scheme order.
        """
        text = text.strip()
        if not self.multi:
            return (text, []) if text in self.codes else (None, [text])
        parts = [p.strip() for p in text.split(MULTI_SEPARATOR) if p.strip()]
        bad = [p for p in parts if p not in self.codes]
        if bad or not parts:
            return None, bad or [text]
        chosen = set(parts)
        return MULTI_SEPARATOR.join(c for c in self.codes if c in chosen), []


@dataclass(frozen=True)
class CodingScheme:
    """A named set of coded variables (see the module docstring for TOML).

    Examples
    --------
    >>> scheme = CodingScheme.from_dict(
    ...     {
    ...         "name": "voice",
    ...         "variables": [
    ...             {
    ...                 "name": "voice",
    ...                 "codes": ["own", "quoted", "scare"],
    ...                 "labels": {"own": "Own voice"},
    ...                 "description": "Who names the event?",
    ...             }
    ...         ],
    ...     }
    ... )
    >>> scheme.variable("voice").labels
    {'own': 'Own voice', 'quoted': 'quoted', 'scare': 'scare'}
    >>> scheme.codebook()["code"].tolist()
    ['own', 'quoted', 'scare']
    """

    name: str
    variables: tuple[CodeVariable, ...]
    description: str = ""
    source: str = "<dict>"

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the variables, in scheme order."""
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> CodeVariable:
        """The variable called ``name``."""
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise AnnotationError(
            f"scheme {self.name!r} ({self.source}) has no variable {name!r}; "
            f"its variables: {list(self.variable_names)}"
        )

    def codebook(self) -> pd.DataFrame:
        """One row per code: ``variable, code, label, description``."""
        rows = [
            {
                "variable": v.name,
                "code": code,
                "label": v.labels[code],
                "description": _describe(v),
            }
            for v in self.variables
            for code in v.codes
        ]
        return pd.DataFrame(rows, columns=["variable", "code", "label", "description"])

    @classmethod
    def from_toml(cls, path: str | Path) -> CodingScheme:
        """Read and validate a scheme from a TOML file.

        Raises
        ------
        SchemeError
            The file cannot be read or a key is invalid; the message names
            the file and the key.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SchemeError(
                f"{path}: cannot read the coding scheme ({exc.strerror})"
            ) from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SchemeError(f"{path}: not valid UTF-8 TOML: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "<dict>"
    ) -> CodingScheme:
        """Validate a scheme given as a dict (the parsed TOML).

        Parameters
        ----------
        data : mapping
            Keys ``name``, ``variables`` and optionally ``description``.
        source : str
            Named in error messages, e.g. the file the dict came from.
        """

        def fail(key: str, problem: str) -> SchemeError:
            return SchemeError(f"{source}: key {key!r}: {problem}")

        if not isinstance(data, Mapping):
            raise SchemeError(f"{source}: a coding scheme must be a table/dict")
        unknown = sorted(set(data) - _SCHEME_KEYS)
        if unknown:
            raise fail(unknown[0], f"unknown key; allowed: {sorted(_SCHEME_KEYS)}")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail("name", "required, a non-empty string such as 'voice'")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise fail("description", "must be a string")
        raw_variables = data.get("variables")
        if not isinstance(raw_variables, list) or not raw_variables:
            raise fail("variables", "required: at least one [[variables]] table")
        variables = []
        for i, raw in enumerate(raw_variables):
            variables.append(_parse_variable(raw, f"variables[{i}]", fail))
        names = [v.name for v in variables]
        for i, variable_name in enumerate(names):
            if variable_name in names[:i]:
                raise fail(
                    f"variables[{i}].name",
                    f"variable {variable_name!r} is defined twice",
                )
        return cls(
            name=name.strip(),
            variables=tuple(variables),
            description=description.strip(),
            source=source,
        )


def _parse_variable(
    raw: Any, where: str, fail: Callable[[str, str], SchemeError]
) -> CodeVariable:
    if not isinstance(raw, Mapping):
        raise fail(where, "each [[variables]] entry must be a table")
    unknown = sorted(set(raw) - _VARIABLE_KEYS)
    if unknown:
        raise fail(
            f"{where}.{unknown[0]}", f"unknown key; allowed: {sorted(_VARIABLE_KEYS)}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(
            f"{where}.name",
            f"{name!r}: required; letters, digits, '_', '.', '-' (no spaces)",
        )
    multi = raw.get("multi", False)
    if not isinstance(multi, bool):
        raise fail(f"{where}.multi", f"must be true or false, not {multi!r}")
    codes = raw.get("codes")
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise fail(f"{where}.codes", 'required: a list of strings such as ["a", "b"]')
    minimum = 1 if multi else 2
    if len(codes) < minimum:
        raise fail(
            f"{where}.codes",
            f"variable {name!r} needs at least {minimum} codes (blank is not a code)",
        )
    for code in codes:
        if not code.strip() or code != code.strip():
            raise fail(
                f"{where}.codes", f"{code!r}: codes must be non-empty, no outer spaces"
            )
        if "\n" in code:
            raise fail(f"{where}.codes", f"{code!r}: codes must be on one line")
        if multi and MULTI_SEPARATOR in code:
            raise fail(
                f"{where}.codes",
                f"{code!r}: codes of a multi variable must not contain "
                f"{MULTI_SEPARATOR!r}, the separator",
            )
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise fail(f"{where}.codes", f"duplicate codes {duplicates}")
    labels = raw.get("labels", {})
    if not isinstance(labels, Mapping) or not all(
        isinstance(v, str) for v in labels.values()
    ):
        raise fail(f"{where}.labels", 'a table of code = "label"')
    stray = sorted(set(labels) - set(codes))
    if stray:
        raise fail(
            f"{where}.labels",
            f"labels for codes that are not in codes: {stray}; codes: {codes}",
        )
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise fail(f"{where}.description", "must be a string")
    return CodeVariable(
        name=name,
        codes=tuple(codes),
        labels=dict(labels),
        description=description.strip(),
        multi=multi,
    )


def _describe(variable: CodeVariable) -> str:
    if variable.multi:
        note = f"(several codes allowed, separated by '{MULTI_SEPARATOR}')"
        return f"{variable.description} {note}".strip()
    return variable.description
