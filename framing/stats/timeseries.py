"""Framing over time: series, interrupted time series, DiD and smooth trends.

:func:`time_series`
    aggregates a feature table into a regular weekly (or daily...) series
    per outlet: documents, words, mentions, rate per 1,000 words and the
    share of documents with the frame. Empty periods are kept (rate NaN).
:func:`fit_its`
    segmented regression of one series around an event date,
    ``y = b0 + b1 t + b2 post + b3 (t - t_event) post``: ``b2`` is the
    level change at the event and ``b3`` the slope change. By default the
    errors are AR(1), estimated by exact maximum likelihood with SEs from
    the inverse Hessian (as R's ``arima``; :mod:`framing.stats.ar1`), and
    periods without documents stay gaps. ``errors="hac"`` gives OLS/WLS
    with Newey-West SEs (Bartlett kernel, ``maxlags`` by default
    ``floor(4 (T / 100) ** (2 / 9))``, no prewhitening, ``n / (n - k)``,
    normal p), which under-covers in short series; ``family="poisson"`` or
    ``"negbin"`` fits a count-model ITS (HAC SEs) for sparse series.
:func:`fit_did`
    difference in differences at the document level between a treated
    and a comparison group around the event: OLS (difference of mean
    differences), logit (ratio of odds ratios) or Poisson with a log-words
    offset (ratio of rate ratios), with cluster-robust SEs.
:func:`fit_trend`
    smooth trends per outlet with a regression spline in the formula
    (``cr(t, df, constraints="center")`` or ``bs(t, df)``), with fitted
    values and pointwise CIs, and the change from the first to the last
    period as a tested contrast.
"""

from __future__ import annotations

import math
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
    _aligned_timestamp,
    check_clusters,
    cluster_codes,
    normal_quantile,
    resolve_cluster,
)
from .results import StatsResult

__all__ = ["time_series", "fit_its", "fit_did", "fit_trend", "newey_west_lags"]


def newey_west_lags(n: int) -> int:
    """The Newey-West (1994) plug-in lag ``floor(4 (n / 100) ** (2 / 9))``.

    Examples
    --------
    >>> newey_west_lags(35), newey_west_lags(100)
    (3, 4)
    """
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def time_series(
    data: pd.DataFrame,
    *,
    count: str | None = None,
    presence: str | None = None,
    by: str | None = "outlet",
    freq: str = "W",
    date: str = "published",
    exposure: str = "n_words",
) -> pd.DataFrame:
    """A regular series per group from a document-level feature table.

    Parameters
    ----------
    data : DataFrame
        One row per document with a datetime column ``date``.
    count : str, optional
        Mention counts to sum (gives ``count`` and ``rate`` per 1,000 words).
    presence : str, optional
        0/1 column whose mean over documents gives ``share``.
    by : str, optional
        Group column (one series per group), or None for one series.
    freq : str
        A pandas period frequency: ``"W"`` (weeks Monday-Sunday), ``"D"``...
    date, exposure : str
        Date and words columns.

    Returns
    -------
    DataFrame
        ``group`` (if ``by``), ``date`` (period start, naive UTC),
        ``n_docs``, ``words`` and ``count``/``rate``/``share`` as requested.

    Examples
    --------
    >>> df = pd.DataFrame({"published": pd.to_datetime(
    ...     ["2022-01-03", "2022-01-04", "2022-01-18"]),
    ...     "n": [1, 3, 0], "n_words": [100, 100, 200]})
    >>> s = time_series(df, count="n", by=None)
    >>> s[["n_docs", "count", "rate"]].to_numpy().tolist()
    [[2.0, 4.0, 20.0], [0.0, 0.0, nan], [1.0, 0.0, 0.0]]
    """
    if count is None and presence is None:
        raise FramingError("give a count column, a presence column, or both")
    frame = data.copy()
    dates = frame[date]
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    frame["_period"] = dates.dt.to_period(freq)
    frame["_one"] = 1
    aggregations: dict[str, tuple[str, str]] = {
        "n_docs": ("_one", "sum"),
        "words": (exposure, "sum"),
    }
    if count is not None:
        aggregations["count"] = (count, "sum")
    if presence is not None:
        frame["_present"] = frame[presence].astype(float)
        aggregations["n_present"] = ("_present", "sum")
    keys = [by, "_period"] if by else ["_period"]
    grouped = frame.groupby(keys, observed=True).agg(**aggregations)
    pieces = []
    for key, part in (
        grouped.groupby(level=0, observed=True) if by else [(None, grouped)]
    ):
        part = part.droplevel(0) if by else part
        full = pd.period_range(part.index.min(), part.index.max(), freq=freq)
        part = part.reindex(full, fill_value=0)
        part.index.name = "_period"
        part = part.reset_index()
        if by:
            part.insert(0, by, key)
        pieces.append(part)
    series = pd.concat(pieces, ignore_index=True)
    series.insert(1 if by else 0, "date", series["_period"].dt.start_time)
    series = series.drop(columns="_period")
    series = series.astype({c: float for c in aggregations})
    if count is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            series["rate"] = np.where(
                series["words"] > 0, 1000 * series["count"] / series["words"], np.nan
            )
    if presence is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            series["share"] = np.where(
                series["n_docs"] > 0, series["n_present"] / series["n_docs"], np.nan
            )
    return series


