"""Rates of frame mentions per word: token-level tests and document-level GLMs.

Two levels of analysis answer "does outlet A name the event X more often
per word than outlet B?":

Token level
    :func:`poisson_rate_test` treats every word as an independent trial:
    the exact conditional test of two Poisson rates (given the total count
    ``c1 + c2``, ``c1`` is binomial with ``p0 = E1 / (E1 + E2)`` under
    equal rates) and the Clopper-Pearson interval for ``p`` mapped to the
    rate ratio, ``RR = p / (1 - p) * E2 / E1``. This is R's two-sample
    ``poisson.test``. It respects exposures (unlike statsmodels'
    ``confint_poisson_2indep(method="sqrtcc")``, which ignores them).

Document level
    :func:`fit_rates` fits Poisson, quasi-Poisson (``scale="X2"``: SEs
    inflated by the Pearson chi2/df) or negative-binomial (NB2) GLMs of
    the count with an ``log(n_words)`` offset, optionally cluster-robust.
    Mentions cluster within documents (a release about the war names it
    many times), so press-release counts are overdispersed (Pearson
    chi2/df about 2 on the shipped corpora) and token-level intervals are
    too narrow.

:func:`compare_rates` puts both side by side for each group against a
reference group and flags comparisons where the token-level and the
document-level intervals disagree about excluding 1. Trust the
document-level result when they disagree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats import rates as sm_rates
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from ..errors import FramingError
from ._common import check_clusters, cluster_codes, normal_quantile, resolve_cluster
from .negbin import NegBinFit, glm_nb
from .results import StatsResult, adjust_pvalues

__all__ = [
    "poisson_rate_test",
    "rate_ratio_ci_exact",
    "fit_rates",
    "compare_rates",
]

Family = Literal["poisson", "quasipoisson", "negbin"]


def rate_ratio_ci_exact(
    count1: int,
    exposure1: float,
    count2: int,
    exposure2: float,
    ci_level: float = 0.95,
) -> tuple[float, float]:
    """Exact conditional (Clopper-Pearson) CI of the rate ratio 1 / 2.

    Conditional on ``n = count1 + count2``, ``count1`` is binomial with
    ``p = RR E1 / (RR E1 + E2)``; the Clopper-Pearson interval of ``p``
    maps monotonically to ``RR = p / (1 - p) * E2 / E1``.

    Examples
    --------
    R's ``poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))`` reports
    the 95% interval 0.8584264 to 4.2772659:

    >>> low, high = rate_ratio_ci_exact(11, 800, 21, 1083 + 1050 + 878)
    >>> round(low, 7), round(high, 7)
    (0.8584264, 4.2772659)
    """
    if min(count1, count2) < 0 or min(exposure1, exposure2) <= 0:
        raise ValueError("counts must be >= 0 and exposures > 0")
    alpha = 1 - ci_level
    n = count1 + count2
    p_low = 0.0 if count1 == 0 else stats.beta.ppf(alpha / 2, count1, n - count1 + 1)
    p_high = (
        1.0 if count1 == n else stats.beta.ppf(1 - alpha / 2, count1 + 1, n - count1)
    )
    ratio = exposure2 / exposure1
    low = p_low / (1 - p_low) * ratio
    high = np.inf if p_high >= 1 else p_high / (1 - p_high) * ratio
    return float(low), float(high)


def poisson_rate_test(
    count1: int,
    exposure1: float,
    count2: int,
    exposure2: float,
    *,
    ci_level: float = 0.95,
    label: str = "group 1 / group 2",
) -> StatsResult:
    """Exact conditional test and CI for the ratio of two Poisson rates.

    Parameters
    ----------
    count1, count2 : int
        Mentions in each group.
    exposure1, exposure2 : float
        Words in each group.
    ci_level : float
        Confidence level of the Clopper-Pearson interval.
    label : str
        The ``term`` of the single output row.

    Returns
    -------
    StatsResult
        One row: rate ratio, exact CI, two-sided exact conditional p
        (``binom_test`` "minlike", as R's ``binom.test``).

    Examples
    --------
    >>> res = poisson_rate_test(11, 800, 21, 3011)
    >>> round(float(res.table.estimate[0]), 6), round(float(res.table.p[0]), 5)
    (1.971488, 0.07967)
    """
    notes = [
        "Token-level: assumes independent words; overdispersion across "
        "documents makes this interval too narrow."
    ]
    if count1 + count2 == 0:
        # Conditional on no events at all there is nothing to compare: any
        # ratio fits, so the interval is (0, inf) and no test is made.
        estimate, low, high, p_value = np.nan, 0.0, np.inf, np.nan
        notes.append(
            f"{label}: no mentions in either group; the rate ratio is not "
            "estimable (no test, left out of any multiplicity family)."
        )
    else:
        with np.errstate(divide="ignore"):  # count2 = 0: the ratio is inf
            test = sm_rates.test_poisson_2indep(
                count1, exposure1, count2, exposure2, method="exact-cond"
            )
        p_value = float(test.pvalue)
        low, high = rate_ratio_ci_exact(count1, exposure1, count2, exposure2, ci_level)
        estimate = (count1 / exposure1) / (count2 / exposure2) if count2 else np.inf
    row = {
        "term": label,
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "p": p_value,
        "n": int(count1 + count2),
        "count1": int(count1),
        "exposure1": float(exposure1),
        "count2": int(count2),
        "exposure2": float(exposure2),
    }
    return StatsResult.from_rows(
        [row],
        model="exact conditional Poisson rate test (token level)",
        p_adjust="none",
        family="this single test",
        estimate_scale="rate ratio",
        ci_level=ci_level,
        notes=notes,
    )


class _CountFit:
    """Coefficients of a count model with the design they belong to."""

    def __init__(
        self,
        names: list[str],
        params: np.ndarray,
        bse: np.ndarray,
        pvalues: np.ndarray,
        nobs: int,
        extras: dict[str, float],
        raw: Any,
        rows: pd.Index,
    ) -> None:
        self.names = names
        self.params = pd.Series(params, index=names)
        self.bse = pd.Series(bse, index=names)
        self.pvalues = pd.Series(pvalues, index=names)
        self.nobs = nobs
        self.extras = extras
        self.raw = raw
        self.rows = rows


def _fit_count_model(
    formula: str,
    data: pd.DataFrame,
    exposure: str,
    family: Family,
    cluster: str | Sequence[str] | None,
) -> _CountFit:
    """Fit one count model; raises FramingError when it cannot be fitted."""
    import patsy

    try:
        y_frame, x = patsy.dmatrices(
            formula, data, return_type="dataframe", NA_action="drop", eval_env=0
        )
    except patsy.PatsyError as error:
        raise FramingError(f"cannot build the model {formula!r}: {error}") from None
    rows = x.index
    used = data.loc[rows]
    # Cluster codes and offsets are built on the rows the model keeps, so a
    # missing value elsewhere in the row cannot misalign them.
    offset = np.log(used[exposure].to_numpy(dtype=float))
    groups = None if cluster is None else cluster_codes(used, cluster)
    y = y_frame.iloc[:, 0].to_numpy(dtype=float)
    names = list(x.columns)
    if family not in ("negbin", "quasipoisson", "poisson"):
        raise FramingError(
            f"family must be 'negbin', 'quasipoisson' or 'poisson', got {family!r}"
        )
    try:
        if family == "negbin":
            fitted = glm_nb(y, x, offset=offset, groups=groups)
            if not fitted.converged:
                raise FramingError(
                    f"negative binomial fit of {formula!r} did not converge; "
                    "use families=['quasipoisson'] (compare_rates) or "
                    "family='quasipoisson' (fit_rates)"
                )
            return _CountFit(
                names,
                fitted.params,
                fitted.bse,
                fitted.pvalues,
                len(y),
                {"theta": fitted.theta, "alpha": fitted.alpha},
                fitted,
                rows,
            )
        glm = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", HessianInversionWarning)
            if groups is not None:
                result = glm.fit(
                    tol=1e-12, cov_type="cluster", cov_kwds={"groups": groups}
                )
            else:
                result = glm.fit(
                    scale="X2" if family == "quasipoisson" else None, tol=1e-12
                )
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as error:
        raise FramingError(
            f"the {family} model {formula!r} cannot be fitted ({error})"
        ) from None
    scale = float(result.pearson_chi2 / result.df_resid) if result.df_resid else np.nan
    return _CountFit(
        names,
        np.asarray(result.params, dtype=float),
        np.asarray(result.bse, dtype=float),
        np.asarray(result.pvalues, dtype=float),
        int(result.nobs),
        {"scale": scale},
        result,
        rows,
    )


def _model_label(family: Family, cluster: str | Sequence[str] | None) -> str:
    """Estimator and SE type of a count model, as the tables state them."""
    names = {
        "poisson": "Poisson GLM (ML by IRLS)",
        "quasipoisson": "quasi-Poisson GLM (ML by IRLS, scale = Pearson chi2/df)",
        "negbin": "negative binomial NB2 (ML as MASS::glm.nb: IRLS for the "
        "coefficients alternating with Newton for theta)",
    }
    label = names[family]
    if cluster is not None:
        cols = [cluster] if isinstance(cluster, str) else list(cluster)
        if family == "quasipoisson":
            label = "Poisson GLM (ML by IRLS; the sandwich replaces the Pearson scale)"
        label += f", cluster-robust (sandwich) SEs by {'-'.join(cols)}"
    else:
        label += ", model-based SEs (expected information)"
    return label + ", offset log(words), Wald CIs"


def fit_rates(
    data: pd.DataFrame,
    count: str,
    *,
    by: str | None = "outlet",
    exposure: str = "n_words",
    formula: str | None = None,
    family: Family = "negbin",
    cluster: str | Sequence[str] | None = "auto",
    ci_level: float = 0.95,
    p_adjust: str = "bh",
) -> StatsResult:
    """Document-level count model with a log-words offset -> rate ratios.

    Parameters
    ----------
    data : DataFrame
        One row per document.
    count : str
        Count column (e.g. ``"n__invasion__own"``).
    by : str, optional
        Grouping column for the default right-hand side ``C(by)``.
    exposure : str
        Words per document; documents with no words are dropped.
    formula : str, optional
        Right-hand side replacing ``C(by)`` (e.g. ``"C(outlet) * C(period)"``).
    family : {"negbin", "quasipoisson", "poisson"}
        NB2 (:func:`framing.stats.negbin.glm_nb`, as ``MASS::glm.nb``),
        quasi-Poisson or Poisson.
    cluster : "auto", str, list of str or None
        Cluster-robust SEs over these columns (with ``quasipoisson`` the
        sandwich replaces the Pearson scale). ``"auto"`` (default) clusters
        by outlet-day when the data have ``outlet`` and ``day`` columns
        (documents of one outlet on one day share news events); ``None``
        turns clustering off, with a warning when the data could cluster.
    ci_level, p_adjust
        Confidence level; multiple-testing method across the estimable
        non-intercept terms.

    Returns
    -------
    StatsResult
        Rate ratios (``exp`` of coefficients) of the non-intercept terms;
        ``scale`` holds the Pearson chi2/df of the Poisson fits, ``theta``
        and ``alpha = 1 / theta`` the NB2 shape. Groups without any
        mention have an infinite ML log rate: their rows are reported as
        not estimable (NaN, out of the family) with a note.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4,
    ...                    "y": [1, 2, 0, 3, 4, 6, 5, 7],
    ...                    "n_words": [100] * 8})
    >>> res = fit_rates(df, "y", by="g", family="poisson")
    >>> round(float(res.table.estimate[0]), 4)  # (22/400) / (6/400)
    3.6667
    """
    if count not in data.columns or exposure not in data.columns:
        raise FramingError(f"columns {count!r} and {exposure!r} must be in the data")
    notes: list[str] = []
    cluster = resolve_cluster(data, cluster, notes)
    frame = data[data[exposure] > 0].copy()
    dropped = len(data) - len(frame)
    if dropped:
        notes.append(f"{dropped} documents with no words dropped.")
    if frame.empty:
        raise FramingError(
            f"no documents with {exposure!r} > 0: nothing to model; check the "
            "exposure column"
        )
    if by is not None and formula is None:
        levels = frame[by].dropna().unique()
        if len(levels) < 2:
            return StatsResult.from_rows(
                [],
                model=f"{_model_label(family, cluster)} of {count}",
                p_adjust=p_adjust,
                family="no terms (nothing to compare)",
                estimate_scale="rate ratio",
                ci_level=ci_level,
                notes=notes
                + [
                    f"{by!r} has {len(levels)} level(s) "
                    f"({', '.join(map(str, levels))}): there is no rate ratio to "
                    "estimate; give data with at least two groups."
                ],
            )
    rhs = formula or (f"C({by})" if by else "1")
    fitted = _fit_count_model(f"{count} ~ {rhs}", frame, exposure, family, cluster)
    used = frame.loc[fitted.rows]
    if isinstance(fitted.raw, NegBinFit):
        notes.extend(fitted.raw.notes)
    if cluster is not None:
        n_clusters = len(np.unique(cluster_codes(used, cluster)))
        check_clusters(n_clusters, notes, "-".join(_as_list(cluster)))
    infinite = _zero_count_terms(fitted, used, count)
    if infinite:
        notes.append(
            "No mentions in the documents these terms single out, so their ML "
            f"log rate ratio is infinite: {', '.join(infinite)}; reported as not "
            "estimable (left empty, out of the multiplicity family). The exact "
            "token-level interval (compare_rates) is still valid."
        )
    if not np.all(np.isfinite(fitted.bse.to_numpy())):
        notes.append(
            "Some standard errors are not finite (e.g. a single cluster in a "
            "group, or no overdispersion for NB2); those rows are left empty."
        )
    z = normal_quantile(ci_level)
    extras = dict(fitted.extras)
    if family != "negbin":
        _overdispersion_note(extras.get("scale", np.nan), family, cluster, notes)
    rows = []
    for term in fitted.names:
        if term == "Intercept":
            continue
        b, se = float(fitted.params[term]), float(fitted.bse[term])
        ok = term not in infinite and np.isfinite(se) and se > 0
        rows.append(
            {
                "term": term,
                "estimate": np.exp(b) if ok else np.nan,
                "ci_low": np.exp(b - z * se) if ok else np.nan,
                "ci_high": np.exp(b + z * se) if ok else np.nan,
                "p": float(fitted.pvalues[term]) if ok else np.nan,
                "n": int(fitted.nobs),
                "log_rr": b if ok else np.nan,
                "se": se if ok else np.nan,
                "status": "estimated" if ok else "not estimable",
                **extras,
            }
        )
    tested = sum(1 for r in rows if np.isfinite(r["p"]))
    return StatsResult.from_rows(
        rows,
        model=f"{_model_label(family, cluster)} of {count}",
        p_adjust=p_adjust,
        family=f"the {tested} estimable non-intercept terms of this model",
        estimate_scale="rate ratio",
        ci_level=ci_level,
        notes=notes,
        fitted=fitted.raw,
    )


def _zero_count_terms(fitted: _CountFit, used: pd.DataFrame, count: str) -> list[str]:
    """Indicator terms whose documents (or whose complement) have no mentions."""
    y = used[count].to_numpy(dtype=float)
    raw = getattr(fitted.raw, "glm", fitted.raw)
    x = np.asarray(raw.model.exog, dtype=float)
    out = []
    indicator = [
        j
        for j, name in enumerate(fitted.names)
        if name != "Intercept" and set(np.unique(x[:, j])) <= {0.0, 1.0}
    ]
    # The reference cell: rows where every indicator is 0.
    reference = np.all(x[:, indicator] == 0, axis=1) if indicator else None
    reference_zero = (
        reference is not None and reference.any() and y[reference].sum() == 0
    )
    for j in indicator:
        on = x[:, j] == 1
        if y[on].sum() == 0 or reference_zero:
            out.append(fitted.names[j])
    return out


def _overdispersion_note(
    scale: float,
    family: Family,
    cluster: str | Sequence[str] | None,
    notes: list[str],
) -> None:
    if family == "poisson" and scale > 1.5 and cluster is None:
        notes.append(
            f"Pearson chi2/df = {scale:.2f}: overdispersed; Poisson SEs are too "
            "small. Use family='quasipoisson' or 'negbin', or cluster."
        )


def _method_label(family: Family, cluster: str | Sequence[str] | None) -> str:
    if cluster is not None and family != "negbin":
        # With a sandwich the Pearson scale plays no role: it is plain Poisson.
        return "poisson, cluster-robust (document level)"
    suffix = ", cluster-robust" if cluster is not None else ""
    return f"{family}{suffix} (document level)"


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


#: What a document-level model falls back to when it cannot be fitted or
#: leaves a comparison without a finite interval (then: the exact test).
_FALLBACK: dict[str, list[Family]] = {
    "negbin": ["quasipoisson"],
    "quasipoisson": [],
    "poisson": [],
}


def _not_estimable_doc() -> dict[str, Any]:
    return {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan}


def compare_rates(
    data: pd.DataFrame,
    count: str,
    *,
    by: str = "outlet",
    reference: Any = None,
    exposure: str = "n_words",
    cluster: str | Sequence[str] | None = "auto",
    families: Sequence[Family] = ("quasipoisson", "negbin"),
    ci_level: float = 0.95,
    p_adjust: str = "bh",
) -> StatsResult:
    """Rate ratios of each group against a reference, token and document level.

    For each non-reference level of ``by`` the table holds one row per
    method: the exact conditional test (token level) and each document
    level model in ``families`` (with cluster-robust SEs if ``cluster``).
    ``p_adj`` is computed within each method across the comparisons.
    ``disagrees`` is True for a comparison when one method's interval
    excludes 1 and another's does not.

    Parameters
    ----------
    data : DataFrame
        One row per document.
    count : str
        Count column.
    by : str
        Group column (outlet, period...).
    reference : optional
        The reference level (default: the first level).
    exposure : str
        Words per document.
    cluster : "auto", str, list of str or None
        Cluster columns for the document-level models; ``"auto"``
        (default) is outlet-day when the data have ``outlet`` and ``day``
        (see :func:`framing.stats._common.resolve_cluster`).
    families : sequence of {"quasipoisson", "negbin", "poisson"}
        Document-level models to fit. A comparison whose model cannot be
        fitted (or gives no finite interval) falls back NB2 ->
        quasi-Poisson -> the exact test, and its ``fallback`` column and
        the notes say so; no comparison aborts the table.
    ci_level, p_adjust
        Confidence level; multiple-testing method.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"g": np.repeat(["a", "b"], 300), "n_words": 500})
    >>> df["y"] = rng.poisson(np.where(df.g == "b", 2.0, 1.0))
    >>> res = compare_rates(df, "y", by="g")
    >>> for method in res.table["method"]:
    ...     print(method)
    exact conditional (token level)
    quasipoisson (document level)
    negbin (document level)
    """
    if by not in data.columns:
        raise FramingError(f"column {by!r} is not in the data")
    frame = data[data[exposure] > 0].copy()
    levels = (
        [c for c in frame[by].cat.categories if (frame[by] == c).any()]
        if isinstance(frame[by].dtype, pd.CategoricalDtype)
        else sorted(frame[by].dropna().unique().tolist())
    )
    if len(levels) < 2:
        raise FramingError(f"{by!r} needs at least two levels, got {levels}")
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise FramingError(f"reference {reference!r} is not a level of {by!r}")
    others = [level for level in levels if level != reference]
    notes: list[str] = []
    totals = frame.groupby(by, observed=True)[[count, exposure]].sum()
    cluster = resolve_cluster(data, cluster, notes)
    rows: list[dict[str, Any]] = []
    token_rows: dict[Any, dict[str, Any]] = {}
    for level in others:
        token_result = poisson_rate_test(
            int(totals.loc[level, count]),
            float(totals.loc[level, exposure]),
            int(totals.loc[reference, count]),
            float(totals.loc[reference, exposure]),
            ci_level=ci_level,
            label=f"{level} / {reference}",
        )
        token = token_result.table.iloc[0]
        notes.extend(n for n in token_result.notes[1:] if n not in notes)
        token_rows[level] = {
            "term": f"{level} / {reference}",
            "method": "exact conditional (token level)",
            "estimate": token.estimate,
            "ci_low": token.ci_low,
            "ci_high": token.ci_high,
            "p": token.p,
            "n": int(token.n),
            "comparison": f"{level} / {reference}",
            "fallback": "",
        }
        rows.append(token_rows[level])
    zero = [lvl for lvl in levels if totals.loc[lvl, count] == 0]
    if zero:
        notes.append(
            f"No mentions at all in {', '.join(map(str, zero))}: the ML log rate "
            "of such a group is -inf, so document-level ratios involving it are "
            "not estimable (left empty, out of the multiplicity family); the "
            "exact token-level interval is still valid."
        )
    if reference in zero:
        with_mentions = [lvl for lvl in levels if lvl not in zero]
        notes.append(
            f"The reference {reference!r} has no mentions: every document-level "
            "ratio against it is infinite. Choose a reference with mentions"
            + (f" (reference={with_mentions[0]!r})." if with_mentions else ".")
        )
    # Zero-count groups are left out of the document-level fits: their
    # coefficients would run off to -inf and can make the covariance singular.
    modelled = frame[~frame[by].isin(zero)].copy()
    if isinstance(modelled[by].dtype, pd.CategoricalDtype):
        modelled[by] = modelled[by].cat.remove_unused_categories()
    rhs = f"C({by}, Treatment(reference={reference!r}))"
    fits: dict[str, Any] = {}

    def fit(family: Family) -> Any:
        if family not in fits:
            try:
                if reference in zero or modelled[by].nunique() < 2:
                    raise FramingError("no group with mentions to compare")
                with warnings.catch_warnings():
                    # compare_rates has already warned about clustering.
                    warnings.simplefilter("ignore", UserWarning)
                    fits[family] = fit_rates(
                        modelled,
                        count,
                        formula=rhs,
                        exposure=exposure,
                        family=family,
                        cluster=cluster,
                        ci_level=ci_level,
                        p_adjust="none",
                    )
            except FramingError as error:
                fits[family] = error
        return fits[family]

    for family in families:
        method = _method_label(family, cluster)
        first = fit(family)
        if isinstance(first, FramingError) and reference not in zero:
            notes.append(f"{method}: {first}")
        elif not isinstance(first, FramingError):
            notes.extend(
                n for n in first.notes if n not in notes and not n.startswith("WARN")
            )
        for level in others:
            term = f"{rhs}[T.{level}]"
            row: dict[str, Any] = {
                "term": f"{level} / {reference}",
                "method": method,
                "comparison": f"{level} / {reference}",
                "fallback": "",
            }
            if level in zero or reference in zero:
                rows.append({**row, **_not_estimable_doc(), "n": 0})
                continue
            chosen = None
            tried: list[str] = []
            for candidate in [family, *_FALLBACK[family]]:
                result = fit(candidate)
                if isinstance(result, FramingError):
                    tried.append(f"{candidate} failed")
                    continue
                lookup = result.table.set_index("term")
                if term in lookup.index and np.isfinite(lookup.loc[term, "p"]):
                    chosen = (candidate, lookup.loc[term])
                    break
                tried.append(f"{candidate} not estimable")
            if chosen is None:
                exact = token_rows[level]
                rows.append(
                    {
                        **row,
                        **{k: exact[k] for k in ("estimate", "ci_low", "ci_high")},
                        "p": exact["p"],
                        "n": exact["n"],
                        "fallback": f"exact token-level ({'; '.join(tried)})",
                    }
                )
                continue
            used, est = chosen
            rows.append(
                {
                    **row,
                    "estimate": est.estimate,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "p": est.p,
                    "n": int(est.n),
                    "dispersion": est.get("scale", est.get("alpha", np.nan)),
                    "fallback": ""
                    if used == family
                    else f"{used} ({'; '.join(tried)})",
                }
            )
    table = pd.DataFrame(rows)
    fell_back = table[table["fallback"] != ""]
    for label, part in fell_back.groupby("method", sort=False):
        notes.append(
            f"{label}: {len(part)} comparison(s) fell back to "
            f"{'; '.join(sorted(set(part['fallback'])))} (NB2 -> quasi-Poisson -> "
            "exact); the row's 'fallback' column says which."
        )
    table["p_adj"] = np.nan
    for _, index in table.groupby("method", sort=False).groups.items():
        table.loc[index, "p_adj"] = adjust_pvalues(table.loc[index, "p"], p_adjust)
    excludes = (table["ci_low"] > 1) | (table["ci_high"] < 1)
    finite = table["ci_low"].notna() & table["ci_high"].notna()
    table["excludes_1"] = excludes
    # Only methods with an interval take part in the comparison.
    disagree = (
        excludes[finite]
        .groupby(table.loc[finite, "comparison"])
        .transform(lambda s: s.nunique() > 1)
    )
    table["disagrees"] = disagree.reindex(table.index).fillna(False).astype(bool)
    table["disagrees"] = table.groupby("comparison")["disagrees"].transform("any")
    for comparison in table.loc[table["disagrees"], "comparison"].unique():
        part = table[(table["comparison"] == comparison) & finite]
        yes = part.loc[part["excludes_1"], "method"].tolist()
        no = part.loc[~part["excludes_1"], "method"].tolist()
        notes.append(
            f"{comparison}: the interval excludes 1 with {', '.join(yes)} but not "
            f"with {', '.join(no)}; the token-level test ignores overdispersion "
            "across documents, so prefer the document-level conclusion."
        )
    table["model"] = table["method"]
    cluster_text = (
        f", document-level SEs cluster-robust by {'-'.join(_as_list(cluster))}"
        if cluster is not None
        else ""
    )
    return StatsResult(
        table=table,
        model=f"rate ratios of {count} per word vs {by} = {reference!r}{cluster_text}",
        family="the estimable comparisons with the reference, within each method "
        "(rows without an estimate are left out)",
        p_adjust=p_adjust,
        estimate_scale="rate ratio",
        ci_level=ci_level,
        notes=notes,
    )
