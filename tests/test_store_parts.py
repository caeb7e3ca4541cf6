"""Partitioned corpus stores: fixed-size article parts read as one table.

Seeded synthetic articles (not real data). A store cut into small parts
must hold the same articles in the same order as a one-part store, and
every reader -- DataFrames, the batch stream, DuckDB, subsets, worker
ranges, detection, topic preparation -- must give the same answers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.compute import Compute
from framing.errors import FramingError
from framing.frames.run import detect_corpus
from framing.frames.topics.tokens import TokenizerParams, prepare_corpus
from framing.store import ARTICLES_FILE, ArticleRange, Corpus, ParquetSink
from framing.subsets import Subset, subset_articles
from framing.synthetic import write_synthetic_corpus

N_ARTICLES = 90
PART_ROWS = 7


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Corpus]:
    root = tmp_path_factory.mktemp("parts")
    return {
        "one": write_synthetic_corpus(root / "one", n_articles=N_ARTICLES, seed=4),
        "parts": write_synthetic_corpus(
            root / "parts", n_articles=N_ARTICLES, seed=4, part_rows=PART_ROWS
        ),
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_parts_have_the_part_size_and_are_all_recorded(stores):
    corpus = stores["parts"]
    parts = corpus.manifest["store"]["article_parts"]
    rows = [part["rows"] for part in parts]
    kept = corpus.counts["kept"]
    assert sum(rows) == kept
    assert rows[:-1] == [PART_ROWS] * (len(rows) - 1)
    assert 0 < rows[-1] <= PART_ROWS
    assert len(parts) == -(-kept // PART_ROWS) > 1
    for part, path in zip(parts, corpus.article_files, strict=True):
        assert pq.read_metadata(path).num_rows == part["rows"]
        assert corpus.manifest["outputs"][part["file"]]["sha256"] == _sha256(path)
    assert corpus.damage() == []


def test_a_partitioned_store_holds_the_same_articles_in_the_same_order(stores):
    one, parts = stores["one"], stores["parts"]
    assert one.counts == parts.counts
    assert one.articles().equals(parts.articles())
    assert one.articles(include_duplicates=True).equals(
        parts.articles(include_duplicates=True)
    )
    for name in ("duplicates.parquet", "rejects.parquet"):
        assert _sha256(one.path / name) == _sha256(parts.path / name)

    def stream(corpus: Corpus) -> list[str]:
        batches = corpus.iter_batches(batch_size=5, columns=["doc_id"])
        return [i for batch in batches for i in batch.column(0).to_pylist()]

    assert stream(one) == stream(parts) == one.articles()["doc_id"].tolist()


def test_duckdb_and_subsets_read_every_part(stores):
    one, parts = stores["one"], stores["parts"]
    query = "SELECT doc_id, outlet FROM articles"
    assert one.sql(query).equals(parts.sql(query))
    assert one.summary().equals(parts.summary())
    subset = Subset(outlets=["synthetic-outlet-1"])
    assert subset_articles(one, subset).equals(subset_articles(parts, subset))


@pytest.mark.parametrize("rows", [1, 3, PART_ROWS, 10, 64, 1000])
def test_ranges_cover_the_articles_in_order_across_parts(stores, rows):
    parts = stores["parts"]
    ranges = parts.ranges(rows)
    sizes = [r.rows for r in ranges]
    assert sizes[:-1] == [rows] * (len(sizes) - 1)
    assert sum(sizes) == parts.counts["kept"]
    read = [i for r in ranges for i in r.read(["doc_id"]).column(0).to_pylist()]
    assert read == parts.articles(columns=["doc_id"])["doc_id"].tolist()
    assert [r.rows for r in stores["one"].ranges(rows)] == sizes


def test_detection_and_topic_preparation_do_not_depend_on_the_parts(stores, tmp_path):
    detections = {name: detect_corpus(corpus) for name, corpus in stores.items()}
    for table in ("mentions.parquet", "features.parquet"):
        assert _sha256(detections["one"].path / table) == _sha256(
            detections["parts"].path / table
        )
    prepared = {
        name: prepare_corpus(corpus, TokenizerParams(), root=tmp_path / name)
        for name, corpus in stores.items()
    }
    for file in ("tokens.txt", "bow.mm", "documents.parquet", "dictionary.json"):
        one, parts = prepared["one"].path / file, prepared["parts"].path / file
        assert _sha256(one) == _sha256(parts)


def test_workers_read_their_own_ranges(stores):
    # Two local processes read the parts themselves; the stored detection is
    # the serial one, byte for byte.
    corpus = stores["parts"]
    serial = detect_corpus(corpus)
    digests = {t: _sha256(serial.path / t) for t in ("mentions.parquet",)}
    shutil.rmtree(serial.path)
    parallel = detect_corpus(corpus, compute=Compute(mode="processes", workers=2))
    assert {t: _sha256(parallel.path / t) for t in digests} == digests


def test_a_store_built_before_parts_is_read_as_before(stores, tmp_path):
    legacy = tmp_path / "legacy"
    shutil.copytree(stores["one"].path, legacy, ignore=shutil.ignore_patterns("frames"))
    (legacy / "articles" / "part-00000.parquet").rename(legacy / ARTICLES_FILE)
    (legacy / "articles").rmdir()
    manifest = json.loads((legacy / "manifest.json").read_text(encoding="utf-8"))
    del manifest["store"]
    outputs = manifest["outputs"]
    outputs[ARTICLES_FILE] = outputs.pop("articles/part-00000.parquet")
    (legacy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    corpus = Corpus(legacy)
    assert corpus.article_files == [legacy / ARTICLES_FILE]
    assert corpus.damage() == []
    assert corpus.articles().equals(stores["one"].articles())
    assert corpus.articles_sha256() == outputs[ARTICLES_FILE]["sha256"]
    assert int(corpus.sql("SELECT count(*) AS n FROM articles")["n"][0]) == len(
        corpus.articles()
    )


SCHEMA = pa.schema([("n", pa.int64())])


@settings(max_examples=60, deadline=None)
@given(
    tables=st.lists(st.integers(0, 40), max_size=8),
    batch_rows=st.integers(1, 9),
    part_rows=st.one_of(st.none(), st.integers(1, 25)),
)
def test_sink_parts_and_row_groups_keep_every_row_in_order(
    tmp_path_factory, tables, batch_rows, part_rows
):
    folder = tmp_path_factory.mktemp("sink")
    target = folder / ("parts" if part_rows else "one.parquet")
    total = 0
    with ParquetSink(
        target, SCHEMA, batch_rows=batch_rows, part_rows=part_rows
    ) as sink:
        for size in tables:
            sink.write_table(pa.table({"n": list(range(total, total + size))}))
            total += size
    files = [path for path, _ in sink.parts]
    read = [n for path in files for n in pq.read_table(path).column("n").to_pylist()]
    assert read == list(range(total))
    assert sink.rows_written == total
    assert [rows for _, rows in sink.parts] == [
        pq.read_metadata(path).num_rows for path in files
    ]
    if part_rows:
        assert [p.name for p in files] == [
            f"part-{i:05d}.parquet" for i in range(len(files))
        ]
        assert sorted(target.iterdir()) == files
        assert all(rows == part_rows for _, rows in sink.parts[:-1])
    for path in files:
        metadata = pq.read_metadata(path)
        groups = [
            metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)
        ]
        assert all(0 < rows <= batch_rows for rows in groups)
        assert all(rows == batch_rows for rows in groups[:-1])


def test_a_worker_that_cannot_see_the_store_says_so(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "part-00000.parquet"
    missing = ArticleRange(((str(elsewhere), 0, 5),))
    with pytest.raises(FramingError, match="cannot see the corpus store"):
        missing.read(["doc_id"])


def test_a_worker_that_cannot_see_the_build_says_so(tmp_path):
    from framing.datasets.build import _SplitTask, _write_part

    task = _SplitTask(
        staged=str(tmp_path / "elsewhere" / "staged.parquet"),
        part=str(tmp_path / "part-00000.parquet"),
        start=0,
        stop=5,
        members={},
    )
    with pytest.raises(FramingError, match="cannot see the store being built"):
        _write_part(task)
    assert not (tmp_path / "part-00000.parquet").exists()