def fit_its(
    series: pd.DataFrame,
    *,
    event: str | pd.Timestamp,
    y: str = "rate",
    date: str = "date",
    weights: str | None = None,
    errors: Literal["ar1", "hac"] = "ar1",
    maxlags: int | None = None,
    estimation: Literal["ml", "reml"] = "ml",
    se: Literal["hessian", "opg"] = "hessian",
    family: Literal["gaussian", "poisson", "negbin"] = "gaussian",
    exposure: str = "words",
    ci_level: float = 0.95,
    p_adjust: str = "bh",
) -> ModelResults:
    """Interrupted time series (segmented regression) with autocorrelated errors.

    The mean is ``b0 + b1 t + b2 post + b3 (t - t_event) post`` (``b2`` the
    level change, ``b3`` the slope change per period). Error models:

    * ``errors="ar1"`` (default): regression with AR(1) errors by exact
      maximum likelihood (:func:`framing.stats.ar1.ar1_regression`; as R's
      ``arima(y, c(1, 0, 0), xreg = X)``), standard errors from the inverse
      Hessian (``se="hessian"``, as R; ``"opg"`` for the outer product of
      gradients), t intervals on T - 5 degrees of freedom;
      ``estimation="reml"`` uses the restricted likelihood (as
      ``nlme::gls``), less biased in short series. Periods without data
      stay gaps: the AR(1) correlation is ``phi ** (periods apart)``. In
      the project's coverage study (weekly series of 104 periods, phi =
      0.5; ``benchmarks/coverage.py``) the 95% intervals covered the level
      and slope change in about 93% of replicates.
    * ``errors="hac"``: OLS (or WLS with ``weights``) with Newey-West
      standard errors: Bartlett kernel, ``maxlags`` (default
      :func:`newey_west_lags`), no prewhitening, small-sample factor
      ``n / (n - k)``, normal p-values. In the same study its intervals
      covered only 80-85%; use it for long series or with ``weights``.
      Periods without data are dropped and the rest treated as adjacent.
    * ``family="poisson"`` or ``"negbin"``: a count-model ITS for sparse
      series (mostly-zero weekly counts): a log-linear GLM of ``y`` (a count
      column) with offset ``log(exposure)``, the same level and slope
      terms (rate ratios), and HAC (Newey-West, as above) standard errors;
      NB2 holds theta at its :func:`framing.stats.negbin.glm_nb` estimate.

    Parameters
    ----------
    series : DataFrame
        One regular series (see :func:`time_series`; filter to one group).
    event : date-like
        The interruption; periods whose start is on or after it are *post*.
    y : str
        Outcome column (``rate``, ``share``..., or ``count`` with a count
        family); NaN periods are gaps.
    date : str
        Period-start column; time ``t`` counts periods (the median spacing).
    weights : str, optional
        Column of weights for WLS (e.g. ``words``); needs ``errors="hac"``.
    errors : {"ar1", "hac"}
        Error model of the Gaussian ITS (see above).
    maxlags : int, optional
        HAC lags; default :func:`newey_west_lags`.
    estimation : {"ml", "reml"}
        AR(1) estimation.
    se : {"hessian", "opg"}
        AR(1) ML standard errors.
    family : {"gaussian", "poisson", "negbin"}
        Gaussian segmented regression or a count-model ITS.
    exposure : str
        Exposure column of a count family (words per period).
    ci_level, p_adjust
        Confidence level; multiple testing across level and slope change.

    Returns
    -------
    ModelResults
        ``its``: pre-event slope, level change and slope change (per
        period), with the family level + slope change (the pre slope is
        reported but not in the family); ``frames["fitted"]``: date,
        observed, fitted, counterfactual (pre-event line extended) and
        ``post``.

    Examples
    --------
    >>> dates = pd.date_range("2022-01-03", periods=20, freq="W-MON")
    >>> t = np.arange(20.0)
    >>> post = (dates >= "2022-02-14").astype(float)
    >>> tt = (t - 6) * post
    >>> noise = 0.01 * np.sin(np.arange(20.0) * 1.7)
    >>> s = pd.DataFrame({"date": dates,
    ...                   "rate": 1 + 0.1 * t + 2 * post + 0.5 * tt + noise})
    >>> res = fit_its(s, event="2022-02-14")
    >>> res["its"].table.estimate.round(1).tolist()
    [0.1, 2.0, 0.5]
    """
    columns = [date, y] + ([weights] if weights else [])
    if family != "gaussian":
        columns.append(exposure)
    missing = [c for c in columns if c not in series.columns]
    if missing:
        raise FramingError(f"columns {missing} are not in the series")
    frame = series[columns].copy().sort_values(date).reset_index(drop=True)
    step: Any
    if len(frame) > 1:
        step = frame[date].diff().median()
        # Integer period numbers on the regular grid: gaps stay gaps.
        frame["t"] = ((frame[date] - frame[date].iloc[0]) / step).round().astype(float)
    else:
        step = pd.Timedelta(days=7)
        frame["t"] = 0.0
    if family != "gaussian":
        frame.loc[frame[exposure] <= 0, y] = np.nan
    n_gaps = int(frame[y].isna().sum())
    frame = frame.dropna(subset=[y]).reset_index(drop=True)
    if len(frame) < 6:
        raise FramingError(
            f"an ITS needs at least 6 non-missing periods, got {len(frame)}"
        )
    if frame[y].nunique() == 1:
        raise FramingError(
            f"the series {y!r} is constant ({frame[y].iloc[0]:g} in every "
            "period): there is no level or slope change to estimate; report "
            "the raw counts (a count-model ITS needs some events)"
        )
    when = _aligned_timestamp(event, frame[date])
    t_event = (when - series[date].min()) / step
    frame["post"] = (frame[date] >= when).astype(float)
    frame["t_after"] = (frame["t"] - t_event) * frame["post"]
    n_pre, n_post = int((frame.post == 0).sum()), int((frame.post == 1).sum())
    if n_pre < 3 or n_post < 3:
        raise FramingError(
            f"an ITS needs >= 3 periods on each side of {when.date()}, "
            f"got {n_pre} before and {n_post} after"
        )
    if errors not in ("ar1", "hac"):
        raise ValueError(f"errors must be 'ar1' or 'hac', got {errors!r}")
    if family not in ("gaussian", "poisson", "negbin"):
        raise ValueError(
            f"family must be 'gaussian', 'poisson' or 'negbin', got {family!r}"
        )
    if weights and errors == "ar1" and family == "gaussian":
        raise FramingError(
            "the AR(1) error model takes no weights; use errors='hac' for a "
            "weighted (WLS) series"
        )
    labels = {"t": "pre-event slope", "post": "level change", "t_after": "slope change"}
    notes: list[str] = []
    transform: Any = _identity
    if family != "gaussian":
        fitted, params, bse, pvalues, quantile, fitted_values, error_note = (
            _fit_count_its(frame, y, exposure, family, maxlags, ci_level)
        )
        transform = np.exp
        method = (
            f"{'Poisson' if family == 'poisson' else 'NB2'} log-linear ITS, offset "
            f"log({exposure}), HAC (Newey-West) SEs"
        )
        scale = "rate ratio (slopes: per period)"
    elif errors == "ar1":
        fitted, params, bse, pvalues, quantile, fitted_values, error_note = _fit_ar1(
            frame, y, ci_level, estimation, se
        )
        method = (
            f"regression with AR(1) errors ({_ESTIMATION[estimation]}), "
            f"SEs: {fitted.se_type}"
        )
        scale = f"{y} units (slopes per period of {step})"
    else:
        lags = newey_west_lags(len(frame)) if maxlags is None else int(maxlags)
        formula = f"{y} ~ t + post + t_after"
        model = (
            smf.wls(formula, frame, weights=frame[weights])
            if weights
            else smf.ols(formula, frame)
        )
        fitted = model.fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
        )
        params, bse, pvalues = fitted.params, fitted.bse, fitted.pvalues
        quantile = normal_quantile(ci_level)
        fitted_values = fitted.fittedvalues
        error_note = (
            f"HAC (Newey-West) SEs: Bartlett kernel, {lags} lags"
            + (" (plug-in floor(4 (T/100)^(2/9)))" if maxlags is None else " (user)")
            + ", no prewhitening, small-sample factor n/(n-k), normal p-values."
            " In short series these intervals are too narrow (coverage study)."
        )
        method = f"{'WLS' if weights else 'OLS'}, HAC SEs, {lags} lags"
        scale = f"{y} units (slopes per period of {step})"
    rows = []
    for term, label in labels.items():
        b, error = float(params[term]), float(bse[term])
        rows.append(
            {
                "term": label,
                "estimate": transform(b),
                "ci_low": transform(b - quantile * error),
                "ci_high": transform(b + quantile * error),
                "p": float(pvalues[term]) if term != "t" else np.nan,
                "n": len(frame),
                "coef": b,
                "se": error,
            }
        )
    notes += [
        error_note,
        f"{n_pre} periods before and {n_post} from {when.date()}; a period "
        "starting before the event but containing it counts as before.",
    ]
    if n_gaps:
        notes.append(
            f"{n_gaps} periods without data"
            + (
                " are gaps: the AR(1) correlation spans them (phi^periods apart)."
                if errors == "ar1" and family == "gaussian"
                else " dropped; the HAC kernel treats the remaining periods as "
                "adjacent."
            )
        )
    if family == "gaussian" and float((frame[y] == 0).mean()) > 0.5:
        notes.append(
            f"{float((frame[y] == 0).mean()):.0%} of the periods are 0: a Gaussian "
            "model of a mostly-zero series is a poor approximation; consider "
            "family='poisson' or 'negbin' on the counts (y='count')."
        )
    result = StatsResult.from_rows(
        rows,
        model=f"segmented regression of {y}, {method}",
        p_adjust=p_adjust,
        family="level change and slope change (pre-event slope not tested)",
        estimate_scale=scale,
        ci_level=ci_level,
        notes=notes,
        fitted=fitted,
    )
    counterfactual = params["Intercept"] + params["t"] * frame["t"]
    if family != "gaussian":
        # Counts, like the observed values: the offset puts the exposure back.
        counterfactual = np.exp(
            counterfactual + np.log(frame[exposure].to_numpy(dtype=float))
        )
    fitted_frame = pd.DataFrame(
        {
            "date": frame[date],
            "observed": frame[y],
            "fitted": fitted_values,
            "counterfactual": counterfactual.where(frame["post"] == 1),
            "post": frame["post"].astype(bool),
        }
    )
    return ModelResults(
        results={"its": result},
        frames={"fitted": fitted_frame, "event": pd.DataFrame({"event": [when]})},
        notes=[],
    )


