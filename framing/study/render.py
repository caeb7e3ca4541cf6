"""Writing a study's figures, tables and LaTeX macros into a stage folder.

Tables go out as CSV (full precision, fixed float format) and as booktabs
LaTeX (rounded for print); figures through
:func:`framing.plots.save_figure`, which fixes PDF metadata. The macros
file lets a paper quote the study's numbers without copying them by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..plots.style import save_figure
from ..tables import latex_table

__all__ = [
    "column_name",
    "latex_macro_name",
    "save_study_figure",
    "slug",
    "write_frame_table",
    "estimate_macros",
    "naming_macros",
    "write_macros",
    "write_result_table",
]

CSV_FLOAT_FORMAT = "%.10g"


def slug(text: str) -> str:
    """A file-name-safe lower-case form.

    Examples
    --------
    >>> slug("Ukrainian presidency")
    'ukrainian-presidency'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def column_name(text: str) -> str:
    return slug(text).replace("-", "_")


def save_study_figure(
    figure: Figure, folder: Path, name: str, formats: tuple[str, ...]
) -> None:
    save_figure(figure, folder / "figures" / name, formats=formats)
    plt.close(figure)


P_COLUMNS = ("p", "p_adj")


def _cells(frame: pd.DataFrame, digits: int) -> list[list[str]]:
    rows = []
    p_columns = {i for i, c in enumerate(frame.columns) if c in P_COLUMNS}
    for row in frame.itertuples(index=False):
        cells = []
        for i, value in enumerate(row):
            if i in p_columns and isinstance(value, float | np.floating):
                # p-values print as "<0.001", never as a misleading 0.000
                cells.append(
                    ""
                    if np.isnan(value)
                    else ("<0.001" if value < 0.001 else f"{value:.3f}")
                )
            elif isinstance(value, float | np.floating):
                cells.append("" if np.isnan(value) else f"{value:.{digits}f}")
            elif isinstance(value, pd.Timestamp):
                cells.append(value.strftime("%Y-%m-%d"))
            else:
                cells.append(str(value))
        rows.append(cells)
    return rows


def write_frame_table(
    frame: pd.DataFrame,
    folder: Path,
    name: str,
    study: Any,
    *,
    caption: str | None = None,
    label: str | None = None,
    latex_columns: list[str] | None = None,
) -> None:
    """Write ``frame`` as ``tables/<name>.csv`` and ``.tex`` (as configured).

    The CSV has every column at full precision; the LaTeX table, meant for
    print, only ``latex_columns`` (default: all), rounded to ``digits``.
    """
    target = folder / "tables"
    target.mkdir(parents=True, exist_ok=True)
    if "csv" in study.table_formats:
        frame.to_csv(
            target / f"{name}.csv",
            index=False,
            float_format=CSV_FLOAT_FORMAT,
            date_format="%Y-%m-%d",
            lineterminator="\n",
        )
    if "tex" in study.table_formats:
        if latex_columns is not None:
            frame = frame[latex_columns]
        left = sum(
            1 for dtype in frame.dtypes if not pd.api.types.is_numeric_dtype(dtype)
        )
        text = latex_table(
            [str(c) for c in frame.columns],
            _cells(frame, study.digits),
            caption=caption,
            label=label or f"tab:{name}",
            left=max(left, 1),
        )
        (target / f"{name}.tex").write_text(text, encoding="utf-8")


def write_result_table(
    result: Any,
    folder: Path,
    name: str,
    study: Any,
    *,
    caption: str | None = None,
    label: str | None = None,
) -> None:
    """Write a :class:`~framing.stats.StatsResult`'s table (CSV and LaTeX).

    The LaTeX table shows the term, its method if several, the estimate, the
    interval and the adjusted p-value.
    """
    shown = result.table.drop(columns=["model"], errors="ignore")
    columns = ["term"]
    if "method" in shown and shown["method"].nunique() > 1:
        columns.append("method")
    columns += ["estimate", "ci_low", "ci_high", "p_adj"]
    write_frame_table(
        shown, folder, name, study, caption=caption, label=label, latex_columns=columns
    )


_DIGIT_WORDS = ["zero", "one", "two", "three", "four"]
_DIGIT_WORDS += ["five", "six", "seven", "eight", "nine"]


def latex_macro_name(*parts: str) -> str:
    """A LaTeX command name from words (letters only; digits spelled out).

    Examples
    --------
    >>> latex_macro_name("share", "Ukrainian presidency", "invasion", "after")
    'shareUkrainianPresidencyInvasionAfter'
    """
    words: list[str] = []
    for part in parts:
        for word in re.split(r"[^A-Za-z0-9]+", part):
            if not word:
                continue
            word = "".join(
                _DIGIT_WORDS[int(ch)].capitalize() if ch.isdigit() else ch
                for ch in word
            )
            words.append(word[0].upper() + word[1:])
    name = "".join(words)
    return name[0].lower() + name[1:]


def _number(value: float, digits: int) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}f}"


def _p_value(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "$<$0.001" if p < 0.001 else f"{p:.3f}"


def naming_macros(
    by_period: pd.DataFrame, n_documents: int, study: Any
) -> dict[str, str]:
    """Macros of the naming table: ``\\share<Source><Frame><Period>`` (with
    ``Low``/``High``), ``\\count...``, ``\\docs<Source><Period>`` and
    ``\\studyDocuments``."""
    macros = {
        "studyDocuments": f"{n_documents:,}".replace(",", "{,}"),
        "studyEvent": study.event,
    }
    for record in by_period.to_dict("records"):
        source, frame, period = (
            str(record["source"]),
            str(record["frame"]),
            str(record["period"]),
        )
        documents = int(record["documents"])
        macros[latex_macro_name("docs", source, period)] = f"{documents:,}".replace(
            ",", "{,}"
        )
        base = latex_macro_name("share", source, frame, period)
        share = float(record["share"])
        macros[base] = _number(share, study.digits)
        macros[base + "Low"] = _number(float(record["ci_low"]), study.digits)
        macros[base + "High"] = _number(float(record["ci_high"]), study.digits)
        macros[latex_macro_name("count", source, frame, period)] = str(
            int(record["naming"])
        )
    return macros


def estimate_macros(
    table: pd.DataFrame, prefix: str, label_columns: list[str], digits: int
) -> dict[str, str]:
    """``\\<prefix><labels>`` = estimate, with ``Low``, ``High`` and ``P``
    (the adjusted p-value) for every row of a results table."""
    macros = {}
    for record in table.to_dict("records"):
        base = latex_macro_name(prefix, *(str(record[c]) for c in label_columns))
        macros[base] = _number(float(record["estimate"]), digits)
        macros[base + "Low"] = _number(float(record["ci_low"]), digits)
        macros[base + "High"] = _number(float(record["ci_high"]), digits)
        macros[base + "P"] = _p_value(float(record["p_adj"]))
    return macros


def write_macros(macros: dict[str, str], path: Path, study_name: str) -> None:
    """Write ``\\newcommand`` definitions, one per line, in the given order."""
    lines = [
        f"% Generated by `framing run` from the study {study_name!r}; do not edit.",
        *(f"\\newcommand{{\\{name}}}{{{value}}}" for name, value in macros.items()),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
