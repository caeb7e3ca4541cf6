"""Topic models on the three real corpora, in CI-sized settings."""

from __future__ import annotations

import numpy as np
import pytest

from framing.frames.topics import (
    TopicModel,
    coherence,
    frame_packages,
    select_k,
    topic_labels,
    topic_prevalence,
)

pytestmark = pytest.mark.realdata

SETTINGS = {
    # name: (k, tokeniser/model settings); GVFC headlines are short texts.
    "kremlin-zelenskyy-2022": (8, {}),
    "us-gov-2022": (6, {"no_below": 3}),
    "gvfc": (5, {"no_below": 3, "phrase_layers": 1}),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_small_models_on_real_corpora(real_corpus, name):
    corpus = real_corpus(name)
    k, params = SETTINGS[name]
    model = TopicModel(k=k, passes=2, iterations=50, **params).fit(corpus)
    shares = model.transform(corpus)
    assert len(shares) == corpus.counts["kept"]
    topics = [c for c in shares.columns if c.startswith("topic_")]
    assert np.allclose(shares[topics].sum(axis=1), 1.0)
    scores = coherence(model)
    assert all(np.isfinite(v) for v in scores.values())
    assert len(topic_labels(model)) == k
    assert frame_packages(model)["community"].min() == 0
    prevalence = topic_prevalence(shares, corpus, by=("outlet",))
    assert set(prevalence["outlet"]) == set(corpus.summary()["outlet"])


def test_guided_and_grid_on_kremlin_corpus(real_corpus):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    guided = TopicModel(k=13, passes=2, seed_words="war-naming").fit(corpus)
    ids = guided.dictionary_.token2id
    # Each seed word is most probable in the topic it guides.
    for word in ("special_military_operation", "war", "aggression", "invasion"):
        best = int(np.argmax(guided.topic_word_[:, ids[word]]))
        assert guided.topic_names_[best] == {
            "special_military_operation": "special-military-operation"
        }.get(word, word)
    grid = select_k(corpus, [5, 8], seeds=[0, 1], passes=2, iterations=50)
    assert grid.summary["stability"].between(0, 1).all()
