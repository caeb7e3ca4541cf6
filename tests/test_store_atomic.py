"""The corpus store: atomic writes, reproducible builds and the Corpus reader.

Builds use the labelled synthetic generator (framing.synthetic) in tmp folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.datasets.build import CorpusBuilder
from framing.datasets.cards import SourceFile, _parse_mapping
from framing.errors import FramingError, SourceError
from framing.store import (
    DUPLICATES_FILE,
    MANIFEST_FILE,
    REJECTS_FILE,
    Corpus,
    atomic_directory,
    leftover_staging,
)
from framing.synthetic import SYNTHETIC_MAPPING, write_synthetic_csv

N_ARTICLES = 300


class Boom(Exception):
    pass


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> content of every file under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _entries(folder: Path) -> list[str]:
    """Folder entries, less the lock file that serialises writers."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def _mapping_error(key: str, problem: str) -> Exception:
    return ValueError(f"{key}: {problem}")


def synthetic_source(name: str = "synthetic.csv") -> SourceFile:
    return SourceFile(
        name=name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(SYNTHETIC_MAPPING, "synthetic", _mapping_error),
        format="csv",
    )


def build(csv_path: Path, target: Path) -> Corpus:
    return CorpusBuilder("synthetic", progress=False).build(
        [(csv_path, synthetic_source(csv_path.name))], target
    )


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-input")
    return write_synthetic_csv(
        folder / "synthetic.csv",
        N_ARTICLES,
        seed=11,
        malformed_rate=0.05,
        mean_words=120,
    )