#: How the tables name the AR(1) estimation methods.
_ESTIMATION = {"ml": "exact ML", "reml": "REML"}


def _identity(value: Any) -> Any:
    return value


def _its_design(frame: pd.DataFrame) -> pd.DataFrame:
    """Intercept, time, the post-event dummy and time since the event."""
    return pd.DataFrame(
        {
            "Intercept": 1.0,
            "t": frame["t"],
            "post": frame["post"],
            "t_after": frame["t_after"],
        }
    )


def _fit_count_its(
    frame: pd.DataFrame,
    y: str,
    exposure: str,
    family: str,
    maxlags: int | None,
    ci_level: float,
) -> tuple[Any, pd.Series, pd.Series, pd.Series, float, pd.Series, str]:
    """Log-linear count ITS with HAC standard errors."""
    from .negbin import glm_nb

    exog = _its_design(frame)
    counts = frame[y].to_numpy(dtype=float)
    offset = np.log(frame[exposure].to_numpy(dtype=float))
    lags = newey_west_lags(len(frame)) if maxlags is None else int(maxlags)
    if family == "negbin":
        nb = glm_nb(counts, exog, offset=offset)
        glm_family: Any = sm.families.NegativeBinomial(alpha=nb.alpha)
        if not np.isfinite(nb.theta):
            glm_family = sm.families.Poisson()
        extra = f"; NB2 theta = {nb.theta:.3g} (glm.nb ML)"
    else:
        glm_family = sm.families.Poisson()
        extra = ""
    model = sm.GLM(counts, exog, family=glm_family, offset=offset)
    fitted = model.fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, tol=1e-12
    )
    fitted_values = pd.Series(
        np.exp(exog.to_numpy() @ np.asarray(fitted.params) + offset), index=frame.index
    )
    note = (
        f"Count ITS: HAC (Newey-West) SEs, Bartlett kernel, {lags} lags, no "
        "prewhitening, small-sample factor, normal intervals; estimates are rate "
        "ratios (slopes per period); fitted and counterfactual values are "
        f"counts at each period's exposure{extra}."
    )
    return (
        fitted,
        fitted.params,
        fitted.bse,
        fitted.pvalues,
        normal_quantile(ci_level),
        fitted_values,
        note,
    )


