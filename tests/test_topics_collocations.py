"""Collocation counts added up exactly on disk or bounded in memory.

The reference is gensim's own ``Phrases`` trained on the whole token stream
with no vocabulary bound. Token streams are drawn by hypothesis or by a
seeded generator from a small made-up vocabulary; not real data.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from gensim.models.phrases import Phrases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing.frames.topics.collocations import (
    DELIMITER,
    CollocationCounter,
    bucket_of,
    buckets_for,
    count_pairs,
    counts_table,
)

WORDS = ["grain", "deal", "special", "military", "operation", "war", "kyiv", "x"]


def _gensim_phrases(sentences, min_count, threshold):
    model = Phrases(
        sentences,
        min_count=min_count,
        threshold=threshold,
        delimiter=DELIMITER,
        max_vocab_size=10**9,
    )
    return {k.replace(DELIMITER, "_"): v for k, v in model.export_phrases().items()}


def _counted(parts, folder: Path, *, min_count, threshold, max_vocab, n_buckets=1):
    counter = CollocationCounter(
        min_count=min_count,
        threshold=threshold,
        max_vocab=max_vocab,
        folder=folder,
        n_buckets=n_buckets,
    )
    n_words = 0
    for part in parts:
        counts: Counter[str] = Counter()
        for tokens in part:
            count_pairs(tokens, counts)
            n_words += len(tokens)
        counter.add(counts_table(counts, n_buckets) if counter.exact else counts)
    return counter.phrases(n_words)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sentences=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=0, max_size=12),
        min_size=0,
        max_size=30,
    ),
    part_size=st.integers(1, 7),
    min_count=st.integers(1, 3),
    threshold=st.sampled_from([0.5, 1.0, 2.0, 10.0]),
    n_buckets=st.sampled_from([1, 2, 16]),
)
def test_exact_and_unpruned_counts_give_gensim_s_phrases_and_scores(
    tmp_path_factory, sentences, part_size, min_count, threshold, n_buckets
):
    parts = [sentences[i : i + part_size] for i in range(0, len(sentences), part_size)]
    expected = _gensim_phrases(sentences, min_count, threshold)
    folder = tmp_path_factory.mktemp("exact")
    exact = _counted(
        parts,
        folder,
        min_count=min_count,
        threshold=threshold,
        max_vocab=None,
        n_buckets=n_buckets,
    )
    # The same floats, not merely close ones.
    assert exact == expected
    assert list(exact) == sorted(exact)
    # Everything the counter wrote is gone once the phrases are scored.
    assert list(folder.iterdir()) == []
    in_memory = _counted(
        parts,
        tmp_path_factory.mktemp("bounded"),
        min_count=min_count,
        threshold=threshold,
        max_vocab=10**9,
    )
    assert in_memory == expected


def test_buckets_add_up_to_the_same_phrases_however_many(tmp_path):
    # A seeded stream with many distinct pairs and one frequent phrase.
    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(3000)]
    common = ["special", "military", "operation"]
    sentences = [
        rng.choices(vocabulary, k=40) + common + rng.choices(vocabulary, k=40)
        for _ in range(4000)
    ]
    parts = [sentences[i : i + 500] for i in range(0, len(sentences), 500)]
    expected = _gensim_phrases(sentences, 5, 10.0)
    assert "special_military" in expected
    for n_buckets in (1, 8, 256):
        folder = tmp_path / str(n_buckets)
        folder.mkdir()
        found = _counted(
            parts,
            folder,
            min_count=5,
            threshold=10.0,
            max_vocab=None,
            n_buckets=n_buckets,
        )
        assert found == expected, n_buckets
        assert list(folder.iterdir()) == []


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.text(max_size=12), max_size=40),
    bits=st.integers(0, 9),
)
def test_a_key_s_bucket_depends_on_the_key_alone(keys, bits):
    n_buckets = 1 << bits
    buckets = bucket_of(pa.array(keys, pa.string()), n_buckets)
    assert buckets.shape == (len(keys),)
    assert ((buckets >= 0) & (buckets < n_buckets)).all()
    # The same key in another array, at another place, or in a slice.
    for index, key in enumerate(keys):
        assert bucket_of(pa.array([key]), n_buckets)[0] == buckets[index]
    if keys:
        sliced = pa.array(["x", *keys], pa.string()).slice(1)
        assert bucket_of(sliced, n_buckets).tolist() == buckets.tolist()


def test_buckets_spread_keys_evenly():
    keys = pa.array([f"w{i}{DELIMITER}w{i + 1}" for i in range(64_000)])
    sizes = np.bincount(bucket_of(keys, 64), minlength=64)
    # 1,000 expected per bucket; a fair split keeps within a few standard
    # deviations (about 31).
    assert sizes.min() > 850 and sizes.max() < 1150


def test_a_part_in_other_buckets_than_the_counter_s_is_refused(tmp_path):
    counter = CollocationCounter(
        min_count=1, threshold=1.0, max_vocab=None, folder=tmp_path, n_buckets=4
    )
    with pytest.raises(ValueError, match="buckets"):
        counter.add(counts_table(Counter(war=1), 8))


def test_a_bound_below_the_vocabulary_prunes_and_changes_the_phrases(tmp_path):
    rng = random.Random(2)
    vocabulary = [f"w{i}" for i in range(300)]
    sentences = [rng.choices(vocabulary, k=10) for _ in range(200)]
    sentences += [["grain", "deal"]] * 20
    parts = [sentences[i : i + 10] for i in range(0, len(sentences), 10)]
    exact = _counted(parts, tmp_path, min_count=2, threshold=0.5, max_vocab=None)
    pruned = _counted(parts, tmp_path, min_count=2, threshold=0.5, max_vocab=50)
    assert exact == _gensim_phrases(sentences, 2, 0.5)
    assert "grain_deal" in exact
    # Pruning leaves fewer distinct entries, gensim's len(vocab) in the score.
    assert pruned != exact


def test_no_parts_give_no_phrases(tmp_path):
    counter = CollocationCounter(
        min_count=1, threshold=1.0, max_vocab=None, folder=tmp_path
    )
    assert counter.phrases(0) == {}
    assert list(tmp_path.iterdir()) == []


def test_buckets_for_a_corpus_are_a_bounded_power_of_two():
    assert buckets_for(None) == buckets_for(0) == buckets_for(2000) == 1
    assert buckets_for(2001) == 2
    assert buckets_for(100_000) == 64
    assert buckets_for(10**9) == 512


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"phrase_max_vocab": 0}, "phrase_max_vocab"),
        ({"phrase_max_vocab": -5}, "phrase_max_vocab"),
        ({"phrase_threshold": 0.0}, "positive threshold"),
        ({"phrase_threshold": -1.0}, "positive threshold"),
        ({"phrase_min_count": 0}, "at least 1"),
    ],
)
def test_settings_gensim_s_scorer_cannot_take_are_refused(setting, message):
    from framing.frames.topics import TokenizerParams

    with pytest.raises(ValueError, match=message):
        TokenizerParams(**setting)
    if "phrase_max_vocab" not in setting:
        # Without collocations the scorer's settings are unused.
        TokenizerParams(phrase_layers=0, **setting)
