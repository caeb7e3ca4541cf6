"""Execution settings: the same outputs serially and on worker processes."""

from __future__ import annotations

import hashlib
import operator
import os
import threading

import pytest
from conftest import kill_a_worker_mid_stage

from framing.compute import Compute, ComputeError, kept_workers, ordered_map
from framing.frames.run import detect_corpus
from framing.store import DUPLICATES_FILE
from framing.study import StudyConfigError, load_study
from framing.synthetic import write_synthetic_corpus

PROCESSES = Compute(mode="processes", workers=2)


def _digests(path):
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(path.iterdir())
    }


@pytest.fixture(scope="module")
def synthetic_corpus(tmp_path_factory):
    # Seeded synthetic news-like articles (framing.synthetic), not real data.
    folder = tmp_path_factory.mktemp("compute")
    return write_synthetic_corpus(folder, n_articles=1200, seed=5)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"mode": "cluster"}, "not one of serial, processes, dask"),
        ({"mode": "processes", "workers": 0}, "not a positive whole number"),
        ({"mode": "processes", "scheduler": "tcp://x:8786"}, "needs mode 'dask'"),
        ({"mode": "serial", "cores": 4}, "unknown key"),
    ],
)
def test_bad_settings_say_what_to_fix(settings, message):
    with pytest.raises(ComputeError, match=message):
        Compute.from_config(settings)


def test_results_come_back_in_order_from_workers():
    items = list(range(-20, 0))
    assert list(ordered_map(abs, items, PROCESSES)) == [abs(i) for i in items]
    assert list(ordered_map(abs, items)) == [abs(i) for i in items]


def test_kept_workers_run_every_pass_with_that_pass_s_own_state():
    pids = [os.getpid] * 6
    with kept_workers(PROCESSES):
        first = set(ordered_map(operator.call, pids, PROCESSES))
        powers = list(
            ordered_map(pow, [2, 3], PROCESSES, setup=int, setup_args=("10",))
        )
        again = list(ordered_map(pow, [2, 3], PROCESSES, setup=int, setup_args=("3",)))
        later = set(ordered_map(operator.call, pids, PROCESSES))
    assert (powers, again) == ([100, 1000], [9, 27])
    # The same two workers throughout, none of them this process.
    assert len(first | later) <= 2 and os.getpid() not in first | later


def test_a_worker_that_dies_stops_the_stage_with_a_clear_error():
    with pytest.raises(ComputeError, match="worker process died"):
        list(ordered_map(os._exit, [3], Compute(mode="processes", workers=1)))


class _DiesWhenUnpickled:
    """Unpickling this object ends the process (a worker dying as it starts)."""

    def __reduce__(self):
        return (os._exit, (3,))


def test_a_worker_that_dies_reading_a_large_setup_does_not_hang_the_stage():
    # The set-up is read before the megabytes that follow it: a worker that
    # dies there must give an error, not leave the parent writing for ever.
    setup_args = (_DiesWhenUnpickled(), b"x" * 4_000_000)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            list(
                ordered_map(
                    pow,
                    [2, 3],
                    Compute(mode="processes", workers=1),
                    setup=max,
                    setup_args=setup_args,
                )
            )
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the stage hung after its worker died"
    assert isinstance(outcome[0], ComputeError), outcome
    assert "worker process died" in str(outcome[0])


def _store_digests(corpus):
    return {
        name: hashlib.sha256((corpus.path / name).read_bytes()).hexdigest()
        for name in corpus.manifest["outputs"]
    }


def test_a_build_is_byte_identical_serially_and_on_two_workers(tmp_path):
    # Seeded synthetic articles (not real data) over three parts, with exact
    # and near duplicates and malformed rows.
    stores = {}
    for name, compute in (("serial", None), ("processes", PROCESSES)):
        stores[name] = write_synthetic_corpus(
            tmp_path / name,
            n_articles=2300,
            seed=11,
            malformed_rate=0.02,
            compute=compute,
        )
    serial, parallel = stores["serial"], stores["processes"]
    assert _store_digests(serial) == _store_digests(parallel)
    assert serial.counts == parallel.counts
    counts = serial.counts
    assert counts["duplicates"] > 0 and counts["rejected"] > 0
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]


def test_workers_write_the_parts_of_a_build_byte_identically(tmp_path):
    # Seeded synthetic articles (not real data); parts of 400 rows, so that
    # duplicates fall inside and between the workers' ranges.
    stores = {
        name: write_synthetic_corpus(
            tmp_path / name,
            n_articles=2300,
            seed=11,
            malformed_rate=0.02,
            compute=compute,
            part_rows=part_rows,
        )
        for name, compute, part_rows in (
            ("one part", None, None),
            ("serial", None, 400),
            ("processes", PROCESSES, 400),
        )
    }
    serial, parallel = stores["serial"], stores["processes"]
    assert len(parallel.article_files) > 3
    assert _store_digests(serial) == _store_digests(parallel)
    assert serial.manifest["store"] == parallel.manifest["store"]
    assert serial.counts == parallel.counts == stores["one part"].counts
    one = stores["one part"]
    assert (
        _store_digests(one)[DUPLICATES_FILE]
        == _store_digests(parallel)[DUPLICATES_FILE]
    )
    assert parallel.articles().equals(one.articles())