def _fit_ar1(
    frame: pd.DataFrame,
    y: str,
    ci_level: float,
    estimation: Literal["ml", "reml"] = "ml",
    se: Literal["hessian", "opg"] = "hessian",
) -> tuple[Any, pd.Series, pd.Series, pd.Series, float, pd.Series, str]:
    """Segmented regression with AR(1) errors (gaps kept as gaps)."""
    from .ar1 import ar1_regression

    exog = _its_design(frame)
    values = frame[y].to_numpy(dtype=float)
    fitted = ar1_regression(
        values,
        exog.to_numpy(dtype=float),
        frame["t"].to_numpy(dtype=float),
        method=estimation,
        se=se,
    )
    names = list(exog.columns)
    params = pd.Series(fitted.params, index=names)
    bse = pd.Series(fitted.bse, index=names)
    dof = max(len(frame) - len(names) - 1, 1)
    quantile = float(stats.t.ppf(0.5 + ci_level / 2, dof))
    with np.errstate(divide="ignore", invalid="ignore"):
        pvalues = pd.Series(2 * stats.t.sf(np.abs(params / bse), dof), index=names)
    fitted_values = pd.Series(exog.to_numpy() @ params.to_numpy(), index=frame.index)
    note = (
        f"Regression with AR(1) errors by {_ESTIMATION[estimation]} (phi = "
        f"{fitted.phi:.2f}); SEs: {fitted.se_type}; t intervals on {dof} df."
    )
    if fitted.at_bound:
        note += " WARNING: phi is at the edge of the stationary region."
    return fitted, params, bse, pvalues, quantile, fitted_values, note


