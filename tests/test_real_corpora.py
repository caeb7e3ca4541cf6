"""Integration tests: build the three registered corpora from the raw files.

The expected figures come from the upstream files themselves (row counts and
date ranges stated in the data mirror's README and checked against the raw
CSV/Excel files), not from the toolkit.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.realdata


def reconciles(corpus) -> bool:
    counts = corpus.counts
    rows = {
        "kept": len(corpus.articles(columns=["doc_id"])),
        "duplicates": len(corpus.duplicates()),
        "rejected": len(corpus.rejects()),
    }
    return counts["read"] == sum(rows.values()) and all(
        counts[key] == value for key, value in rows.items()
    )


def test_kremlin_and_president_press_releases(real_corpus):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    counts = corpus.counts
    assert counts["read_by_file"] == {"putin.csv": 816, "zelenskyy.csv": 980}
    assert reconciles(corpus)
    assert counts["rejected"] == 0
    outlets = corpus.sql(
        "SELECT outlet, count(*) AS n, min(published) AS first, max(published) AS last "
        "FROM all_articles GROUP BY outlet ORDER BY outlet"
    )
    assert outlets["outlet"].tolist() == ["kremlin", "president.gov.ua"]
    assert outlets["n"].tolist() == [816, 980]
    for first, last in zip(outlets["first"], outlets["last"], strict=True):
        assert pd.Timestamp("2021-10-24", tz="UTC") <= first
        assert last < pd.Timestamp("2022-06-25", tz="UTC")
    after = corpus.sql(
        "SELECT outlet, count(*) AS n FROM all_articles "
        "WHERE published >= TIMESTAMPTZ '2022-02-24 00:00:00+00' "
        "GROUP BY outlet ORDER BY outlet"
    )
    assert after["n"].tolist() == [397, 630]
    articles = corpus.articles()
    assert articles["published"].dt.tz is not None
    assert set(articles["language"]) == {"en"}
    assert articles["doc_id"].is_unique


def test_us_government_statements(real_corpus):
    corpus = real_corpus("us-gov-2022")
    counts = corpus.counts
    assert counts["read"] == 291
    assert reconciles(corpus)
    per_outlet = {
        outlet: c["kept"] + c["duplicates"] for outlet, c in counts["by_outlet"].items()
    }
    assert per_outlet == {
        "white-house": 119,
        "us-treasury": 67,
        "us-defense": 65,
        "us-state": 40,
    }
    span = corpus.sql(
        "SELECT min(published) AS a, max(published) AS b FROM all_articles"
    )
    # Day-only dates keep their calendar day (00:00 UTC), whatever the
    # card's zone (America/New_York), and say so in date_precision.
    assert span["a"][0] == pd.Timestamp("2022-02-24 00:00", tz="UTC")
    assert span["b"][0] == pd.Timestamp("2023-04-18 00:00", tz="UTC")
    precision = corpus.articles(columns=["date_precision"])["date_precision"]
    assert set(precision) == {"day"}


def test_us_government_repeats_are_recorded_not_dropped(real_corpus):
    corpus = real_corpus("us-gov-2022")
    duplicates = corpus.duplicates()
    assert len(duplicates) == corpus.counts["duplicates"] > 0
    canonical = corpus.articles(columns=["doc_id", "published"]).set_index("doc_id")
    # Every duplicate points at a kept canonical member that is no later than it.
    assert duplicates["canonical_doc_id"].isin(canonical.index).all()
    canonical_dates = canonical.loc[duplicates["canonical_doc_id"], "published"]
    assert (canonical_dates.to_numpy() <= duplicates["published"].to_numpy()).all()


def test_gun_violence_frame_corpus_headlines(real_corpus):
    corpus = real_corpus("gvfc")
    counts = corpus.counts
    assert counts["read"] == 2990
    assert reconciles(corpus)
    assert corpus.manifest["card"]["evaluation_only"] is True
    meta = corpus.articles(columns=["meta"])["meta"].map(json.loads)
    assert {"Q1 Relevant", "Q3 Theme1", "Q3 Theme2"} <= set(meta.iloc[0])
    relevant = corpus.sql(
        "SELECT count(*) AS n FROM all_articles "
        "WHERE json_extract(meta, '$.\"Q1 Relevant\"')::INT = 1"
    )
    assert relevant["n"][0] == 2609


def test_manifest_records_inputs_and_versions(real_corpus):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    manifest = corpus.manifest
    assert [i["sha256"] for i in manifest["inputs"]] == [
        "1fca054b4f24ff141c4d81eaccee2ba45261244233b148f5105899b6561946f9",
        "a85bd81f0d5eed716317fa6d2a019d39ae299afe582085c4d8a1db066ce0e867",
    ]
    assert {"framing", "python", "pyarrow", "datasketch"} <= set(manifest["versions"])
    assert manifest["card"]["licence"] == "CC-BY-4.0"
    assert set(manifest["outputs"]) == {
        "articles/part-00000.parquet",
        "duplicates.parquet",
        "rejects.parquet",
    }


def test_rebuild_is_byte_identical(real_corpus, tmp_path, monkeypatch):
    from framing.datasets.build import build_corpus

    first = real_corpus("us-gov-2022")
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    second = build_corpus("us-gov-2022")
    assert second.path != first.path
    for name in (
        "articles/part-00000.parquet",
        "duplicates.parquet",
        "rejects.parquet",
        "manifest.json",
    ):
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes()
