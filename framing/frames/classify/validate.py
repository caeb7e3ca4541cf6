"""Nested cross-validation of frame classifiers under three outer schemes.

A reviewer asks how a classifier does on outlets and periods it never saw;
one k-fold score cannot answer that. :func:`validate` runs one outer scheme:

``"stratified"``
    repeated stratified k-fold: the in-distribution estimate;
``"group"``
    train on some groups (outlets), test on the others (leave-one-group-out
    for up to ``n_splits`` groups, else grouped k-fold);
``"time"``
    train strictly earlier, test later (:class:`TimeSplit`, expanding
    window on ``published``; undated documents are left out).

Hyperparameters are tuned by an inner stratified k-fold grid search that
only ever sees the outer training fold, so the outer test folds never
influence tuning. Every fold's inner splits are kept (as positions of the
input) in :attr:`ValidationResult.folds` so this can be checked.

Intervals: each metric is averaged over the outer folds; with two or more
folds the interval is a t interval with the Nadeau–Bengio correction for
the overlap of training sets (variance times ``1/J + n_test/n_train``),
which ordinary fold standard errors understate; with a single fold it is
a percentile bootstrap over the test documents.

Multi-label: when the estimator is multi-label (``multilabel=True``) or the
labels are lists/sets of frames, each frame is scored as its own binary
decision (probability >= 0.5, the threshold of
:meth:`FrameClassifier.predict`): per-frame precision, recall, F1 and Brier
score, and overall subset accuracy, Hamming loss, micro- and macro-F1 and
mean per-frame Brier score, with the same intervals. The stratified scheme
then stratifies on one key per document, its rarest frame (``""`` if it
has none): the order of a document's frames is arbitrary, so its "first"
frame would be too, whereas keying on the rarest one spreads the rare
frames over the folds, the idea iterative stratification starts from,
without its dependency. If a key is too rare for the number of folds, the
folds fall back to shuffled k-fold (with a note). Inner tuning folds are
built the same way from the outer training fold only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
)

from ...evaluation import wilson_interval
from ...tables import fmt as _fmt
from ...tables import fmt_ci as _fmt_ci
from ...tables import markdown_table as _markdown_table
from ...tables import text_table as _text_table

__all__ = ["SCHEMES", "Fold", "TimeSplit", "ValidationResult", "compare", "validate"]

SCHEMES = ("stratified", "group", "time")


class TimeSplit:
    """Expanding-window splits by date: train strictly before the test period.

    The dated documents are cut at ``n_splits`` date quantiles; fold ``k``
    trains on everything before cut ``k`` and tests on the documents from
    cut ``k`` up to the next cut. Cuts fall between distinct dates, so no
    date is on both sides.

    Parameters
    ----------
    n_splits : int
        Number of test periods.
    min_train : float
        Share of dated documents before the first cut.

    Examples
    --------
    >>> dates = pd.to_datetime(["2022-01-01", "2022-01-02", "2022-01-02",
    ...                         "2022-01-03", "2022-01-04", "2022-01-05"])
    >>> [(tr.tolist(), te.tolist()) for tr, te in TimeSplit(n_splits=2).split(dates)]
    [([0, 1, 2], [3]), ([0, 1, 2, 3], [4, 5])]
    """

    def __init__(self, *, n_splits: int = 1, min_train: float = 0.5) -> None:
        self.n_splits = n_splits
        self.min_train = min_train

    def split(self, dates: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        values = pd.to_datetime(pd.Series(dates), utc=True)
        dated = np.flatnonzero(values.notna().to_numpy())
        ordinal = values.iloc[dated].to_numpy()
        unique = np.unique(ordinal)
        if len(unique) < self.n_splits + 1:
            raise ValueError(
                f"{len(unique)} distinct dates cannot make {self.n_splits} time splits"
            )
        shares = np.linspace(self.min_train, 1.0, self.n_splits + 1)
        ranks = np.searchsorted(unique, ordinal, side="left")
        ordered = np.sort(ranks)
        # A cut is a rank of the distinct dates: ranks below it are "earlier".
        cuts = np.array(
            [ordered[min(int(s * len(ordered)), len(ordered) - 1)] for s in shares]
        )
        cuts[-1] = len(unique)
        for k in range(self.n_splits):
            start, stop = cuts[k], cuts[k + 1]
            if start <= 0 or start >= stop:
                continue
            train = dated[ranks < start]
            test = dated[(ranks >= start) & (ranks < stop)]
            if len(train) and len(test):
                yield train, test


@dataclass
class Fold:
    """One outer fold: positions of the input documents, and what was tuned."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray
    inner: list[tuple[np.ndarray, np.ndarray]]
    best_params: dict[str, Any]
    skipped: str = ""


