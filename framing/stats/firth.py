"""Firth's penalised-likelihood logistic regression (as R's ``logistf``).

Maximum likelihood logit estimates are infinite under separation (a
group that never, or always, uses a term). Firth (1993) adds half the log
determinant of the Fisher information (a Jeffreys prior) to the
log-likelihood; the estimates stay finite and are less biased in small
samples. :func:`firth_logit` fits it by Newton-Raphson on the modified
score ``X'(y - n p + h (1/2 - p))`` (``h`` the hat values) with step
halving, and returns

* estimates and the inverse penalised information as their covariance
  (logistf's ``vcov``);
* profile penalised-likelihood confidence intervals (logistf's default
  ``pl = TRUE``): the values of one coefficient where twice the drop of
  the profile penalised log-likelihood reaches the chi-squared quantile;
* penalised likelihood-ratio p-values (logistf's ``prob``).

Rows may be aggregated (``trials`` per distinct design row), which gives
the same fit as one row per document and is much faster.

References
----------
Firth, D. (1993). Bias reduction of maximum likelihood estimates.
Biometrika 80, 27-38. Heinze, G. and Schemper, M. (2002). A solution to
the problem of separation in logistic regression. Statistics in Medicine
21, 2409-2419.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats
from scipy.special import expit

__all__ = ["FirthResult", "firth_logit"]


@dataclass
class FirthResult:
    """A Firth logistic fit.

    Attributes
    ----------
    params, bse : ndarray
        Estimates and model-based standard errors (inverse penalised
        information).
    cov : ndarray
        Their covariance matrix.
    ci : ndarray
        ``(k, 2)`` profile penalised-likelihood interval (or Wald when
        ``profile=False``).
    pvalues : ndarray
        Penalised likelihood-ratio p-values (or Wald).
    loglik : float
        The maximised penalised log-likelihood.
    converged : bool
        Whether Newton-Raphson met the tolerance.
    ci_method : str
        ``"profile penalised likelihood"`` or ``"Wald"``.
    """

    params: np.ndarray
    bse: np.ndarray
    cov: np.ndarray
    ci: np.ndarray
    pvalues: np.ndarray
    loglik: float
    converged: bool
    n_iter: int
    ci_method: str
    notes: list[str] = field(default_factory=list)


def _penalised(
    beta: np.ndarray, x: np.ndarray, y: np.ndarray, n: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Penalised log-likelihood, modified score and information at beta."""
    eta = x @ beta
    p = expit(eta)
    w = n * p * (1 - p)
    info = x.T @ (w[:, None] * x)
    sign, logdet = np.linalg.slogdet(info)
    if sign <= 0:
        return -np.inf, np.full_like(beta, np.nan), info
    # log p and log(1 - p) without overflow for large |eta|.
    loglik = float(np.sum(y * -np.logaddexp(0, -eta) + (n - y) * -np.logaddexp(0, eta)))
    inv = np.linalg.inv(info)
    hat = w * np.einsum("ij,jk,ik->i", x, inv, x)
    score = x.T @ (y - n * p + hat * (0.5 - p))
    return loglik + 0.5 * logdet, score, info


def _newton(
    x: np.ndarray,
    y: np.ndarray,
    n: np.ndarray,
    beta: np.ndarray,
    free: np.ndarray,
    *,
    tol: float = 1e-10,
    max_iter: int = 200,
    max_step: float = 5.0,
) -> tuple[np.ndarray, float, bool, int]:
    """Maximise the penalised likelihood over the ``free`` coefficients."""
    beta = beta.copy()
    value, score, info = _penalised(beta, x, y, n)
    for iteration in range(1, max_iter + 1):
        sub = info[np.ix_(free, free)]
        step = np.linalg.solve(sub, score[free])
        largest = np.max(np.abs(step)) if step.size else 0.0
        if largest > max_step:
            step *= max_step / largest
        for _ in range(40):
            trial = beta.copy()
            trial[free] += step
            new_value, new_score, new_info = _penalised(trial, x, y, n)
            if np.isfinite(new_value) and new_value >= value - 1e-12:
                break
            step /= 2
        beta, value, score, info = trial, new_value, new_score, new_info
        if np.max(np.abs(score[free]), initial=0.0) < tol and np.max(
            np.abs(step), initial=0.0
        ) < max(tol, 1e-8):
            return beta, value, True, iteration
    return beta, value, False, max_iter