def fit_did(
    data: pd.DataFrame,
    y: str,
    *,
    group: str,
    treated: Any,
    event: str | pd.Timestamp,
    date: str = "published",
    kind: Literal["ols", "logit", "poisson"] = "ols",
    exposure: str = "n_words",
    cluster: str | Sequence[str] | None = "auto",
    covariates: str | None = None,
    ci_level: float = 0.95,
) -> StatsResult:
    """Difference in differences between one group and the others.

    Parameters
    ----------
    data : DataFrame
        One row per document.
    y : str
        Outcome (0/1 for ``logit``, counts for ``poisson``).
    group, treated : str, value
        ``data[group] == treated`` marks the treated group; all other rows
        are the comparison.
    event : date-like
        Rows on or after it are *post*.
    kind : {"ols", "logit", "poisson"}
        Linear probability/mean model (DiD in units of ``y``), logit (ratio
        of odds ratios) or Poisson with a log-``exposure`` offset (ratio of
        rate ratios).
    cluster : "auto", str, list of str or None
        Cluster-robust SEs over these columns (e.g. outlet-day); with few
        clusters the notes warn. ``"auto"`` (default) is outlet-day when
        the data have ``outlet`` and ``day`` columns.
    covariates : str, optional
        Extra right-hand-side terms.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["t", "t", "c", "c"] * 2,
    ...     "published": pd.to_datetime(["2022-01-01"] * 4 + ["2022-03-01"] * 4),
    ...     "y": [1.0, 3.0, 1.0, 1.0, 6.0, 8.0, 2.0, 2.0]})
    >>> res = fit_did(df, "y", group="g", treated="t", event="2022-02-24")
    >>> round(float(res.table.estimate[0]), 9)  # (7 - 2) - (2 - 1)
    4.0
    """
    if group not in data.columns or y not in data.columns:
        raise FramingError(f"columns {group!r} and {y!r} must be in the data")
    frame = data.copy()
    when = _aligned_timestamp(event, frame[date])
    frame["_treated"] = (frame[group] == treated).astype(float)
    frame["_post"] = (frame[date] >= when).astype(float)
    frame[y] = frame[y].astype(float)
    cells = frame.groupby(["_treated", "_post"]).size()
    if len(cells) < 4:
        raise FramingError(
            "a DiD needs treated and comparison documents both before and after "
            f"{when.date()}; cells present: {cells.to_dict()}"
        )
    formula = f"{y} ~ _treated * _post" + (f" + {covariates}" if covariates else "")
    offset = None
    if kind == "ols":
        model: Any = smf.ols(formula, frame)
        scale = "difference in differences (units of y)"
    elif kind == "logit":
        model = smf.glm(formula, frame, family=sm.families.Binomial())
        scale = "ratio of odds ratios"
    elif kind == "poisson":
        frame = frame[frame[exposure] > 0]
        offset = np.log(frame[exposure].to_numpy(dtype=float))
        model = smf.glm(formula, frame, family=sm.families.Poisson(), offset=offset)
        scale = "ratio of rate ratios"
    else:
        raise ValueError(f"kind must be 'ols', 'logit' or 'poisson', got {kind!r}")
    notes: list[str] = []
    cluster = resolve_cluster(data, cluster, notes)
    if cluster is None:
        fitted = model.fit(**({"scale": "X2"} if kind == "poisson" else {}))
        se_text = "model-based SEs" + (" (quasi-Poisson)" if kind == "poisson" else "")
    else:
        # Cluster codes on the rows the formula keeps (NaN rows are dropped
        # by the model, not by cluster_codes).
        groups = cluster_codes(frame.loc[model.data.row_labels], cluster)
        fitted = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        names = [cluster] if isinstance(cluster, str) else list(cluster)
        se_text = f"cluster-robust SEs by {'-'.join(names)}"
        check_clusters(len(np.unique(groups)), notes, "-".join(names))
    term = "_treated:_post"
    b, se = float(fitted.params[term]), float(fitted.bse[term])
    z = normal_quantile(ci_level)
    transform = (lambda v: v) if kind == "ols" else np.exp
    row = {
        "term": f"DiD: {treated} vs other {group} values, after - before",
        "estimate": transform(b),
        "ci_low": transform(b - z * se),
        "ci_high": transform(b + z * se),
        "p": float(fitted.pvalues[term]),
        "n": int(fitted.nobs),
        "coef": b,
        "se": se,
    }
    notes.append(
        "Identifying assumption: parallel trends of the groups without the "
        "event; check it on the pre-event series (fit_trend / time_series)."
    )
    return StatsResult.from_rows(
        [row],
        model=f"DiD ({kind}) of {y}, {se_text}",
        p_adjust="none",
        family="this single DiD contrast",
        estimate_scale=scale,
        ci_level=ci_level,
        notes=notes,
        fitted=fitted,
    )


