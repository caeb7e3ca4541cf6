"""Coding sheets: :func:`write_coding_sheet` and :func:`read_coding_sheet`.

A sheet is written per coder (``.xlsx`` with drop-down lists of the codes
and a ``codebook`` sheet, or ``.csv``), atomically, and read back with every
code checked against the scheme and *all* problems reported at once. The
private helpers here -- cell values as text and as Excel values, atomic
writing, xlsx styling and validation lists, reading a CSV file or
worksheet -- are shared with :mod:`~framing.annotation.adjudication`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .scheme import (
    MULTI_SEPARATOR,
    AnnotationError,
    CodeVariable,
    CodingScheme,
    _describe,
    _problems_error,
)

CODING_SHEET = "coding"
CODEBOOK_SHEET = "codebook"
_CODINGS_COLUMNS = ("unit_id", "coder", "variable", "value")
# Excel refuses longer cells, and an inline list validation longer than this.
_EXCEL_CELL_LIMIT = 32767
_INLINE_LIST_LIMIT = 255
_TRUNCATED = " [… truncated for Excel]"


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
    framing.annotation.scheme.AnnotationError: ...eve.csv: 1 problem(s)
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