@dataclass
class ValidationResult:
    """Scores of one outer validation scheme.

    Attributes
    ----------
    scheme : str
    table : pandas.DataFrame
        Tidy: ``scheme, label, metric, estimate, ci_low, ci_high, n_folds``;
        ``metric`` is accuracy, macro_f1, brier (``label == ""``) or
        precision, recall, f1 per frame. Multi-label: subset_accuracy,
        hamming_loss, micro_f1, macro_f1, brier (mean of the per-frame
        scores) overall, and precision, recall, f1, brier per frame.
    fold_scores : pandas.DataFrame
        One row per outer fold: ``repeat, fold, n_train, n_test, accuracy,
        macro_f1, brier`` (multi-label: the overall metrics above) and the
        tuned parameters.
    confusion : pandas.DataFrame
        Counts over the test folds of the first repeat (each document at
        most once); rows gold, columns predicted. Multi-label: one row per
        frame, columns ``tp, fp, fn, tn``.
    reliability : pandas.DataFrame
        ``bin, mean_confidence, accuracy, ci_low, ci_high, n``: confidence of
        the top frame against how often it is right (Wilson intervals),
        pooled over all outer test folds. Multi-label: every (document,
        frame) probability against whether the frame applies.
    learning_curve : pandas.DataFrame or None
        ``train_size, train_fraction, metric, estimate, ci_low, ci_high``.
    predictions : pandas.DataFrame
        ``doc_id, repeat, fold, true, predicted`` and ``p__<frame>``;
        multi-label ``true`` and ``predicted`` are sorted frames joined
        by ``";"`` (the form :class:`FrameClassifier` reads back).
    folds : list of Fold
    labels : list of str
    ci : float
    notes : list of str
    multilabel : bool
    """

    scheme: str
    table: pd.DataFrame
    fold_scores: pd.DataFrame
    confusion: pd.DataFrame
    reliability: pd.DataFrame
    learning_curve: pd.DataFrame | None
    predictions: pd.DataFrame
    folds: list[Fold]
    labels: list[str]
    ci: float = 0.95
    notes: list[str] = field(default_factory=list)
    multilabel: bool = False

    def overall(self, metric: str) -> pd.Series:
        """The row of an overall metric (accuracy, macro_f1, brier; see ``table``)."""
        rows = self.table[
            (self.table["metric"] == metric) & (self.table["label"] == "")
        ]
        return rows.iloc[0]

    def _rows(self, digits: int) -> tuple[list[str], list[list[str]]]:
        header = ["frame", "metric", "estimate", f"{self.ci:.0%} CI", "folds"]
        rows = [
            [
                str(r.label) or "(all)",
                str(r.metric),
                _fmt(float(r.estimate), digits),  # type: ignore[arg-type]
                _fmt_ci(
                    float(r.estimate),  # type: ignore[arg-type]
                    float(r.ci_low),  # type: ignore[arg-type]
                    float(r.ci_high),  # type: ignore[arg-type]
                    digits,
                ),
                str(r.n_folds),
            ]
            for r in self.table.itertuples()
        ]
        return header, rows

    def summary(self, *, digits: int = 3) -> str:
        """A plain-text table with the scheme, folds and notes."""
        header, rows = self._rows(digits)
        n_used = int((self.fold_scores["skipped"] == "").sum())
        lines = [
            f"validation scheme: {self.scheme} ({n_used} outer folds scored)",
            _text_table(header, rows),
        ]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_markdown(self, *, digits: int = 3) -> str:
        """The table as Markdown."""
        header, rows = self._rows(digits)
        return _markdown_table(header, rows)


def _interval(
    values: np.ndarray,
    n_train: np.ndarray,
    n_test: np.ndarray,
    ci: float,
    upper: float = 1.0,
) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    values, n_train, n_test = values[ok], n_train[ok], n_test[ok]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    ratio = float(np.mean(n_test / n_train))
    se = math.sqrt((1 / len(values) + ratio) * values.var(ddof=1))
    half = float(stats.t.ppf(0.5 + ci / 2, len(values) - 1)) * se
    # the t interval is symmetric; scores live in [0, upper]
    return mean, max(0.0, mean - half), min(upper, mean + half)


def _brier(truth: np.ndarray, proba: np.ndarray, labels: list[str]) -> float:
    onehot = (truth[:, None] == np.asarray(labels, dtype=object)[None, :]).astype(float)
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def _full_proba(model: Any, docs: pd.DataFrame, labels: list[str]) -> np.ndarray:
    # A frame absent from a training fold gets probability 0, so that folds
    # with different classes still give comparable Brier scores.
    raw = model.predict_proba(docs)
    full = np.zeros((len(docs), len(labels)))
    index = {label: i for i, label in enumerate(labels)}
    for j, label in enumerate(model.classes_):
        full[:, index[str(label)]] = raw[:, j]
    return full


def _fold_metrics(
    truth: np.ndarray, proba: np.ndarray, labels: list[str]
) -> dict[str, Any]:
    predicted = np.asarray(labels, dtype=object)[proba.argmax(axis=1)]
    p, r, f, _ = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=np.nan
    )
    present = np.isin(np.asarray(labels, dtype=object), np.union1d(truth, predicted))
    f1 = np.where(present, np.nan_to_num(f, nan=0.0), np.nan)
    return {
        "accuracy": float(np.mean(truth == predicted)),
        "macro_f1": float(np.nanmean(f1)) if present.any() else math.nan,
        "brier": _brier(truth, proba, labels),
        "precision": p,
        "recall": r,
        "f1": f1,
        "predicted": predicted,
    }