@pytest.fixture(scope="module")
def corpus(synthetic_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build(synthetic_csv, tmp_path_factory.mktemp("built") / "store")


# ------------------------------------------------------------------ atomic_directory


def test_exception_inside_leaves_no_target_and_no_staging(tmp_path: Path) -> None:
    target = tmp_path / "store"
    with pytest.raises(Boom), atomic_directory(target) as staging:
        (staging / "half-written.parquet").write_bytes(b"partial")
        raise Boom
    assert _entries(tmp_path) == []


def test_keyboard_interrupt_inside_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "store"
    with pytest.raises(KeyboardInterrupt), atomic_directory(target) as staging:
        (staging / "half-written.parquet").write_bytes(b"partial")
        raise KeyboardInterrupt
    assert _entries(tmp_path) == []


def test_staging_folder_is_a_hidden_sibling_until_success(tmp_path: Path) -> None:
    target = tmp_path / "store"
    with atomic_directory(target) as staging:
        assert staging.parent == tmp_path
        assert staging.name.startswith(".store.building-")
        assert not target.exists()
        (staging / "a.txt").write_text("new")
    assert _entries(tmp_path) == ["store"]
    assert snapshot(target) == {"a.txt": b"new"}


def test_existing_target_survives_a_failed_rebuild_untouched(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.mkdir()
    (target / "manifest.json").write_text('{"old": true}')
    (target / "sub").mkdir()
    (target / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = snapshot(target)
    with pytest.raises(Boom), atomic_directory(target) as staging:
        (staging / "manifest.json").write_text('{"new": true}')
        raise Boom
    assert snapshot(target) == before
    assert _entries(tmp_path) == ["store"]


def test_successful_rebuild_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "store"
    target.mkdir()
    (target / "stale.parquet").write_bytes(b"old")
    (target / "manifest.json").write_text('{"old": true}')
    with atomic_directory(target) as staging:
        (staging / "manifest.json").write_text('{"new": true}')
    assert snapshot(target) == {"manifest.json": b'{"new": true}'}
    assert _entries(tmp_path) == ["store"]


def test_target_parent_is_created(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "corpora" / "store"
    with atomic_directory(target) as staging:
        (staging / "a.txt").write_text("x")
    assert (target / "a.txt").read_text() == "x"


def test_failed_corpus_rebuild_keeps_the_previous_store(
    synthetic_csv: Path, tmp_path: Path
) -> None:
    target = tmp_path / "store"
    build(synthetic_csv, target)
    before = snapshot(target)
    missing = tmp_path / "missing.csv"
    with pytest.raises(SourceError, match="missing.csv"):
        CorpusBuilder("synthetic").build(
            [
                (synthetic_csv, synthetic_source()),
                (missing, synthetic_source("missing.csv")),
            ],
            target,
        )
    assert snapshot(target) == before
    assert _entries(tmp_path) == ["store"]


# ------------------------------------------------------------------ reproducibility


def test_identical_inputs_give_byte_identical_stores(
    synthetic_csv: Path, corpus: Corpus, tmp_path: Path
) -> None:
    again = build(synthetic_csv, tmp_path / "elsewhere" / "store")
    assert again.path != corpus.path
    names = [*corpus.manifest["outputs"], MANIFEST_FILE]
    for name in names:
        assert (again.path / name).read_bytes() == (corpus.path / name).read_bytes(), (
            name
        )
    written = [
        p.relative_to(again.path).as_posix()
        for p in again.path.rglob("*")
        if p.is_file()
    ]
    assert sorted(written) == sorted(names)


def test_synthetic_build_has_articles_duplicates_and_rejects(corpus: Corpus) -> None:
    counts = corpus.counts
    assert counts["read"] == N_ARTICLES
    assert counts["kept"] > 0
    assert counts["duplicates"] > 0
    assert counts["rejected"] > 0
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    assert set(counts["rejected_by_reason"]) <= {"empty_text", "unparseable_date"}


def test_manifest_records_output_hashes(corpus: Corpus) -> None:
    import hashlib

    outputs = corpus.manifest["outputs"]
    parts = [part["file"] for part in corpus.manifest["store"]["article_parts"]]
    assert sorted(outputs) == sorted([*parts, DUPLICATES_FILE, REJECTS_FILE])
    for name in outputs:
        digest = hashlib.sha256((corpus.path / name).read_bytes()).hexdigest()
        assert outputs[name]["sha256"] == digest


# ------------------------------------------------------------------ Corpus reader


def test_iter_batches_is_re_iterable(corpus: Corpus) -> None:
    stream = corpus.iter_batches(batch_size=37, columns=["doc_id"])
    first = [i for batch in stream for i in batch.column("doc_id").to_pylist()]
    second = [i for batch in stream for i in batch.column("doc_id").to_pylist()]
    assert first == second
    assert len(first) == len(set(first)) == corpus.counts["kept"]
    assert all(batch.num_rows <= 37 for batch in stream)


def test_iter_batches_with_duplicates_yields_kept_and_duplicates(
    corpus: Corpus,
) -> None:
    counts = corpus.counts
    stream = corpus.iter_batches(
        batch_size=50, columns=["doc_id", "n_duplicates"], include_duplicates=True
    )
    ids = [i for batch in stream for i in batch.column("doc_id").to_pylist()]
    assert len(ids) == len(set(ids)) == counts["kept"] + counts["duplicates"]
    duplicate_ids = set(corpus.duplicates()["doc_id"])
    assert duplicate_ids <= set(ids)
    assert ids[-len(duplicate_ids) :] == corpus.duplicates()["doc_id"].tolist()


def test_iter_texts_matches_articles(corpus: Corpus) -> None:
    pairs = list(corpus.iter_texts(batch_size=64))
    frame = corpus.articles(columns=["doc_id", "text"])
    assert pairs == list(zip(frame["doc_id"], frame["text"], strict=True))


def test_articles_with_duplicates_concatenates_both_tables(corpus: Corpus) -> None:
    frame = corpus.articles(include_duplicates=True)
    assert len(frame) == corpus.counts["kept"] + corpus.counts["duplicates"]


def test_sql_views_match_counts(corpus: Corpus) -> None:
    counts = corpus.counts
    frame = corpus.sql(
        "SELECT (SELECT count(*) FROM articles) AS kept, "
        "(SELECT count(*) FROM duplicates) AS duplicates, "
        "(SELECT count(*) FROM rejects) AS rejected, "
        "(SELECT count(*) FROM all_articles) AS all_rows"
    )
    row = frame.iloc[0]
    assert int(row["kept"]) == counts["kept"]
    assert int(row["duplicates"]) == counts["duplicates"]
    assert int(row["rejected"]) == counts["rejected"]
    assert int(row["all_rows"]) == counts["kept"] + counts["duplicates"]


def test_every_duplicate_points_at_a_kept_article(corpus: Corpus) -> None:
    orphans = corpus.sql(
        "SELECT d.doc_id FROM duplicates d "
        "LEFT JOIN articles a ON a.doc_id = d.canonical_doc_id WHERE a.doc_id IS NULL"
    )
    assert orphans.empty
    sizes = corpus.sql(
        "SELECT a.n_duplicates, count(d.doc_id) AS n FROM articles a "
        "JOIN duplicates d ON d.canonical_doc_id = a.doc_id "
        "GROUP BY a.doc_id, a.n_duplicates"
    )
    assert (sizes["n_duplicates"] == sizes["n"]).all()


def test_summary_has_one_row_per_outlet_summing_to_counts(corpus: Corpus) -> None:
    counts = corpus.counts
    summary = corpus.summary()
    assert summary["outlet"].is_unique
    kept_outlets = set(corpus.articles(columns=["outlet"])["outlet"])
    assert kept_outlets <= set(summary["outlet"])
    assert int(summary["documents"].sum()) == counts["kept"]
    assert int(summary["duplicates"].sum()) == counts["duplicates"]
    assert int(summary["rejected"].sum()) == counts["rejected"]
    assert (summary["corpus"] == "synthetic").all()


def test_corpus_on_a_folder_without_manifest_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FramingError, match="not a built corpus"):
        Corpus(tmp_path)


def test_leftovers_of_a_killed_write_are_removed_by_the_next_one(
    tmp_path: Path,
) -> None:
    target = tmp_path / "store"
    with atomic_directory(target) as staging:
        (staging / "manifest.json").write_text("{}")
    # What a process killed mid-write leaves: a staging and a retired folder.
    (tmp_path / ".store.building-0123abcd").mkdir()
    (tmp_path / ".store.old-89abcdef").mkdir()
    (tmp_path / ".store.notes").mkdir()  # not ours: kept
    assert [p.name for p in leftover_staging(target)] == [
        ".store.building-0123abcd",
        ".store.old-89abcdef",
    ]
    with atomic_directory(target) as staging:
        (staging / "manifest.json").write_text("{}")
    assert _entries(tmp_path) == [".store.notes", "store"]


def test_kill_mid_write_keeps_the_old_folder_and_the_next_write_cleans_up(
    tmp_path: Path,
) -> None:
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "store"
    with atomic_directory(target) as staging:
        (staging / "manifest.json").write_text('{"old": true}')
    script = (
        "import sys, time; from pathlib import Path;"
        "from framing.store import atomic_directory\n"
        "with atomic_directory(Path(sys.argv[1])) as s:\n"
        "    (s / 'manifest.json').write_text('half')\n"
        "    print('ready', flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert snapshot(target) == {"manifest.json": b'{"old": true}'}
    assert len(leftover_staging(target)) == 1  # the killed writer's staging
    started = time.monotonic()
    with atomic_directory(target) as staging:  # the dead writer's lock is free
        (staging / "manifest.json").write_text('{"new": true}')
    assert time.monotonic() - started < 10
    assert leftover_staging(target) == []
    assert snapshot(target) == {"manifest.json": b'{"new": true}'}


def test_concurrent_writers_of_one_target_are_serialised(tmp_path: Path) -> None:
    import threading

    target = tmp_path / "store"
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with atomic_directory(target) as staging:
            order.append("first in")
            inside.set()
            release.wait(10)
            (staging / "who").write_text("first")
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(10)

    def second() -> None:
        with atomic_directory(target) as staging:
            order.append("second in")
            (staging / "who").write_text("second")

    other = threading.Thread(target=second)
    other.start()
    other.join(0.5)
    assert order == ["first in"]  # the second writer waits for the lock
    release.set()
    thread.join(10)
    other.join(10)
    assert order == ["first in", "first out", "second in"]
    assert (target / "who").read_text() == "second"
