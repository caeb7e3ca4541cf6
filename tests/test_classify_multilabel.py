"""Multi-label nested cross-validation of frame classifiers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from framing.frames.classify import FrameClassifier, compare, validate
from framing.frames.classify.validate import _interval

VOCAB = {
    "control": ["ban", "background", "checks", "assault", "weapons", "law"],
    "health": ["mental", "illness", "therapy", "psychiatric", "care", "crisis"],
    "safety": ["school", "campus", "guards", "drill", "lockdown", "students"],
}


def synthetic_multi(n: int = 90, seed: int = 0) -> tuple[pd.DataFrame, list[list[str]]]:
    """Labelled synthetic headlines with zero to two frames each."""
    rng = np.random.default_rng(seed)
    frames = sorted(VOCAB)
    # every single frame, every pair and "no frame", cycled so each stratum
    # is large enough for three outer folds
    combos = [[f] for f in frames] + [
        ["control", "safety"],
        ["health", "safety"],
        ["control", "health"],
        [],
    ]
    noise = ["the", "a", "shooting", "gun", "news", "today", "report", "says"]
    rows, labels = [], []
    for i in range(n):
        combo = combos[i % len(combos)]
        words = [w for f in combo for w in rng.choice(VOCAB[f], 3)]
        words += list(rng.choice(noise, 4))
        rng.shuffle(words)
        rows.append(
            {
                "doc_id": f"d{i:03d}",
                "text": " ".join(words),
                "outlet": ["alpha", "beta", "gamma"][(i // 7) % 3],
                "published": pd.Timestamp("2022-01-01", tz="UTC")
                + pd.Timedelta(days=int(i)),
            }
        )
        labels.append(list(combo))
    return pd.DataFrame(rows), labels


class KeywordTagger(ClassifierMixin, BaseEstimator):
    """A frame applies with p = 0.9 if its name is a word of the text, else 0.2.

    Predictions are fixed by the text, so fold scores can be worked out by hand.
    """

    def __init__(self, *, multilabel: bool = True) -> None:
        self.multilabel = multilabel

    def fit(self, documents: pd.DataFrame, labels: object) -> KeywordTagger:
        self.classes_ = np.array(sorted({f for s in labels for f in s}))
        return self

    def predict_proba(self, documents: pd.DataFrame) -> np.ndarray:
        words = [set(t.split()) for t in documents["text"]]
        return np.array(
            [[0.9 if c in w else 0.2 for c in self.classes_] for w in words]
        )


def test_hand_checked_per_frame_scores_on_a_fixed_split():
    # Leave-one-outlet-out over two outlets: two fixed folds.
    texts = ["a", "a b", "b", "", "b", "a", "a b", "a"]
    truth = [["a"], ["a"], ["a", "b"], [], ["b"], ["b"], ["a", "b"], ["a"]]
    docs = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(8)],
            "text": texts,
            "outlet": ["A"] * 4 + ["B"] * 4,
        }
    )
    result = validate(KeywordTagger(), docs, truth, scheme="group")
    assert result.multilabel and [f.test.tolist() for f in result.folds] == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
    ]
    # Test outlet A: frame a tp=2 fn=1 -> F1 4/5; frame b tp=1 fp=1 -> F1 2/3;
    # 2 of 4 documents exactly right; 2 of 8 decisions wrong; micro 6/8.
    # Test outlet B: frame a tp=2 fp=1 -> F1 4/5; frame b tp=2 fn=1 -> F1 4/5;
    # 3 of 4 exactly right (d5 swaps b for a); 2 of 8 wrong; micro 8/10.
    scores = result.fold_scores
    assert scores["subset_accuracy"].tolist() == [0.5, 0.75]
    assert scores["hamming_loss"].tolist() == [0.25, 0.25]
    np.testing.assert_allclose(scores["micro_f1"], [0.75, 0.8])
    np.testing.assert_allclose(scores["macro_f1"], [(0.8 + 2 / 3) / 2, 0.8])

    def row(label: str, metric: str) -> pd.Series:
        t = result.table
        return t[(t["label"] == label) & (t["metric"] == metric)].iloc[0]

    assert row("a", "f1")["estimate"] == pytest.approx(0.8)
    assert row("b", "f1")["estimate"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert row("a", "precision")["estimate"] == pytest.approx((1 + 2 / 3) / 2)
    assert row("b", "recall")["estimate"] == pytest.approx((1 + 2 / 3) / 2)
    # Brier of frame a on outlet A: (0.1² + 0.1² + 0.8² + 0.2²) / 4 = 0.175
    # and on outlet B (p .2 .9 .9 .9, truth 0 0 1 1): (.04+.81+.01+.01)/4
    assert row("a", "brier")["estimate"] == pytest.approx((0.175 + 0.2175) / 2)
    # intervals come from the single-label helper (Nadeau–Bengio t interval)
    expected = _interval(
        np.array([2 / 3, 0.8]), np.array([4.0, 4.0]), np.array([4.0, 4.0]), 0.95
    )
    got = row("b", "f1")
    assert (got["estimate"], got["ci_low"], got["ci_high"]) == pytest.approx(expected)
    assert result.confusion.loc["a"].tolist() == [4, 1, 1, 2]  # tp fp fn tn
    assert result.predictions["predicted"].tolist()[:4] == ["a", "a;b", "b", ""]


def test_multilabel_nested_cv_never_tunes_on_outer_test_folds():
    docs, y = synthetic_multi()
    result = validate(
        FrameClassifier(multilabel=True, char_ngrams=None),
        docs,
        y,
        n_splits=3,
        n_repeats=2,
        inner_splits=2,
        param_grid={"C": [0.3, 3.0]},
        learning_curve=(0.5, 1.0),
    )
    assert len(result.folds) == 6 and not result.notes
    for fold in result.folds:
        assert fold.inner, "inner splits are recorded"
        assert fold.best_params["C"] in (0.3, 3.0)
        assert not set(fold.train) & set(fold.test)
        for inner_train, inner_test in fold.inner:
            assert not set(inner_train) & set(fold.test)
            assert not set(inner_test) & set(fold.test)
            assert set(inner_train) | set(inner_test) == set(fold.train)
    for metric in ("subset_accuracy", "micro_f1", "macro_f1", "hamming_loss"):
        r = result.overall(metric)
        assert r["ci_low"] <= r["estimate"] <= r["ci_high"]
    assert result.overall("micro_f1")["estimate"] > 0.8
    assert result.overall("hamming_loss")["estimate"] < 0.15
    per_frame = result.table[result.table["label"] != ""]
    assert set(per_frame["label"]) == set(VOCAB)
    assert set(per_frame["metric"]) == {"precision", "recall", "f1", "brier"}
    # the first repeat tests every document once, on every frame
    assert int(result.confusion.to_numpy().sum()) == len(docs) * len(VOCAB)
    assert result.reliability["n"].sum() == 2 * len(docs) * len(VOCAB)
    assert set(result.learning_curve["train_fraction"]) == {0.5, 1.0}
    assert "micro_f1" in result.summary()


def test_multilabel_group_and_time_schemes():
    docs, y = synthetic_multi()
    clf = FrameClassifier(multilabel=True, char_ngrams=None)
    grouped = validate(clf, docs, y, scheme="group", param_grid={"C": [1.0, 3.0]})
    outlets = docs["outlet"].to_numpy()
    assert len(grouped.folds) == 3
    for fold in grouped.folds:
        assert not set(outlets[fold.train]) & set(outlets[fold.test])
        for inner_train, inner_test in fold.inner:
            assert not (set(inner_train) | set(inner_test)) & set(fold.test)
    # one time fold: intervals come from a bootstrap over its documents
    timed = validate(clf, docs, y, scheme="time", n_splits=1)
    dates = docs["published"].to_numpy()
    (fold,) = timed.folds
    assert dates[fold.train].max() < dates[fold.test].min()
    r = timed.overall("micro_f1")
    assert r["ci_low"] < r["estimate"] < r["ci_high"]
    table = compare([grouped, timed])
    assert table["scheme"].tolist() == ["group", "time"]
    assert "micro_f1" in table and "accuracy" not in table


def test_multilabel_label_errors():
    docs, y = synthetic_multi(n=14)
    with pytest.raises(ValueError, match="single-label"):
        validate(FrameClassifier(char_ngrams=None), docs, y)
    with pytest.raises(ValueError, match="missing"):
        validate(KeywordTagger(), docs, [None, *y[1:]])
    # "a;b" strings are read as frame lists by a multi-label estimator
    joined = [";".join(s) for s in y]
    result = validate(KeywordTagger(), docs, joined, scheme="group")
    assert result.labels == sorted(VOCAB)
    assert not math.isnan(result.overall("macro_f1")["estimate"])
