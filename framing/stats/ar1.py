"""Regression with AR(1) errors by exact (or restricted) maximum likelihood.

The model is ``y_t = x_t' beta + u_t`` with stationary AR(1) errors,
``corr(u_s, u_t) = phi ** |s - t|`` (``|s - t|`` in periods, so a period
without data is a gap, not a neighbour: as R's ``arima`` with ``NA`` in the
series, or ``nlme::gls`` with ``corAR1(form = ~ t)`` on integer times).

:func:`ar1_regression` profiles ``beta`` (GLS) and the innovation variance
out of the Gaussian likelihood and maximises over ``phi`` alone with a
bounded scalar search, so it stops at the optimum to the search tolerance
(``1e-10`` on ``atanh(phi)``). Two estimation methods:

``"ml"`` (default)
    exact maximum likelihood, as ``arima(y, order = c(1, 0, 0), xreg = X)``.
    Standard errors: the inverse Hessian of the log-likelihood (with the
    variance concentrated out) in ``(phi, beta)`` at the optimum,
    computed by central differences; this is what R's ``arima`` reports
    (``se="hessian"``). ``se="opg"`` gives the outer product of
    gradients of the Kalman-filter log-likelihood contributions, for
    comparison with statsmodels' SARIMAX default.
``"reml"``
    restricted likelihood (``nlme::gls(method = "REML")``): less biased
    ``phi`` and variance in short series; SEs ``sigma2 (X' R^-1 X)^-1`` at
    the REML ``phi``, as ``gls`` reports them (conditional on ``phi``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import linalg, optimize

__all__ = ["AR1Fit", "ar1_regression"]


@dataclass
class AR1Fit:
    """Estimates of a regression with AR(1) errors.

    Attributes
    ----------
    params, bse : ndarray
        Regression coefficients and their standard errors.
    phi, phi_se : float
        AR(1) coefficient and its standard error (Hessian; NaN for REML).
    sigma2 : float
        Innovation variance (ML: divided by n; REML: by n - k).
    loglik : float
        Maximised (restricted) log-likelihood.
    method, se_type : str
        ``"ml"``/``"reml"`` and how the SEs were computed.
    """

    params: np.ndarray
    bse: np.ndarray
    cov: np.ndarray
    phi: float
    phi_se: float
    sigma2: float
    loglik: float
    method: str
    se_type: str
    n: int
    at_bound: bool


def _correlation(times: np.ndarray, phi: float) -> np.ndarray:
    lags = np.abs(times[:, None] - times[None, :])
    return phi**lags / (1 - phi**2)


def _gls(
    y: np.ndarray, x: np.ndarray, times: np.ndarray, phi: float
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """beta, Q = r' G^-1 r, log|G| and X' G^-1 X for one phi."""
    gamma = _correlation(times, phi)
    chol = linalg.cholesky(gamma, lower=True)
    ys = linalg.solve_triangular(chol, y, lower=True)
    xs = linalg.solve_triangular(chol, x, lower=True)
    beta, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    resid = ys - xs @ beta
    logdet = 2 * float(np.sum(np.log(np.diag(chol))))
    return beta, float(resid @ resid), logdet, xs.T @ xs


def _concentrated(
    y: np.ndarray, x: np.ndarray, times: np.ndarray, phi: float, beta: np.ndarray
) -> float:
    """Log-likelihood at (phi, beta) with the innovation variance profiled."""
    n = len(y)
    gamma = _correlation(times, phi)
    chol = linalg.cholesky(gamma, lower=True)
    resid = linalg.solve_triangular(chol, y - x @ beta, lower=True)
    q = float(resid @ resid)
    logdet = 2 * float(np.sum(np.log(np.diag(chol))))
    return -0.5 * n * (np.log(2 * np.pi * q / n) + 1) - 0.5 * logdet


def _hessian(function: Callable[[np.ndarray], float], point: np.ndarray) -> np.ndarray:
    f = function
    k = len(point)
    steps = 1e-4 * np.maximum(1.0, np.abs(point))
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = steps[i]
            ej[j] = steps[j]
            value = (
                f(point + ei + ej)
                - f(point + ei - ej)
                - f(point - ei + ej)
                + f(point - ei - ej)
            ) / (4 * steps[i] * steps[j])
            hess[i, j] = hess[j, i] = value
    return hess


def ar1_regression(
    y: np.ndarray,
    x: np.ndarray,
    times: np.ndarray | None = None,
    *,
    method: Literal["ml", "reml"] = "ml",
    se: Literal["hessian", "opg"] = "hessian",
) -> AR1Fit:
    """Fit ``y = X beta + u`` with AR(1) errors by ML or REML.

    Parameters
    ----------
    y : ndarray
        Observed values (no NaN: pass the times of the observed periods).
    x : ndarray
        Design matrix.
    times : ndarray, optional
        Integer period of each observation (default ``0..n-1``); gaps in
        the times are gaps in the series.
    method : {"ml", "reml"}
        Exact ML (as R ``arima``) or REML (as ``nlme::gls``).
    se : {"hessian", "opg"}
        ML standard errors from the inverse Hessian (default, as R) or the
        outer product of gradients.

    Returns
    -------
    AR1Fit

    Examples
    --------
    An AR(1) series with phi = 0.6 around a mean of 2:

    >>> rng = np.random.default_rng(0)
    >>> u = np.zeros(300)
    >>> for t in range(1, 300):
    ...     u[t] = 0.6 * u[t - 1] + rng.normal()
    >>> fit = ar1_regression(2 + u, np.ones((300, 1)))
    >>> bool(abs(fit.phi - 0.6) < 0.1), bool(abs(fit.params[0] - 2) < 0.5)
    (True, True)
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    times = np.arange(n, dtype=float) if times is None else np.asarray(times, float)
    if method not in ("ml", "reml"):
        raise ValueError(f"method must be 'ml' or 'reml', got {method!r}")

    def objective(z: float) -> float:
        phi = float(np.tanh(z))
        beta, q, logdet, xtx = _gls(y, x, times, phi)
        if method == "ml":
            return 0.5 * n * np.log(q / n) + 0.5 * logdet
        sign, logdet_x = np.linalg.slogdet(xtx)
        return 0.5 * (n - k) * np.log(q / (n - k)) + 0.5 * logdet + 0.5 * logdet_x

    bound = 6.0  # |phi| < tanh(6) = 0.99999
    search = optimize.minimize_scalar(
        objective,
        bounds=(-bound, bound),
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    z = float(search.x)
    phi = float(np.tanh(z))
    at_bound = abs(z) > bound - 1e-3
    beta, q, logdet, xtx = _gls(y, x, times, phi)
    if method == "reml":
        sigma2 = q / (n - k)
        cov = sigma2 * np.linalg.inv(xtx)
        sign, logdet_x = np.linalg.slogdet(xtx)
        loglik = -0.5 * ((n - k) * (np.log(2 * np.pi * sigma2) + 1) + logdet + logdet_x)
        return AR1Fit(
            beta,
            np.sqrt(np.diag(cov)),
            cov,
            phi,
            float("nan"),
            sigma2,
            float(loglik),
            "reml",
            "sigma2 (X' R^-1 X)^-1 at the REML phi (as nlme::gls)",
            n,
            at_bound,
        )
    point = np.concatenate([[phi], beta])

    def loglik_at(theta: np.ndarray) -> float:
        return _concentrated(y, x, times, float(theta[0]), theta[1:])

    if se == "hessian":
        cov_full = np.linalg.inv(-_hessian(loglik_at, point))
        se_type = "inverse Hessian of the exact log-likelihood (as R's arima)"
    elif se == "opg":
        cov_full = _opg(y, x, times, point)
        se_type = "outer product of gradients"
    else:
        raise ValueError(f"se must be 'hessian' or 'opg', got {se!r}")
    errors = np.sqrt(np.clip(np.diag(cov_full), 0, None))
    return AR1Fit(
        beta,
        errors[1:],
        cov_full[1:, 1:],
        phi,
        float(errors[0]),
        q / n,
        float(loglik_at(point)),
        "ml",
        se_type,
        n,
        at_bound,
    )


def _opg(
    y: np.ndarray, x: np.ndarray, times: np.ndarray, point: np.ndarray
) -> np.ndarray:
    """Outer product of per-observation score contributions (prediction errors)."""
    sigma2 = None

    def contributions(theta: np.ndarray) -> np.ndarray:
        nonlocal sigma2
        phi, beta = float(theta[0]), theta[1:]
        u = y - x @ beta
        out = np.empty(len(y))
        variance = 1 / (1 - phi**2)
        mean = 0.0
        resid = []
        for t in range(len(y)):
            if t > 0:
                gap = times[t] - times[t - 1]
                mean = phi**gap * u[t - 1]
                variance = (1 - phi ** (2 * gap)) / (1 - phi**2)
            resid.append((u[t] - mean, variance))
        if sigma2 is None:
            sigma2 = float(np.mean([e * e / v for e, v in resid]))
        for t, (e, v) in enumerate(resid):
            out[t] = -0.5 * (np.log(2 * np.pi * sigma2 * v) + e * e / (sigma2 * v))
        return out

    contributions(point)
    k = len(point)
    steps = 1e-6 * np.maximum(1.0, np.abs(point))
    grads = np.empty((len(y), k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = steps[i]
        grads[:, i] = (contributions(point + e) - contributions(point - e)) / (
            2 * steps[i]
        )
    return np.linalg.inv(grads.T @ grads)
