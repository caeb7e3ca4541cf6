"""Manual coding: sample units, hand out coding sheets, read them back,
measure agreement, adjudicate and build a gold table.

The round trip, for any coding scheme (the voice of a naming now, document
frames later):

1. :func:`stratified_sample` draws the units to code, with weights that
   undo the stratification in later estimates;
2. :func:`write_coding_sheet` writes one sheet per coder (``.xlsx`` with
   drop-down lists of the codes and a ``codebook`` sheet, or ``.csv``);
3. :func:`read_coding_sheet` reads a filled sheet back, checks every code
   and reports *all* problems at once, by file, sheet, row and value;
4. :func:`agreement` gives Krippendorff's alpha with bootstrap CIs, overall
   and per code;
5. :func:`adjudication_sheet` lists the disagreements for an adjudicator,
   and :func:`merge_adjudicated` turns agreed and adjudicated codes into the
   gold table.

Coding scheme format
--------------------
A scheme is a TOML file (or the equivalent dict, see
:meth:`CodingScheme.from_dict`):

.. code-block:: toml

    name = "voice"
    description = "Whose voice names the event."      # optional

    [[variables]]
    name = "voice"                                    # column code_voice
    codes = ["own", "quoted", "scare", "attributed", "negated"]
    labels = { own = "Own voice", quoted = "Direct quotation" }  # optional
    description = "Who uses the term in this sentence?"
    multi = false          # optional; true: several codes, separated by ';'

Codes are case-sensitive, non-empty strings. A code without a label is
shown with the code as its label. In a ``multi`` variable a unit can carry
several codes, written ``"a;b"``; they are stored in scheme order, so
``"b;a"`` and ``"a;b"`` are the same value.

The codings table
-----------------
:func:`read_coding_sheet` returns, and :func:`agreement`,
:func:`adjudication_sheet` and :func:`merge_adjudicated` take, a tidy
table with one row per unit, coder and variable: ``unit_id`` (text),
``coder``, ``variable`` and ``value`` (missing where the coder left the
cell blank). Concatenate the tables of several coders with
:func:`pandas.concat`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tomllib
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from .errors import FramingError
from .evaluation import _check_ci, _check_n_boot, _percentile_ci
from .tables import fmt as _fmt
from .tables import latex_table as _latex_table
from .tables import markdown_table as _markdown_table
from .tables import text_table as _text_table

__all__ = [
    "AnnotationError",
    "SchemeError",
    "CodeVariable",
    "CodingScheme",
    "AgreementResult",
    "stratified_sample",
    "write_coding_sheet",
    "read_coding_sheet",
    "agreement",
    "adjudication_sheet",
    "merge_adjudicated",
]

CODING_SHEET = "coding"
CODEBOOK_SHEET = "codebook"
ADJUDICATION_SHEET = "adjudication"
MULTI_SEPARATOR = ";"
MAX_LISTED_PROBLEMS = 20
_CODINGS_COLUMNS = ("unit_id", "coder", "variable", "value")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_SCHEME_KEYS = {"name", "description", "variables"}
_VARIABLE_KEYS = {"name", "codes", "labels", "description", "multi"}
# Excel refuses longer cells, and an inline list validation longer than this.
_EXCEL_CELL_LIMIT = 32767
_INLINE_LIST_LIMIT = 255
_TRUNCATED = " [… truncated for Excel]"


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


# --- coding scheme ---------------------------------------------------------------


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


# --- sampling ----------------------------------------------------------------------


def _allocate(sizes: np.ndarray, n: int, minimums: np.ndarray) -> np.ndarray:
    """Proportional allocation with per-stratum floors and caps, summing to n.

    Strata whose proportional share falls below their floor are fixed at the
    floor and the rest is re-shared among the others; the final integer
    rounding gives the leftover units to the largest fractional shares.
    """
    fixed = np.zeros(sizes.size, dtype=bool)
    allocation = np.zeros(sizes.size, dtype=float)
    while True:
        free = ~fixed
        budget = n - allocation[fixed].sum()
        share = np.zeros(sizes.size)
        total = sizes[free].sum()
        if total > 0:
            share[free] = budget * sizes[free] / total
        low = free & (share < minimums)
        if low.any():
            allocation[low] = minimums[low]
            fixed |= low
            continue
        high = free & (share > sizes)
        if high.any():
            allocation[high] = sizes[high]
            fixed |= high
            continue
        allocation[free] = share[free]
        break
    counts = np.floor(allocation + 1e-9).astype(np.int64)
    leftover = int(n - counts.sum())
    if leftover > 0:
        fraction = np.where(counts < sizes, allocation - counts, -np.inf)
        # Stable sort: ties go to the earlier stratum, so the result is fixed.
        order = np.argsort(-fraction, kind="stable")
        counts[order[:leftover]] += 1
    return counts


def _stratum_text(value: Any) -> str:
    if _is_missing(value):
        return "<NA>"
    return _cell_text(value)


def stratified_sample(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str],
    n: int,
    seed: int = 0,
    min_per_stratum: int = 1,
) -> pd.DataFrame:
    """Draw ``n`` rows, allocated proportionally over strata.

    Parameters
    ----------
    frame : pandas.DataFrame
        The population of units (e.g. sentences with a mention).
    by : str or sequence of str
        Column(s) whose value combinations define the strata (missing values
        form a stratum of their own).
    n : int
        Sample size, at most ``len(frame)``.
    seed : int, default 0
        The same seed and frame give the same sample.
    min_per_stratum : int, default 1
        Every non-empty stratum gets at least this many rows (or all of its
        rows if it is smaller), so rare strata are represented.

    Returns
    -------
    pandas.DataFrame
        The sampled rows in their original order (index kept), with a
        ``stratum`` column (the ``by`` values joined by ``" | "``) and a
        ``weight`` column: stratum size / rows sampled from the stratum.
        Weighting each sampled unit by ``weight`` estimates population
        totals; the weights sum to ``len(frame)`` whenever every stratum is
        sampled (always, unless ``min_per_stratum=0``).

    Raises
    ------
    ValueError
        ``n`` is out of range, a ``by`` column is missing, or the minimums
        alone need more than ``n`` rows.

    Examples
    --------
    >>> population = pd.DataFrame(
    ...     {"outlet": ["a"] * 90 + ["b"] * 8 + ["c"] * 2, "x": range(100)}
    ... )
    >>> sample = stratified_sample(population, by="outlet", n=10, seed=1)
    >>> sample["stratum"].value_counts().sort_index().to_dict()
    {'a': 8, 'b': 1, 'c': 1}
    >>> float(sample["weight"].sum())
    100.0
    """
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise ValueError("by is empty; name at least one column to stratify on")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"stratum column(s) {missing} not in the frame; columns: "
            f"{list(frame.columns)}"
        )
    clash = [c for c in ("stratum", "weight") if c in frame.columns]
    if clash:
        raise ValueError(
            f"the frame already has column(s) {clash}, which the sample adds; "
            "rename or drop them first"
        )
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    if n > len(frame):
        raise ValueError(
            f"n={n} is larger than the population ({len(frame)} rows); "
            "lower n or sample with a larger frame"
        )
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int | np.integer)
        or min_per_stratum < 0
    ):
        raise ValueError(
            f"min_per_stratum must be a non-negative integer; got {min_per_stratum!r}"
        )
    labels = np.array(
        [
            " | ".join(_stratum_text(v) for v in row)
            for row in frame[columns].itertuples(index=False, name=None)
        ],
        dtype=object,
    )
    codes, strata = pd.factorize(labels, sort=True)
    sizes = np.bincount(codes, minlength=len(strata))
    minimums = np.minimum(sizes, min_per_stratum)
    if minimums.sum() > n:
        raise ValueError(
            f"min_per_stratum={min_per_stratum} over {len(strata)} strata of "
            f"{columns} needs {int(minimums.sum())} rows, more than n={n}; raise n "
            "or lower min_per_stratum"
        )
    counts = _allocate(sizes.astype(float), int(n), minimums.astype(float))
    rng = np.random.default_rng(seed)
    chosen: list[np.ndarray] = []
    weights = np.zeros(len(frame))
    for h in range(len(strata)):
        if counts[h] == 0:
            continue
        members = np.flatnonzero(codes == h)
        picked = rng.choice(members, size=int(counts[h]), replace=False)
        chosen.append(picked)
        weights[picked] = sizes[h] / counts[h]
    positions = np.sort(np.concatenate(chosen))
    sample = frame.iloc[positions].copy()
    sample["stratum"] = labels[positions].tolist()
    sample["weight"] = weights[positions]
    return sample


# --- cell values -------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell_text(value: Any) -> str:
    """A cell as text: integral numbers without '.0', dates in ISO form."""
    if _is_missing(value):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        number = float(value)
        # Excel stores every number as a float; an id 17 comes back as 17.0.
        if number.is_integer():
            return str(int(number))
        return repr(number)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _excel_value(value: Any) -> Any:
    """A value openpyxl can store and Excel can open."""
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones; keep the offset visible as text.
        return value.isoformat() if value.tzinfo is not None else value
    if isinstance(value, date):
        return value
    text = _ILLEGAL_XLSX.sub("", str(value))
    if len(text) > _EXCEL_CELL_LIMIT:
        text = text[: _EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return text


def _set_text_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=column, value=_excel_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        # openpyxl would store text starting with '=' as a formula.
        cell.data_type = "s"
    return cell


# --- atomic writing ----------------------------------------------------------------


def _check_target(path: Path, overwrite: bool) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise AnnotationError(
            f"{path}: unsupported file type {path.suffix!r}; use a .xlsx or .csv name"
        )
    if not path.parent.is_dir():
        raise AnnotationError(
            f"{path}: folder {path.parent} does not exist; create it first"
        )
    if path.exists() and not overwrite:
        raise AnnotationError(
            f"{path}: already exists (it may hold a coder's work); choose another "
            "name, or pass overwrite=True to replace it"
        )
    return suffix


@dataclass
class _AtomicTarget:
    path: Path

    def __post_init__(self) -> None:
        self.tmp = self.path.with_name(
            f".{self.path.stem}.{uuid.uuid4().hex[:8]}.tmp{self.path.suffix}"
        )

    def commit(self, write: Callable[[Path], None]) -> None:
        try:
            write(self.tmp)
            os.replace(self.tmp, self.path)
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    # utf-8-sig: Excel only detects UTF-8 (Cyrillic, quotes) with a BOM.
    _AtomicTarget(path).commit(
        lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8-sig")
    )


# --- xlsx writing ------------------------------------------------------------------


def _openpyxl() -> Any:
    import openpyxl

    return openpyxl


def _style_header(ws: Any, n_columns: int, highlight: set[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    grey = PatternFill("solid", start_color="DDDDDD")
    yellow = PatternFill("solid", start_color="FFF2CC")
    for column in range(1, n_columns + 1):
        cell = ws.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = yellow if column in highlight else grey
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"


def _text_width(values: Iterable[Any], header: str, *, cap: int) -> float:
    longest = max([len(header), *(len(_cell_text(v)) for v in values)], default=8)
    return float(min(max(longest + 2, 8), cap))


def _list_validation(
    codes: Sequence[str], *, multi: bool, codebook_range: str, title: str, prompt: str
) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    inline = ",".join(codes)
    if len(inline) <= _INLINE_LIST_LIMIT and not any(
        "," in c or '"' in c for c in codes
    ):
        formula = f'"{inline}"'
    else:
        # Excel caps inline lists at 255 characters and cannot escape commas.
        formula = codebook_range
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.promptTitle = title[:32]
    validation.prompt = prompt[:255]
    validation.showInputMessage = True
    validation.errorTitle = "Not a code"[:32]
    if multi:
        # Several codes "a;b" are not list items; the drop-down only suggests.
        validation.showErrorMessage = False
    else:
        validation.error = f"Choose a code from the list (see sheet {CODEBOOK_SHEET})."
        validation.showErrorMessage = True
    return validation


def _write_codebook(wb: Any, scheme: CodingScheme) -> dict[str, str]:
    """Add the codebook sheet; return each variable's code range on it."""
    from openpyxl.styles import Alignment

    ws = wb.create_sheet(CODEBOOK_SHEET)
    book = scheme.codebook()
    header = list(book.columns)
    for j, name in enumerate(header, start=1):
        ws.cell(row=1, column=j, value=name)
    ranges: dict[str, str] = {}
    row = 2
    for variable in scheme.variables:
        first = row
        for code in variable.codes:
            values = [variable.name, code, variable.labels[code], _describe(variable)]
            for j, value in enumerate(values, start=1):
                cell = _set_text_cell(ws, row, j, value)
                cell.alignment = Alignment(vertical="top", wrap_text=j == 4)
            row += 1
        ranges[variable.name] = f"'{CODEBOOK_SHEET}'!$B${first}:$B${row - 1}"
    _style_header(ws, len(header), set())
    for j, name in enumerate(header, start=1):
        letter = _column_letter(j)
        width = 60.0 if name == "description" else _text_width(book[name], name, cap=40)
        ws.column_dimensions[letter].width = width
    return ranges


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


