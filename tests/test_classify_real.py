"""Frame classifiers on the real corpora (GVFC; Russia–Ukraine naming)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from framing.frames.classify import (
    NAMING_GROUPS,
    FrameClassifier,
    lexicon_labels,
    mask_documents,
    naming_labels,
    predict_corpus,
    validate,
)

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_small_gvfc_evaluation(real_corpus):
    corpus = real_corpus("gvfc")
    articles = corpus.articles(columns=["doc_id", "text", "meta"])
    meta = pd.DataFrame([json.loads(m) for m in articles["meta"]])
    keep = (meta["Q1 Relevant"] == 1) & meta["Q3 Theme1"].between(1, 9)
    docs = articles.loc[keep, ["doc_id", "text"]].reset_index(drop=True)
    labels = meta.loc[keep, "Q3 Theme1"].astype(int).astype(str).tolist()
    assert len(docs) > 1200 and len(set(labels)) == 9
    result = validate(
        FrameClassifier(char_ngrams=None, min_df=2),
        docs,
        labels,
        n_splits=3,
        n_repeats=2,
        param_grid={"C": [3.0]},
        inner_splits=2,
    )
    accuracy = result.overall("accuracy")
    # majority class (politics) is 29%; a word-n-gram model must beat it clearly
    assert accuracy["estimate"] > 0.5
    assert accuracy["ci_low"] < accuracy["estimate"] < accuracy["ci_high"]


@pytest.fixture(scope="module")
def naming(real_corpus):
    """Labelled documents, unmasked: the classifiers below mask them."""
    corpus = real_corpus("kremlin-zelenskyy-2022")
    table = naming_labels(corpus)
    texts = corpus.articles(columns=["doc_id", "text"])
    return corpus, table.merge(texts, on="doc_id", validate="one_to_one")


def test_naming_terms_are_masked(naming):
    _, docs = naming
    assert set(docs["label"]) == {"war-invasion", "special-operation"}
    text = " ".join(mask_documents(docs)["text"]).lower()
    assert " special military operation" not in text
    assert " full-scale invasion" not in text
    # naming_labels reads the stored detection run; in memory it is the same
    fresh = lexicon_labels(docs, groups=NAMING_GROUPS)
    assert fresh["label"].tolist() == docs["label"].tolist()


def test_cross_outlet_and_time_split_on_russia_ukraine(naming, tmp_path):
    corpus, docs = naming
    estimator = FrameClassifier(char_ngrams=None, min_df=2, mask="war-naming")
    group = validate(estimator, docs, docs["label"].tolist(), scheme="group")
    outlets = docs["outlet"].to_numpy()
    assert len(group.folds) == 2
    for fold in group.folds:
        assert len(set(outlets[fold.test])) == 1
        assert not set(outlets[fold.train]) & set(outlets[fold.test])
    time = validate(estimator, docs, docs["label"].tolist(), scheme="time", n_splits=2)
    dates = docs["published"].to_numpy()
    for fold in time.folds:
        assert dates[fold.train].max() < dates[fold.test].min()
    # The two outlets almost coincide with the two labels, so the cross-outlet
    # score is far below the in-time one: only a floor is checked here.
    assert time.overall("accuracy")["estimate"] > 0.6
    assert 0 <= group.overall("macro_f1")["estimate"] <= 1

    model = estimator.fit(docs, docs["label"].tolist())
    run = predict_corpus(model, corpus, name="naming-test", batch_size=400)
    predictions = run.predictions
    assert len(predictions) == corpus.counts["kept"]
    assert (corpus.path / "classify" / "naming-test" / "predictions.parquet").is_file()
    assert predictions["doc_id"].is_unique
    assert run.manifest["model"]["mask"]["name"] == "war-naming"
    # The corpus is masked as the training text was: stored probabilities of
    # the labelled documents are the model's on their masked text.
    masked = mask_documents(docs)
    stored = predictions.set_index("doc_id").loc[docs["doc_id"]]
    unmasked_model = FrameClassifier(char_ngrams=None, min_df=2).fit(
        masked, docs["label"].tolist()
    )
    np.testing.assert_allclose(
        stored["p__war_invasion"].to_numpy(),
        unmasked_model.transform(masked)["p__war_invasion"].to_numpy(),
    )


@pytest.mark.realdata
def test_gvfc_primary_frame_task(real_corpus):
    from framing.datasets.gvfc import GVFC_FRAMES, gvfc_primary_frames

    gvfc = real_corpus("gvfc")
    documents, labels = gvfc_primary_frames(gvfc)
    # benchmarks/README.md: 1,296 relevant headlines with one of nine frames
    assert len(documents) == len(labels) == 1296
    assert set(labels) == set(GVFC_FRAMES.values()) - {"none"}
    with_none, labels_none = gvfc_primary_frames(gvfc, with_none=True)
    assert labels_none.count("none") == 1302 and len(with_none) == 2598
