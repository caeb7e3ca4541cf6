"""Document-level presence of a frame: logistic regression by outlet and period.

:func:`fit_presence` fits a binomial GLM (logit link) of a 0/1 frame
indicator (e.g. ``has__invasion__own``) on ``outlet * period`` plus any
covariates, with cluster-robust (sandwich) standard errors over clusters
the user chooses (outlet-day is a sensible default for press releases:
releases of one outlet on one day share news events). It returns

``coefficients``
    odds ratios of every non-intercept term, Wald CIs, p and adjusted p
    (family: the model's non-intercept terms);
``predicted``
    the predicted probability of each outlet x period cell, with CIs built
    on the logit scale and transformed back (so they stay inside [0, 1]);
    covariates are held at their mean (numeric) or most frequent value;
``contrasts``
    for each outlet, the change in probability from the first to every
    later period (delta method on the probability scale), with p and
    adjusted p (family: these within-outlet period contrasts).

Separation (a cell where no document, or every document, carries the
frame) makes the maximum-likelihood logit estimate infinite; it is
reported in the notes rather than silently producing huge odds ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from ..errors import FramingError
from ._common import (
    ModelResults,
    check_clusters,
    cluster_codes,
    normal_quantile,
)
from .results import StatsResult

__all__ = ["fit_presence", "fit_glm"]


def fit_glm(
    formula: str,
    data: pd.DataFrame,
    family: Any,
    *,
    cluster: str | Sequence[str] | None = None,
    offset: np.ndarray | None = None,
    scale: str | float | None = None,
) -> Any:
    """Fit a statsmodels formula GLM with model-based or cluster-robust SEs.

    ``scale="X2"`` gives quasi-likelihood standard errors (Pearson chi2/df);
    it is ignored by the sandwich, which is already robust to dispersion.
    """
    model = smf.glm(formula, data, family=family, offset=offset)
    if cluster is None:
        return model.fit(scale=scale, tol=1e-12)
    groups = cluster_codes(data.loc[model.data.row_labels], cluster)
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, tol=1e-12)


def fit_presence(
    data: pd.DataFrame,
    y: str,
    *,
    outlet: str = "outlet",
    period: str | None = "period",
    covariates: str | None = None,
    formula: str | None = None,
    cluster: str | Sequence[str] | None = None,
    ci_level: float = 0.95,
    p_adjust: str = "bh",
) -> ModelResults:
    """Logistic regression of frame presence on outlet x period.

    Parameters
    ----------
    data : DataFrame
        One row per document (a feature table with ``outlet`` and a period
        column, see :func:`framing.stats.add_period`).
    y : str
        A 0/1 or boolean column (e.g. ``"has__invasion__own"``).
    outlet, period : str
        Grouping columns; ``period=None`` (or a period with one level)
        fits outlet only.
    covariates : str, optional
        Extra right-hand-side terms, e.g. ``"np.log(n_words)"``.
    formula : str, optional
        A complete right-hand side replacing ``outlet * period``
        (predictions still use the outlet and period grid).
    cluster : str or list of str, optional
        Columns defining clusters for robust SEs (e.g. ``["outlet", "day"]``);
        ``None`` uses model-based SEs.
    ci_level : float
        Confidence level.
    p_adjust : {"bh", "holm", "none"}
        Multiple-testing adjustment within each table's family.

    Returns
    -------
    ModelResults
        ``coefficients`` (odds ratios), ``predicted`` (probabilities) and
        ``contrasts`` (within-outlet change in probability).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"outlet": np.repeat(["a", "b"], 200),
    ...                    "period": np.tile(["before", "after"], 200)})
    >>> df["y"] = rng.random(400) < np.where(df.period == "after", 0.6, 0.3)
    >>> res = fit_presence(df, "y")
    >>> sorted(res["predicted"].table["term"])[:2]
    ['a: after', 'a: before']
    """
    for column in [y, outlet] + ([period] if period else []):
        if column not in data.columns:
            raise FramingError(f"column {column!r} is not in the data")
    notes: list[str] = []
    frame = data.copy()
    frame[y] = frame[y].astype(float)
    groups = [outlet] + ([period] if period else [])
    levels = {g: _levels(frame[g]) for g in groups}
    used = [g for g in groups if len(levels[g]) > 1]
    for g in groups:
        if len(levels[g]) == 1:
            notes.append(
                f"{g!r} has a single level ({levels[g][0]!r}); it is left out of "
                "the model (no contrast can be estimated)."
            )
    if formula is None:
        rhs = " * ".join(f"C({g})" for g in used) or "1"
        if covariates:
            rhs += f" + {covariates}"
    else:
        rhs = formula
    notes += _separation_notes(frame, y, used)
    fitted = fit_glm(f"{y} ~ {rhs}", frame, sm.families.Binomial(), cluster=cluster)
    se_label = _se_label(cluster)
    if cluster is not None:
        n_clusters = len(np.unique(cluster_codes(frame, cluster)))
        check_clusters(n_clusters, notes, se_label)
    z = normal_quantile(ci_level)
    n = int(fitted.nobs)
    rows = []
    for term in fitted.params.index:
        if term == "Intercept":
            continue
        b, se = float(fitted.params[term]), float(fitted.bse[term])
        with np.errstate(over="ignore"):  # separated cells: inf is the honest bound
            rows.append(
                {
                    "term": term,
                    "estimate": np.exp(b),
                    "ci_low": np.exp(b - z * se),
                    "ci_high": np.exp(b + z * se),
                    "p": float(fitted.pvalues[term]),
                    "n": n,
                    "log_odds": b,
                    "se": se,
                }
            )
    model = f"logit (binomial GLM) of {y}, {se_label}"
    coefficients = StatsResult.from_rows(
        rows,
        model=model,
        p_adjust=p_adjust,
        family=f"the {len(rows)} non-intercept terms of this model",
        estimate_scale="odds ratio",
        ci_level=ci_level,
        notes=list(notes),
        fitted=fitted,
    )
    grid = _grid(frame, levels, groups, y)
    predicted, contrasts = _predictions(
        fitted, grid, frame, groups, outlet, period if period in used else None, z
    )
    cell_n = frame.groupby(groups, observed=True).size()
    pred_rows = []
    for position in range(len(grid)):
        row = grid.iloc[position]
        i = grid.index[position]
        key = tuple(row[g] for g in groups)
        pred_rows.append(
            {
                "term": ": ".join(str(k) for k in key),
                "estimate": predicted.loc[i, "p"],
                "ci_low": predicted.loc[i, "low"],
                "ci_high": predicted.loc[i, "high"],
                "p": np.nan,
                "n": int(cell_n.get(key if len(key) > 1 else key[0], 0)),
                **{g: row[g] for g in groups},
                "observed": _observed_share(frame, y, groups, key),
            }
        )
    pred_notes = ["CIs computed on the logit scale and transformed back."]
    if cluster is not None:
        per_cell = (
            frame.assign(_cluster=cluster_codes(frame, cluster))
            .groupby(groups, observed=True)["_cluster"]
            .nunique()
        )
        single = [k for k, v in per_cell.items() if v < 2]
        if single:
            # One cluster in a cell: its sandwich variance is zero by
            # construction, so the interval would be a point; do not show it.
            names = {
                ": ".join(map(str, k if isinstance(k, tuple) else (k,))) for k in single
            }
            for entry in pred_rows:
                if entry["term"] in names:
                    entry["ci_low"] = entry["ci_high"] = np.nan
            pred_notes.append(
                f"{', '.join(sorted(names))}: a single {se_label.split(' by ')[-1]} "
                "cluster; no cluster-robust interval is estimable (CI left "
                "empty), and contrasts involving it are unreliable."
            )
    predicted_result = StatsResult.from_rows(
        pred_rows,
        model=model,
        p_adjust="none",
        family="none (predictions, no tests)",
        estimate_scale="predicted probability",
        ci_level=ci_level,
        notes=pred_notes,
    )
    results = {"coefficients": coefficients, "predicted": predicted_result}
    if contrasts:
        results["contrasts"] = StatsResult.from_rows(
            [{**c, "n": n} for c in contrasts],
            model=model,
            p_adjust=p_adjust,
            family=f"the {len(contrasts)} within-outlet period contrasts",
            estimate_scale="difference in probability (later - first period)",
            ci_level=ci_level,
            notes=["Delta-method CIs on the probability scale."],
        )
    return ModelResults(results=results, notes=notes)


def _levels(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.dropna().unique().tolist())


def _se_label(cluster: str | Sequence[str] | None) -> str:
    if cluster is None:
        return "model-based SEs"
    names = [cluster] if isinstance(cluster, str) else list(cluster)
    return f"cluster-robust SEs by {'-'.join(names)}"


def _separation_notes(frame: pd.DataFrame, y: str, groups: list[str]) -> list[str]:
    if not groups:
        return []
    shares = frame.groupby(groups, observed=True)[y].agg(["mean", "size"])
    bad = shares[(shares["mean"] == 0) | (shares["mean"] == 1)]
    if bad.empty:
        return []
    cells = ", ".join(
        "/".join(map(str, k if isinstance(k, tuple) else (k,))) for k in bad.index
    )
    return [
        f"Separation: in {cells} the frame is always absent or always present; "
        "the logit estimates involving these cells are not finite (huge odds "
        "ratios, meaningless Wald CIs). Report the raw shares for them."
    ]


def _grid(
    frame: pd.DataFrame, levels: dict[str, list[Any]], groups: list[str], y: str
) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([levels[g] for g in groups], names=groups)
    grid = index.to_frame(index=False)
    held: dict[str, Any] = {}
    for column in frame.columns:
        if column in groups or column == y:
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(
            values
        ):
            mode = values.mode(dropna=True)
            held[column] = mode.iloc[0] if len(mode) else None
        else:
            held[column] = values.mean()
    if held:
        grid = pd.concat([grid, pd.DataFrame(held, index=grid.index)], axis=1)
    for g in groups:
        if isinstance(frame[g].dtype, pd.CategoricalDtype):
            grid[g] = pd.Categorical(grid[g], categories=frame[g].cat.categories)
    return grid


def _observed_share(
    frame: pd.DataFrame, y: str, groups: list[str], key: tuple[Any, ...]
) -> float:
    mask = np.ones(len(frame), dtype=bool)
    for g, k in zip(groups, key, strict=True):
        mask &= (frame[g] == k).to_numpy()
    return float(frame.loc[mask, y].mean()) if mask.any() else np.nan


def _predictions(
    fitted: Any,
    grid: pd.DataFrame,
    frame: pd.DataFrame,
    groups: list[str],
    outlet: str,
    period: str | None,
    z: float,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    exog, _ = fitted._transform_predict_exog(grid)
    x = np.asarray(exog, dtype=float)
    params = np.asarray(fitted.params)
    cov = np.asarray(fitted.cov_params())
    eta = x @ params
    se_eta = np.sqrt(np.einsum("ij,jk,ik->i", x, cov, x))
    expit = stats.logistic.cdf
    out = pd.DataFrame(
        {
            "p": expit(eta),
            "low": expit(eta - z * se_eta),
            "high": expit(eta + z * se_eta),
        },
        index=grid.index,
    )
    contrasts: list[dict[str, Any]] = []
    if period is None:
        return out, contrasts
    prob = out["p"].to_numpy()
    gradient = (prob * (1 - prob))[:, None] * x
    for name in grid[outlet].unique():
        rows = grid.index[grid[outlet] == name].tolist()
        first = rows[0]
        for later in rows[1:]:
            g = gradient[later] - gradient[first]
            diff = float(prob[later] - prob[first])
            se = float(np.sqrt(g @ cov @ g))
            stat = diff / se if se > 0 else np.nan
            contrasts.append(
                {
                    "term": f"{name}: {grid.loc[later, period]} - "
                    f"{grid.loc[first, period]}",
                    "estimate": diff,
                    "ci_low": diff - z * se,
                    "ci_high": diff + z * se,
                    "p": float(2 * stats.norm.sf(abs(stat))),
                    "se": se,
                    outlet: name,
                }
            )
    return out, contrasts