# --- coding sheets -----------------------------------------------------------------


def write_coding_sheet(
    units: pd.DataFrame,
    path: str | Path,
    scheme: CodingScheme,
    *,
    id_column: str,
    context_columns: Sequence[str],
    coder: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a coding sheet for one coder: ``.xlsx`` or ``.csv`` by suffix.

    Columns: the id, the context columns, one empty ``code_<variable>``
    column per scheme variable, ``coder`` and ``comment``. The ``.xlsx``
    sheet ``coding`` has a frozen header, wrapped context text, a drop-down
    list of the codes in every code cell and a second sheet ``codebook``
    (variable, code, label, description). The file is written under a
    temporary name and renamed into place.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit to code, in the order the coder should see them.
    path : str or Path
        ``.xlsx`` (recommended) or ``.csv`` (UTF-8 with BOM so Excel opens
        it correctly; but Excel may read context text starting with ``=``,
        ``+``, ``-`` or ``@`` in a CSV file as a formula, another reason to
        prefer ``.xlsx``).
    scheme : CodingScheme
        The variables to code.
    id_column : str
        Column of ``units`` with a unique, non-missing id per unit.
    context_columns : sequence of str
        Columns the coder reads (e.g. the sentence and the mention).
    coder : str, optional
        Pre-fills the ``coder`` column.
    overwrite : bool, default False
        Replace an existing file; off by default so that a coder's filled
        sheet is never overwritten by accident.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scheme = CodingScheme.from_dict({"name": "voice", "variables": [
    ...     {"name": "voice", "codes": ["own", "quoted"]}]})
    >>> units = pd.DataFrame({"id": ["s1", "s2"], "sentence": ["A war.", "'A war'"]})
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_coding_sheet(units, folder / "alice.xlsx", scheme,
    ...                           id_column="id", context_columns=["sentence"])
    >>> import openpyxl
    >>> openpyxl.load_workbook(path).sheetnames
    ['coding', 'codebook']
    """
    path = Path(path)
    suffix = _check_target(path, overwrite)
    context = list(context_columns)
    table = _coding_table(units, scheme, id_column=id_column, context=context)
    if coder is not None:
        table["coder"] = coder
    if suffix == ".csv":
        _write_csv(path, table)
        return path

    from openpyxl.styles import Alignment

    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = CODING_SHEET
    header = list(table.columns)
    for j, name in enumerate(header, start=1):
        ws.cell(row=1, column=j, value=name)
    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    n_rows = len(table)
    for i, record in enumerate(table.itertuples(index=False, name=None), start=2):
        for j, (name, value) in enumerate(zip(header, record, strict=True), start=1):
            cell = _set_text_cell(ws, i, j, value)
            cell.alignment = wrap if name in context or name == "comment" else top
    code_columns = {v.column: v for v in scheme.variables}
    highlight = {j for j, name in enumerate(header, start=1) if name in code_columns}
    _style_header(ws, len(header), highlight)
    ranges = _write_codebook(wb, scheme)
    for j, name in enumerate(header, start=1):
        letter = _column_letter(j)
        if name in code_columns:
            variable = code_columns[name]
            validation = _list_validation(
                variable.codes,
                multi=variable.multi,
                codebook_range=ranges[variable.name],
                title=variable.name,
                prompt=variable.description or f"Code {variable.name}",
            )
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{n_rows + 1}")
            longest = max(len(c) for c in variable.codes)
            width = float(max(len(name), longest * (3 if variable.multi else 1)) + 4)
        elif name in context:
            width = _text_width(table[name].tolist(), name, cap=80)
        elif name == "comment":
            width = 40.0
        else:
            width = _text_width(table[name].tolist(), name, cap=30)
        ws.column_dimensions[letter].width = width
    _AtomicTarget(path).commit(lambda tmp: wb.save(tmp))
    return path


def _coding_table(
    units: pd.DataFrame, scheme: CodingScheme, *, id_column: str, context: list[str]
) -> pd.DataFrame:
    if not isinstance(units, pd.DataFrame):
        raise TypeError(f"units must be a pandas DataFrame, not {type(units).__name__}")
    if len(units) == 0:
        raise ValueError("units is empty: there is nothing to code")
    missing = [c for c in [id_column, *context] if c not in units.columns]
    if missing:
        raise ValueError(
            f"column(s) {missing} not in units; columns: {list(units.columns)}"
        )
    reserved = {v.column for v in scheme.variables} | {"coder", "comment"}
    clash = [c for c in [id_column, *context] if c in reserved]
    if clash:
        raise ValueError(
            f"column(s) {clash} clash with the sheet's own columns "
            f"{sorted(reserved)}; rename them in units"
        )
    if id_column in context:
        raise ValueError(f"id_column {id_column!r} is also listed in context_columns")
    ids = units[id_column]
    blank = [i for i, v in enumerate(ids.tolist()) if _cell_text(v) == ""]
    if blank:
        raise ValueError(
            f"id column {id_column!r} is missing or blank in {len(blank)} row(s) "
            f"(positions {blank[:10]}); every unit needs an id"
        )
    texts = [_cell_text(v) for v in ids.tolist()]
    duplicated = sorted(t for t, k in Counter(texts).items() if k > 1)
    if duplicated:
        raise ValueError(
            f"id column {id_column!r} has duplicate ids {duplicated[:10]}; ids must "
            "be unique"
        )
    table = units[[id_column, *context]].reset_index(drop=True).copy()
    # Ids travel as text, as read_coding_sheet returns them, so that a .csv
    # and a .xlsx sheet of the same units give the same unit_id values.
    table[id_column] = texts
    for variable in scheme.variables:
        table[variable.column] = ""
    table["coder"] = ""
    table["comment"] = ""
    return table


@dataclass
class _Sheet:
    """Rows of one CSV file or worksheet, with where each came from."""

    where: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]

    def row_label(self, number: int) -> str:
        return f"{self.where} row {number}"


def _read_sheet(path: Path, *, sheet: str | None, default: str, key: str) -> _Sheet:
    """Read a CSV file or an xlsx sheet; ``key`` helps pick the CSV delimiter."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AnnotationError(f"{path}: no such file")
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnnotationError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save "
                "it as 'CSV UTF-8' or as .xlsx"
            ) from exc
        first = text.split("\n", 1)[0]
        delimiter = ","
        # Excel in many European locales saves CSV with ';' or tabs.
        for candidate in (",", ";", "\t"):
            fields = next(csv.reader([first], delimiter=candidate), [])
            if key in [f.strip() for f in fields]:
                delimiter = candidate
                break
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if not records:
            raise AnnotationError(f"{path}: the file is empty; expected a header row")
        header = [h.strip() for h in records[0]]
        rows = [(i, list(r)) for i, r in enumerate(records[1:], start=2)]
        return _Sheet(str(path), header, rows)
    if suffix != ".xlsx":
        raise AnnotationError(
            f"{path}: unsupported file type {path.suffix!r}; read a .xlsx or .csv file"
        )
    openpyxl = _openpyxl()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise AnnotationError(
            f"{path}: cannot open as an Excel workbook ({exc}); re-save it as .xlsx"
        ) from exc
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise AnnotationError(
                    f"{path}: no sheet {sheet!r}; sheets: {names}; pass sheet= one "
                    "of them"
                )
            name = sheet
        else:
            name = default if default in names else names[0]
        ws = wb[name]
        ws.reset_dimensions()  # some writers store wrong sheet dimensions
        all_rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        wb.close()
    where = f"{path} sheet {name}"
    if not all_rows:
        raise AnnotationError(f"{where}: the sheet is empty; expected a header row")
    header = [_cell_text(h) for h in all_rows[0]]
    rows = [(i, r) for i, r in enumerate(all_rows[1:], start=2)]
    return _Sheet(where, header, rows)