def _outer_splits(
    scheme: str,
    y: np.ndarray,
    *,
    groups: np.ndarray | None,
    dates: Any,
    n_splits: int,
    n_repeats: int,
    seed: int,
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    out = []
    if scheme == "stratified":
        splitter = RepeatedStratifiedKFold(
            n_splits=n_splits, n_repeats=n_repeats, random_state=seed
        )
        for i, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
            out.append((i // n_splits, i % n_splits, train, test))
    elif scheme == "group":
        if groups is None:
            raise ValueError("the group scheme needs groups (e.g. the outlet column)")
        n_groups = len(pd.unique(groups))
        if n_groups < 2:
            raise ValueError("the group scheme needs at least two groups")
        grouper: Any = (
            LeaveOneGroupOut() if n_groups <= n_splits else GroupKFold(n_splits)
        )
        for i, (train, test) in enumerate(grouper.split(y, y, groups)):
            out.append((0, i, train, test))
    elif scheme == "time":
        if dates is None:
            raise ValueError("the time scheme needs dates (the published column)")
        for i, (train, test) in enumerate(TimeSplit(n_splits=n_splits).split(dates)):
            out.append((0, i, train, test))
    else:
        raise ValueError(f"scheme must be one of {SCHEMES}; got {scheme!r}")
    return out


def _inner_splits(
    y_train: np.ndarray, inner_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    counts = pd.Series(y_train).value_counts()
    k = int(min(inner_splits, counts.min())) if len(counts) else 0
    if k < 2:
        return []
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y_train)), y_train))


def _fit_tuned(
    estimator: Any,
    param_grid: Any,
    inner: list[tuple[np.ndarray, np.ndarray]],
    scoring: Any,
    n_jobs: int | None,
    X_train: pd.DataFrame,
    y_train: Any,
) -> tuple[Any, dict[str, Any]]:
    """Fit on an outer training fold, tuning on its inner folds only."""
    if not (param_grid and inner):
        return clone(estimator).fit(X_train, y_train), {}
    search = GridSearchCV(
        clone(estimator),
        param_grid,
        cv=inner,
        scoring=scoring,
        n_jobs=n_jobs,
        refit=True,
        error_score="raise",
    )
    search.fit(X_train, y_train)
    return search.best_estimator_, dict(search.best_params_)


def _record_skipped(
    folds: list[Fold],
    fold_rows: list[dict[str, Any]],
    notes: list[str],
    repeat: int,
    k: int,
    train: np.ndarray,
    test: np.ndarray,
    reason: str,
) -> None:
    folds.append(Fold(repeat, k, train, test, [], {}, reason))
    fold_rows.append(
        {
            "repeat": repeat,
            "fold": k,
            "n_train": len(train),
            "n_test": len(test),
            "skipped": reason,
        }
    )
    notes.append(f"repeat {repeat} fold {k}: {reason}")


def _record_scored(
    folds: list[Fold],
    fold_rows: list[dict[str, Any]],
    repeat: int,
    k: int,
    train: np.ndarray,
    test: np.ndarray,
    inner: list[tuple[np.ndarray, np.ndarray]],
    best: dict[str, Any],
    metrics: dict[str, Any],
) -> None:
    # Inner splits are stored as positions in the whole data set, so that a
    # reader can check they never touch the outer test fold.
    folds.append(
        Fold(repeat, k, train, test, [(train[a], train[b]) for a, b in inner], best)
    )
    fold_rows.append(
        {
            "repeat": repeat,
            "fold": k,
            "n_train": len(train),
            "n_test": len(test),
            **metrics,
            "skipped": "",
            **{f"param_{p}": v for p, v in best.items()},
        }
    )


