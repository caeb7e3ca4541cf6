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

import framing.frames.topics.collocations as collocations
from framing.frames.topics.collocations import (
    DELIMITER,
    CollocationCounter,
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


def _counted(parts, folder: Path, *, min_count, threshold, max_vocab):
    counter = CollocationCounter(
        min_count=min_count, threshold=threshold, max_vocab=max_vocab, folder=folder
    )
    n_words = 0
    for part in parts:
        counts: Counter[str] = Counter()
        for tokens in part:
            count_pairs(tokens, counts)
            n_words += len(tokens)
        counter.add(counts_table(counts) if counter.exact else counts)
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
)
def test_exact_and_unpruned_counts_give_gensim_s_phrases_and_scores(
    tmp_path_factory, sentences, part_size, min_count, threshold
):
    parts = [sentences[i : i + part_size] for i in range(0, len(sentences), part_size)]
    expected = _gensim_phrases(sentences, min_count, threshold)
    folder = tmp_path_factory.mktemp("exact")
    exact = _counted(
        parts, folder, min_count=min_count, threshold=threshold, max_vocab=None
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


def test_exact_counts_spill_to_disk_and_give_the_same_phrases(monkeypatch, tmp_path):
    # Seeded made-up counts: 2.6 million distinct pairs seen once or a few
    # times, and 50 frequent pairs whose words are seen only in them.
    rng = np.random.default_rng(0)
    rare = rng.integers(0, 3_000_000, 6_000_000)
    frequent = [f"f{k}{DELIMITER}g{k}" for k in range(50)]
    words = [f"f{k}" for k in range(50)] + [f"g{k}" for k in range(50)]
    parts = []
    for chunk in np.array_split(rare, 6):
        keys = [f"r{i}{DELIMITER}s{i}" for i in chunk.tolist()] + frequent + words
        parts.append(
            pa.table(
                {"key": keys, "n": np.r_[np.ones(len(chunk)), np.full(150, 4)]},
                schema=collocations.COUNTS_SCHEMA,
            )
        )
    spilled = []
    found = {}
    for memory in ("1GB", "100MB"):
        monkeypatch.setattr(collocations, "DUCKDB_MEMORY", memory)
        counter = CollocationCounter(
            min_count=5, threshold=10.0, max_vocab=None, folder=tmp_path
        )
        for part in parts:
            counter.add(part)
        found[memory] = counter.phrases(n_words=10**7)
        spilled.append(counter.spilled)
    assert spilled == [False, True]
    assert found["100MB"] == found["1GB"]
    # Each frequent pair: 24 times, its words 24 times each.
    assert set(found["1GB"]) == {k.replace(DELIMITER, "_") for k in frequent}


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
