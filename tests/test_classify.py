"""Frame classifiers: pipeline, nested CV, splits, persistence, masking."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from framing.frames.classify import (
    FrameClassifier,
    TimeSplit,
    UntrustedModelError,
    compare,
    join_features,
    load_model,
    mask_documents,
    save_model,
    validate,
)

VOCAB = {
    "control": ["ban", "background", "checks", "assault", "weapons", "law"],
    "health": ["mental", "illness", "therapy", "psychiatric", "care", "crisis"],
    "safety": ["school", "campus", "guards", "drill", "lockdown", "students"],
}


def synthetic(n: int = 90, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Labelled synthetic headlines: frame words plus shared noise."""
    rng = np.random.default_rng(seed)
    frames = sorted(VOCAB)
    noise = ["the", "a", "shooting", "gun", "news", "today", "report", "says"]
    rows, labels = [], []
    outlets = ["alpha", "beta", "gamma"]
    for i in range(n):
        frame = frames[i % 3]
        words = list(rng.choice(VOCAB[frame], 3)) + list(rng.choice(noise, 4))
        rng.shuffle(words)
        rows.append(
            {
                "doc_id": f"d{i:03d}",
                "text": " ".join(words),
                "outlet": outlets[(i // 3) % 3],
                "published": pd.Timestamp("2022-01-01", tz="UTC")
                + pd.Timedelta(days=int(i)),
                "lex": float(frame == "health"),
            }
        )
        labels.append(frame)
    return pd.DataFrame(rows), labels


def test_pipeline_fits_and_predicts_synthetic_frames():
    docs, y = synthetic()
    clf = FrameClassifier(char_ngrams=(3, 4)).fit(docs.iloc[:60], y[:60])
    assert (clf.predict(docs.iloc[60:]) == np.array(y[60:], dtype=object)).mean() > 0.9
    proba = clf.predict_proba(docs.iloc[60:])
    assert np.allclose(proba.sum(axis=1), 1)
    table = clf.transform(docs.iloc[60:])
    assert table["doc_id"].tolist() == docs["doc_id"].iloc[60:].tolist()
    assert list(table.columns[1:]) == ["p__control", "p__health", "p__safety"]


def test_svm_is_calibrated_and_extra_features_enter_the_model():
    docs, y = synthetic()
    svm = FrameClassifier(model="svm", char_ngrams=None).fit(docs, y)
    proba = svm.predict_proba(docs)
    assert np.allclose(proba.sum(axis=1), 1) and (proba > 0).all()
    extra = FrameClassifier(word_ngrams=None, char_ngrams=None, extra_features=["lex"])
    extra.fit(docs, y)
    names = extra.pipeline_.named_steps["features"].get_feature_names_out()
    assert list(names) == ["extra__lex"]
    with pytest.raises(ValueError, match="lack column"):
        extra.predict(docs.drop(columns="lex"))


def test_multilabel_one_vs_rest():
    docs, y = synthetic()
    multi = [f"{a};safety" if a == "control" else a for a in y]
    clf = FrameClassifier(multilabel=True, char_ngrams=None).fit(docs, multi)
    assert list(clf.classes_) == ["control", "health", "safety"]
    predicted = clf.predict(docs.iloc[:3])
    assert all(isinstance(p, list) for p in predicted)


def test_join_features_fills_missing_documents_with_zero():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x", "y"]})
    joined = join_features(docs, pd.DataFrame({"doc_id": ["b"], "n__war__own": [2]}))
    assert joined["n__war__own"].tolist() == [0, 2]


def test_nested_cv_never_tunes_on_outer_test_folds():
    docs, y = synthetic()
    result = validate(
        FrameClassifier(char_ngrams=None),
        docs,
        y,
        n_splits=3,
        n_repeats=2,
        inner_splits=2,
        param_grid={"C": [0.1, 1.0]},
        learning_curve=(0.5, 1.0),
    )
    assert len(result.folds) == 6
    for fold in result.folds:
        assert fold.inner, "inner splits are recorded"
        assert not set(fold.train) & set(fold.test)
        for inner_train, inner_test in fold.inner:
            assert not set(inner_train) & set(fold.test)
            assert not set(inner_test) & set(fold.test)
            assert set(inner_train) | set(inner_test) == set(fold.train)
    acc = result.overall("accuracy")
    assert acc["ci_low"] <= acc["estimate"] <= acc["ci_high"]
    assert acc["estimate"] > 0.8
    assert set(result.table["metric"]) >= {"precision", "recall", "f1", "brier"}
    assert int(result.confusion.to_numpy().sum()) == len(docs)
    assert result.reliability["n"].sum() == 2 * len(docs)
    assert set(result.learning_curve["train_fraction"]) == {0.5, 1.0}
    assert "stratified" in result.summary()


def test_grouped_split_never_shares_an_outlet():
    docs, y = synthetic()
    result = validate(FrameClassifier(char_ngrams=None), docs, y, scheme="group")
    assert len(result.folds) == 3  # leave one of three outlets out
    outlets = docs["outlet"].to_numpy()
    for fold in result.folds:
        assert not set(outlets[fold.train]) & set(outlets[fold.test])


def test_time_split_trains_strictly_earlier():
    docs, y = synthetic()
    result = validate(
        FrameClassifier(char_ngrams=None), docs, y, scheme="time", n_splits=2
    )
    dates = docs["published"].to_numpy()
    assert len(result.folds) == 2
    for fold in result.folds:
        assert dates[fold.train].max() < dates[fold.test].min()
    table = compare([result])
    assert table.loc[0, "scheme"] == "time"


def test_time_split_puts_one_date_on_one_side_only():
    dates = pd.to_datetime(["2022-01-01"] * 5 + ["2022-01-02"] * 5)
    for train, test in TimeSplit(n_splits=1, min_train=0.3).split(dates):
        assert set(dates[train]).isdisjoint(set(dates[test]))


def test_one_class_training_fold_is_reported_not_scored():
    docs, y = synthetic()
    y = [
        "control" if o == "alpha" else lab
        for o, lab in zip(docs["outlet"], y, strict=True)
    ]
    alpha_only = docs["outlet"] == "alpha"
    subset = docs[alpha_only | (docs["outlet"] == "beta")].reset_index(drop=True)
    labels = [
        lab
        for lab, keep in zip(y, alpha_only | (docs["outlet"] == "beta"), strict=True)
        if keep
    ]
    result = validate(FrameClassifier(char_ngrams=None), subset, labels, scheme="group")
    assert any("one frame only" in note for note in result.notes)


def test_skops_round_trip_and_untrusted_type_is_rejected(tmp_path):
    docs, y = synthetic()
    clf = FrameClassifier(model="svm", char_ngrams=None).fit(docs, y)
    path = save_model(clf, tmp_path / "model.skops", metadata={"corpus": "synthetic"})
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict_proba(docs), clf.predict_proba(docs))

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    # A function reference is exactly what a malicious file would smuggle in.
    bad = tmp_path / "bad.skops"
    sio.dump(FunctionTransformer(func=os.system), bad)
    with pytest.raises(UntrustedModelError, match="system"):
        load_model(bad)

    (tmp_path / "model.skops").write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(UntrustedModelError, match="SHA-256"):
        load_model(path)


def test_masking_removes_the_naming_terms():
    texts = [
        ("a", "Russia's full-scale invasion of Ukraine is a war of aggression."),
        ("b", 'The Kremlin calls it a "special military operation".'),
    ]
    masked = mask_documents(texts)
    joined = " ".join(masked["text"]).lower()
    for term in ("invasion", "war ", "special military operation"):
        assert term not in joined
    assert masked["n_masked"].tolist()[1] == 1
    assert "[MASK]" in masked["text"][0]


def test_weak_labels_train_on_masked_text():
    docs = [
        ("a", "Russian troops continue the war near Kharkiv."),
        ("b", "Troops continue the special military operation in Donbas."),
        ("c", "The war near Kharkiv goes on."),
        ("d", "The special military operation in Donbas goes on."),
    ]
    clf = FrameClassifier(weak_labels="war-naming", char_ngrams=None).fit(docs)
    assert set(clf.classes_) == {"war", "special-military-operation"}
    # the terms are masked, so context (Kharkiv vs Donbas) must carry the label
    assert clf.predict([("e", "Shelling near Kharkiv.")]).tolist() == ["war"]
