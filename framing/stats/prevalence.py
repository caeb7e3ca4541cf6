"""Frame prevalence from classifier output, corrected for misclassification.

Counting a classifier's predicted labels ("classify and count") is biased
whenever the classifier errs: with true positive rate ``tpr`` and false
positive rate ``fpr`` the expected predicted share is ``q = fpr + p (tpr -
fpr)``, not the true prevalence ``p``. :func:`corrected_prevalence` inverts
that relation (*adjusted classify and count*, Forman 2008):

* two classes: ``p = (q - fpr) / (tpr - fpr)``, clipped to ``[0, 1]``;
* ``K`` classes: with ``M[i, j] = P(predicted j | true i)`` estimated from a
  validation table, the predicted shares satisfy ``q = M' pi``; ``pi`` is the
  least-squares solution on the probability simplex (``pi >= 0``,
  ``sum(pi) = 1``). When the plain solution of ``M' pi = q`` is already a
  probability vector it is exact; for two classes the constrained solution
  is the clipped formula above.

The key assumption is that the error rates ``P(predicted | true)`` measured
on the validation sample hold in every group of the target corpus (the
classifier's behaviour within a true class does not depend on the group);
prevalence itself may differ.

Confidence intervals include the classifier's error: a parametric bootstrap
resamples, in each replicate, (1) every row of the validation table
(multinomially, with its row total and observed rates -- or from the
Dirichlet/Beta posterior with a Jeffreys prior, ``rates="dirichlet"``) and
(2) every group's predicted-label counts (multinomially), then re-solves.
The error-rate draw is shared by all groups in a replicate, because one
classifier's error affects every group alike. Intervals are percentile
intervals of the replicates.

:func:`corrected_naming_shares` applies the same idea to a lexicon
detector's naming shares: the Rogan-Gladen estimator with the sensitivity
and specificity measured by validating the detector on the researcher's
own corpus (:func:`framing.frames.validation.validate_mentions`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from .results import StatsResult

__all__ = [
    "corrected_naming_shares",
    "corrected_prevalence",
    "rogan_gladen",
    "solve_prevalence",
]


def solve_prevalence(rates: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Prevalence from misclassification rates and predicted shares.

    Parameters
    ----------
    rates : ndarray, shape (K, K) or (B, K, K)
        ``rates[..., i, j] = P(predicted j | true i)``; rows sum to one.
    shares : ndarray, shape (K,) or (B, K)
        Shares of predicted labels.

    Returns
    -------
    ndarray, shape (K,) or (B, K)
        Least-squares prevalence on the simplex. NaN where the rates cannot
        separate the classes (a singular system).

    Examples
    --------
    A classifier with ``tpr = 0.8`` and ``fpr = 0.1`` labels 31% of the
    documents positive: ``(0.31 - 0.1) / (0.8 - 0.1) = 0.3``.

    >>> rates = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> solve_prevalence(rates, np.array([0.69, 0.31])).round(6).tolist()
    [0.7, 0.3]
    >>> solve_prevalence(rates, np.array([0.95, 0.05])).tolist()  # clipped
    [1.0, 0.0]
    """
    m = np.asarray(rates, dtype=float)
    q = np.asarray(shares, dtype=float)
    single = m.ndim == 2
    if single:
        m, q = m[None], q[None]
    k = m.shape[-1]
    if m.shape[1:] != (k, k) or q.shape != (m.shape[0], k):
        raise ValueError("rates must be (..., K, K) and shares (..., K)")
    q = q / q.sum(axis=1, keepdims=True)
    out = np.full(q.shape, np.nan)
    if k == 2:
        # Closed form; the constrained least-squares solution for K = 2.
        tpr, fpr = m[:, 1, 1], m[:, 0, 1]
        denom = tpr - fpr
        ok = np.abs(denom) > 1e-12
        p = np.clip((q[ok, 1] - fpr[ok]) / denom[ok], 0.0, 1.0)
        out[ok, 1], out[ok, 0] = p, 1 - p
    else:
        a = np.transpose(m, (0, 2, 1))
        cond = np.linalg.cond(a)
        ok = np.isfinite(cond) & (cond < 1e12)
        out[ok] = np.linalg.solve(a[ok], q[ok][..., None])[..., 0]
        # Outside the simplex: constrained least squares. Sum-to-one enters
        # as a heavily weighted extra equation of a non-negative LS problem.
        for b in np.flatnonzero(ok & (out < -1e-12).any(axis=1)):
            weight = 1e4 * max(1.0, float(np.abs(a[b]).max()))
            design = np.vstack([a[b], np.full((1, k), weight)])
            target = np.concatenate([q[b], [weight]])
            solution = nnls(design, target, maxiter=50 * k)[0]
            out[b] = solution / solution.sum()
        out[ok] = np.clip(out[ok], 0.0, None)
        out[ok] /= out[ok].sum(axis=1, keepdims=True)
    return out[0] if single else out


