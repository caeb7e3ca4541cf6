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
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats import rates as sm_rates
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from ..errors import FramingError
from ._common import check_clusters, cluster_codes, normal_quantile
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
    test = sm_rates.test_poisson_2indep(
        count1, exposure1, count2, exposure2, method="exact-cond"
    )
    low, high = rate_ratio_ci_exact(count1, exposure1, count2, exposure2, ci_level)
    estimate = (count1 / exposure1) / (count2 / exposure2) if count2 else np.inf
    row = {
        "term": label,
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "p": float(test.pvalue),
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
        notes=[
            "Token-level: assumes independent words; overdispersion across "
            "documents makes this interval too narrow."
        ],
    )


def _fit_count_model(
    formula: str,
    data: pd.DataFrame,
    exposure: str,
    family: Family,
    cluster: str | Sequence[str] | None,
) -> Any:
    offset = np.log(data[exposure].to_numpy(dtype=float))
    groups = None if cluster is None else cluster_codes(data, cluster)
    fit_kwargs: dict[str, Any] = (
        {}
        if groups is None
        else {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    )
    if family == "negbin":
        model = smf.negativebinomial(formula, data, offset=offset)
        with warnings.catch_warnings():
            # Convergence and finite SEs are checked explicitly instead.
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", HessianInversionWarning)
            fitted = model.fit(disp=0, maxiter=500, **fit_kwargs)
        if not fitted.mle_retvals.get("converged", True):
            raise FramingError(
                f"negative binomial fit of {formula!r} did not converge; "
                "try family='quasipoisson'"
            )
        return fitted
    glm = smf.glm(formula, data, family=sm.families.Poisson(), offset=offset)
    if groups is not None:
        return glm.fit(tol=1e-12, **fit_kwargs)
    return glm.fit(scale="X2" if family == "quasipoisson" else None, tol=1e-12)


def _model_label(family: Family, cluster: str | Sequence[str] | None) -> str:
    names = {
        "poisson": "Poisson GLM",
        "quasipoisson": "quasi-Poisson GLM (scale = Pearson chi2/df)",
        "negbin": "negative binomial (NB2)",
    }
    label = names[family]
    if cluster is not None:
        cols = [cluster] if isinstance(cluster, str) else list(cluster)
        label = names[family].split(" (")[0] if family == "quasipoisson" else label
        label += f", cluster-robust SEs by {'-'.join(cols)}"
    return label + ", offset log(words)"


def fit_rates(
    data: pd.DataFrame,
    count: str,
    *,
    by: str | None = "outlet",
    exposure: str = "n_words",
    formula: str | None = None,
    family: Family = "negbin",
    cluster: str | Sequence[str] | None = None,
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
        NB2 (dispersion estimated), quasi-Poisson or Poisson.
    cluster : str or list of str, optional
        Cluster-robust SEs over these columns (with ``quasipoisson`` the
        sandwich replaces the Pearson scale).
    ci_level, p_adjust
        Confidence level; multiple-testing method across the
        non-intercept terms.

    Returns
    -------
    StatsResult
        Rate ratios (``exp`` of coefficients) of the non-intercept terms;
        ``scale`` holds the Pearson chi2/df of the Poisson fits and
        ``alpha`` the NB2 dispersion.

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
    frame = data[data[exposure] > 0].copy()
    dropped = len(data) - len(frame)
    if dropped:
        notes.append(f"{dropped} documents with no words dropped.")
    rhs = formula or (f"C({by})" if by else "1")
    fitted = _fit_count_model(f"{count} ~ {rhs}", frame, exposure, family, cluster)
    if cluster is not None:
        n_clusters = len(np.unique(cluster_codes(frame, cluster)))
        check_clusters(n_clusters, notes, "-".join(_as_list(cluster)))
    if not np.all(np.isfinite(np.asarray(fitted.bse))):
        notes.append(
            "Some standard errors are not finite (e.g. the NB dispersion is at "
            "its boundary 0, i.e. no overdispersion); use family='quasipoisson'."
        )
    z = normal_quantile(ci_level)
    extras: dict[str, float] = {}
    if family == "negbin":
        extras["alpha"] = float(fitted.params["alpha"])
    else:
        extras["scale"] = float(fitted.pearson_chi2 / fitted.df_resid)
    if family == "poisson" and extras["scale"] > 1.5 and cluster is None:
        notes.append(
            f"Pearson chi2/df = {extras['scale']:.2f}: overdispersed; Poisson "
            "SEs are too small. Use family='quasipoisson' or 'negbin'."
        )
    rows = []
    for term in fitted.params.index:
        if term in {"Intercept", "alpha"}:
            continue
        b, se = float(fitted.params[term]), float(fitted.bse[term])
        rows.append(
            {
                "term": term,
                "estimate": np.exp(b),
                "ci_low": np.exp(b - z * se),
                "ci_high": np.exp(b + z * se),
                "p": float(fitted.pvalues[term]),
                "n": int(fitted.nobs),
                "log_rr": b,
                "se": se,
                **extras,
            }
        )
    return StatsResult.from_rows(
        rows,
        model=f"{_model_label(family, cluster)} of {count}",
        p_adjust=p_adjust,
        family=f"the {len(rows)} non-intercept terms of this model",
        estimate_scale="rate ratio",
        ci_level=ci_level,
        notes=notes,
        fitted=fitted,
    )


def _method_label(family: Family, cluster: str | Sequence[str] | None) -> str:
    if cluster is not None and family != "negbin":
        # With a sandwich the Pearson scale plays no role: it is plain Poisson.
        return "poisson, cluster-robust (document level)"
    suffix = ", cluster-robust" if cluster is not None else ""
    return f"{family}{suffix} (document level)"


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def compare_rates(
    data: pd.DataFrame,
    count: str,
    *,
    by: str = "outlet",
    reference: Any = None,
    exposure: str = "n_words",
    cluster: str | Sequence[str] | None = None,
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
    cluster : str or list of str, optional
        Cluster columns for the document-level models.
    families : sequence of {"quasipoisson", "negbin", "poisson"}
        Document-level models to fit.
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
    totals = frame.groupby(by, observed=True)[[count, exposure]].sum()
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    for level in others:
        token = poisson_rate_test(
            int(totals.loc[level, count]),
            float(totals.loc[level, exposure]),
            int(totals.loc[reference, count]),
            float(totals.loc[reference, exposure]),
            ci_level=ci_level,
        ).table.iloc[0]
        rows.append(
            {
                "term": f"{level} / {reference}",
                "method": "exact conditional (token level)",
                "estimate": token.estimate,
                "ci_low": token.ci_low,
                "ci_high": token.ci_high,
                "p": token.p,
                "n": int(token.n),
                "comparison": f"{level} / {reference}",
            }
        )
    rhs = f"C({by}, Treatment(reference={reference!r}))"
    for family in families:
        fitted = fit_rates(
            frame,
            count,
            formula=rhs,
            exposure=exposure,
            family=family,
            cluster=cluster,
            ci_level=ci_level,
            p_adjust="none",
        )
        notes.extend(n for n in fitted.notes if n not in notes)
        lookup = fitted.table.set_index("term")
        for level in others:
            term = f"{rhs}[T.{level}]"
            est: Any = lookup.loc[term]
            rows.append(
                {
                    "term": f"{level} / {reference}",
                    "method": _method_label(family, cluster),
                    "estimate": est.estimate,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "p": est.p,
                    "n": int(est.n),
                    "comparison": f"{level} / {reference}",
                    "dispersion": est.get("scale", est.get("alpha", np.nan)),
                }
            )
    table = pd.DataFrame(rows)
    zero = [lvl for lvl in levels if totals.loc[lvl, count] == 0]
    if zero:
        # A group without mentions has an MLE of log rate -inf: the GLM stops
        # at a huge negative coefficient with a meaningless tiny SE.
        for level in zero:
            hit = table["method"].str.contains("document") & (
                table["comparison"]
                .str.split(" / ")
                .map(lambda ab, lvl=level: lvl in ab)
            )
            table.loc[hit, ["ci_low", "ci_high", "p"]] = np.nan
            table.loc[hit, "estimate"] = 0.0 if level != reference else np.inf
        notes.append(
            f"No mentions at all in {', '.join(map(str, zero))}: document-level "
            "Wald intervals are not estimable (left empty); the exact token-level "
            "interval is still valid."
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
        family=f"the {len(others)} comparisons with the reference, within each method",
        p_adjust=p_adjust,
        estimate_scale="rate ratio",
        ci_level=ci_level,
        notes=notes,
    )
