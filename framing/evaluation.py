"""Classification scores with honest uncertainty.

:func:`classification_report` scores predicted labels against gold labels
(for example a classifier's frames against the adjudicated gold table of
:func:`framing.annotation.merge_adjudicated`). Every score comes with a
percentile bootstrap confidence interval over items, because the gold sets
of framing studies are small and a bare F1 of 0.81 on 60 documents says
little. :func:`wilson_interval` gives the closed-form interval of a single
proportion.

Definitions, for a label ``k`` with ``tp`` true positives, ``predicted``
items predicted as ``k`` and ``support`` items whose gold label is ``k``:

* precision ``= tp / predicted``, *undefined* (NaN, not 0) when the label
  was never predicted;
* recall ``= tp / support``, NaN when the label never occurs in the gold
  labels;
* F1 ``= 2 tp / (predicted + support)``, the harmonic mean of precision and
  recall where both exist, 0 when the label occurs on one side only, and
  NaN when it occurs on neither;
* accuracy ``= correct / n``; micro-F1 pools the counts of all labels and,
  for single-label data scored over all labels, equals accuracy;
* macro-F1 is the mean F1 over the labels whose F1 is defined.

Bootstrap replicates recompute every score on a resample of the items drawn
with replacement; a score that is undefined in a replicate (say, a rare
label absent from it) is NaN there, and the interval is taken over the
defined replicates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from numbers import Real
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .tables import fmt as _fmt
from .tables import fmt_ci as _fmt_ci
from .tables import latex_table as _latex_table
from .tables import markdown_table as _markdown_table
from .tables import text_table as _text_table

__all__ = ["ClassificationResult", "classification_report", "wilson_interval"]


# --- small shared helpers (also used by framing.annotation) ------------------


def _check_ci(ci: float) -> None:
    if not isinstance(ci, Real) or not 0 < float(ci) < 1:
        raise ValueError(
            f"ci must be a level between 0 and 1, such as 0.95; got {ci!r}"
        )


def _check_n_boot(n_boot: int) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer):
        raise ValueError(f"n_boot must be an integer; got {n_boot!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0 (0 skips the bootstrap); got {n_boot}")


def _percentile_ci(replicates: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, ignoring NaN replicates."""
    shape = replicates.shape[1:]
    if replicates.shape[0] == 0:
        return np.full(shape, np.nan), np.full(shape, np.nan)
    tail = (1 - ci) / 2
    with warnings.catch_warnings():
        # An all-NaN column (a score never defined) legitimately yields NaN.
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanquantile(replicates, tail, axis=0)
        high = np.nanquantile(replicates, 1 - tail, axis=0)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


# --- Wilson interval ------------------------------------------------------------


