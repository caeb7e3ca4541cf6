"""The results object every statistical function in :mod:`framing.stats` returns.

A :class:`StatsResult` holds a tidy table with one row per estimated term
and the columns :data:`COLUMNS`: ``term``, ``estimate``, ``ci_low``,
``ci_high``, ``p``, ``p_adj``, ``n`` and ``model``, plus any extra columns
a model needs (``se``, ``statistic``, ``scale``...). Adjusted p-values are
computed across a *family* that the result names (``family``), with the
method it names (Benjamini-Hochberg by default, Holm on request).
Functions never print; ``summary()`` returns a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..tables import latex_table, markdown_table

__all__ = ["COLUMNS", "StatsResult", "adjust_pvalues", "P_ADJUST_METHODS"]

COLUMNS = ["term", "estimate", "ci_low", "ci_high", "p", "p_adj", "n", "model"]

#: Names accepted for multiple-testing adjustment -> statsmodels method.
P_ADJUST_METHODS = {"bh": "fdr_bh", "fdr_bh": "fdr_bh", "holm": "holm", "none": None}


def adjust_pvalues(p: Any, method: str = "bh") -> np.ndarray:
    """Adjust p-values for multiple testing.

    NaN p-values are left out of the family and stay NaN.

    Parameters
    ----------
    p : array-like
        Raw p-values.
    method : {"bh", "holm", "none"}
        Benjamini-Hochberg false discovery rate (default) or Holm's
        family-wise error rate.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    from statsmodels.stats.multitest import multipletests

    if method not in P_ADJUST_METHODS:
        raise ValueError(
            f"method must be one of {sorted(P_ADJUST_METHODS)}, got {method!r}"
        )
    values = np.asarray(p, dtype=float)
    adjusted = np.full_like(values, np.nan)
    finite = np.isfinite(values)
    statsmodels_method = P_ADJUST_METHODS[method]
    if statsmodels_method is None:
        adjusted[finite] = values[finite]
    elif finite.any():
        adjusted[finite] = multipletests(values[finite], method=statsmodels_method)[1]
    return adjusted


@dataclass
class StatsResult:
    """A tidy table of estimates with CIs, p-values and adjusted p-values.

    Attributes
    ----------
    table : DataFrame
        One row per term; columns :data:`COLUMNS` first.
    model : str
        What was estimated (e.g. ``"logit, cluster-robust by outlet-day"``).
    family : str
        The family across which ``p_adj`` was computed.
    p_adjust : str
        ``"bh"``, ``"holm"`` or ``"none"``.
    estimate_scale : str
        How to read ``estimate`` (e.g. ``"rate ratio"``, ``"log odds"``).
    notes : list of str
        Warnings and interpretation notes (e.g. intervals that disagree).
    fitted : object
        The underlying fitted statsmodels object, when there is one.
    """

    table: pd.DataFrame
    model: str
    family: str = "all terms in this table"
    p_adjust: str = "bh"
    estimate_scale: str = "estimate"
    ci_level: float = 0.95
    notes: list[str] = field(default_factory=list)
    fitted: Any = None

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"a StatsResult table needs the columns {missing}")
        extra = [c for c in self.table.columns if c not in COLUMNS]
        self.table = self.table[COLUMNS + extra].reset_index(drop=True)

    @classmethod
    def from_rows(
        cls,
        rows: list[dict[str, Any]],
        *,
        model: str,
        p_adjust: str = "bh",
        **kwargs: Any,
    ) -> StatsResult:
        """Build a result from row dicts, adjusting p-values across all rows."""
        table = pd.DataFrame(rows)
        for column in COLUMNS:
            if column not in table:
                table[column] = np.nan if column != "model" else model
        table["p_adj"] = adjust_pvalues(table["p"], p_adjust)
        return cls(table=table, model=model, p_adjust=p_adjust, **kwargs)

    def summary(self, digits: int = 3) -> str:
        """A plain-text report: model, family, table and notes."""
        level = int(round(self.ci_level * 100))
        shown = self.table.copy()
        lines = [
            f"Model: {self.model}",
            f"Estimates: {self.estimate_scale}; {level}% confidence intervals",
            f"p_adj: {self.p_adjust} across {self.family}",
            "",
            shown.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}"),
        ]
        if self.notes:
            lines += ["", "Notes:", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _rows(self, digits: int) -> tuple[list[str], list[list[str]]]:
        header = [str(c) for c in self.table.columns]
        rows = [
            [_cell(v, digits) for v in row]
            for row in self.table.itertuples(index=False)
        ]
        return header, rows

    def to_markdown(self, digits: int = 3) -> str:
        """The table as GitHub Markdown."""
        return markdown_table(*self._rows(digits))

    def to_latex(
        self, digits: int = 3, caption: str | None = None, label: str | None = None
    ) -> str:
        """The table as a booktabs LaTeX table (needs ``\\usepackage{booktabs}``)."""
        return latex_table(*self._rows(digits), caption=caption, label=label)


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.{digits}g}"
    return str(value)
