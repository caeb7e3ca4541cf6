"""Negative binomial (NB2) regression fitted as R's ``MASS::glm.nb``.

The NB2 model has ``Var(y) = mu + mu^2 / theta``. :func:`glm_nb`
alternates, as ``glm.nb`` does,

1. for fixed ``theta``: the GLM of the negative binomial family with a log
   link, by iteratively reweighted least squares (Fisher scoring);
2. for fixed means: ``theta`` by Newton-Raphson on its score with the
   observed information (MASS's ``theta.ml``),

until the log-likelihood and ``theta`` stop changing (relative change
below ``tol``). Standard errors of the coefficients are those of the GLM
at the final ``theta`` (expected information, dispersion 1), as
``summary(glm.nb(...))`` prints; the standard error of ``theta`` is from
its observed information. With ``groups`` the coefficient covariance is
the cluster-robust sandwich of that GLM (theta held at its estimate).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy.special import digamma, gammaln, polygamma
from statsmodels.tools.sm_exceptions import ConvergenceWarning

__all__ = ["NegBinFit", "glm_nb", "theta_ml"]


@dataclass
class NegBinFit:
    """A fitted NB2 model.

    Attributes
    ----------
    params, bse, pvalues : ndarray
        Coefficients (log scale), standard errors, Wald p-values.
    theta, theta_se : float
        The NB2 shape (``alpha = 1 / theta``) and its standard error.
    loglik : float
        The maximised log-likelihood.
    converged : bool
        Whether the alternation met the tolerance.
    glm : statsmodels GLMResults
        The GLM at the final ``theta`` (for predictions and covariance).
    """

    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    theta: float
    theta_se: float
    loglik: float
    converged: bool
    n_iter: int
    glm: Any
    cov: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def alpha(self) -> float:
        """The NB2 dispersion ``1 / theta`` (statsmodels' parameterisation)."""
        return 1.0 / self.theta


def _loglik(y: np.ndarray, mu: np.ndarray, theta: float) -> float:
    return float(
        np.sum(
            gammaln(theta + y)
            - gammaln(theta)
            - gammaln(y + 1)
            + theta * np.log(theta)
            + y * np.log(mu + (y == 0))
            - (theta + y) * np.log(theta + mu)
        )
    )


def theta_ml(
    y: np.ndarray, mu: np.ndarray, *, tol: float = 1e-10, max_iter: int = 100
) -> tuple[float, float, bool]:
    """ML estimate of theta for fixed means (MASS ``theta.ml``).

    Returns ``(theta, se, converged)``; the start is the moment estimate
    ``n / sum((y / mu - 1)^2)``.

    Examples
    --------
    >>> y = np.array([0, 1, 5, 2, 9, 0, 3, 14, 1, 4.0])
    >>> theta, se, ok = theta_ml(y, np.full(10, y.mean()))
    >>> ok, round(theta, 3)
    (True, 0.961)
    """
    n = len(y)
    theta = n / max(float(np.sum((y / mu - 1) ** 2)), 1e-12)
    converged = False
    info = np.nan
    for _ in range(max_iter):
        theta = abs(theta)
        score = np.sum(
            digamma(theta + y)
            - digamma(theta)
            + np.log(theta)
            + 1
            - np.log(theta + mu)
            - (y + theta) / (mu + theta)
        )
        info = np.sum(
            -polygamma(1, theta + y)
            + polygamma(1, theta)
            - 1 / theta
            + 2 / (mu + theta)
            - (y + theta) / (mu + theta) ** 2
        )
        step = score / info
        theta = theta + step
        if not np.isfinite(theta) or theta > 1e8:
            return float("inf"), float("nan"), False
        if abs(step) <= tol * max(1.0, abs(theta)):
            converged = True
            break
    se = float(np.sqrt(1 / info)) if info > 0 else float("nan")
    return float(abs(theta)), se, converged


def glm_nb(
    y: np.ndarray,
    x: Any,
    *,
    offset: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> NegBinFit:
    """Fit an NB2 log-linear model by alternating IRLS and theta ML.

    Parameters
    ----------
    y : ndarray
        Counts.
    x : ndarray or DataFrame
        Design matrix (with intercept).
    offset : ndarray, optional
        Log exposure.
    groups : ndarray, optional
        Cluster ids: cluster-robust (sandwich) covariance of the
        coefficients.
    tol : float
        Convergence tolerance (as ``glm.nb``'s ``epsilon``) on the change of
        the log-likelihood (scaled by ``sqrt(2 df)``) plus the change of
        theta (relative when theta > 1).

    Returns
    -------
    NegBinFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.column_stack([np.ones(400), np.repeat([0.0, 1.0], 200)])
    >>> y = rng.negative_binomial(2, 2 / (2 + np.exp(1 + 0.5 * x[:, 1])))
    >>> fit = glm_nb(y, x)
    >>> fit.converged, bool(abs(fit.params[1] - 0.5) < 0.2)
    (True, True)
    """
    y = np.asarray(y, dtype=float)
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(
            tol=1e-12
        )
    mu = np.asarray(poisson.fittedvalues, dtype=float)
    theta, theta_se, _ = theta_ml(y, mu)
    if not np.isfinite(theta):
        return _poisson_boundary(y, x, offset, groups)
    loglik = _loglik(y, mu, theta)
    scale = np.sqrt(2 * max(1.0, float(poisson.df_resid)))
    previous = loglik + 2 * scale
    change = 1.0
    converged = False
    start = np.asarray(poisson.params, dtype=float)
    fitted: Any = None
    rounds = 0
    for iteration in range(1, max_iter + 1):
        rounds = iteration
        family = sm.families.NegativeBinomial(alpha=1 / theta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted = sm.GLM(y, x, family=family, offset=offset).fit(
                start_params=start, tol=1e-13, maxiter=200
            )
        start = np.asarray(fitted.params, dtype=float)
        mu = np.asarray(fitted.fittedvalues, dtype=float)
        old_theta = theta
        theta, theta_se, theta_ok = theta_ml(y, mu)
        if not np.isfinite(theta):
            return _poisson_boundary(y, x, offset, groups)
        change = old_theta - theta
        previous, loglik = loglik, _loglik(y, mu, theta)
        if abs(previous - loglik) / scale + abs(change) / max(theta, 1.0) < tol:
            converged = theta_ok
            break
    family = sm.families.NegativeBinomial(alpha=1 / theta)
    model = sm.GLM(y, x, family=family, offset=offset)
    if groups is None:
        fitted = model.fit(start_params=start, tol=1e-13, maxiter=200)
    else:
        fitted = model.fit(
            start_params=start,
            tol=1e-13,
            maxiter=200,
            cov_type="cluster",
            cov_kwds={"groups": groups},
        )
    if not converged:
        notes.append(
            f"NB2 alternation did not converge in {rounds} rounds "
            f"(last change of theta {change:.2g})."
        )
    return NegBinFit(
        params=np.asarray(fitted.params, dtype=float),
        bse=np.asarray(fitted.bse, dtype=float),
        pvalues=np.asarray(fitted.pvalues, dtype=float),
        theta=theta,
        theta_se=theta_se,
        loglik=_loglik(y, np.asarray(fitted.fittedvalues, dtype=float), theta),
        converged=converged,
        n_iter=rounds,
        glm=fitted,
        cov=np.asarray(fitted.cov_params(), dtype=float),
        notes=notes,
    )


def _poisson_boundary(
    y: np.ndarray, x: Any, offset: np.ndarray | None, groups: np.ndarray | None
) -> NegBinFit:
    """theta -> inf (no overdispersion): the NB2 ML is the Poisson fit."""
    model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    kwargs: dict[str, Any] = (
        {}
        if groups is None
        else {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    )
    fitted = model.fit(tol=1e-12, **kwargs)
    mu = np.asarray(fitted.fittedvalues, dtype=float)
    from scipy.stats import poisson

    return NegBinFit(
        params=np.asarray(fitted.params, dtype=float),
        bse=np.asarray(fitted.bse, dtype=float),
        pvalues=np.asarray(fitted.pvalues, dtype=float),
        theta=float("inf"),
        theta_se=float("nan"),
        loglik=float(np.sum(poisson.logpmf(y, mu))),
        converged=True,
        n_iter=0,
        glm=fitted,
        cov=np.asarray(fitted.cov_params(), dtype=float),
        notes=[
            "NB2: theta is unbounded (no overdispersion), so the ML fit is the "
            "Poisson fit (alpha = 0)."
        ],
    )