def fit_trend(
    series: pd.DataFrame,
    *,
    y: str = "rate",
    by: str | None = "outlet",
    date: str = "date",
    df: int = 4,
    spline: Literal["cr", "bs"] = "cr",
    weights: str | None = None,
    maxlags: int | None = None,
    ci_level: float = 0.95,
    p_adjust: str = "bh",
) -> ModelResults:
    """Smooth trend per group: a regression spline in time, HAC SEs.

    The formula is ``y ~ C(by) * cr(t, df=df, constraints="center")``
    (or ``bs``), with ``t`` in days since the first period. ``fitted``
    holds fitted values and pointwise CIs; the ``change`` table tests
    the fitted change from each group's first to its last period.

    Examples
    --------
    >>> dates = pd.date_range("2022-01-03", periods=30, freq="W-MON")
    >>> s = pd.DataFrame({"date": dates, "rate": np.sin(np.arange(30) / 5)})
    >>> res = fit_trend(s, by=None)
    >>> list(res.frames["fitted"].columns)
    ['date', 'observed', 'fitted', 'ci_low', 'ci_high']
    """
    columns = [date, y] + ([by] if by else []) + ([weights] if weights else [])
    frame = series[columns].dropna(subset=[y]).reset_index(drop=True)
    frame["t"] = (frame[date] - frame[date].min()).dt.days.astype(float)
    basis = (
        f"cr(t, df={df}, constraints='center')" if spline == "cr" else f"bs(t, df={df})"
    )
    rhs = f"C({by}) * {basis}" if by else basis
    model = (
        smf.wls(f"{y} ~ {rhs}", frame, weights=frame[weights])
        if weights
        else smf.ols(f"{y} ~ {rhs}", frame)
    )
    per_group = frame.groupby(by).size().min() if by else len(frame)
    lags = newey_west_lags(int(per_group)) if maxlags is None else maxlags
    # Stacked series are not one time series; HAC over the stacked rows is
    # only approximately right, so groups are fitted jointly but notes say so.
    fitted = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    prediction = fitted.get_prediction(frame).summary_frame(alpha=1 - ci_level)
    fitted_frame = pd.DataFrame(
        {
            **({by: frame[by]} if by else {}),
            "date": frame[date],
            "observed": frame[y],
            "fitted": prediction["mean"].to_numpy(),
            "ci_low": prediction["mean_ci_lower"].to_numpy(),
            "ci_high": prediction["mean_ci_upper"].to_numpy(),
        }
    )
    exog, _ = fitted._transform_predict_exog(frame)
    x = np.asarray(exog, dtype=float)
    cov = np.asarray(fitted.cov_params())
    z = normal_quantile(ci_level)
    rows = []
    for name, part in frame.groupby(by) if by else [("all", frame)]:
        first, last = part.index[0], part.index[-1]
        c = x[last] - x[first]
        est = float(c @ np.asarray(fitted.params))
        se = float(np.sqrt(c @ cov @ c))
        rows.append(
            {
                "term": f"{name}: {part[date].iloc[-1].date()} vs "
                f"{part[date].iloc[0].date()}",
                "estimate": est,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "p": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
                "n": len(part),
                "se": se,
            }
        )
    change = StatsResult.from_rows(
        rows,
        model=f"{spline} spline (df={df}) trend of {y}, HAC SEs ({lags} lags)",
        p_adjust=p_adjust,
        family=f"the {len(rows)} first-to-last changes",
        estimate_scale=f"change in fitted {y}",
        ci_level=ci_level,
        notes=[
            "HAC lags from the shortest group series; with several groups the "
            "rows are stacked, so serial correlation is handled approximately."
        ],
        fitted=fitted,
    )
    return ModelResults(results={"change": change}, frames={"fitted": fitted_frame})
