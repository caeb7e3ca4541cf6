"""Adjudication: :func:`adjudication_sheet` and :func:`merge_adjudicated`.

:func:`adjudication_sheet` lists, for an adjudicator, every unit and
variable on which the coders disagree (or one left the code blank);
:func:`merge_adjudicated` reads the filled sheet back and, with the agreed
and single-coder codes, builds the gold table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .agreement import _check_codings, _variable_order
from .scheme import AnnotationError, CodingScheme, _problems_error
from .sheets import (
    _AtomicTarget,
    _cell_text,
    _check_target,
    _code_problem,
    _column_index,
    _column_letter,
    _get,
    _list_validation,
    _openpyxl,
    _read_sheet,
    _set_text_cell,
    _style_header,
    _text_width,
    _write_codebook,
    _write_csv,
)

ADJUDICATION_SHEET = "adjudication"


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
