"""Inter-coder agreement: :func:`agreement` and :class:`AgreementResult`.

Krippendorff's nominal alpha per variable and per code (each code
binarised), with percent agreement and percentile bootstrap intervals over
pairable units; the result prints as text, Markdown or LaTeX. The check of
a tidy codings table (:func:`_check_codings`) and the variable order are
shared with :mod:`~framing.annotation.adjudication`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from ..evaluation import _check_ci, _check_n_boot, _percentile_ci
from ..tables import fmt as _fmt
from ..tables import latex_table as _latex_table
from ..tables import markdown_table as _markdown_table
from ..tables import text_table as _text_table
from .scheme import MULTI_SEPARATOR, CodingScheme, _problems_error
from .sheets import _CODINGS_COLUMNS, _cell_text, _is_missing


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