def validate(
    estimator: Any,
    documents: pd.DataFrame,
    labels: Sequence[Any],
    *,
    scheme: str = "stratified",
    param_grid: dict[str, list[Any]] | None = None,
    n_splits: int = 5,
    n_repeats: int = 1,
    inner_splits: int = 3,
    group_column: str = "outlet",
    time_column: str = "published",
    learning_curve: Sequence[float] | None = None,
    n_bins: int = 10,
    ci: float = 0.95,
    seed: int = 0,
    n_jobs: int = 1,
    progress: bool = False,
) -> ValidationResult:
    """Nested cross-validation of a single- or multi-label frame classifier.

    Parameters
    ----------
    estimator : FrameClassifier (or any estimator with ``predict_proba``)
        Cloned for every fit; never fitted in place.
    documents : pandas.DataFrame
        ``doc_id, text`` plus ``group_column`` / ``time_column`` for those
        schemes and any extra feature columns.
    labels : sequence
        One frame per document (missing labels are not allowed: drop them).
        Multi-label: a list or set of frames per document (or ``"a;b"``
        strings with a multi-label estimator); an empty list is "no frame".
    scheme : {"stratified", "group", "time"}
    param_grid : dict, optional
        Grid of the inner search (e.g. ``{"C": [0.3, 1, 3]}``); scored by
        macro-F1 on inner stratified folds of the outer training fold only
        (multi-label: per-frame binary macro-F1, folds stratified on the
        rarest-frame key).
    n_splits, n_repeats : int
        Outer folds (and repeats, stratified scheme only).
    inner_splits : int
        Inner folds (fewer if a frame is rarer in the training fold).
    learning_curve : sequence of float, optional
        Training fractions (e.g. ``(0.25, 0.5, 1.0)``): each outer training
        fold is subsampled (stratified) and the model refitted with the
        fold's tuned parameters, scored on the outer test fold.
    n_bins : int
        Bins of the reliability curve.
    ci : float
        Confidence level.
    seed : int
        Seeds the outer and inner splits and the subsamples.
    n_jobs : int
        Parallel jobs of the inner search (1 on shared machines).
    progress : bool
        Show a progress bar over the outer folds.

    Returns
    -------
    ValidationResult

    Examples
    --------
    >>> from framing.frames.classify import FrameClassifier
    >>> docs = pd.DataFrame({"doc_id": [str(i) for i in range(40)],
    ...     "text": ["gun control law vote", "mental health care crisis"] * 20})
    >>> y = ["control", "health"] * 20
    >>> result = validate(FrameClassifier(char_ngrams=None), docs, y,
    ...                   n_splits=2, param_grid={"C": [0.5, 1.0]})
    >>> float(result.overall("accuracy")["estimate"])
    1.0
    """
    from ..._progress import progress_bar, track
    from .pipeline import documents_frame

    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} documents but {len(labels)} labels")
    if _is_multilabel(estimator, labels):
        return _validate_multilabel(
            estimator,
            documents,
            labels,
            scheme=scheme,
            param_grid=param_grid,
            n_splits=n_splits,
            n_repeats=n_repeats,
            inner_splits=inner_splits,
            group_column=group_column,
            time_column=time_column,
            learning_curve=learning_curve,
            n_bins=n_bins,
            ci=ci,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
        )
    docs = documents.reset_index(drop=True)
    y = np.asarray([str(v) for v in labels], dtype=object)
    if any(v is None for v in labels) or np.any(pd.isna(np.asarray(labels, object))):
        raise ValueError("labels contain missing values; drop those documents")
    label_list = sorted(set(y.tolist()))
    groups = docs[group_column].astype(str).to_numpy() if scheme == "group" else None
    dates = docs[time_column] if scheme == "time" else None
    splits = _outer_splits(
        scheme,
        y,
        groups=groups,
        dates=dates,
        n_splits=n_splits,
        n_repeats=n_repeats,
        seed=seed,
    )
    extra = [c for c in docs.columns if c not in ("doc_id", "text")]
    X = documents_frame(docs, [c for c in extra if c in _extra_of(estimator)])
    folds: list[Fold] = []
    fold_rows: list[dict[str, Any]] = []
    per_class: list[dict[str, np.ndarray]] = []
    prediction_tables = []
    curve_rows: list[dict[str, Any]] = []
    notes: list[str] = []
    with progress_bar(progress) as bar:
        for repeat, k, train, test in track(
            splits, bar, f"{scheme} folds", total=len(splits), every=1
        ):
            y_train = y[train]
            if len(set(y_train.tolist())) < 2:
                reason = (
                    f"training fold has one frame only ({y_train[0]!r}); not scored"
                )
                _record_skipped(folds, fold_rows, notes, repeat, k, train, test, reason)
                continue
            inner = (
                _inner_splits(y_train, inner_splits, seed + repeat)
                if param_grid
                else []
            )
            model, best = _fit_tuned(
                estimator, param_grid, inner, "f1_macro", n_jobs, X.iloc[train], y_train
            )
            proba = _full_proba(model, X.iloc[test], label_list)
            scores = _fold_metrics(y[test], proba, label_list)
            _record_scored(
                folds,
                fold_rows,
                repeat,
                k,
                train,
                test,
                inner,
                best,
                {m: scores[m] for m in ("accuracy", "macro_f1", "brier")},
            )
            per_class.append(
                {m: scores[m] for m in ("precision", "recall", "f1")}
                | {"n_train": len(train), "n_test": len(test)}
            )
            table = pd.DataFrame(
                {
                    "doc_id": X["doc_id"].iloc[test].to_numpy(),
                    "position": test,
                    "repeat": repeat,
                    "fold": k,
                    "true": y[test],
                    "predicted": scores["predicted"],
                }
            )
            for j, label in enumerate(label_list):
                table[f"p__{label}"] = proba[:, j]
            prediction_tables.append(table)
            for fraction in learning_curve or ():
                curve_rows.append(
                    _curve_point(
                        estimator,
                        best,
                        X,
                        y,
                        train,
                        test,
                        fraction,
                        label_list,
                        seed + repeat * 100 + k,
                    )
                    | {
                        "repeat": repeat,
                        "fold": k,
                        "n_train_full": len(train),
                        "n_test": len(test),
                    }
                )
    fold_scores = pd.DataFrame(fold_rows)
    if not prediction_tables:
        raise ValueError(f"no outer fold of the {scheme} scheme could be scored")
    predictions = pd.concat(prediction_tables, ignore_index=True)
    table = _summary_table(
        scheme, fold_scores, per_class, predictions, label_list, ci, seed
    )
    first = predictions[predictions["repeat"] == predictions["repeat"].min()]
    confusion = pd.DataFrame(
        confusion_matrix(first["true"], first["predicted"], labels=label_list),
        index=pd.Index(label_list, name="true"),
        columns=pd.Index(label_list, name="predicted"),
    )
    reliability = _reliability(predictions, label_list, n_bins, ci)
    curve = _curve_table(curve_rows, ci) if curve_rows else None
    return ValidationResult(
        scheme=scheme,
        table=table,
        fold_scores=fold_scores,
        confusion=confusion,
        reliability=reliability,
        learning_curve=curve,
        predictions=predictions,
        folds=folds,
        labels=label_list,
        ci=ci,
        notes=notes,
    )


def _extra_of(estimator: Any) -> list[str]:
    return list(getattr(estimator, "extra_features", None) or [])