def firth_logit(
    x: np.ndarray,
    y: np.ndarray,
    trials: np.ndarray | None = None,
    *,
    ci_level: float = 0.95,
    profile: bool = True,
) -> FirthResult:
    """Fit Firth's penalised logistic regression.

    Parameters
    ----------
    x : ndarray, shape (m, k)
        Design matrix (with an intercept column if wanted).
    y : ndarray, shape (m,)
        Successes per row (0/1 for ungrouped data).
    trials : ndarray, optional
        Trials per row (default 1: one row per document).
    ci_level : float
        Confidence level of the intervals.
    profile : bool
        Profile penalised-likelihood intervals and penalised LR tests
        (default, as ``logistf``); ``False`` gives Wald intervals and tests
        on the penalised fit.

    Returns
    -------
    FirthResult

    Examples
    --------
    A 2 x 2 table with an empty cell (group b never uses the term): the
    ML odds ratio is 0, Firth's is finite. For a saturated logit Firth's
    estimate equals adding 1/2 to every cell:

    >>> x = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> res = firth_logit(x, y=np.array([6.0, 0.0]), trials=np.array([20.0, 15.0]))
    >>> bool(np.isclose(res.params[1], np.log((0.5 / 15.5) / (6.5 / 14.5))))
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = np.ones_like(y) if trials is None else np.asarray(trials, dtype=float)
    k = x.shape[1]
    everything = np.arange(k)
    beta, value, converged, n_iter = _newton(x, y, n, np.zeros(k), everything)
    _, _, info = _penalised(beta, x, y, n)
    cov = np.linalg.inv(info)
    bse = np.sqrt(np.diag(cov))
    notes: list[str] = []
    if not converged:
        notes.append("Firth fit: Newton-Raphson did not reach the tolerance.")
    if not profile:
        z = float(stats.norm.ppf(0.5 + ci_level / 2))
        ci = np.column_stack([beta - z * bse, beta + z * bse])
        pvalues = 2 * stats.norm.sf(np.abs(beta / bse))
        return FirthResult(
            beta, bse, cov, ci, pvalues, value, converged, n_iter, "Wald", notes
        )
    quantile = float(stats.chi2.ppf(ci_level, 1))
    ci = np.empty((k, 2))
    pvalues = np.empty(k)
    for j in range(k):
        others = np.delete(everything, j)

        def profile_value(b: float, j: int = j, others: np.ndarray = others) -> float:
            start = beta.copy()
            start[j] = b
            _, fixed_value, _, _ = _newton(x, y, n, start, others)
            return fixed_value

        drop_at_zero = 2 * (value - profile_value(0.0))
        pvalues[j] = float(stats.chi2.sf(max(drop_at_zero, 0.0), 1))
        for side, sign in ((0, -1.0), (1, 1.0)):
            ci[j, side] = _profile_bound(
                profile_value, beta[j], sign, bse[j], value, quantile
            )
    return FirthResult(
        beta,
        bse,
        cov,
        ci,
        pvalues,
        value,
        converged,
        n_iter,
        "profile penalised likelihood",
        notes,
    )


def _profile_bound(
    profile_value: object,
    centre: float,
    sign: float,
    se: float,
    best: float,
    quantile: float,
) -> float:
    """Where ``2 (best - profile(b)) = quantile`` on one side of the estimate."""

    def excess(b: float) -> float:
        return 2 * (best - profile_value(b)) - quantile  # type: ignore[operator]

    step = max(se, 0.1)
    inner = centre
    outer = centre + sign * step
    for _ in range(60):
        if excess(outer) > 0:
            return float(optimize.brentq(excess, min(inner, outer), max(inner, outer)))
        inner, step = outer, step * 2
        outer = centre + sign * step
        if abs(outer - centre) > 1e3:
            break
    return float(sign * np.inf)
