"""Seeded generators of synthetic data with known effects (labelled synthetic).

These generators exist to check the statistical models of
:mod:`framing.stats` against the truth: bias and confidence-interval
coverage (``benchmarks/coverage.py``) and unit tests. Nothing here is
anyone's data. Outlets are called ``synthetic-outlet-N``, every table has a
``synthetic`` column set to ``True`` and ``DataFrame.attrs["synthetic"]``,
and every truth dictionary has ``"synthetic": True``.

Each generator takes a ``seed`` and is deterministic given its arguments.

=============================  ==============================================
generator                      model that recovers the truth
=============================  ==============================================
:func:`simulate_presence`      logit of frame presence, outlet x period,
                               with outlet-day random shocks
:func:`simulate_counts`        negative binomial (or Poisson) counts with a
                               ``n_words`` exposure
:func:`simulate_series`        weekly interrupted time series, AR(1) noise
:func:`simulate_outlets`       linear mixed model, normal outlet intercepts
:func:`simulate_topic_shares`  topic prevalence regression on Dirichlet
                               posteriors (method of composition)
:func:`simulate_classifier`    misclassification-corrected prevalence
=============================  ==============================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "ClassifierSimulation",
    "Simulation",
    "TopicSimulation",
    "outlet_names",
    "simulate_classifier",
    "simulate_counts",
    "simulate_outlets",
    "simulate_presence",
    "simulate_series",
    "simulate_topic_shares",
]


class Simulation(NamedTuple):
    """A synthetic table and the parameters that generated it."""

    data: pd.DataFrame
    truth: dict[str, Any]


class TopicSimulation(NamedTuple):
    """Covariates, Dirichlet posterior parameters and the truth."""

    covariates: pd.DataFrame
    gamma: np.ndarray
    truth: dict[str, Any]


class ClassifierSimulation(NamedTuple):
    """Classifier output on a target corpus, a validation sample, the truth."""

    predictions: pd.DataFrame
    validation: pd.DataFrame
    truth: dict[str, Any]


def outlet_names(n: int) -> list[str]:
    """Names of ``n`` synthetic outlets, sorted as they are numbered.

    Zero-padded so that alphabetical order (used by formula treatment
    coding) is numeric order and outlet 0 is the reference level.

    Examples
    --------
    >>> outlet_names(3)
    ['synthetic-outlet-0', 'synthetic-outlet-1', 'synthetic-outlet-2']
    >>> outlet_names(11)[10]
    'synthetic-outlet-10'
    >>> outlet_names(11)[1]
    'synthetic-outlet-01'
    """
    if n < 1:
        raise ValueError(f"need at least one outlet, got {n}")
    width = len(str(n - 1))
    return [f"synthetic-outlet-{i:0{width}d}" for i in range(n)]


def _label(frame: pd.DataFrame) -> pd.DataFrame:
    frame["synthetic"] = True
    frame.attrs["synthetic"] = True
    return frame


def _effects(
    values: Sequence[float] | None, n: int, default: float, name: str
) -> np.ndarray:
    """Per-outlet effects with outlet 0 (the reference) fixed at zero."""
    if values is None:
        return np.array([0.0] + [default * i for i in range(1, n)])
    out = np.asarray(values, dtype=float)
    if out.shape != (n - 1,):
        raise ValueError(f"{name} needs {n - 1} values (outlets 1..{n - 1})")
    return np.concatenate([[0.0], out])


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _marginal_log_odds(eta: np.ndarray, sd: float) -> np.ndarray:
    """logit E[expit(eta + u)], u ~ N(0, sd^2), by Gauss-Hermite quadrature.

    A logit fitted without the random shocks (as with cluster-robust
    errors) estimates these population-averaged log-odds, which are
    attenuated towards zero relative to the conditional ones.
    """
    if sd == 0:
        return np.asarray(eta, dtype=float)
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    weights = weights / weights.sum()
    p = (_expit(np.asarray(eta)[..., None] + sd * nodes) * weights).sum(axis=-1)
    return np.asarray(np.log(p / (1 - p)))


def simulate_presence(
    *,
    n_outlets: int = 3,
    n_days: int = 20,
    docs_per_day: int = 5,
    intercept: float = -1.0,
    outlet_effects: Sequence[float] | None = None,
    period_effect: float = 0.5,
    interaction: Sequence[float] | None = None,
    cluster_sd: float = 0.3,
    start: str = "2022-01-03",
    seed: int = 0,
) -> Simulation:
    """Document-level frame presence by outlet x period (design a).

    For document ``i`` of outlet ``o`` on day ``t``::

        logit P(present) = intercept + outlet_o + after_t * (period + inter_o)
                           + u_(o,t),      u_(o,t) ~ N(0, cluster_sd^2)

    where ``after_t`` is 1 in the second half of the days and ``u`` is a
    shock shared by all documents of one outlet-day (the ``cluster``).

    Parameters
    ----------
    n_outlets, n_days, docs_per_day : int
        Design size; ``n_outlets * n_days * docs_per_day`` documents.
    intercept : float
        Conditional log-odds for outlet 0 before the event.
    outlet_effects : sequence of float, optional
        Log-odds ratios of outlets 1.. against outlet 0 (default 0.3, 0.6...).
    period_effect : float
        Log-odds ratio after vs before, for outlet 0.
    interaction : sequence of float, optional
        Extra after-vs-before log-odds ratio of outlets 1.. (default 0).
    cluster_sd : float
        Standard deviation of the outlet-day shocks.
    start : str
        First day (ISO date).
    seed : int

    Returns
    -------
    Simulation
        ``data`` has ``doc_id``, ``outlet``, ``date``, ``period``
        (``"before"``/``"after"``), ``after`` (0/1), ``cluster``
        (outlet-day), ``present`` (0/1) and ``synthetic``. ``truth`` has
        the conditional coefficients (``intercept``, ``outlet_effects``,
        ``period_effect``, ``interaction``: dicts keyed by outlet, reference
        outlet omitted), ``cluster_sd``, ``cell_log_odds`` and ``marginal``:
        the same coefficients on the population-averaged scale that a logit
        without random effects estimates.

    Examples
    --------
    >>> sim = simulate_presence(n_outlets=2, n_days=4, docs_per_day=3, seed=1)
    >>> len(sim.data), sim.truth["period_effect"]
    (24, 0.5)
    >>> sorted(sim.data["period"].unique())
    ['after', 'before']
    >>> abs(sim.truth["marginal"]["period_effect"]) < 0.5
    True
    """
    if n_days < 2:
        raise ValueError("need at least 2 days: one before and one after")
    rng = np.random.default_rng(seed)
    outlets = outlet_names(n_outlets)
    alpha = _effects(outlet_effects, n_outlets, 0.3, "outlet_effects")
    gamma = _effects(interaction, n_outlets, 0.0, "interaction")
    days = pd.date_range(start, periods=n_days, freq="D")
    after_day = (np.arange(n_days) >= n_days // 2).astype(int)

    o_idx = np.repeat(np.arange(n_outlets), n_days * docs_per_day)
    d_idx = np.tile(np.repeat(np.arange(n_days), docs_per_day), n_outlets)
    shocks = rng.normal(0.0, cluster_sd, size=(n_outlets, n_days))
    after = after_day[d_idx]
    eta = intercept + alpha[o_idx] + after * (period_effect + gamma[o_idx])
    present = rng.random(len(o_idx)) < _expit(eta + shocks[o_idx, d_idx])

    data = pd.DataFrame(
        {
            "doc_id": [f"synthetic-{i:06d}" for i in range(len(o_idx))],
            "outlet": np.asarray(outlets)[o_idx],
            "date": days[d_idx],
            "period": np.where(after == 1, "after", "before"),
            "after": after,
            "cluster": [
                f"{outlets[o]}|{days[d].date()}"
                for o, d in zip(o_idx, d_idx, strict=True)
            ],
            "present": present.astype(int),
        }
    )

    # Cell log-odds, then the coefficients of the saturated outlet*after
    # logit on both scales (conditional and population-averaged).
    cells = (
        intercept
        + alpha[:, None]
        + np.array([0, 1])[None, :] * (period_effect + gamma[:, None])
    )
    marginal_cells = _marginal_log_odds(cells, cluster_sd)

    def coefficients(c: np.ndarray) -> dict[str, Any]:
        period = float(c[0, 1] - c[0, 0])
        return {
            "intercept": float(c[0, 0]),
            "outlet_effects": {
                outlets[o]: float(c[o, 0] - c[0, 0]) for o in range(1, n_outlets)
            },
            "period_effect": period,
            "interaction": {
                outlets[o]: float(c[o, 1] - c[o, 0] - period)
                for o in range(1, n_outlets)
            },
        }

    truth: dict[str, Any] = {
        "synthetic": True,
        **coefficients(cells),
        "period_effect": float(period_effect),
        "cluster_sd": float(cluster_sd),
        "cell_log_odds": pd.DataFrame(
            cells, index=pd.Index(outlets, name="outlet"), columns=["before", "after"]
        ),
        "marginal": coefficients(marginal_cells),
    }
    return Simulation(_label(data), truth)


def simulate_counts(
    *,
    n_outlets: int = 2,
    n_docs: int = 400,
    mean_words: float = 400.0,
    base_rate: float = 0.005,
    outlet_rate_ratios: Sequence[float] | None = None,
    period_rate_ratio: float = 1.5,
    alpha: float = 0.5,
    seed: int = 0,
) -> Simulation:
    """Term counts with a ``n_words`` exposure, known rate ratios (design b).

    ``count ~ NB2(mean = n_words * base_rate * RR_outlet * RR_period^after,
    var = mean + alpha * mean^2)``, drawn as a gamma-Poisson mixture;
    ``alpha = 0`` gives Poisson counts (where exact conditional Poisson
    tests apply). Documents are split evenly over outlets and, within an
    outlet, alternate between ``before`` and ``after``.

    Parameters
    ----------
    n_outlets, n_docs : int
    mean_words : float
        Mean document length; lengths are ``1 + Poisson(mean_words - 1)``
        times a lognormal(0, 0.5) spread, rounded.
    base_rate : float
        Rate per word for outlet 0 before the event.
    outlet_rate_ratios : sequence of float, optional
        Rate ratios of outlets 1.. against outlet 0 (default 1.2, 1.4, ...).
    period_rate_ratio : float
        Rate ratio after vs before (all outlets).
    alpha : float
        NB2 overdispersion (``var = mu + alpha mu^2``); 0 for Poisson.
    seed : int

    Returns
    -------
    Simulation
        ``data``: ``doc_id``, ``outlet``, ``period``, ``after``,
        ``n_words``, ``count``, ``synthetic``. ``truth``: ``base_rate``,
        ``outlet_rate_ratios`` (dict), ``period_rate_ratio``, ``alpha``.

    Examples
    --------
    >>> sim = simulate_counts(n_docs=100, seed=3)
    >>> sim.truth["period_rate_ratio"], sim.truth["alpha"]
    (1.5, 0.5)
    >>> int(sim.data["n_words"].min()) >= 1
    True
    """
    if alpha < 0:
        raise ValueError("alpha must be >= 0")
    rng = np.random.default_rng(seed)
    outlets = outlet_names(n_outlets)
    if outlet_rate_ratios is None:
        rr = np.array([1.0 + 0.2 * i for i in range(n_outlets)])
    else:
        rr = np.concatenate([[1.0], np.asarray(outlet_rate_ratios, dtype=float)])
        if rr.shape != (n_outlets,):
            raise ValueError(f"outlet_rate_ratios needs {n_outlets - 1} values")
    o_idx = np.arange(n_docs) % n_outlets
    after = (np.arange(n_docs) // n_outlets) % 2
    spread = rng.lognormal(0.0, 0.5, n_docs)
    n_words = np.maximum(
        1, np.round((1 + rng.poisson(mean_words - 1, n_docs)) * spread)
    ).astype(int)
    mu = n_words * base_rate * rr[o_idx] * period_rate_ratio**after
    if alpha > 0:
        mu = mu * rng.gamma(1.0 / alpha, alpha, n_docs)
    counts = rng.poisson(mu)
    data = pd.DataFrame(
        {
            "doc_id": [f"synthetic-{i:06d}" for i in range(n_docs)],
            "outlet": np.asarray(outlets)[o_idx],
            "period": np.where(after == 1, "after", "before"),
            "after": after,
            "n_words": n_words,
            "count": counts,
        }
    )
    truth = {
        "synthetic": True,
        "base_rate": float(base_rate),
        "outlet_rate_ratios": {outlets[o]: float(rr[o]) for o in range(1, n_outlets)},
        "period_rate_ratio": float(period_rate_ratio),
        "alpha": float(alpha),
    }
    return Simulation(_label(data), truth)


def simulate_series(
    *,
    n_outlets: int = 1,
    n_weeks: int = 104,
    event_week: int = 52,
    level: float = 10.0,
    slope: float = 0.02,
    level_change: float = 2.0,
    slope_change: float = 0.05,
    phi: float = 0.5,
    sigma: float = 1.0,
    outlet_sd: float = 1.0,
    start: str = "2021-01-04",
    seed: int = 0,
) -> Simulation:
    """Weekly series per outlet with a level and slope change (design c).

    For outlet ``o`` in week ``t`` (0-based) with ``post = t >= event_week``::

        y = level + b_o + slope * t + level_change * post
            + slope_change * (t - event_week) * post + e_t,
        e_t = phi * e_(t-1) + N(0, sigma^2)   (stationary start)

    with outlet offsets ``b_o ~ N(0, outlet_sd^2)`` (``b_0 = 0`` if there
    is one outlet).

    Returns
    -------
    Simulation
        ``data``: ``outlet``, ``week`` (Monday dates), ``t``, ``post``,
        ``time_since`` (``(t - event_week) * post``), ``value``,
        ``synthetic``. ``truth``: the arguments, ``event_date`` and
        ``outlet_offsets``.

    Examples
    --------
    >>> sim = simulate_series(n_weeks=10, event_week=5, seed=0)
    >>> sim.data["post"].tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    >>> str(sim.truth["event_date"].date())
    '2021-02-08'
    """
    if not 0 < event_week < n_weeks:
        raise ValueError("event_week must fall inside the series")
    if not -1 < phi < 1:
        raise ValueError("phi must be in (-1, 1) for a stationary AR(1)")
    rng = np.random.default_rng(seed)
    outlets = outlet_names(n_outlets)
    weeks = pd.date_range(start, periods=n_weeks, freq="7D")
    t = np.arange(n_weeks)
    post = (t >= event_week).astype(int)
    offsets = rng.normal(0.0, outlet_sd, n_outlets) if n_outlets > 1 else np.zeros(1)
    frames = []
    for o, outlet in enumerate(outlets):
        noise = np.empty(n_weeks)
        noise[0] = rng.normal(0.0, sigma / np.sqrt(1 - phi**2))
        innovations = rng.normal(0.0, sigma, n_weeks)
        for i in range(1, n_weeks):
            noise[i] = phi * noise[i - 1] + innovations[i]
        value = (
            level
            + offsets[o]
            + slope * t
            + level_change * post
            + slope_change * (t - event_week) * post
            + noise
        )
        frames.append(
            pd.DataFrame(
                {
                    "outlet": outlet,
                    "week": weeks,
                    "t": t,
                    "post": post,
                    "time_since": (t - event_week) * post,
                    "value": value,
                }
            )
        )
    truth = {
        "synthetic": True,
        "level": float(level),
        "slope": float(slope),
        "level_change": float(level_change),
        "slope_change": float(slope_change),
        "phi": float(phi),
        "sigma": float(sigma),
        "event_week": int(event_week),
        "event_date": weeks[event_week],
        "outlet_offsets": dict(zip(outlets, offsets.tolist(), strict=True)),
    }
    return Simulation(_label(pd.concat(frames, ignore_index=True)), truth)


def simulate_outlets(
    *,
    n_outlets: int = 40,
    docs_per_outlet: int = 15,
    intercept: float = 0.0,
    effect: float = 0.5,
    outlet_sd: float = 0.5,
    resid_sd: float = 1.0,
    seed: int = 0,
) -> Simulation:
    """Many outlets with normal random intercepts (design d).

    With ``after`` alternating 0/1 within each outlet and outlet intercepts
    ``u ~ N(0, outlet_sd^2)``, the linear predictor is ``eta = intercept +
    effect * after + u_outlet``, and two outcomes share it:

    * ``value = eta + e``, ``e ~ N(0, resid_sd^2)`` (linear mixed model);
    * ``present ~ Bernoulli(expit(eta))`` (mixed logit; ``effect`` is then a
      conditional log-odds ratio).

    Returns
    -------
    Simulation
        ``data``: ``doc_id``, ``outlet``, ``after``, ``period``, ``value``,
        ``present``, ``synthetic``. ``truth``: ``intercept``, ``effect``,
        ``outlet_sd``, ``resid_sd`` and the drawn ``outlet_effects`` (dict).

    Examples
    --------
    >>> sim = simulate_outlets(n_outlets=5, docs_per_outlet=4, seed=2)
    >>> sim.data.groupby("outlet").size().tolist()
    [4, 4, 4, 4, 4]
    >>> sorted(sim.data["present"].unique().tolist())
    [0, 1]
    """
    rng = np.random.default_rng(seed)
    outlets = outlet_names(n_outlets)
    u = rng.normal(0.0, outlet_sd, n_outlets)
    o_idx = np.repeat(np.arange(n_outlets), docs_per_outlet)
    after = np.tile(np.arange(docs_per_outlet) % 2, n_outlets)
    eta = intercept + effect * after + u[o_idx]
    value = eta + rng.normal(0.0, resid_sd, len(o_idx))
    present = (rng.random(len(o_idx)) < _expit(eta)).astype(int)
    data = pd.DataFrame(
        {
            "doc_id": [f"synthetic-{i:06d}" for i in range(len(o_idx))],
            "outlet": np.asarray(outlets)[o_idx],
            "after": after,
            "period": np.where(after == 1, "after", "before"),
            "value": value,
            "present": present,
        }
    )
    truth = {
        "synthetic": True,
        "intercept": float(intercept),
        "effect": float(effect),
        "outlet_sd": float(outlet_sd),
        "resid_sd": float(resid_sd),
        "outlet_effects": dict(zip(outlets, u.tolist(), strict=True)),
    }
    return Simulation(_label(data), truth)


#: Default mean topic shares and covariate effects of simulate_topic_shares.
_BASE_SHARES = (0.4, 0.3, 0.2, 0.1)
_GROUP_EFFECT = (0.1, -0.05, -0.05, 0.0)
_X_EFFECT = (-0.1, 0.0, 0.05, 0.05)


def simulate_topic_shares(
    *,
    n_docs: int = 300,
    base_shares: Sequence[float] = _BASE_SHARES,
    group_effect: Sequence[float] = _GROUP_EFFECT,
    x_effect: Sequence[float] = _X_EFFECT,
    concentration: float = 20.0,
    doc_length: int = 200,
    prior: float = 0.1,
    seed: int = 0,
) -> TopicSimulation:
    """LDA-like Dirichlet posteriors with known effects on mean shares (design e).

    Each document has a ``group`` (``"control"``/``"treated"``, alternating)
    and ``x ~ Uniform(0, 1)``; its mean topic shares are linear::

        mu_k(d) = base_k + group_effect_k * treated_d + x_effect_k * x_d

    (effects sum to zero over topics, so shares sum to one). True shares
    ``theta_d ~ Dirichlet(concentration * mu(d))``, so ``E[theta_dk | x] =
    mu_k(d)`` exactly and OLS of ``theta_k`` on ``group + x`` is unbiased
    for the effects. The topic model's output is imitated by ``gamma_d =
    prior + n_d`` with topic-word counts ``n_d ~ Multinomial(doc_length,
    theta_d)``: the Dirichlet posterior of ``theta_d`` when the topic of
    every word is known, as in the variational parameters of an LDA.

    Returns
    -------
    TopicSimulation
        ``covariates`` (``doc_id``, ``group``, ``x``, ``synthetic``);
        ``gamma`` (``n_docs x K``); ``truth`` with ``coefficients`` (a
        DataFrame, topics x terms ``Intercept``, ``group[T.treated]``,
        ``x``: the names formula ``~ group + x`` gives), ``theta`` (the true
        shares) and the arguments. The posterior mean of ``gamma`` shrinks
        shares towards ``1/K`` by a factor ``doc_length / (doc_length + K *
        prior)``; ``truth["shrinkage"]`` holds it.

    Examples
    --------
    >>> sim = simulate_topic_shares(n_docs=50, seed=4)
    >>> sim.gamma.shape
    (50, 4)
    >>> sim.truth["coefficients"].loc[0, "group[T.treated]"]
    np.float64(0.1)
    >>> bool(np.allclose(sim.gamma.sum(axis=1), 200 + 4 * 0.1))
    True
    """
    base = np.asarray(base_shares, dtype=float)
    b_group = np.asarray(group_effect, dtype=float)
    b_x = np.asarray(x_effect, dtype=float)
    k = len(base)
    if b_group.shape != (k,) or b_x.shape != (k,):
        raise ValueError("base_shares, group_effect and x_effect need equal lengths")
    if not (
        np.isclose(base.sum(), 1)
        and np.isclose(b_group.sum(), 0)
        and np.isclose(b_x.sum(), 0)
    ):
        raise ValueError("base shares must sum to 1 and effects to 0")
    corners = [base, base + b_group, base + b_x, base + b_group + b_x]
    if min(float(c.min()) for c in corners) <= 0:
        raise ValueError("mean shares must stay positive for every covariate value")
    rng = np.random.default_rng(seed)
    treated = np.arange(n_docs) % 2
    x = rng.random(n_docs)
    mu = base + treated[:, None] * b_group + x[:, None] * b_x
    draws = rng.standard_gamma(concentration * mu)
    theta = draws / draws.sum(axis=1, keepdims=True)
    counts = np.stack([rng.multinomial(doc_length, row) for row in theta])
    gamma = prior + counts.astype(float)
    covariates = pd.DataFrame(
        {
            "doc_id": [f"synthetic-{i:06d}" for i in range(n_docs)],
            "group": np.where(treated == 1, "treated", "control"),
            "x": x,
        }
    )
    coefficients = pd.DataFrame(
        {"Intercept": base, "group[T.treated]": b_group, "x": b_x},
        index=pd.RangeIndex(k, name="topic"),
    )
    truth = {
        "synthetic": True,
        "coefficients": coefficients,
        "theta": theta,
        "concentration": float(concentration),
        "doc_length": int(doc_length),
        "prior": float(prior),
        "shrinkage": doc_length / (doc_length + k * prior),
    }
    return TopicSimulation(_label(covariates), gamma, truth)


_DEFAULT_CONFUSION = ((0.9, 0.1), (0.2, 0.8))


def simulate_classifier(
    *,
    prevalence: Sequence[float] | Mapping[str, Sequence[float]] = (0.7, 0.3),
    confusion: Sequence[Sequence[float]] = _DEFAULT_CONFUSION,
    labels: Sequence[str] | None = None,
    n_docs: int = 500,
    n_validation: int = 300,
    validation_prevalence: Sequence[float] | None = None,
    seed: int = 0,
) -> ClassifierSimulation:
    """Classifier predictions from known prevalence and error rates (design f).

    True labels of the target corpus are drawn with probabilities
    ``prevalence`` (per group when a mapping ``group -> probabilities`` is
    given), and each prediction from row ``confusion[true]`` of the
    misclassification matrix (rows: true class, columns: predicted class,
    rows sum to one). A validation sample of ``n_validation`` documents is
    drawn the same way, with ``validation_prevalence`` (default: the mean of
    the groups' prevalences), for estimating the error rates.

    Parameters
    ----------
    prevalence : sequence of float, or mapping of group to sequence
        True class probabilities.
    confusion : K x K sequence of float
        ``P(predicted = j | true = i)``.
    labels : sequence of str, optional
        Class names (default ``"absent", "present"`` for two classes, else
        ``"class-0", "class-1", ...``).
    n_docs : int
        Documents per group in the target corpus.
    n_validation : int
        Size of the validation (gold) sample.
    validation_prevalence : sequence of float, optional
    seed : int

    Returns
    -------
    ClassifierSimulation
        ``predictions`` (``doc_id``, ``group``, ``true``, ``predicted``,
        ``synthetic``); ``validation`` (``true``, ``predicted``,
        ``synthetic``); ``truth`` with ``prevalence`` (DataFrame, groups x
        labels), ``confusion`` (DataFrame of probabilities, true x
        predicted) and ``labels``.

    Examples
    --------
    >>> sim = simulate_classifier(seed=0)
    >>> sim.truth["prevalence"].loc["all", "present"]
    np.float64(0.3)
    >>> len(sim.predictions), len(sim.validation)
    (500, 300)
    """
    m = np.asarray(confusion, dtype=float)
    k = m.shape[0]
    if m.shape != (k, k) or not np.allclose(m.sum(axis=1), 1) or (m < 0).any():
        raise ValueError("confusion must be square with rows of probabilities")
    if labels is None:
        labels = ["absent", "present"] if k == 2 else [f"class-{i}" for i in range(k)]
    labels = list(labels)
    if len(labels) != k:
        raise ValueError(f"need {k} labels")
    groups = (
        {str(g): np.asarray(p, dtype=float) for g, p in prevalence.items()}
        if isinstance(prevalence, Mapping)
        else {"all": np.asarray(prevalence, dtype=float)}
    )
    for name, p in groups.items():
        if p.shape != (k,) or not np.isclose(p.sum(), 1) or (p < 0).any():
            raise ValueError(f"prevalence of {name!r} must be {k} probabilities")
    rng = np.random.default_rng(seed)
    label_array = np.asarray(labels, dtype=object)

    def draw(p: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        true = rng.choice(k, size=n, p=p)
        # Inverse-CDF draw of each prediction from its true class's row.
        u = rng.random(n)
        predicted = (u[:, None] > np.cumsum(m[true], axis=1)).sum(axis=1)
        return true, np.minimum(predicted, k - 1)

    frames = []
    for name, p in groups.items():
        true, predicted = draw(p, n_docs)
        frames.append(
            pd.DataFrame(
                {
                    "group": name,
                    "true": label_array[true],
                    "predicted": label_array[predicted],
                }
            )
        )
    predictions = pd.concat(frames, ignore_index=True)
    predictions.insert(
        0, "doc_id", [f"synthetic-{i:06d}" for i in range(len(predictions))]
    )
    if validation_prevalence is None:
        v_prev = np.mean(list(groups.values()), axis=0)
    else:
        v_prev = np.asarray(validation_prevalence, dtype=float)
    v_true, v_pred = draw(v_prev, n_validation)
    validation = pd.DataFrame(
        {"true": label_array[v_true], "predicted": label_array[v_pred]}
    )
    truth = {
        "synthetic": True,
        "prevalence": pd.DataFrame(
            np.vstack(list(groups.values())),
            index=pd.Index(list(groups), name="group"),
            columns=labels,
        ),
        "confusion": pd.DataFrame(
            m,
            index=pd.Index(labels, name="true"),
            columns=pd.Index(labels, name="predicted"),
        ),
        "labels": labels,
        "validation_prevalence": v_prev,
    }
    return ClassifierSimulation(_label(predictions), _label(validation), truth)
