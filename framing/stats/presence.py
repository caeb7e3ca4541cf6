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

Cells without documents (an outlet with nothing before the event) are
never estimated: their predictions, the contrasts that involve them and
the aliased coefficients are reported as not estimable (NaN, with a note)
and leave the multiplicity family. Separation (a cell where no document,
or every document, carries the frame) makes the maximum-likelihood logit
estimate infinite; the model is then fitted by Firth's penalised
likelihood (:mod:`framing.stats.firth`) and labelled so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

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
    resolve_cluster,
)
from .firth import firth_logit
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
    cluster: str | Sequence[str] | None = "auto",
    ci_level: float = 0.95,
    p_adjust: str = "bh",
    method: Literal["auto", "ml", "firth"] = "auto",
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
    cluster : "auto", str, list of str or None
        Columns defining clusters for robust SEs (e.g. ``["outlet", "day"]``).
        ``"auto"`` (default) is outlet-day when the data have ``outlet`` and
        ``day`` columns; ``None`` uses model-based SEs (with a warning when
        the data could cluster).
    ci_level : float
        Confidence level.
    p_adjust : {"bh", "holm", "none"}
        Multiple-testing adjustment within each table's family; rows that
        are not estimable (NaN p) are left out of the family.
    method : {"auto", "ml", "firth"}
        ``"auto"`` fits maximum likelihood unless a cell is separated (the
        frame always absent or always present there) or the ML fit fails,
        and then Firth's penalised likelihood (:func:`firth_logit`, profile
        penalised-likelihood CIs, as R's ``logistf``); the model string and
        notes say which was used.

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
    cluster = resolve_cluster(data, cluster, notes)
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
    separated = _separated_cells(frame, y, used)
    design = _Design.build(f"{y} ~ {rhs}", frame)
    if method not in ("auto", "ml", "firth"):
        raise FramingError(f"method must be 'auto', 'ml' or 'firth', got {method!r}")
    use_firth = method == "firth" or (method == "auto" and bool(separated))
    fitted: Any = None
    if not use_firth:
        try:
            fitted = design.fit_ml(frame, cluster)
        except (np.linalg.LinAlgError, ValueError) as error:
            if method == "ml":
                raise FramingError(
                    f"the logit of {y!r} cannot be fitted by maximum likelihood "
                    f"({error}); use method='firth' (penalised likelihood)"
                ) from error
            use_firth = True
    if use_firth:
        fitted = design.fit_firth(ci_level)
        notes.append(
            "Firth's penalised-likelihood logit (Jeffreys prior; as R's logistf): "
            "profile penalised-likelihood CIs and penalised likelihood-ratio p "
            "for the coefficients, delta-method CIs from the inverse penalised "
            "information for predictions and contrasts."
            + (
                f" Separation in {', '.join(separated)}: the maximum-likelihood "
                "estimates there are infinite."
                if separated
                else ""
            )
            + (
                " Coefficient intervals are model-based (clustering by "
                f"{'-'.join(_as_list(cluster))} is not reflected in them); "
                "prediction and contrast intervals use the larger of the "
                "model-based and the cluster-robust (sandwich) variance."
                if cluster is not None
                else ""
            )
        )
    se_label = (
        "model-based SEs (inverse penalised information)"
        if use_firth
        else _se_label(cluster)
    )
    if cluster is not None and not use_firth:
        n_clusters = len(np.unique(cluster_codes(design.rows(frame), cluster)))
        check_clusters(n_clusters, notes, se_label)
    # A coefficient is reported only when its own contrast is estimable; an
    # aliased pair (an outlet seen in one period only) is reported as neither.
    unit = np.eye(len(design.columns))
    coefficient_ok = dict(zip(design.columns, design.estimable(unit), strict=True))
    not_estimable = [c for c in design.columns if not coefficient_ok[c]]
    if not_estimable:
        notes.append(
            "Not estimable (cells without documents make these design columns "
            f"aliased): {', '.join(not_estimable)}; reported as empty and left "
            "out of the multiplicity family."
        )
    z = normal_quantile(ci_level)
    n = design.n_obs
    rows = []
    for term in design.columns:
        if term == "Intercept":
            continue
        if not coefficient_ok[term]:
            rows.append(_empty_row(term, n, "not estimable: aliased (empty cell)"))
            continue
        k = design.kept.index(term)
        b = float(np.asarray(fitted.params)[k])
        se = float(np.asarray(fitted.bse)[k])
        p_value = float(np.asarray(fitted.pvalues)[k])
        if use_firth:
            low, high = fitted.ci[k]
        else:
            low, high = b - z * se, b + z * se
        with np.errstate(over="ignore"):
            rows.append(
                {
                    "term": term,
                    "estimate": np.exp(b),
                    "ci_low": np.exp(low),
                    "ci_high": np.exp(high),
                    "p": p_value,
                    "n": n,
                    "log_odds": b,
                    "se": se,
                    "status": "estimated",
                }
            )
    tested = sum(1 for r in rows if np.isfinite(r["p"]))
    estimator = (
        "Firth penalised logit, profile penalised-likelihood CIs"
        if use_firth
        else "logit (binomial GLM, maximum likelihood), Wald CIs"
    )
    model = f"{estimator} of {y}; {se_label}"
    coefficients = StatsResult.from_rows(
        rows,
        model=model,
        p_adjust=p_adjust,
        family=f"the {tested} estimable non-intercept terms of this model",
        estimate_scale="odds ratio",
        ci_level=ci_level,
        notes=list(notes),
        fitted=fitted,
    )
    grid = _grid(frame, levels, groups, y)
    cell_n = frame.groupby(groups, observed=True).size()
    counts = np.array(
        [
            int(cell_n.get(key if len(key) > 1 else key[0], 0))
            for key in (tuple(row[g] for g in groups) for _, row in grid.iterrows())
        ]
    )
    x_full = design.predict_matrix(grid)
    # A cell without documents is never estimated, whatever the model could
    # extrapolate; nor is a combination outside the row space of the design.
    estimable = (counts > 0) & design.estimable(x_full)
    params = np.asarray(fitted.params, dtype=float)
    cov = np.asarray(fitted.cov if use_firth else fitted.cov_params(), dtype=float)
    robust = None
    if use_firth and cluster is not None:
        robust = design.firth_sandwich(frame, cluster, params, cov)
    predicted, contrasts = _predictions(
        params,
        cov,
        x_full[:, design.kept_index],
        estimable,
        grid,
        outlet,
        period if period in used else None,
        z,
        robust,
    )
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
                "n": int(counts[position]),
                **{g: row[g] for g in groups},
                "observed": _observed_share(frame, y, groups, key),
            }
        )
    empty = [r["term"] for r, ok in zip(pred_rows, estimable, strict=True) if not ok]
    pred_notes = ["CIs computed on the logit scale and transformed back."]
    if empty:
        pred_notes.append(
            f"No documents in {', '.join(empty)}: not estimable (left empty)."
        )
    if cluster is not None and not use_firth:
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
        skipped = [c["term"] for c in contrasts if not np.isfinite(c["estimate"])]
        contrast_notes = ["Delta-method CIs on the probability scale."]
        if skipped:
            contrast_notes.append(
                f"Not estimable (a period without documents): {', '.join(skipped)}; "
                "left empty and out of the multiplicity family."
            )
        results["contrasts"] = StatsResult.from_rows(
            [{**c, "n": n} for c in contrasts],
            model=model,
            p_adjust=p_adjust,
            family=f"the {len(contrasts) - len(skipped)} estimable within-outlet "
            "period contrasts",
            estimate_scale="difference in probability (later - first period)",
            ci_level=ci_level,
            notes=contrast_notes,
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


def _separated_cells(frame: pd.DataFrame, y: str, groups: list[str]) -> list[str]:
    """Cells where the frame is always absent or always present."""
    if not groups:
        share = frame[y].mean()
        return ["all documents"] if share in (0.0, 1.0) else []
    shares = frame.groupby(groups, observed=True)[y].mean()
    bad = shares[(shares == 0) | (shares == 1)]
    return ["/".join(map(str, k if isinstance(k, tuple) else (k,))) for k in bad.index]


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
    params: np.ndarray,
    cov: np.ndarray,
    x: np.ndarray,
    estimable: np.ndarray,
    grid: pd.DataFrame,
    outlet: str,
    period: str | None,
    z: float,
    robust: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    eta = x @ params

    def variance(a: np.ndarray) -> np.ndarray:
        """Quadratic forms; with a sandwich too, the larger of the two."""
        value = np.einsum("ij,jk,ik->i", a, cov, a)
        if robust is not None:
            value = np.maximum(value, np.einsum("ij,jk,ik->i", a, robust, a))
        # Rounding can leave a tiny negative variance (e.g. one-cluster cells).
        return np.clip(value, 0, None)

    se_eta = np.sqrt(variance(x))
    expit = stats.logistic.cdf
    out = pd.DataFrame(
        {
            "p": expit(eta),
            "low": expit(eta - z * se_eta),
            "high": expit(eta + z * se_eta),
        },
        index=grid.index,
    )
    out.loc[~estimable, ["p", "low", "high"]] = np.nan
    contrasts: list[dict[str, Any]] = []
    if period is None:
        return out, contrasts
    prob = out["p"].to_numpy()
    gradient = (prob * (1 - prob))[:, None] * x
    positions = {index: k for k, index in enumerate(grid.index)}
    for name in grid[outlet].unique():
        rows = grid.index[grid[outlet] == name].tolist()
        first = rows[0]
        for later in rows[1:]:
            term = f"{name}: {grid.loc[later, period]} - {grid.loc[first, period]}"
            if not (estimable[positions[later]] and estimable[positions[first]]):
                contrasts.append(
                    {**_empty_row(term, 0, "not estimable: empty cell"), outlet: name}
                )
                continue
            g = gradient[positions[later]] - gradient[positions[first]]
            diff = float(prob[positions[later]] - prob[positions[first]])
            se = float(np.sqrt(variance(g[None, :])[0]))
            stat = diff / se if se > 0 else np.nan
            contrasts.append(
                {
                    "term": term,
                    "estimate": diff,
                    "ci_low": diff - z * se,
                    "ci_high": diff + z * se,
                    "p": float(2 * stats.norm.sf(abs(stat))),
                    "se": se,
                    "status": "estimated",
                    outlet: name,
                }
            )
    return out, contrasts


def _empty_row(term: str, n: int, status: str) -> dict[str, Any]:
    return {
        "term": term,
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p": np.nan,
        "n": n,
        "status": status,
    }


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class _Design:
    """A patsy design with aliased columns found and removed (as R's NA)."""

    def __init__(self, y: pd.Series, x: pd.DataFrame) -> None:
        self.y = y.to_numpy(dtype=float)
        self.x = x
        self.index = x.index
        self.columns = list(x.columns)
        self.design_info = x.design_info
        matrix = x.to_numpy(dtype=float)
        unique = np.unique(matrix, axis=0)
        kept: list[int] = []
        rank = 0
        for j in range(matrix.shape[1]):
            trial = np.linalg.matrix_rank(unique[:, kept + [j]])
            if trial > rank:
                kept.append(j)
                rank = trial
        self.kept_index = kept
        self.kept = [self.columns[j] for j in kept]
        self.dropped = [c for c in self.columns if c not in self.kept]
        # Null space of the full design: a linear combination is estimable
        # only when it is orthogonal to it.
        _, singular, vt = np.linalg.svd(unique, full_matrices=True)
        tol = max(unique.shape) * np.finfo(float).eps * (singular.max(initial=1.0))
        self.null = vt[int(np.sum(singular > tol)) :]
        self.n_obs = len(self.y)

    @classmethod
    def build(cls, formula: str, frame: pd.DataFrame) -> _Design:
        import patsy

        try:
            y, x = patsy.dmatrices(
                formula, frame, return_type="dataframe", NA_action="drop", eval_env=0
            )
        except patsy.PatsyError as error:
            raise FramingError(f"cannot build the model {formula!r}: {error}") from None
        if len(x) == 0:
            raise FramingError(
                f"no complete rows for {formula!r} (every row has a missing value)"
            )
        return cls(y.iloc[:, 0], x)

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` that entered the model (after NaN drops)."""
        return frame.loc[self.index]

    def fit_ml(self, frame: pd.DataFrame, cluster: str | Sequence[str] | None) -> Any:
        x = self.x.iloc[:, self.kept_index]
        model = sm.GLM(self.y, x, family=sm.families.Binomial())
        if cluster is None:
            return model.fit(tol=1e-12)
        groups = cluster_codes(self.rows(frame), cluster)
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, tol=1e-12)

    def fit_firth(self, ci_level: float) -> Any:
        matrix = self.x.to_numpy(dtype=float)[:, self.kept_index]
        unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        successes = np.bincount(inverse, weights=self.y, minlength=len(unique))
        trials = np.bincount(inverse, minlength=len(unique)).astype(float)
        return firth_logit(unique, successes, trials, ci_level=ci_level)

    def firth_sandwich(
        self,
        frame: pd.DataFrame,
        cluster: str | Sequence[str],
        params: np.ndarray,
        cov: np.ndarray,
    ) -> np.ndarray:
        """Cluster-robust covariance around the penalised estimate.

        ``I^-1 M I^-1`` with ``M`` the outer products of the per-cluster
        score sums ``x (y - p)`` and the small-sample factor
        ``G / (G - 1) (N - 1) / (N - K)`` (as statsmodels' cluster option).
        """
        matrix = self.x.to_numpy(dtype=float)[:, self.kept_index]
        prob = stats.logistic.cdf(matrix @ params)
        scores = matrix * (self.y - prob)[:, None]
        codes = cluster_codes(self.rows(frame), cluster)
        n_groups = int(codes.max()) + 1
        sums = np.zeros((n_groups, matrix.shape[1]))
        np.add.at(sums, codes, scores)
        n, k = matrix.shape
        factor = n_groups / max(n_groups - 1, 1) * (n - 1) / max(n - k, 1)
        return factor * cov @ (sums.T @ sums) @ cov

    def predict_matrix(self, grid: pd.DataFrame) -> np.ndarray:
        import patsy

        (matrix,) = patsy.build_design_matrices([self.design_info], grid)
        return np.asarray(matrix, dtype=float)

    def estimable(self, x: np.ndarray) -> np.ndarray:
        if len(self.null) == 0:
            return np.ones(len(x), dtype=bool)
        return np.all(np.abs(x @ self.null.T) < 1e-8, axis=1)