def _confusion_table(
    confusion: Any, labels: Sequence[Hashable] | None
) -> tuple[np.ndarray, list[Hashable]]:
    """Validation counts as a (true x predicted) integer array and its labels."""
    if hasattr(confusion, "confusion") and isinstance(
        confusion.confusion, pd.DataFrame
    ):  # framing.evaluation.ClassificationResult
        confusion = confusion.confusion
    if isinstance(confusion, pd.DataFrame):
        true_labels = list(confusion.index)
        unvalidated = [c for c in confusion.columns if c not in true_labels]
        if unvalidated:
            raise ValueError(
                f"no validation documents of true class {unvalidated}: its error "
                "rates cannot be estimated (labels missing from the rows)"
            )
        # A class the classifier never predicted on the validation sample is
        # a column of zeros (pd.crosstab leaves it out).
        table = (
            confusion.reindex(columns=true_labels, fill_value=0)
            .loc[true_labels, true_labels]
            .to_numpy(dtype=float)
        )
        if labels is not None and list(labels) != true_labels:
            order = [true_labels.index(label) for label in labels]
            table, true_labels = table[np.ix_(order, order)], list(labels)
    else:
        table = np.asarray(confusion, dtype=float)
        if labels is None:
            raise ValueError("give labels= when the confusion table is an array")
        true_labels = list(labels)
    k = len(true_labels)
    if table.shape != (k, k) or k < 2:
        raise ValueError("the confusion table must be square with >= 2 labels")
    if (table < 0).any() or not np.allclose(table, np.round(table)):
        raise ValueError("the confusion table must hold non-negative counts")
    empty = [true_labels[i] for i in np.flatnonzero(table.sum(axis=1) == 0)]
    if empty:
        raise ValueError(
            f"no validation documents of true class {empty}: its error rates "
            "cannot be estimated"
        )
    return np.round(table).astype(np.int64), true_labels


def _count_table(
    predicted: Any, groups: Iterable[Hashable] | None, labels: list[Hashable]
) -> pd.DataFrame:
    """Predicted-label counts as a (group x label) table."""
    if isinstance(predicted, pd.DataFrame):
        if groups is not None:
            raise ValueError("groups= is for label sequences; a count table has rows")
        counts = predicted
    elif isinstance(predicted, Mapping):
        if groups is not None:
            raise ValueError("groups= is for label sequences, not a count mapping")
        counts = pd.DataFrame([dict(predicted)], index=pd.Index(["all"]))
    else:
        values = pd.Series(list(predicted), dtype=object)
        if groups is None:
            keys = pd.Series(["all"] * len(values), dtype=object)
        else:
            keys = pd.Series(list(groups), dtype=object)
            if len(keys) != len(values):
                raise ValueError(
                    f"{len(values)} predicted labels but {len(keys)} group values"
                )
        unknown = set(values) - set(labels)
        if unknown:
            raise ValueError(
                f"predicted labels {sorted(map(str, unknown))} are not "
                f"in the confusion table's labels {labels}"
            )
        counts = pd.crosstab(keys.to_numpy(), values.to_numpy())
    unknown = set(counts.columns) - set(labels)
    if unknown:
        raise ValueError(
            f"count labels {sorted(map(str, unknown))} are not in the "
            f"confusion table's labels {labels}"
        )
    counts = counts.reindex(columns=labels, fill_value=0).fillna(0)
    values_arr = counts.to_numpy(dtype=float)
    if (values_arr < 0).any() or not np.allclose(values_arr, np.round(values_arr)):
        raise ValueError("predicted-label counts must be non-negative integers")
    if (values_arr.sum(axis=1) == 0).any():
        raise ValueError("every group needs at least one predicted label")
    return counts.astype(np.int64)


