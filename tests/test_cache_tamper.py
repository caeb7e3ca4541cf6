"""Caches are verified before reuse: a damaged copy is rebuilt, never read."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from framing.datasets.build import build_corpus, store_path
from framing.errors import CacheDamageWarning
from framing.study.cache import StageCache, cache_damage
from framing.synthetic import write_synthetic_csv

CARD = """\
name = "tamper-test"
title = "Synthetic corpus for the cache-tamper tests (seeded generator)"
description = "Synthetic rows written by framing.synthetic; not real data."
licence = "CC0-1.0"
attribution = "The tests"
citation = "None"

[dedupe]
near_duplicates = false

[[files]]
name = "articles.csv"
url = "http://127.0.0.1:9/tamper-test/articles.csv"
sha256 = "{sha256}"
format = "csv"

[files.mapping]
text = "body"
title = "headline"
published = "date"
url = "link"
outlet = "outlet"
id = "id"
"""


@pytest.fixture
def registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    mirror = tmp_path / "mirror" / "tamper-test"
    mirror.mkdir(parents=True)
    data = write_synthetic_csv(mirror / "articles.csv", 240, seed=3, mean_words=40)
    registry = tmp_path / "registry"
    registry.mkdir()
    sha256 = hashlib.sha256(data.read_bytes()).hexdigest()
    (registry / "tamper-test.toml").write_text(
        CARD.replace("{sha256}", sha256), encoding="utf-8"
    )
    monkeypatch.setenv("FRAMING_REGISTRY", str(registry))
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    return "tamper-test"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def test_an_intact_store_is_reused_without_a_rebuild(registered: str) -> None:
    first = build_corpus(registered)
    stamp = (first.path / "articles/part-00000.parquet").stat().st_mtime_ns
    again = build_corpus(registered)
    assert (again.path / "articles/part-00000.parquet").stat().st_mtime_ns == stamp
    assert again.damage() == []


@pytest.mark.parametrize(
    "tamper",
    [
        _truncate,
        lambda p: p.unlink(),
        lambda p: pd.read_parquet(p).head(10).to_parquet(p, index=False),
    ],
    ids=["truncated", "removed", "rows-dropped"],
)
def test_a_damaged_store_is_rebuilt_not_read(registered: str, tamper) -> None:
    corpus = build_corpus(registered)
    kept = corpus.counts["kept"]
    tamper(corpus.path / "articles/part-00000.parquet")
    assert corpus.damage() == [
        "articles/part-00000.parquet: "
        + (
            "missing"
            if not (corpus.path / "articles/part-00000.parquet").exists()
            else "sha256 differs from the manifest"
        )
    ]
    with pytest.warns(CacheDamageWarning, match="rebuilding it from the raw files"):
        rebuilt = build_corpus(registered)
    assert rebuilt.damage() == []
    assert len(rebuilt.articles(columns=["doc_id"])) == kept == rebuilt.counts["kept"]


def test_store_path_is_the_registered_name(registered: str) -> None:
    assert build_corpus(registered).path == store_path(registered)


# --- study stages ---------------------------------------------------------------


def _produce(folder: Path) -> dict:
    (folder / "tables").mkdir()
    (folder / "tables" / "shares.csv").write_text("source,share\na,0.25\n")
    return {"rows": 1}


@pytest.mark.parametrize(
    "tamper, expected",
    [
        (
            lambda p: (p / "tables" / "shares.csv").write_text(
                "source,share\na,0.99\n"
            ),
            "tables/shares.csv: sha256 differs from the stage record",
        ),
        (
            lambda p: (p / "tables" / "shares.csv").unlink(),
            "tables/shares.csv: missing",
        ),
        (
            lambda p: (p / "tables" / "extra.csv").write_text("x\n"),
            "tables/extra.csv: not written by the stage",
        ),
        (
            lambda p: (p / "stage.json").write_text("{"),
            "stage.json: unreadable",
        ),
    ],
    ids=["edited", "removed", "added", "record-broken"],
)
def test_a_tampered_stage_is_rerun_and_its_outputs_restored(
    tmp_path: Path, tamper, expected: str
) -> None:
    cache = StageCache(tmp_path / "stages")
    first = cache.run("naming", {"k": 1}, _produce)
    assert not first.cached
    tamper(first.path)
    assert expected in cache_damage(first.path)
    again = cache.run("naming", {"k": 1}, _produce)
    assert not again.cached
    assert expected in again.damage
    assert (again.path / "tables" / "shares.csv").read_text() == (
        "source,share\na,0.25\n"
    )
    assert cache_damage(again.path) == []
    third = cache.run("naming", {"k": 1}, _produce)
    assert third.cached and third.damage == ()
    record = json.loads((third.path / "stage.json").read_text())
    assert record["summary"] == {"rows": 1}


def test_a_card_elsewhere_with_a_registered_name_is_refused(
    registered: str, tmp_path: Path
) -> None:
    from framing.errors import CardError

    original = build_corpus(registered)
    stamp = (original.path / "manifest.json").read_bytes()
    elsewhere = tmp_path / "mine" / "tamper-test.toml"
    elsewhere.parent.mkdir()
    card = (tmp_path / "registry" / "tamper-test.toml").read_text(encoding="utf-8")
    elsewhere.write_text(card.replace("Synthetic corpus", "My corpus"), "utf-8")
    with pytest.raises(CardError, match="name of the registered corpus"):
        build_corpus(elsewhere)
    assert (original.path / "manifest.json").read_bytes() == stamp