def _column_index(sheet: _Sheet, name: str, fix: str) -> int:
    try:
        return sheet.header.index(name)
    except ValueError:
        raise AnnotationError(
            f"{sheet.where}: no column {name!r} in the header row; found "
            f"{[h for h in sheet.header if h]}. Fix: {fix}"
        ) from None


def _get(row: list[Any], index: int) -> Any:
    return row[index] if index < len(row) else None


def _code_problem(label: str, column: str, raw: str, variable: CodeVariable) -> str:
    """``<where>: column <column>: 'x' is not a code; allowed: [...]``."""
    _, bad = variable.canonical(raw)
    if variable.multi and bad and bad != [raw.strip()]:
        what = f"{raw!r}: " + ", ".join(repr(b) for b in bad)
        what += " is not a code" if len(bad) == 1 else " are not codes"
    else:
        what = f"{raw!r} is not a code"
    where = f"{label}: column {column}" if label else f"column {column}"
    allowed = f"allowed: {list(variable.codes)}"
    if variable.multi:
        allowed += f" (several separated by '{MULTI_SEPARATOR}')"
    return f"{where}: {what}; {allowed}"


def read_coding_sheet(
    path: str | Path,
    scheme: CodingScheme,
    *,
    id_column: str,
    coder: str | None = None,
    allow_blank: bool = False,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read a filled coding sheet and check every code against the scheme.

    Parameters
    ----------
    path : str or Path
        A ``.xlsx`` or ``.csv`` sheet as written by
        :func:`write_coding_sheet` (extra columns and reordered columns are
        fine; fully empty rows are skipped).
    scheme : CodingScheme
        Each variable needs a ``code_<variable>`` column.
    id_column : str
        The id column's header.
    coder : str, optional
        The coder's name. Default: the sheet's ``coder`` column (one name for
        the whole sheet), else the file name without suffix.
    allow_blank : bool, default False
        Accept blank code cells (returned as missing values); otherwise
        each blank cell is a problem.
    sheet : str, optional
        Worksheet to read; default ``coding``, else the first sheet.

    Returns
    -------
    pandas.DataFrame
        Tidy codings: ``unit_id`` (text), ``coder``, ``variable``, ``value``,
        one row per unit and variable, in sheet order.

    Raises
    ------
    AnnotationError
        Listing every problem (up to 20 in the message) as ``<file> sheet
        <name> row <row>: column <column>: ...``, with the spreadsheet row
        number (the header is row 1): codes not in the scheme, blank codes,
        blank or duplicate ids, several coder names in one sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scheme = CodingScheme.from_dict({"name": "voice", "variables": [
    ...     {"name": "voice", "codes": ["own", "quoted"]}]})
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "bob.csv").write_text(
    ...     "id,sentence,code_voice,coder,comment\\n"
    ...     "s1,A war.,own,,\\n"
    ...     "s2,'A war',quoted,,\\n", encoding="utf-8")
    >>> read_coding_sheet(folder / "bob.csv", scheme, id_column="id")
      unit_id coder variable   value
    0      s1   bob    voice     own
    1      s2   bob    voice  quoted
    >>> _ = (folder / "eve.csv").write_text(
    ...     "id,code_voice\\ns1,ownn\\n", encoding="utf-8")
    >>> read_coding_sheet(folder / "eve.csv", scheme, id_column="id")
    Traceback (most recent call last):
    ...
    framing.annotation.AnnotationError: ...eve.csv: 1 problem(s)
      ...eve.csv row 2: column code_voice: 'ownn' is not a code; allowed: [...]
    Fix: ...
    """
    path = Path(path)
    data = _read_sheet(path, sheet=sheet, default=CODING_SHEET, key=id_column)
    id_index = _column_index(
        data, id_column, f"pass the id column's header as id_column= ({id_column!r})"
    )
    variable_index = {
        v.name: _column_index(
            data,
            v.column,
            f"the sheet lacks the code column of variable {v.name!r}: use the "
            f"sheet written for scheme {scheme.name!r}, or the matching scheme",
        )
        for v in scheme.variables
    }
    coder_index = data.header.index("coder") if "coder" in data.header else None
    problems: list[str] = []
    seen: dict[str, int] = {}
    units: list[tuple[str, dict[str, str | None]]] = []
    coder_names: dict[str, int] = {}
    for number, row in data.rows:
        if all(_cell_text(v) == "" for v in row):
            continue
        label = data.row_label(number)
        unit = _cell_text(_get(row, id_index))
        if unit == "":
            problems.append(
                f"{label}: column {id_column}: blank id; every row needs one"
            )
        elif unit in seen:
            problems.append(
                f"{label}: column {id_column}: duplicate id {unit!r} (also row "
                f"{seen[unit]}); each unit must appear once"
            )
        else:
            seen[unit] = number
        values: dict[str, str | None] = {}
        for variable in scheme.variables:
            raw = _cell_text(_get(row, variable_index[variable.name]))
            if raw == "":
                values[variable.name] = None
                if not allow_blank:
                    problems.append(
                        f"{label}: column {variable.column}: blank; enter one of "
                        f"{list(variable.codes)} (or pass allow_blank=True)"
                    )
                continue
            value, _ = variable.canonical(raw)
            if value is None:
                problems.append(_code_problem(label, variable.column, raw, variable))
            values[variable.name] = value
        if coder_index is not None:
            name = _cell_text(_get(row, coder_index))
            if name:
                coder_names.setdefault(name, number)
        units.append((unit, values))
    if coder is None and len(coder_names) > 1:
        listing = ", ".join(f"{n!r} (row {r})" for n, r in coder_names.items())
        problems.append(
            f"{data.where}: column coder: several coders in one sheet: {listing}"
        )
    if problems:
        raise _problems_error(
            data.where,
            problems,
            "correct the cells listed (codes are case-sensitive; see the "
            f"codebook of scheme {scheme.name!r}), save, and read the sheet again",
        )
    if coder is None:
        coder = next(iter(coder_names), path.stem)
    records = [
        (unit, coder, name, value)
        for unit, values in units
        for name, value in values.items()
    ]
    return pd.DataFrame.from_records(records, columns=list(_CODINGS_COLUMNS))


# --- agreement ---------------------------------------------------------------------


def _check_codings(codings: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(codings, pd.DataFrame):
        raise TypeError(
            f"codings must be a pandas DataFrame, not {type(codings).__name__}"
        )
    missing = [c for c in _CODINGS_COLUMNS if c not in codings.columns]
    if missing:
        raise ValueError(
            f"codings lacks column(s) {missing}; expected the tidy table of "
            f"read_coding_sheet: {list(_CODINGS_COLUMNS)}"
        )
    frame = pd.DataFrame(
        {
            "unit_id": [_cell_text(v) for v in codings["unit_id"].tolist()],
            "coder": [_cell_text(v) for v in codings["coder"].tolist()],
            "variable": [_cell_text(v) for v in codings["variable"].tolist()],
            "value": [
                None if _is_missing(v) or _cell_text(v) == "" else _cell_text(v)
                for v in codings["value"].tolist()
            ],
        }
    )
    duplicated = frame.duplicated(["unit_id", "coder", "variable"], keep=False)
    if duplicated.any():
        pairs = (
            frame.loc[duplicated, ["unit_id", "coder", "variable"]]
            .drop_duplicates()
            .itertuples(index=False, name=None)
        )
        problems = [
            f"unit {u!r}, coder {c!r}, variable {v!r}: coded more than once"
            for u, c, v in pairs
        ]
        raise _problems_error(
            "codings",
            problems,
            "concatenate each coder's sheet once, and give each coder a distinct "
            "name (read_coding_sheet(..., coder=...))",
        )
    return frame


def _variable_order(
    frame: pd.DataFrame, variables: Sequence[str] | None, scheme: CodingScheme | None
) -> list[str]:
    present = list(dict.fromkeys(frame["variable"].tolist()))
    if variables is not None:
        chosen = [variables] if isinstance(variables, str) else list(variables)
        absent = [v for v in chosen if v not in present]
        if absent:
            raise ValueError(
                f"variable(s) {absent} have no codings; coded variables: {present}"
            )
        return chosen
    if scheme is not None:
        return [v for v in scheme.variable_names if v in present] + [
            v for v in present if v not in scheme.variable_names
        ]
    return present


def _alpha_from_counts(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Nominal alpha of weighted unit sets, one per row of ``weights``.

    ``counts`` is (units, values): how many coders gave each value to each
    pairable unit. A unit with ``m`` values adds ``n_c (n_k - [c = k]) /
    (m - 1)`` to cell ``(c, k)`` of the coincidence matrix, so its marginal
    row adds ``n_c`` and its diagonal ``n_c (n_c - 1) / (m - 1)``; weighting
    units (bootstrap multiplicities) weights these contributions.
    """
    m = counts.sum(axis=1).astype(float)
    diagonal = (counts * (counts - 1)).sum(axis=1) / (m - 1)
    n = weights @ m
    observed = n - weights @ diagonal
    marginals = weights @ counts.astype(float)
    expected = n * n - (marginals * marginals).sum(axis=1)
    out = np.full(n.shape, np.nan)
    ok = expected > 0
    out[ok] = 1 - (n[ok] - 1) * observed[ok] / expected[ok]
    return out