def corrected_prevalence(
    predicted: Any,
    confusion: Any,
    *,
    groups: Iterable[Hashable] | None = None,
    labels: Sequence[Hashable] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
    rates: str = "multinomial",
) -> StatsResult:
    """Misclassification-corrected prevalence of each class, per group.

    Parameters
    ----------
    predicted : sequence of labels, mapping or DataFrame
        The classifier's labels on the target corpus (one per document,
        with ``groups``); or their counts: a mapping ``label -> count`` (one
        group) or a DataFrame with one row per group and one column per
        label. (Pass a Series of counts as ``series.to_dict()``; a Series
        is read as labels.)
    confusion : DataFrame, ClassificationResult or ndarray
        Validation counts, rows = true class, columns = predicted class
        (the layout of :func:`framing.evaluation.classification_report`'s
        ``.confusion``, which may be passed directly). An array needs
        ``labels``.
    groups : sequence, optional
        Group of each document (e.g. outlet), same length as ``predicted``.
    labels : sequence, optional
        Class order (default: the confusion table's row order).
    n_boot : int
        Bootstrap replicates (0 skips the intervals).
    seed : int
    ci : float
        Confidence level of the percentile intervals.
    rates : {"multinomial", "dirichlet"}
        How a replicate redraws the error rates: a multinomial resample of
        each validation row (parametric bootstrap), or a draw from the
        Dirichlet posterior with Jeffreys prior 1/2 (Beta for two
        classes), which keeps rates away from exactly 0 and 1.

    Returns
    -------
    StatsResult
        One row per group and class: ``term`` (the class), ``estimate``
        (corrected prevalence), ``ci_low``, ``ci_high``, ``n`` (documents
        in the group) and extras ``group``, ``naive`` (classify-and-count
        share), ``se`` (bootstrap standard deviation) and
        ``n_validation``. ``p`` and ``p_adj`` are NaN: a prevalence has no
        null value to test.

    Examples
    --------
    Validation: 100 true negatives of which 10 predicted positive (fpr =
    0.1), 50 true positives of which 40 predicted positive (tpr = 0.8).
    In the corpus 31 of 100 documents are predicted positive, so the
    corrected prevalence is ``(0.31 - 0.1) / (0.8 - 0.1) = 0.3``:

    >>> confusion = pd.DataFrame([[90, 10], [10, 40]], index=["no", "yes"],
    ...                          columns=["no", "yes"])
    >>> res = corrected_prevalence({"no": 69, "yes": 31}, confusion, n_boot=500)
    >>> row = res.table.set_index("term").loc["yes"]
    >>> f"{row.estimate:.3f} (naive {row.naive:.2f})"
    '0.300 (naive 0.31)'
    >>> bool(row.ci_low < 0.3 < row.ci_high)
    True
    """
    if rates not in {"multinomial", "dirichlet"}:
        raise ValueError(f"rates must be 'multinomial' or 'dirichlet', got {rates!r}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer):
        raise ValueError(f"n_boot must be an integer, got {n_boot!r}")
    if n_boot < 0:
        raise ValueError("n_boot must be >= 0")
    table, label_list = _confusion_table(confusion, labels)
    counts = _count_table(predicted, groups, label_list)
    k = len(label_list)
    row_totals = table.sum(axis=1)
    rate_hat = table / row_totals[:, None]
    count_arr = counts.to_numpy()
    sizes = count_arr.sum(axis=1)
    shares_hat = count_arr / sizes[:, None]
    estimate = solve_prevalence(
        np.broadcast_to(rate_hat, (len(counts), k, k)), shares_hat
    )

    notes = [
        f"{ci:.0%} percentile intervals from {n_boot} parametric bootstrap "
        f"replicates of the validation table ({rates}) and the predicted counts",
        "assumes the validation error rates P(predicted | true) hold in every "
        "group of the target corpus",
        "p is not reported: a prevalence has no null value to test",
    ]
    n_groups = len(counts)
    low = np.full((n_groups, k), np.nan)
    high, se = low.copy(), low.copy()
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        if rates == "multinomial":
            rate_draws = np.stack(
                [
                    rng.multinomial(row_totals[i], rate_hat[i], size=n_boot)
                    / row_totals[i]
                    for i in range(k)
                ],
                axis=1,
            )
        else:
            rate_draws = np.stack(
                [rng.dirichlet(table[i] + 0.5, size=n_boot) for i in range(k)], axis=1
            )
        boot = np.empty((n_boot, n_groups, k))
        for g in range(n_groups):
            share_draws = rng.multinomial(sizes[g], shares_hat[g], size=n_boot)
            boot[:, g] = solve_prevalence(rate_draws, share_draws / sizes[g])
        undefined = np.isnan(boot[..., 0]).mean()
        if undefined > 0:
            notes.append(
                f"{undefined:.1%} of bootstrap replicates had error rates that "
                "cannot separate the classes and were left out of the intervals"
            )
        tail = (1 - ci) / 2
        low, high = np.nanquantile(boot, [tail, 1 - tail], axis=0)
        se = np.nanstd(boot, axis=0, ddof=1)
    if np.isnan(estimate).any():
        notes.append(
            "the validation error rates cannot separate the classes "
            "(singular system): no corrected estimate"
        )
    if k == 2:
        notes.append(
            f"validation: tpr = {rate_hat[1, 1]:.3g}, fpr = {rate_hat[0, 1]:.3g} "
            f"for class {label_list[1]!r}"
        )

    rows: list[dict[str, Any]] = []
    for g, group in enumerate(counts.index):
        for j, label in enumerate(label_list):
            rows.append(
                {
                    "term": label,
                    "estimate": float(estimate[g, j]),
                    "ci_low": float(low[g, j]),
                    "ci_high": float(high[g, j]),
                    "p": np.nan,
                    "n": int(sizes[g]),
                    "group": group,
                    "naive": float(shares_hat[g, j]),
                    "se": float(se[g, j]),
                    "n_validation": int(table.sum()),
                }
            )
    return StatsResult.from_rows(
        rows,
        model="adjusted classify-and-count",
        p_adjust="none",
        family="no p-values",
        estimate_scale="prevalence (share of documents)",
        ci_level=ci,
        notes=notes,
    )


# --- naming shares corrected for the detector's measured error ---------------


def rogan_gladen(observed: Any, sensitivity: Any, specificity: Any) -> np.ndarray:
    """Rogan-Gladen estimator of a true share from an observed one.

    ``p = (q + sp - 1) / (se + sp - 1)``, clipped to ``[0, 1]``; NaN where
    ``se + sp <= 1`` (the detector does not separate the classes, so the
    share is not identifiable). Broadcasts over arrays.

    Examples
    --------
    >>> round(float(rogan_gladen(0.31, 0.8, 0.9)), 12)
    0.3
    >>> rogan_gladen([0.05, 0.5], 0.5, 0.5).tolist()
    [nan, nan]
    """
    q = np.asarray(observed, dtype=float)
    se = np.asarray(sensitivity, dtype=float)
    sp = np.asarray(specificity, dtype=float)
    denom = se + sp - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(denom > 1e-12, (q + sp - 1) / denom, np.nan)
    return np.clip(p, 0.0, 1.0)


def _detection_inputs(
    rates: pd.DataFrame, frame: str
) -> tuple[str, dict[str, float]] | None:
    """The rate row of ``frame``: which kind and its values."""
    table = rates.set_index("frame") if "frame" in rates.columns else rates
    if frame not in table.index:
        return None
    row = table.loc[frame]
    if {"sensitivity", "specificity"} <= set(table.columns):
        kind = "se-sp"
        keys = ("sensitivity", "n_sensitivity", "specificity", "n_specificity")
    elif {"precision", "recall"} <= set(table.columns):
        kind = "precision-recall"
        keys = ("precision", "n_precision", "recall", "n_recall")
    else:
        raise ValueError(
            "rates needs columns sensitivity, n_sensitivity, specificity, "
            "n_specificity or precision, n_precision, recall, n_recall per frame"
        )
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ValueError(f"rates lacks the column(s) {missing}")
    return kind, {k: float(np.asarray(row[k], dtype=float)) for k in keys}


def _draw_rate(
    rng: np.random.Generator, rate: float, size: float, n: int, how: str
) -> np.ndarray:
    """Replicates of a rate measured on ``size`` gold items."""
    if how == "binomial":
        m = max(1, round(size))
        return rng.binomial(m, rate, size=n) / m
    # Jeffreys Beta(k + 1/2, n - k + 1/2): a perfect score on a small gold
    # set still carries uncertainty, where a binomial redraw has none.
    k = rate * size
    return rng.beta(k + 0.5, size - k + 0.5, size=n)


def _error_rates(
    kind: str, a: np.ndarray, b: np.ndarray, detected: np.ndarray, total: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sensitivity and specificity from either kind of rates."""
    if kind == "se-sp":
        return a, b
    # a = precision, b = recall: see corrected_naming_shares' derivation.
    with np.errstate(invalid="ignore", divide="ignore"):
        positives = detected * a / b
        sp = 1 - detected * (1 - a) / (total - positives)
    sp = np.where(total - positives > 0, np.clip(sp, 0, 1), np.nan)
    return b, sp


def corrected_naming_shares(
    data: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    frames: Sequence[str],
    voice: str | None = "own",
    by: str = "source",
    period: str | None = "period",
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
    min_gold: int = 30,
    rate_draws: str = "jeffreys",
) -> StatsResult:
    """Shares of documents naming each frame, corrected for detection error.

    The naive share ``q`` (documents with a detected event mention of the
    frame, in ``voice``) is corrected with the Rogan-Gladen estimator
    :func:`rogan_gladen`, ``p = (q + sp - 1) / (se + sp - 1)``, where
    ``se`` and ``sp`` are the detector's document-level sensitivity and
    specificity for that frame, assumed equal in every group and period
    (the key assumption, as in :func:`corrected_prevalence`).

    Where ``se`` and ``sp`` come from
        ``rates`` gives them directly (columns ``sensitivity``,
        ``n_sensitivity``, ``specificity``, ``n_specificity``: e.g. from a
        gold set of whole documents coded for presence), or gives the
        mention-level validation of
        :meth:`framing.frames.validation.NamingValidation.detection_rates`
        (``precision``, ``n_precision``, ``recall``, ``n_recall``). In the
        second case, with ``N`` documents in ``data`` of which ``D`` are
        detected positive, precision ``pi`` and recall ``r``:

        * ``se = r``: the share of truly naming units the detector finds.
          Mention-level recall is the document-level sensitivity when a
          document names the frame once (a headline); with several
          namings a document is found if any one is, so ``se = r`` is
          conservative (it over-corrects slightly);
        * the corpus holds about ``D pi`` true positives, so ``P = D pi /
          r`` truly naming documents and ``D (1 - pi)`` false positives
          among ``N - P`` negatives: ``sp = 1 - D (1 - pi) / (N - P)``,
          computed once over all of ``data`` and used in every group.

        Applied to the whole of ``data`` this gives ``p = q pi / r``, the
        familiar precision-recall correction.

    Intervals include the uncertainty of the error rates: each of
    ``n_boot`` seeded replicates redraws the two rates from their
    (effective) gold sizes -- from the Jeffreys Beta posterior by default,
    so a perfect score on a small gold set still carries uncertainty --
    and every group's detected share from its Jeffreys posterior (so a
    group with no detected naming keeps an upper bound above 0); with
    ``rate_draws="binomial"`` both are redrawn binomially. Each replicate
    recomputes ``sp`` and the corrected shares; the interval is the
    percentile interval of the replicates.

    Parameters
    ----------
    data : DataFrame
        A feature table, one row per document, with ``by``, ``period``
        (optional) and ``has__<frame>__<voice>`` (or ``has__<frame>`` when
        ``voice`` is None) columns.
    rates : DataFrame
        One row per frame (a ``frame`` column or index); see above.
    frames : sequence of str
    voice : str or None
    by, period : str
        Group columns (``period=None``: groups only).
    n_boot : int
        Replicates (0: no intervals).
    seed : int
    ci : float
    min_gold : int
        Rates from fewer gold items are not used: the frame is left
        uncorrected (NaN) with a note.
    rate_draws : {"jeffreys", "binomial"}
        How a replicate redraws each error rate and detected share.

    Returns
    -------
    StatsResult
        One row per group, period and frame: ``term`` (the frame),
        ``estimate`` (corrected share), ``ci_low``, ``ci_high``, ``n``
        (documents), and ``group``, ``period``, ``naive`` (the detected
        share), ``n_present``, ``sensitivity``, ``specificity`` and
        ``identifiable``. Not identifiable (``se + sp <= 1``, or no gold
        for the frame): NaN estimate, with a note.

    Examples
    --------
    Sensitivity 0.8 and specificity 0.9; 31 of 100 documents detected:
    ``(0.31 + 0.9 - 1) / (0.8 + 0.9 - 1) = 0.3``.

    >>> data = pd.DataFrame({"source": ["a"] * 100,
    ...                      "has__war__own": [True] * 31 + [False] * 69})
    >>> rates = pd.DataFrame({"frame": ["war"], "sensitivity": [0.8],
    ...     "n_sensitivity": [200], "specificity": [0.9], "n_specificity": [200]})
    >>> res = corrected_naming_shares(data, rates, frames=["war"], period=None,
    ...                               n_boot=200)
    >>> row = res.table.iloc[0]
    >>> f"{row.estimate:.3f} (naive {row.naive:.2f})"
    '0.300 (naive 0.31)'
    >>> bool(row.ci_low < 0.3 < row.ci_high)
    True
    """
    from ..frames.detect import feature_column

    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer):
        raise ValueError(f"n_boot must be an integer, got {n_boot!r}")
    if n_boot < 0:
        raise ValueError("n_boot must be >= 0")
    if rate_draws not in ("jeffreys", "binomial"):
        raise ValueError(
            f"rate_draws must be 'jeffreys' or 'binomial', got {rate_draws!r}"
        )
    keys = [by] if period is None else [by, period]
    columns = {f: feature_column("has", f, voice) for f in frames}
    missing = [c for c in [*keys, *columns.values()] if c not in data.columns]
    if missing:
        raise ValueError(f"the feature table has no column(s) {missing}")
    data = data.dropna(subset=keys)
    cells = data.groupby(keys, observed=True, sort=True)
    sizes = cells.size()
    n = sizes.to_numpy(dtype=np.int64)
    index = list(sizes.index)
    rng = np.random.default_rng(seed)
    tail = (1 - ci) / 2
    notes = [
        "Rogan-Gladen correction p = (q + sp - 1) / (se + sp - 1), assuming the "
        "detection error rates hold in every group and period",
    ]
    if n_boot:
        notes.append(
            f"{ci:.0%} percentile intervals from {n_boot} replicates redrawing the "
            f"error rates ({rate_draws}, from their gold sizes) and the naming "
            "counts"
        )
    rows: list[dict[str, Any]] = []
    for frame in frames:
        present = cells[columns[frame]].sum().to_numpy(dtype=np.int64)
        q = present / n
        found = _detection_inputs(rates, frame)
        kind, values = found if found is not None else ("none", {})
        size_a = values.get("n_sensitivity", values.get("n_precision", 0.0))
        size_b = values.get("n_specificity", values.get("n_recall", 0.0))
        total_n, total_d = int(n.sum()), int(present.sum())

        if kind == "none" or size_a <= 0 or size_b <= 0:
            se_hat = sp_hat = np.array(np.nan)
            notes.append(f"{frame}: no gold to estimate its error rates; not corrected")
        else:
            first = "sensitivity" if kind == "se-sp" else "precision"
            second = "specificity" if kind == "se-sp" else "recall"
            se_hat, sp_hat = _error_rates(
                kind,
                np.array(values[first]),
                np.array(values[second]),
                np.array(float(total_d)),
                total_n,
            )
        too_little = kind != "none" and min(size_a, size_b) < min_gold
        if too_little:
            notes.append(
                f"{frame}: error rates from fewer than {min_gold} gold items "
                f"({size_a:.0f} and {size_b:.0f}): not corrected (code more gold, "
                "or lower min_gold to correct with these rates anyway)"
            )
        identifiable = bool(np.isfinite(se_hat) and np.isfinite(sp_hat)) and bool(
            se_hat + sp_hat > 1 + 1e-12
        )
        if kind != "none" and size_a > 0 and size_b > 0 and not identifiable:
            notes.append(
                f"{frame}: sensitivity + specificity <= 1 "
                f"({float(se_hat):.3g} + {float(sp_hat):.3g}): not identifiable"
            )
        usable = identifiable and not too_little
        estimate = (
            rogan_gladen(q, se_hat, sp_hat) if usable else np.full(len(q), np.nan)
        )
        if usable:
            raw = (q + sp_hat - 1) / (se_hat + sp_hat - 1)
            outside = [
                " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
                for k, v, share in zip(index, raw, q, strict=True)
                # A group with nothing detected sits at 0 by construction.
                if (v < 0 and share > 0) or v > 1
            ]
            if outside:
                notes.append(
                    f"{frame}: the corrected share fell outside [0, 1] and was "
                    f"truncated in {len(outside)} group(s) ({', '.join(outside[:4])}"
                    f"{', ...' if len(outside) > 4 else ''}): the measured error "
                    "rates do not fit these groups' detected shares"
                )
        low = np.full(len(q), np.nan)
        high = low.copy()
        if n_boot and usable:
            first = "sensitivity" if kind == "se-sp" else "precision"
            second = "specificity" if kind == "se-sp" else "recall"
            a = _draw_rate(rng, values[first], size_a, n_boot, rate_draws)
            b = _draw_rate(rng, values[second], size_b, n_boot, rate_draws)
            if rate_draws == "binomial":
                counts = rng.binomial(n[None, :], q[None, :], size=(n_boot, len(q)))
                shares = counts / n[None, :]
            else:
                # A group with no naming still has an upper bound above 0.
                shares = rng.beta(
                    present[None, :] + 0.5,
                    n[None, :] - present[None, :] + 0.5,
                    size=(n_boot, len(q)),
                )
            se_b, sp_b = _error_rates(
                kind, a, b, (shares * n[None, :]).sum(axis=1), total_n
            )
            boot = rogan_gladen(shares, se_b[:, None], sp_b[:, None])
            undefined = np.isnan(boot[:, 0]).mean()
            if undefined > 0:
                notes.append(
                    f"{frame}: {undefined:.1%} of replicates not identifiable, "
                    "left out of the intervals"
                )
            if np.isfinite(boot).any():
                low, high = np.nanquantile(boot, [tail, 1 - tail], axis=0)
        for i, key in enumerate(index):
            key = key if isinstance(key, tuple) else (key,)
            rows.append(
                {
                    "term": frame,
                    "estimate": float(estimate[i]),
                    "ci_low": float(low[i]),
                    "ci_high": float(high[i]),
                    "p": np.nan,
                    "n": int(n[i]),
                    "group": key[0],
                    "period": key[1] if period is not None else None,
                    "naive": float(q[i]),
                    "n_present": int(present[i]),
                    "sensitivity": float(se_hat),
                    "specificity": float(sp_hat),
                    "identifiable": identifiable,
                }
            )
    result = StatsResult.from_rows(
        rows,
        model="Rogan-Gladen corrected naming share",
        p_adjust="none",
        family="no p-values",
        estimate_scale="share of documents",
        ci_level=ci,
        notes=notes,
    )
    if period is None:
        result.table = result.table.drop(columns=["period"])
    return result
