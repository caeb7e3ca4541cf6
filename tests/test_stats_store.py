"""Naming shares counted in DuckDB equal those of the in-memory feature table."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.errors import FramingError
from framing.frames import VOICES
from framing.frames.run import detect_corpus
from framing.stats import feature_table, naming_shares, naming_shares_from_store
from framing.synthetic import write_synthetic_corpus


@pytest.fixture(scope="module")
def detected(tmp_path_factory):
    # Seeded synthetic articles (framing.synthetic), not real data; some
    # malformed rows are rejected, duplicates set aside.
    corpus = write_synthetic_corpus(
        tmp_path_factory.mktemp("shares"), n_articles=900, seed=8, days=400
    )
    frames = detect_corpus(corpus).manifest["lexicon"]["frames"]
    return corpus, frames


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y"])
def test_store_counts_equal_the_feature_table_counts(detected, freq):
    corpus, frames = detected
    expected = naming_shares(
        feature_table(corpus), frames=frames, voices=VOICES, freq=freq
    )
    counted = naming_shares_from_store(corpus, frames=frames, voices=VOICES, freq=freq)
    pd.testing.assert_frame_equal(counted, expected)
    assert (counted["n_present"] <= counted["n_docs"]).all()


def test_a_subset_and_its_groups_are_counted_alike(detected):
    from framing.subsets import Subset

    corpus, frames = detected
    subset = Subset(
        groups={"first": ["synthetic-outlet-1", "synthetic-outlet-2"]},
        start="2021-12-01",
    )
    inside = corpus.sql("SELECT doc_id, source FROM articles", subset=subset)
    data = feature_table(corpus).merge(inside, on="doc_id", validate="one_to_one")
    assert set(data["source"]) > {"first"}  # other outlets keep their name
    expected = naming_shares(data, frames=frames, by="source", freq="M")
    counted = naming_shares_from_store(
        corpus, frames=frames, by="source", freq="M", subset=subset
    )
    pd.testing.assert_frame_equal(counted, expected)


def test_unusable_requests_say_what_to_do(detected, tmp_path):
    corpus, frames = detected
    with pytest.raises(FramingError, match="period '2W' is not one of"):
        naming_shares_from_store(corpus, frames=frames, freq="2W")
    with pytest.raises(FramingError, match="no column 'region'"):
        naming_shares_from_store(corpus, frames=frames, by="region")
    with pytest.raises(FramingError, match="no column"):
        naming_shares_from_store(corpus, frames=["no-such-frame"])
    bare = write_synthetic_corpus(tmp_path, n_articles=20, seed=1)
    with pytest.raises(FramingError, match="framing frames detect"):
        naming_shares_from_store(bare, frames=frames)


@pytest.mark.realdata
def test_real_press_releases_count_alike(real_corpus):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    frames = detect_corpus(corpus).manifest["lexicon"]["frames"]
    expected = naming_shares(feature_table(corpus), frames=frames, freq="W")
    counted = naming_shares_from_store(corpus, frames=frames, freq="W")
    pd.testing.assert_frame_equal(counted, expected)