def _alpha(counts: np.ndarray) -> float:
    """Krippendorff's nominal alpha; NaN when undefined (no variation)."""
    if counts.shape[0] == 0:
        return math.nan
    marginals = counts.sum(axis=0).astype(float)
    n = marginals.sum()
    if n * n - (marginals * marginals).sum() <= 0:
        # Every value is the same: expected disagreement is 0 and alpha 0/0.
        return math.nan
    return float(
        krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    )


def _bootstrap_weights(
    n_units: int, n_boot: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Unit multiplicities of bootstrap resamples, in memory-bounded chunks."""
    chunk = max(1, 2_000_000 // max(n_units, 1))
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        yield rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=size)
        done += size


@dataclass(frozen=True)
class AgreementResult:
    """Inter-coder agreement per variable and per code.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: ``variable, code, alpha, ci_low, ci_high, percent_agreement,
        n_units, n_coders``. ``code == ""`` is the variable's overall
        nominal alpha; other rows binarise one code (code vs any other).
        ``n_units`` counts pairable units (coded by at least two coders);
        ``percent_agreement`` is the share of them on which all their coders
        agree (on a per-code row: agree whether the code applies). Alpha is
        NaN where undefined (all values identical, or no pairable unit).
    n_boot, seed, ci
        Bootstrap settings.
    """

    table: pd.DataFrame
    n_boot: int
    seed: int
    ci: float

    def _rows(self, digits: int) -> tuple[list[str], list[list[str]]]:
        header = [
            "variable",
            "code",
            "alpha",
            f"{self.ci:.0%} CI",
            "% agree",
            "units",
            "coders",
        ]
        rows = []
        for r in self.table.to_dict(orient="records"):
            low, high = float(r["ci_low"]), float(r["ci_high"])
            ci_text = (
                f"[{_fmt(low, digits)}, {_fmt(high, digits)}]"
                if math.isfinite(low) and math.isfinite(high)
                else ""
            )
            rows.append(
                [
                    str(r["variable"]),
                    str(r["code"]) or "(all)",
                    _fmt(float(r["alpha"]), digits),
                    ci_text,
                    _fmt(100 * float(r["percent_agreement"]), 1),
                    str(r["n_units"]),
                    str(r["n_coders"]),
                ]
            )
        return header, rows

    def _caption(self) -> str:
        how = (
            f"{self.ci:.0%} percentile bootstrap CIs over units ({self.n_boot} "
            f"resamples, seed {self.seed})"
            if self.n_boot
            else "no bootstrap (n_boot=0)"
        )
        return f"Krippendorff's alpha (nominal); per-code rows binarise the code; {how}"

    def summary(self, *, digits: int = 3) -> str:
        """A plain-text table of alpha, CI and percent agreement."""
        text = f"Inter-coder agreement: {self._caption()}\n"
        text += _text_table(*self._rows(digits), left=2)
        if self.table["alpha"].isna().any():
            text += "\nn/a: alpha undefined (no variation in the codes, or no pairs)"
        return text

    def to_markdown(self, *, digits: int = 3) -> str:
        """The table as Markdown."""
        return _markdown_table(*self._rows(digits), left=2)

    def to_latex(
        self, *, digits: int = 3, caption: str | None = None, label: str | None = None
    ) -> str:
        """The table as a booktabs LaTeX table."""
        return _latex_table(
            *self._rows(digits),
            caption=caption or self._caption(),
            label=label,
            left=2,
        )


def agreement(
    codings: pd.DataFrame,
    *,
    variables: Sequence[str] | None = None,
    scheme: CodingScheme | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> AgreementResult:
    """Krippendorff's alpha with bootstrap CIs, per variable and per code.

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings of several coders (``unit_id, coder, variable,
        value``), e.g. the concatenated results of :func:`read_coding_sheet`.
        Missing values are missing codes.
    variables : sequence of str, optional
        Variables to assess; default all coded variables.
    scheme : CodingScheme, optional
        Orders variables and codes, lists codes nobody used, and splits the
        values of ``multi`` variables into their codes for the per-code
        rows. Without it the codes are the observed values, sorted.
    n_boot : int, default 1000
        Bootstrap resamples of units (0: no intervals).
    seed : int, default 0
        Seed; a variable's intervals depend only on it, the seed and the
        variable's name.
    ci : float, default 0.95
        Confidence level of the percentile intervals.

    Returns
    -------
    AgreementResult
        ``.table``, ``.summary()``, ``.to_markdown()``, ``.to_latex()``.

    Notes
    -----
    Alpha is computed by :func:`krippendorff.alpha` at the nominal level;
    units coded by fewer than two coders are not pairable and do not count,
    as in Krippendorff's definition. The interval resamples pairable units
    with replacement and takes percentiles of the replicate alphas; a
    replicate in which alpha is undefined (no variation) is left out.
    ``multi`` values are compared as whole sets for the overall alpha.

    Examples
    --------
    >>> codings = pd.DataFrame({
    ...     "unit_id": [str(u) for u in range(1, 6)] * 2,
    ...     "coder": ["ann"] * 5 + ["ben"] * 5,
    ...     "variable": "voice",
    ...     "value": ["own", "own", "quoted", "quoted", "scare",
    ...               "own", "own", "quoted", "own", "scare"],
    ... })
    >>> result = agreement(codings, n_boot=200)
    >>> result.table[["code", "alpha", "percent_agreement", "n_units"]].round(3)
         code  alpha  percent_agreement  n_units
    0          0.710                0.8        5
    1     own  0.640                0.8        5
    2  quoted  0.571                0.8        5
    3   scare  1.000                1.0        5
    >>> print(result.summary().splitlines()[2])
    voice     (all)   0.710  [...]     80.0      5       2
    """
    _check_ci(ci)
    _check_n_boot(n_boot)
    frame = _check_codings(codings)
    records: list[dict[str, Any]] = []
    for name in _variable_order(frame, variables, scheme):
        variable = None
        if scheme is not None and name in scheme.variable_names:
            variable = scheme.variable(name)
        sub = frame[(frame["variable"] == name) & frame["value"].notna()]
        coders = list(dict.fromkeys(sub["coder"].tolist()))
        units: dict[str, list[str]] = {}
        for unit, value in zip(
            sub["unit_id"].tolist(), sub["value"].tolist(), strict=True
        ):
            if variable is not None and variable.multi:
                # "b;a" and "a;b" are the same set of codes.
                value = variable.canonical(value)[0] or value
            units.setdefault(unit, []).append(value)
        pairable = [values for values in units.values() if len(values) >= 2]
        observed = sorted({v for values in pairable for v in values})
        if variable is not None:
            codes = list(variable.codes)
            overall_values = (
                observed
                if variable.multi
                else codes + [v for v in observed if v not in codes]
            )
        else:
            codes = observed
            overall_values = observed
        columns: list[tuple[str, np.ndarray]] = []
        index = {v: i for i, v in enumerate(overall_values)}
        overall = np.zeros((len(pairable), max(len(overall_values), 1)), dtype=np.int64)
        for u, values in enumerate(pairable):
            for v in values:
                overall[u, index[v]] += 1
        columns.append(("", overall))
        m = np.array([len(values) for values in pairable], dtype=np.int64)
        for code in codes:
            hits = np.array(
                [
                    sum(
                        (code in v.split(MULTI_SEPARATOR))
                        if variable is not None and variable.multi
                        else v == code
                        for v in values
                    )
                    for values in pairable
                ],
                dtype=np.int64,
            )
            columns.append((code, np.column_stack([m - hits, hits])))
        n_units = len(pairable)
        rng = np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])
        replicates: list[list[np.ndarray]] = [[] for _ in columns]
        if n_boot and n_units:
            for weights in _bootstrap_weights(n_units, n_boot, rng):
                for i, (_, counts) in enumerate(columns):
                    replicates[i].append(_alpha_from_counts(weights, counts))
        for (code, counts), reps in zip(columns, replicates, strict=True):
            boot = np.concatenate(reps) if reps else np.empty(0)
            low, high = _percentile_ci(boot[:, None], ci)
            agree = (counts.max(axis=1) == counts.sum(axis=1)) if n_units else None
            records.append(
                {
                    "variable": name,
                    "code": code,
                    "alpha": _alpha(counts),
                    "ci_low": float(low[0]),
                    "ci_high": float(high[0]),
                    "percent_agreement": float(agree.mean())
                    if agree is not None
                    else math.nan,
                    "n_units": n_units,
                    "n_coders": len(coders),
                }
            )
    table = pd.DataFrame.from_records(
        records,
        columns=[
            "variable",
            "code",
            "alpha",
            "ci_low",
            "ci_high",
            "percent_agreement",
            "n_units",
            "n_coders",
        ],
    )
    return AgreementResult(table=table, n_boot=int(n_boot), seed=seed, ci=float(ci))


# --- adjudication ------------------------------------------------------------------


@dataclass
class _Status:
    unit: str
    variable: str
    by_coder: dict[str, str | None]
    status: str  # "agreed", "single" or "disagree"
    value: str | None


def _statuses(frame: pd.DataFrame, variables: list[str]) -> list[_Status]:
    order = {v: i for i, v in enumerate(variables)}
    grouped: dict[tuple[str, str], dict[str, str | None]] = {}
    for unit, coder, variable, value in frame.itertuples(index=False, name=None):
        grouped.setdefault((unit, variable), {})[coder] = value
    unit_order = {u: i for i, u in enumerate(dict.fromkeys(frame["unit_id"].tolist()))}
    keys = sorted(
        grouped, key=lambda k: (unit_order[k[0]], order.get(k[1], len(order)))
    )
    out = []
    for unit, variable in keys:
        by_coder = grouped[(unit, variable)]
        values = list(by_coder.values())
        if len(values) == 1 and values[0] is not None:
            out.append(_Status(unit, variable, by_coder, "single", values[0]))
        elif None not in values and len(set(values)) == 1:
            out.append(_Status(unit, variable, by_coder, "agreed", values[0]))
        else:
            out.append(_Status(unit, variable, by_coder, "disagree", None))
    return out


def adjudication_sheet(
    codings: pd.DataFrame,
    path: str | Path,
    *,
    context: pd.DataFrame | None = None,
    id_column: str = "unit_id",
    scheme: CodingScheme | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Write the disagreements for an adjudicator: one row per unit and variable.

    A unit needs adjudication on a variable when its coders gave different
    codes, or when any of them left it blank. Columns: the id, ``variable``,
    the context columns, one column per coder with that coder's code, an
    empty ``final`` column to fill, and ``comment``.

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings of all coders.
    path : str or Path
        ``.xlsx`` (sheet ``adjudication``) or ``.csv``; written atomically.
    context : pandas.DataFrame, optional
        The units with an ``id_column`` column; every other column is shown
        as context.
    id_column : str, default "unit_id"
        Header of the id column in ``context`` and in the written sheet.
    scheme : CodingScheme, optional
        For ``.xlsx``: a drop-down of each row's variable's codes on
        ``final`` and a ``codebook`` sheet.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pandas.DataFrame
        The rows written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> codings = pd.DataFrame({
    ...     "unit_id": ["1", "2", "1", "2"], "coder": ["ann", "ann", "ben", "ben"],
    ...     "variable": "voice", "value": ["own", "own", "own", "quoted"]})
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sheet = adjudication_sheet(codings, folder / "adjudicate.csv")
    >>> sheet[["unit_id", "variable", "ann", "ben"]]
      unit_id variable  ann     ben
    0       2    voice  own  quoted
    """
    path = Path(path)
    suffix = _check_target(path, overwrite)
    frame = _check_codings(codings)
    variables = _variable_order(frame, None, scheme)
    coders = list(dict.fromkeys(frame["coder"].tolist()))
    context_table, context_columns = _context_lookup(context, id_column)
    fixed = {id_column, "variable", "final", "comment", *context_columns}
    clash = [c for c in coders if c in fixed]
    if clash:
        raise ValueError(
            f"coder name(s) {clash} clash with the sheet's columns {sorted(fixed)}; "
            "rename the coders in codings"
        )
    rows = []
    for status in _statuses(frame, variables):
        if status.status != "disagree":
            continue
        row: dict[str, Any] = {id_column: status.unit, "variable": status.variable}
        for column in context_columns:
            row[column] = context_table.get(status.unit, {}).get(column)
        for coder in coders:
            value = status.by_coder.get(coder)
            row[coder] = "" if value is None else value
        row["final"] = ""
        row["comment"] = ""
        rows.append(row)
    header = [id_column, "variable", *context_columns, *coders, "final", "comment"]
    table = pd.DataFrame(rows, columns=header)
    if suffix == ".csv":
        _write_csv(path, table)
        return table

    from openpyxl.styles import Alignment

    wb = _openpyxl().Workbook()
    ws = wb.active
    ws.title = ADJUDICATION_SHEET
    for j, name in enumerate(header, start=1):
        ws.cell(row=1, column=j, value=name)
    for i, record in enumerate(table.itertuples(index=False, name=None), start=2):
        for j, (name, value) in enumerate(zip(header, record, strict=True), start=1):
            cell = _set_text_cell(ws, i, j, value)
            cell.alignment = Alignment(
                vertical="top", wrap_text=name in context_columns or name == "comment"
            )
    final_column = header.index("final") + 1
    _style_header(ws, len(header), {final_column})
    if scheme is not None:
        ranges = _write_codebook(wb, scheme)
        letter = _column_letter(final_column)
        for name in variables:
            if name not in scheme.variable_names:
                continue
            variable = scheme.variable(name)
            sheet_rows = [
                i
                for i, v in enumerate(table["variable"].tolist(), start=2)
                if v == name
            ]
            if not sheet_rows:
                continue
            validation = _list_validation(
                variable.codes,
                multi=variable.multi,
                codebook_range=ranges[name],
                title=name,
                prompt=variable.description or f"Final code of {name}",
            )
            ws.add_data_validation(validation)
            for first, last in _runs(sheet_rows):
                validation.add(f"{letter}{first}:{letter}{last}")
    for j, name in enumerate(header, start=1):
        if name in context_columns:
            width = _text_width(table[name].tolist(), name, cap=80)
        elif name == "comment":
            width = 40.0
        else:
            width = _text_width(table[name].tolist(), name, cap=30)
        ws.column_dimensions[_column_letter(j)].width = width
    _AtomicTarget(path).commit(lambda tmp: wb.save(tmp))
    return table


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted integers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _context_lookup(
    context: pd.DataFrame | None, id_column: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    if context is None:
        return {}, []
    if id_column not in context.columns:
        raise ValueError(
            f"context lacks the id column {id_column!r}; columns: "
            f"{list(context.columns)}; pass id_column="
        )
    columns = [c for c in context.columns if c != id_column]
    lookup: dict[str, dict[str, Any]] = {}
    for record in context.to_dict(orient="records"):
        unit = _cell_text(record[id_column])
        if unit in lookup:
            raise ValueError(f"context has the id {unit!r} twice; ids must be unique")
        lookup[unit] = {c: record[c] for c in columns}
    return lookup, [str(c) for c in columns]


def merge_adjudicated(
    codings: pd.DataFrame,
    adjudicated_path: str | Path,
    *,
    scheme: CodingScheme,
    id_column: str = "unit_id",
    sheet: str | None = None,
) -> pd.DataFrame:
    """Build the gold table from agreed codes and an adjudicated sheet.

    Parameters
    ----------
    codings : pandas.DataFrame
        The tidy codings the adjudication sheet was written from.
    adjudicated_path : str or Path
        The sheet of :func:`adjudication_sheet` with ``final`` filled in.
    scheme : CodingScheme
        Every ``final`` must be a code of its row's variable.
    id_column : str, default "unit_id"
        The id column's header in the adjudicated sheet.
    sheet : str, optional
        Worksheet; default ``adjudication``, else the first.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, variable, value, source`` with ``source`` ``"agreed"``
        (all coders gave the same code), ``"adjudicated"`` (the sheet's
        ``final``) or ``"single"`` (only one coder coded the unit, so there
        was nothing to compare).

    Raises
    ------
    AnnotationError
        Naming the file, sheet and row of every disagreement whose
        ``final`` is blank or not a code, disagreements missing from the
        sheet, and duplicate rows. Rows for units that are not (or no
        longer) disagreements are ignored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> scheme = CodingScheme.from_dict({"name": "voice", "variables": [
    ...     {"name": "voice", "codes": ["own", "quoted"]}]})
    >>> codings = pd.DataFrame({
    ...     "unit_id": ["1", "2", "1", "2"], "coder": ["ann", "ann", "ben", "ben"],
    ...     "variable": "voice", "value": ["own", "own", "own", "quoted"]})
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sheet = adjudication_sheet(codings, folder / "adj.csv")
    >>> sheet["final"] = "quoted"
    >>> sheet.to_csv(folder / "adj.csv", index=False)
    >>> merge_adjudicated(codings, folder / "adj.csv", scheme=scheme)
      unit_id variable   value       source
    0       1    voice     own       agreed
    1       2    voice  quoted  adjudicated
    """
    path = Path(adjudicated_path)
    frame = _check_codings(codings)
    variables = _variable_order(frame, None, scheme)
    unknown = [v for v in variables if v not in scheme.variable_names]
    if unknown:
        raise AnnotationError(
            f"codings have variable(s) {unknown} that scheme {scheme.name!r} "
            f"({scheme.source}) does not define; pass the scheme they were coded with"
        )
    data = _read_sheet(path, sheet=sheet, default=ADJUDICATION_SHEET, key=id_column)
    fix_columns = "use the sheet written by adjudication_sheet (same id_column)"
    id_index = _column_index(data, id_column, fix_columns)
    variable_index = _column_index(data, "variable", fix_columns)
    final_index = _column_index(data, "final", fix_columns)
    problems: list[str] = []
    finals: dict[tuple[str, str], tuple[int, str]] = {}
    for number, row in data.rows:
        if all(_cell_text(v) == "" for v in row):
            continue
        key = (_cell_text(_get(row, id_index)), _cell_text(_get(row, variable_index)))
        if key in finals:
            problems.append(
                f"{data.row_label(number)}: unit {key[0]!r} variable {key[1]!r} "
                f"appears twice (also row {finals[key][0]}); keep one row"
            )
            continue
        finals[key] = (number, _cell_text(_get(row, final_index)))
    gold: list[tuple[str, str, str | None, str]] = []
    for status in _statuses(frame, variables):
        variable = scheme.variable(status.variable)
        if status.status != "disagree":
            value = status.value or ""
            canonical, _ = variable.canonical(value)
            if canonical is None:
                problems.append(
                    f"codings: unit {status.unit!r} variable {status.variable!r}: "
                    + _code_problem("", "value", value, variable)
                )
            gold.append((status.unit, status.variable, canonical, status.status))
            continue
        entry = finals.get((status.unit, status.variable))
        if entry is None:
            problems.append(
                f"{data.where}: unit {status.unit!r} variable {status.variable!r} is "
                "a disagreement but has no row; write the sheet again with "
                "adjudication_sheet from these codings"
            )
            continue
        number, text = entry
        label = data.row_label(number)
        if text == "":
            problems.append(
                f"{label}: column final: blank for unit {status.unit!r} variable "
                f"{status.variable!r}; enter one of {list(variable.codes)}"
            )
            continue
        canonical, _ = variable.canonical(text)
        if canonical is None:
            problems.append(_code_problem(label, "final", text, variable))
            continue
        gold.append((status.unit, status.variable, canonical, "adjudicated"))
    if problems:
        raise _problems_error(
            data.where,
            problems,
            "fill column final of every row with a code of the row's variable, "
            "save, and merge again",
        )
    return pd.DataFrame.from_records(
        gold, columns=["unit_id", "variable", "value", "source"]
    )