def test_repeated_ids_across_parts_are_rejected_alike_on_workers(tmp_path):
    from framing.datasets.build import PART_RECORDS, CorpusBuilder
    from framing.datasets.cards import SourceFile, _parse_mapping

    rows = ["id,outlet,date,body"]
    for index in range(PART_RECORDS + 300):
        source_id = index - PART_RECORDS if index >= PART_RECORDS + 200 else index
        body = "" if index % 97 == 0 else f"Report {index} on the war and the talks."
        rows.append(
            f"r{source_id},outlet-{index % 3},2022-03-{1 + index % 28:02d},{body}"
        )
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = _parse_mapping(
        {"text": "body", "published": "date", "outlet": "outlet", "id": "id"},
        "rows",
        lambda key, problem: ValueError(f"{key}: {problem}"),
    )
    source = SourceFile(
        name="rows.csv", url="test:", sha256="0" * 64, mapping=mapping, format="csv"
    )
    built = {
        name: CorpusBuilder("ids", dedupe={"mode": "exact"}).build(
            [(path, source)], tmp_path / name, compute=compute
        )
        for name, compute in (("serial", None), ("processes", PROCESSES))
    }
    assert _store_digests(built["serial"]) == _store_digests(built["processes"])
    counts = built["processes"].counts
    # A repeat is a duplicate id unless it, or the row it repeats, has no text.
    repeats = range(PART_RECORDS + 200, PART_RECORDS + 300)
    expected = sum(1 for i in repeats if i % 97 != 0 and (i - PART_RECORDS) % 97 != 0)
    assert counts["rejected_by_reason"]["duplicate_id"] == expected == 98
    assert counts == built["serial"].counts


def test_detection_is_byte_identical_serially_and_on_two_workers(synthetic_corpus):
    serial = detect_corpus(synthetic_corpus, batch_size=200)
    expected = _digests(serial.path)
    parallel = detect_corpus(synthetic_corpus, batch_size=200, compute=PROCESSES)
    assert _digests(parallel.path) == expected
    assert parallel.manifest == serial.manifest


def test_detection_is_byte_identical_on_a_local_dask_cluster(synthetic_corpus):
    serial = detect_corpus(synthetic_corpus, batch_size=200)
    expected = _digests(serial.path)
    on_dask = detect_corpus(
        synthetic_corpus, batch_size=200, compute=Compute(mode="dask", workers=2)
    )
    assert _digests(on_dask.path) == expected


def test_a_build_is_byte_identical_on_a_local_dask_cluster(tmp_path):
    # Seeded synthetic articles, not real data.
    serial = write_synthetic_corpus(tmp_path / "serial", n_articles=1500, seed=12)
    on_dask = write_synthetic_corpus(
        tmp_path / "dask",
        n_articles=1500,
        seed=12,
        compute=Compute(mode="dask", workers=2),
    )
    assert _store_digests(on_dask) == _store_digests(serial)
    assert on_dask.counts == serial.counts


def test_an_unreachable_scheduler_is_a_clear_error():
    unreachable = Compute(mode="dask", scheduler="tcp://127.0.0.1:9")
    with pytest.raises(ComputeError, match="no Dask scheduler answered"):
        list(ordered_map(abs, [1], unreachable))


def test_a_worker_killed_mid_stage_leaves_no_half_written_store(tmp_path):
    corpus = write_synthetic_corpus(tmp_path / "kill", n_articles=3000, seed=9)
    target = corpus.path / "frames" / "war-naming"
    error = kill_a_worker_mid_stage(
        lambda: detect_corpus(corpus, batch_size=50, compute=PROCESSES),
        # Mentions written to the staging folder: parts are coming back.
        lambda: list(target.parent.glob(".war-naming.building-*/mentions.parquet")),
    )
    assert isinstance(error, ComputeError)
    assert not target.exists()
    # No staging folder is left either (the lock file beside it stays).
    assert not list(target.parent.glob(".war-naming.building-*"))


def test_a_study_reads_and_checks_its_compute_section(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "c"\n[corpora]\nnames = ["us-gov-2022"]\n'
        '[sources]\nUS = ["state.gov"]\n[compute]\nmode = "processes"\nworkers = 2\n'
    )
    try:
        config = load_study(study)
    except StudyConfigError as exc:  # the rest of this minimal study may be incomplete
        assert "[compute]" not in str(exc)
    else:
        assert config.compute == {"mode": "processes", "workers": 2}
    study.write_text(study.read_text().replace('"processes"', '"gpu"'))
    with pytest.raises(StudyConfigError, match=r"\[compute\] mode"):
        load_study(study)