def wilson_interval(
    successes: float, n: float, *, ci: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a single proportion.

    Parameters
    ----------
    successes : int
        Number of successes, ``0 <= successes <= n``.
    n : int
        Number of trials, positive.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    (float, float)
        Lower and upper bound. Unlike the Wald interval it stays inside
        [0, 1] and keeps close to its nominal coverage for small ``n`` and
        proportions near 0 or 1.

    Notes
    -----
    With ``p = successes / n`` and ``z`` the ``(1 + ci) / 2`` normal
    quantile the bounds are::

        (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 4), round(high, 4)
    (0.4902, 0.9433)
    """
    _check_ci(ci)
    if not isinstance(n, Real) or not n > 0:
        raise ValueError(f"n must be a positive number of trials; got {n!r}")
    if not isinstance(successes, Real) or not 0 <= successes <= n:
        raise ValueError(f"successes must lie between 0 and n={n}; got {successes!r}")
    z = NormalDist().inv_cdf(0.5 + float(ci) / 2)
    n = float(n)
    p = float(successes) / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    # At p = 0 (p = 1) the lower (upper) bound is exactly 0 (1), which
    # floating-point cancellation would blur into a tiny non-zero number.
    low = 0.0 if p == 0 else max(0.0, (centre - half) / denominator)
    high = 1.0 if p == 1 else min(1.0, (centre + half) / denominator)
    return low, high


# --- classification report -------------------------------------------------------


def _as_label_array(values: Iterable[Any], name: str) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        array = values.to_numpy(dtype=object)
    else:
        array = np.asarray(list(values), dtype=object)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}")
    missing = np.flatnonzero(pd.isna(array))
    if missing.size:
        shown = ", ".join(str(i) for i in missing[:10])
        raise ValueError(
            f"{name} has {missing.size} missing value(s), at position(s) {shown}; "
            "drop those items (or give them an explicit label) before scoring"
        )
    return array


def _sorted_labels(values: Iterable[Hashable]) -> list[Hashable]:
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)  # type: ignore[type-var]
    except TypeError:
        return sorted(unique, key=str)


def _scores(cells: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """All scores from confusion cell counts of shape (replicates, k*k)."""
    confusion = cells.reshape(-1, k, k).astype(float)
    tp = np.diagonal(confusion, axis1=1, axis2=2)
    predicted = confusion.sum(axis=1)
    support = confusion.sum(axis=2)
    n = confusion.sum(axis=(1, 2))

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        out = np.full(np.broadcast(num, den).shape, np.nan)
        np.divide(num, den, out=out, where=den > 0)
        return out

    f1 = ratio(2 * tp, predicted + support)
    defined = ~np.isnan(f1)
    count = defined.sum(axis=1)
    macro = ratio(np.where(defined, f1, 0.0).sum(axis=1), count.astype(float))
    correct = tp.sum(axis=1)
    return {
        "precision": ratio(tp, predicted),
        "recall": ratio(tp, support),
        "f1": f1,
        "predicted": predicted,
        "support": support,
        "accuracy": ratio(correct, n),
        "micro_f1": ratio(2 * correct, predicted.sum(axis=1) + support.sum(axis=1)),
        "macro_f1": macro,
    }


_PER_CLASS = ("precision", "recall", "f1")
_OVERALL = ("accuracy", "micro_f1", "macro_f1")


@dataclass(frozen=True)
class ClassificationResult:
    """Scores of predicted against gold labels, with bootstrap intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: ``label, metric, estimate, ci_low, ci_high, n``. ``metric`` is
        ``precision``, ``recall`` or ``f1`` per label, and ``accuracy``,
        ``micro_f1``, ``macro_f1`` with ``label == ""``. ``n`` is the
        denominator: items predicted as the label for precision, its support
        for recall and F1, all items for the overall scores.
    per_class : pandas.DataFrame
        Wide: ``label``, then ``precision``, ``precision_ci_low``,
        ``precision_ci_high`` and the same for ``recall`` and ``f1``, then
        ``support``.
    confusion : pandas.DataFrame
        Counts; rows are gold (``true``) labels, columns predicted labels.
    labels : tuple
        The labels, in table order.
    n : int
        Number of items.
    n_boot, seed, ci
        The bootstrap settings used.
    """

    table: pd.DataFrame
    per_class: pd.DataFrame
    confusion: pd.DataFrame
    labels: tuple[Hashable, ...]
    n: int
    n_boot: int
    seed: int
    ci: float

    def _overall(self, metric: str) -> pd.Series:
        rows = self.table[self.table["metric"] == metric]
        return rows.iloc[0]

    def _display_rows(self, digits: int) -> tuple[list[str], list[list[str]]]:
        header = ["label", "precision", "recall", "F1", "support"]
        rows = []
        for values in self.per_class.to_dict(orient="records"):
            rows.append(
                [str(values["label"])]
                + [
                    _fmt_ci(
                        values[m], values[f"{m}_ci_low"], values[f"{m}_ci_high"], digits
                    )
                    for m in _PER_CLASS
                ]
                + [str(int(values["support"]))]
            )
        return header, rows

    def _overall_rows(self, digits: int) -> tuple[list[str], list[list[str]]]:
        rows = []
        for metric, name in zip(
            _OVERALL, ("accuracy", "micro-F1", "macro-F1"), strict=True
        ):
            row = self._overall(metric)
            cell = _fmt_ci(row["estimate"], row["ci_low"], row["ci_high"], digits)
            rows.append([name, cell, str(self.n)])
        return ["score", "estimate", "n"], rows

    def _caption(self) -> str:
        level = f"{self.ci:.0%}"
        if self.n_boot:
            how = (
                f"{level} percentile bootstrap CIs ({self.n_boot} resamples of "
                f"items, seed {self.seed})"
            )
        else:
            how = "no bootstrap (n_boot=0)"
        return f"{self.n} items, {len(self.labels)} labels; {how}"

    def summary(self, *, digits: int = 3) -> str:
        """A plain-text report: per-label scores with CIs, then overall scores.

        Accuracy is also given with its Wilson interval, which needs no
        resampling.
        """
        header, rows = self._display_rows(digits)
        correct = int(round(float(np.trace(self.confusion.to_numpy()))))
        low, high = wilson_interval(correct, self.n, ci=self.ci)
        lines = [
            f"Classification report: {self._caption()}",
            _text_table(header, rows),
            "",
            _text_table(*self._overall_rows(digits)),
            f"accuracy {correct}/{self.n}, Wilson {self.ci:.0%} CI "
            f"[{_fmt(low, digits)}, {_fmt(high, digits)}]",
        ]
        predicted = self.confusion.to_numpy().sum(axis=0)
        never = [
            str(lab) for lab, p in zip(self.labels, predicted, strict=True) if p == 0
        ]
        if never:
            lines.append(
                "precision n/a (undefined): never predicted: " + ", ".join(never)
            )
        return "\n".join(lines)

    def to_markdown(self, *, digits: int = 3) -> str:
        """Two Markdown tables: per-label scores, then overall scores."""
        per_label = _markdown_table(*self._display_rows(digits))
        return per_label + "\n" + _markdown_table(*self._overall_rows(digits))

    def to_latex(
        self, *, digits: int = 3, caption: str | None = None, label: str | None = None
    ) -> str:
        """A booktabs LaTeX table: per-label scores above overall scores."""
        return _latex_table(
            *self._display_rows(digits),
            caption=caption or self._caption(),
            label=label,
            extra=self._overall_rows(digits),
        )


def classification_report(
    y_true: Iterable[Any],
    y_pred: Iterable[Any],
    *,
    labels: Sequence[Hashable] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> ClassificationResult:
    """Per-label precision, recall and F1 with bootstrap CIs, and overall scores.

    Parameters
    ----------
    y_true, y_pred : array-like
        Gold and predicted label of each item, same length, no missing values.
    labels : sequence, optional
        Labels to report, in this order. Use it to include a label that
        occurs in neither array. Every label in the data must be listed.
        Default: the sorted labels of both arrays.
    n_boot : int, default 1000
        Bootstrap resamples of the items (0: no intervals).
    seed : int, default 0
        Seed of the resampling; the same seed gives the same intervals.
    ci : float, default 0.95
        Confidence level of the percentile intervals.

    Returns
    -------
    ClassificationResult
        ``.table``, ``.per_class``, ``.confusion``, ``.summary()``,
        ``.to_markdown()``, ``.to_latex()``. See the module docstring for the
        definitions; precision of a never-predicted label is NaN.

    Raises
    ------
    ValueError
        Lengths differ, a value is missing, or a value is not in ``labels``.

    Examples
    --------
    >>> gold = ["war", "war", "war", "smo", "smo", "conflict"]
    >>> pred = ["war", "war", "smo", "smo", "smo", "war"]
    >>> result = classification_report(gold, pred, n_boot=200)
    >>> result.per_class[["label", "precision", "recall", "support"]]
          label  precision    recall  support
    0  conflict        NaN  0.000000        1
    1       smo   0.666667  1.000000        2
    2       war   0.666667  0.666667        3
    >>> result.confusion.loc["war", "smo"]
    np.int64(1)
    >>> print(result.summary().splitlines()[-1])
    precision n/a (undefined): never predicted: conflict
    """
    _check_ci(ci)
    _check_n_boot(n_boot)
    truth = _as_label_array(y_true, "y_true")
    predicted = _as_label_array(y_pred, "y_pred")
    if truth.shape != predicted.shape:
        raise ValueError(
            f"y_true has {truth.size} items but y_pred has {predicted.size}; "
            "give one prediction per gold label"
        )
    if truth.size == 0:
        raise ValueError("no items to score: y_true and y_pred are empty")
    if labels is None:
        label_list = _sorted_labels([*truth.tolist(), *predicted.tolist()])
    else:
        label_list = list(labels)
        if len(set(label_list)) != len(label_list):
            raise ValueError(f"labels has duplicates: {label_list}")
        if not label_list:
            raise ValueError("labels is empty; give at least one label")
    position = {label: i for i, label in enumerate(label_list)}
    for name, array in (("y_true", truth), ("y_pred", predicted)):
        unknown = [v for v in dict.fromkeys(array.tolist()) if v not in position]
        if unknown:
            raise ValueError(
                f"{name} has value(s) not in labels: {unknown[:10]}; add them to "
                f"labels (now {label_list}) or recode the items"
            )
    k = len(label_list)
    t = np.fromiter((position[v] for v in truth.tolist()), dtype=np.int64)
    p = np.fromiter((position[v] for v in predicted.tolist()), dtype=np.int64)
    cells = np.bincount(t * k + p, minlength=k * k)
    n = int(truth.size)
    point = _scores(cells[None, :], k)

    if n_boot:
        rng = np.random.default_rng(seed)
        # Drawing n items with replacement gives multinomial cell counts with
        # the observed cell shares, so sampling the cells directly is the same
        # bootstrap at a cost independent of n.
        draws = rng.multinomial(n, cells / n, size=n_boot)
        boot = _scores(draws, k)
    else:
        boot = {key: np.empty((0, *value.shape[1:])) for key, value in point.items()}

    records: list[dict[str, Any]] = []
    per_class: dict[str, Any] = {"label": label_list}
    for metric in _PER_CLASS:
        low, high = _percentile_ci(boot[metric], ci)
        estimate = point[metric][0]
        per_class[metric] = estimate
        per_class[f"{metric}_ci_low"] = low
        per_class[f"{metric}_ci_high"] = high
    per_class["support"] = point["support"][0].astype(np.int64)
    for i, label in enumerate(label_list):
        for metric in _PER_CLASS:
            denominator = "predicted" if metric == "precision" else "support"
            records.append(
                {
                    "label": str(label),
                    "metric": metric,
                    "estimate": float(per_class[metric][i]),
                    "ci_low": float(per_class[f"{metric}_ci_low"][i]),
                    "ci_high": float(per_class[f"{metric}_ci_high"][i]),
                    "n": int(point[denominator][0][i]),
                }
            )
    for metric in _OVERALL:
        low, high = _percentile_ci(boot[metric], ci)
        records.append(
            {
                "label": "",
                "metric": metric,
                "estimate": float(point[metric][0]),
                "ci_low": float(low),
                "ci_high": float(high),
                "n": n,
            }
        )
    confusion = pd.DataFrame(
        cells.reshape(k, k),
        index=pd.Index(label_list, name="true"),
        columns=pd.Index(label_list, name="predicted"),
    )
    return ClassificationResult(
        table=pd.DataFrame.from_records(records),
        per_class=pd.DataFrame(per_class),
        confusion=confusion,
        labels=tuple(label_list),
        n=n,
        n_boot=int(n_boot),
        seed=seed,
        ci=float(ci),
    )