def _fold_summary(
    scheme: str,
    scored: pd.DataFrame,
    overall: Sequence[str],
    per_label: list[dict[str, Any]],
    per_label_metrics: Sequence[str],
    labels: list[str],
    ci: float,
    upper: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Overall and per-label metrics over the scored folds, with intervals."""
    n_train = scored["n_train"].to_numpy(dtype=float)
    n_test = scored["n_test"].to_numpy(dtype=float)
    bounds = upper or {}
    rows = []
    for metric in overall:
        est, low, high = _interval(
            scored[metric].to_numpy(), n_train, n_test, ci, bounds.get(metric, 1.0)
        )
        rows.append((scheme, "", metric, est, low, high, len(scored)))
    for metric in per_label_metrics:
        values = np.stack([p[metric] for p in per_label])
        for j, label in enumerate(labels):
            est, low, high = _interval(values[:, j], n_train, n_test, ci)
            rows.append((scheme, label, metric, est, low, high, len(scored)))
    columns = ["scheme", "label", "metric", "estimate", "ci_low", "ci_high", "n_folds"]
    return pd.DataFrame(rows, columns=columns)


def _summary_table(
    scheme: str,
    fold_scores: pd.DataFrame,
    per_class: list[dict[str, Any]],
    predictions: pd.DataFrame,
    labels: list[str],
    ci: float,
    seed: int,
) -> pd.DataFrame:
    scored = fold_scores[fold_scores["skipped"] == ""]
    bootstrap = len(scored) < 2
    table = _fold_summary(
        scheme,
        scored,
        ("accuracy", "macro_f1", "brier"),
        per_class,
        ("precision", "recall", "f1"),
        labels,
        ci,
        upper={"brier": 2.0},
    )
    if bootstrap:
        table = _bootstrap_single(table, predictions, labels, ci, seed)
    return table


def _bootstrap_single(
    table: pd.DataFrame,
    predictions: pd.DataFrame,
    labels: list[str],
    ci: float,
    seed: int,
) -> pd.DataFrame:
    # One test fold: resample its documents instead of folds.
    from ...evaluation import classification_report

    report = classification_report(
        predictions["true"],
        predictions["predicted"],
        labels=labels,
        n_boot=1000,
        seed=seed,
        ci=ci,
    )
    lookup = report.table.set_index(["label", "metric"])
    for i, row in table.iterrows():
        key = (row["label"], row["metric"])
        if key in lookup.index:
            table.loc[i, ["ci_low", "ci_high"]] = lookup.loc[
                key, ["ci_low", "ci_high"]
            ].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    proba = predictions[[f"p__{label}" for label in labels]].to_numpy()
    truth = predictions["true"].to_numpy(dtype=object)
    reps = []
    for _ in range(1000):
        pick = rng.integers(0, len(truth), len(truth))
        reps.append(_brier(truth[pick], proba[pick], labels))
    low, high = np.percentile(reps, [50 * (1 - ci), 50 * (1 + ci)])
    mask = (table["metric"] == "brier") & (table["label"] == "")
    table.loc[mask, ["ci_low", "ci_high"]] = [low, high]
    return table


def _reliability(
    predictions: pd.DataFrame, labels: list[str], n_bins: int, ci: float
) -> pd.DataFrame:
    proba = predictions[[f"p__{label}" for label in labels]].to_numpy()
    confidence = proba.max(axis=1)
    correct = (predictions["true"] == predictions["predicted"]).to_numpy()
    return _binned(confidence, correct, n_bins, ci)


def _binned(
    confidence: np.ndarray, correct: np.ndarray, n_bins: int, ci: float
) -> pd.DataFrame:
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        inside = which == b
        n = int(inside.sum())
        if n == 0:
            continue
        k = int(correct[inside].sum())
        low, high = wilson_interval(k, n, ci=ci)
        rows.append(
            {
                "bin": b,
                "bin_low": edges[b],
                "bin_high": edges[b + 1],
                "mean_confidence": float(confidence[inside].mean()),
                "accuracy": k / n,
                "ci_low": low,
                "ci_high": high,
                "n": n,
            }
        )
    return pd.DataFrame(rows)


def _curve_point(
    estimator: Any,
    best: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    fraction: float,
    labels: list[str],
    seed: int,
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    if fraction >= 1.0:
        subset = train
    else:
        # stratified subsample, at least one document per frame
        picks = []
        for label in np.unique(y[train]):
            members = train[y[train] == label]
            size = max(1, round(fraction * len(members)))
            picks.append(rng.choice(members, size=size, replace=False))
        subset = np.sort(np.concatenate(picks))
    result: dict[str, Any] = {"train_fraction": fraction, "train_size": len(subset)}
    if len(np.unique(y[subset])) < 2:
        result.update(accuracy=math.nan, macro_f1=math.nan)
        return result
    model = clone(estimator).set_params(**best).fit(X.iloc[subset], y[subset])
    scores = _fold_metrics(y[test], _full_proba(model, X.iloc[test], labels), labels)
    result.update(accuracy=scores["accuracy"], macro_f1=scores["macro_f1"])
    return result


def _curve_table(
    rows: list[dict[str, Any]],
    ci: float,
    metrics: Sequence[str] = ("accuracy", "macro_f1"),
) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    out = []
    for fraction, part in frame.groupby("train_fraction"):
        for metric in metrics:
            est, low, high = _interval(
                part[metric].to_numpy(),
                part["train_size"].to_numpy(dtype=float),
                part["n_test"].to_numpy(dtype=float),
                ci,
            )
            out.append(
                {
                    "train_fraction": float(fraction),  # type: ignore[arg-type]
                    "train_size": float(part["train_size"].mean()),
                    "metric": metric,
                    "estimate": est,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(out)


def compare(results: Sequence[ValidationResult], *, digits: int = 3) -> pd.DataFrame:
    """Overall scores of several schemes side by side (one row per scheme).

    Columns: ``scheme, folds`` and ``<metric>`` / ``<metric>_ci`` for
    accuracy, macro-F1 and Brier score (multi-label results: subset
    accuracy, Hamming loss, micro- and macro-F1 and Brier score; a metric
    a result lacks is NaN).
    """
    metrics: list[str] = []
    for result in results:
        own = _ML_OVERALL if result.multilabel else _SL_OVERALL
        metrics += [m for m in own if m not in metrics]
    rows = []
    for result in results:
        row: dict[str, Any] = {
            "scheme": result.scheme,
            "folds": int((result.fold_scores["skipped"] == "").sum()),
        }
        for metric in metrics:
            own = _ML_OVERALL if result.multilabel else _SL_OVERALL
            if metric not in own:
                row[metric] = math.nan
                row[f"{metric}_ci"] = ""
                continue
            r = result.overall(metric)
            row[metric] = r["estimate"]
            row[f"{metric}_ci"] = _fmt_ci(
                r["estimate"], r["ci_low"], r["ci_high"], digits
            )
        rows.append(row)
    return pd.DataFrame(rows)


# --- multi-label ----------------------------------------------------------------

_SL_OVERALL = ("accuracy", "macro_f1", "brier")
_ML_OVERALL = ("subset_accuracy", "hamming_loss", "micro_f1", "macro_f1", "brier")
_ML_PER_FRAME = ("precision", "recall", "f1", "brier")
_LIST_LIKE = (list, tuple, set, frozenset, np.ndarray)


def _is_multilabel(estimator: Any, labels: Sequence[Any]) -> bool:
    list_like = any(isinstance(v, _LIST_LIKE) for v in labels)
    declared = getattr(estimator, "multilabel", None)
    if list_like and declared is False:
        # A single-label FrameClassifier would fail deep inside the folds;
        # say so before any fitting.
        raise ValueError(
            "labels are lists of frames but the estimator is single-label; "
            "use FrameClassifier(multilabel=True)"
        )
    return bool(declared) or list_like


def _frame_sets(labels: Sequence[Any]) -> list[list[str]]:
    from .pipeline import _split_multi

    out = []
    for v in labels:
        # An empty list means "no frame applies"; None/NaN means "not coded".
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise ValueError("labels contain missing values; drop those documents")
        out.append(sorted(set(_split_multi(v))))
    return out


def _object_array(items: Sequence[Any]) -> np.ndarray:
    # np.asarray would turn equal-length lists into a 2-D array.
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _stratum_keys(indicator: np.ndarray, labels: list[str]) -> np.ndarray:
    """One stratification key per document: its rarest frame ("" if none)."""
    counts = indicator.sum(axis=0)
    # rarest first, ties by name (labels are sorted), so keys are reproducible
    order = np.lexsort((np.arange(len(labels)), counts))
    keys = np.full(len(indicator), "", dtype=object)
    for j in order[::-1]:
        keys[indicator[:, j]] = labels[j]
    return keys


def _ml_outer_splits(
    scheme: str,
    keys: np.ndarray,
    *,
    groups: np.ndarray | None,
    dates: Any,
    n_splits: int,
    n_repeats: int,
    seed: int,
    notes: list[str],
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    if scheme != "stratified":
        return _outer_splits(
            scheme,
            keys,
            groups=groups,
            dates=dates,
            n_splits=n_splits,
            n_repeats=n_repeats,
            seed=seed,
        )
    if pd.Series(keys).value_counts().min() >= n_splits:
        splitter: Any = RepeatedStratifiedKFold(
            n_splits=n_splits, n_repeats=n_repeats, random_state=seed
        )
    else:
        notes.append(
            f"a rarest-frame stratum has fewer than {n_splits} documents; "
            "outer folds are shuffled k-fold, not stratified"
        )
        splitter = RepeatedKFold(
            n_splits=n_splits, n_repeats=n_repeats, random_state=seed
        )
    return [
        (i // n_splits, i % n_splits, train, test)
        for i, (train, test) in enumerate(splitter.split(np.zeros(len(keys)), keys))
    ]


def _ml_inner_splits(
    indicator: np.ndarray, labels: list[str], inner_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    keys = _stratum_keys(indicator, labels)
    counts = pd.Series(keys).value_counts()
    k = int(min(inner_splits, counts.min()))
    if k >= 2:
        splitter: Any = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    else:
        # a frame seen once cannot be stratified; unstratified folds still tune
        k = min(inner_splits, len(keys))
        if k < 2:
            return []
        splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(keys)), keys))


def _ml_proba(model: Any, docs: pd.DataFrame, labels: list[str]) -> np.ndarray:
    raw = np.asarray(model.predict_proba(docs))
    classes = [str(c) for c in model.classes_]
    if raw.shape[1] == 2 and len(classes) == 1:
        # one-vs-rest with a single frame returns [p(absent), p(present)]
        raw = raw[:, 1:]
    full = np.zeros((len(docs), len(labels)))
    index = {label: i for i, label in enumerate(labels)}
    for j, label in enumerate(classes):
        if label in index:
            full[:, index[label]] = raw[:, j]
    return full


def _ml_metrics(truth: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """Per-frame and overall scores of a boolean truth matrix and probabilities.

    Written with counts rather than scikit-learn calls because the
    single-fold bootstrap recomputes it a thousand times. Undefined ratios
    (no predicted or no true positives) are NaN, as in the single-label path.
    """
    predicted = proba >= 0.5
    tp = (truth & predicted).sum(axis=0).astype(float)
    fp = (~truth & predicted).sum(axis=0).astype(float)
    fn = (truth & ~predicted).sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        # F1 is undefined only for a frame neither true nor predicted in the
        # fold; such frames are left out of macro-F1, as in single-label.
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    micro_den = 2 * tp.sum() + fp.sum() + fn.sum()
    brier = np.mean((proba - truth) ** 2, axis=0)
    return {
        "subset_accuracy": float(np.mean(np.all(truth == predicted, axis=1))),
        "hamming_loss": float(np.mean(truth != predicted)),
        "micro_f1": float(2 * tp.sum() / micro_den) if micro_den else math.nan,
        "macro_f1": float(np.nanmean(f1)) if np.isfinite(f1).any() else math.nan,
        "brier": float(brier.mean()),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "brier_frame": brier,
        "predicted": predicted,
    }


def _ml_scorer(labels: list[str]) -> Any:
    from .pipeline import _split_multi

    def macro_f1(model: Any, X: pd.DataFrame, y: Any) -> float:
        truth = _indicator([_split_multi(v) for v in y], labels)
        value = _ml_metrics(truth, _ml_proba(model, X, labels))["macro_f1"]
        return 0.0 if math.isnan(value) else value

    return macro_f1


def _indicator(sets: Sequence[Sequence[str]], labels: list[str]) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    out = np.zeros((len(sets), len(labels)), dtype=bool)
    for i, frames in enumerate(sets):
        for frame in frames:
            out[i, index[frame]] = True
    return out


def _joined(indicator: np.ndarray, labels: list[str]) -> np.ndarray:
    names = np.asarray(labels, dtype=object)
    return _object_array([";".join(names[row]) for row in indicator])


def _validate_multilabel(
    estimator: Any,
    documents: pd.DataFrame,
    labels: Sequence[Any],
    *,
    scheme: str,
    param_grid: dict[str, list[Any]] | None,
    n_splits: int,
    n_repeats: int,
    inner_splits: int,
    group_column: str,
    time_column: str,
    learning_curve: Sequence[float] | None,
    n_bins: int,
    ci: float,
    seed: int,
    n_jobs: int,
    progress: bool,
) -> ValidationResult:
    """The multi-label branch of :func:`validate` (same parameters)."""
    from ..._progress import progress_bar, track
    from .pipeline import documents_frame

    docs = documents.reset_index(drop=True)
    sets = _frame_sets(labels)
    label_list = sorted({f for s in sets for f in s})
    if not label_list:
        raise ValueError("no document has a frame")
    truth = _indicator(sets, label_list)
    y = _object_array(sets)
    notes: list[str] = []
    groups = docs[group_column].astype(str).to_numpy() if scheme == "group" else None
    dates = docs[time_column] if scheme == "time" else None
    splits = _ml_outer_splits(
        scheme,
        _stratum_keys(truth, label_list),
        groups=groups,
        dates=dates,
        n_splits=n_splits,
        n_repeats=n_repeats,
        seed=seed,
        notes=notes,
    )
    extra = [c for c in docs.columns if c not in ("doc_id", "text")]
    X = documents_frame(docs, [c for c in extra if c in _extra_of(estimator)])
    folds: list[Fold] = []
    fold_rows: list[dict[str, Any]] = []
    per_frame: list[dict[str, Any]] = []
    prediction_tables = []
    curve_rows: list[dict[str, Any]] = []
    test_truth, test_proba = [], []
    with progress_bar(progress) as bar:
        for repeat, k, train, test in track(
            splits, bar, f"{scheme} folds", total=len(splits), every=1
        ):
            varies = truth[train].any(axis=0) & ~truth[train].all(axis=0)
            if not varies.any():
                reason = (
                    "no frame is both present and absent in the training fold; "
                    "not scored"
                )
                _record_skipped(folds, fold_rows, notes, repeat, k, train, test, reason)
                continue
            inner = (
                _ml_inner_splits(truth[train], label_list, inner_splits, seed + repeat)
                if param_grid
                else []
            )
            model, best = _fit_tuned(
                estimator,
                param_grid,
                inner,
                _ml_scorer(label_list),
                n_jobs,
                X.iloc[train],
                y[train],
            )
            proba = _ml_proba(model, X.iloc[test], label_list)
            scores = _ml_metrics(truth[test], proba)
            test_truth.append(truth[test])
            test_proba.append(proba)
            _record_scored(
                folds,
                fold_rows,
                repeat,
                k,
                train,
                test,
                inner,
                best,
                {m: scores[m] for m in _ML_OVERALL},
            )
            per_frame.append(
                {m: scores[m] for m in ("precision", "recall", "f1")}
                | {"brier": scores["brier_frame"]}
            )
            table = pd.DataFrame(
                {
                    "doc_id": X["doc_id"].iloc[test].to_numpy(),
                    "position": test,
                    "repeat": repeat,
                    "fold": k,
                    "true": _joined(truth[test], label_list),
                    "predicted": _joined(scores["predicted"], label_list),
                }
            )
            for j, label in enumerate(label_list):
                table[f"p__{label}"] = proba[:, j]
            prediction_tables.append(table)
            for fraction in learning_curve or ():
                curve_rows.append(
                    _ml_curve_point(
                        estimator,
                        best,
                        X,
                        y,
                        truth,
                        train,
                        test,
                        fraction,
                        label_list,
                        seed + repeat * 100 + k,
                    )
                    | {"repeat": repeat, "fold": k, "n_test": len(test)}
                )
    fold_scores = pd.DataFrame(fold_rows)
    if not prediction_tables:
        raise ValueError(f"no outer fold of the {scheme} scheme could be scored")
    predictions = pd.concat(prediction_tables, ignore_index=True)
    table = _ml_summary_table(
        scheme,
        fold_scores,
        per_frame,
        np.concatenate(test_truth),
        np.concatenate(test_proba),
        label_list,
        ci,
        seed,
    )
    first = predictions["repeat"] == predictions["repeat"].min()
    pooled_truth = np.concatenate(test_truth)
    pooled_proba = np.concatenate(test_proba)
    t, p = pooled_truth[first.to_numpy()], pooled_proba[first.to_numpy()] >= 0.5
    confusion = pd.DataFrame(
        {
            "tp": (t & p).sum(axis=0),
            "fp": (~t & p).sum(axis=0),
            "fn": (t & ~p).sum(axis=0),
            "tn": (~t & ~p).sum(axis=0),
        },
        index=pd.Index(label_list, name="frame"),
    )
    # Reliability of a frame's probability: pool every (document, frame) pair.
    reliability = _binned(pooled_proba.ravel(), pooled_truth.ravel(), n_bins, ci)
    curve = (
        _curve_table(curve_rows, ci, ("subset_accuracy", "micro_f1", "macro_f1"))
        if curve_rows
        else None
    )
    return ValidationResult(
        scheme=scheme,
        table=table,
        fold_scores=fold_scores,
        confusion=confusion,
        reliability=reliability,
        learning_curve=curve,
        predictions=predictions,
        folds=folds,
        labels=label_list,
        ci=ci,
        notes=notes,
        multilabel=True,
    )


def _ml_summary_table(
    scheme: str,
    fold_scores: pd.DataFrame,
    per_frame: list[dict[str, Any]],
    truth: np.ndarray,
    proba: np.ndarray,
    labels: list[str],
    ci: float,
    seed: int,
) -> pd.DataFrame:
    scored = fold_scores[fold_scores["skipped"] == ""]
    table = _fold_summary(
        scheme, scored, _ML_OVERALL, per_frame, _ML_PER_FRAME, labels, ci
    )
    if len(scored) < 2:
        table = _ml_bootstrap_single(table, truth, proba, labels, ci, seed)
    return table


def _ml_bootstrap_single(
    table: pd.DataFrame,
    truth: np.ndarray,
    proba: np.ndarray,
    labels: list[str],
    ci: float,
    seed: int,
) -> pd.DataFrame:
    # One test fold: resample its documents instead of folds, as single-label.
    rng = np.random.default_rng(seed)
    reps: dict[tuple[str, str], list[float]] = {}
    for _ in range(1000):
        pick = rng.integers(0, len(truth), len(truth))
        scores = _ml_metrics(truth[pick], proba[pick])
        for metric in _ML_OVERALL:
            reps.setdefault(("", metric), []).append(scores[metric])
        for metric in _ML_PER_FRAME:
            values = scores["brier_frame" if metric == "brier" else metric]
            for j, label in enumerate(labels):
                reps.setdefault((label, metric), []).append(float(values[j]))
    for i, row in table.iterrows():
        values = np.asarray(reps[(row["label"], row["metric"])])
        values = values[np.isfinite(values)]
        if len(values):
            low, high = np.percentile(values, [50 * (1 - ci), 50 * (1 + ci)])
            table.loc[i, ["ci_low", "ci_high"]] = [low, high]
    return table


def _ml_curve_point(
    estimator: Any,
    best: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    truth: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    fraction: float,
    labels: list[str],
    seed: int,
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    if fraction >= 1.0:
        subset = train
    else:
        # stratified on the rarest-frame key, at least one document per key
        keys = _stratum_keys(truth[train], labels)
        picks = []
        for key in np.unique(keys):
            members = train[keys == key]
            size = max(1, round(fraction * len(members)))
            picks.append(rng.choice(members, size=size, replace=False))
        subset = np.sort(np.concatenate(picks))
    result: dict[str, Any] = {"train_fraction": fraction, "train_size": len(subset)}
    sub = truth[subset]
    if not (sub.any(axis=0) & ~sub.all(axis=0)).any():
        result.update(subset_accuracy=math.nan, micro_f1=math.nan, macro_f1=math.nan)
        return result
    model = clone(estimator).set_params(**best).fit(X.iloc[subset], y[subset])
    scores = _ml_metrics(truth[test], _ml_proba(model, X.iloc[test], labels))
    result.update({m: scores[m] for m in ("subset_accuracy", "micro_f1", "macro_f1")})
    return result
