"""Scale benchmark: build, detect, statistics and topic preparation.

What it measures
----------------
For each size (default 20,000 articles; the issue's sizes are 100,000,
300,000 and 1,000,000) a seeded synthetic news-like corpus
(``framing.synthetic``, labelled synthetic; about 450 words per article,
naming terms at the generator's rates, 2% exact and 3% near duplicates) is
written to a CSV file once, untimed. Then, for each execution setting --
``serial`` and ``processes`` with ``--workers`` workers (and a local Dask
cluster with ``--dask``) -- four stages run (``--stages`` picks some; the
later ones need ``build``), each in a fresh Python process so that its
memory is its own:

* ``build``: ``CorpusBuilder.build`` with the default deduplication (exact
  and MinHash near duplicates), records mapped under the setting;
* ``detect``: ``framing.frames.run.detect_corpus`` on that store;
* ``stats`` (once, after the serial detection): naming shares by outlet
  and month, with Wilson intervals, counted in DuckDB from the stored
  features (``framing.stats.naming_shares_from_store``); DuckDB uses its
  own threads, so the setting does not apply;
* ``topics``: topic preparation only, not LDA training
  (``framing.frames.topics.prepare_corpus`` with the default
  ``TokenizerParams``: tokens, two collocation layers, dictionary,
  bag-of-words) on that store, parts prepared under the setting, into a
  bag-of-words cache of its own. Its "same" compares every file of the
  cache folder.

Reported per stage and setting: wall seconds, articles per second, the
speed-up over the serial run of the same size measured in the same run,
CPU seconds of the stage's own process and of its workers, peak RSS of the
stage's process and of its largest worker, and whether the stored bytes are
identical to the serial run's. A last table projects a 10M-article run on a
16-worker cluster from the measured CPU seconds per article: the parallel
part (worker CPU) divides by 16, the in-order part (the stage process's
CPU: reading, repeated ids, duplicate clusters, writing) does not.

Run::

    python benchmarks/scale.py --articles 20000
    python benchmarks/scale.py --articles 100000 300000 1000000
    python benchmarks/scale.py --articles 100000 --stages build topics

Peak RSS is ``ru_maxrss`` of the stage process (``RUSAGE_SELF``) and of its
waited-for children (``RUSAGE_CHILDREN``: the largest worker). The parent of
this script stays small, because Linux carries a parent's peak RSS into its
children's. That carry also reaches workers started mid-stage (topic
preparation starts a pool per pass, when the stage process has grown), so
``wkr HWM`` is also given: the largest ``VmHWM`` (the high-water mark of the
worker's own memory) of the stage process's descendants, sampled from
``/proc`` twice a second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

STAGES = ("build", "detect", "stats", "topics")
DETECTION_FILES = ("mentions.parquet", "features.parquet", "manifest.json")


def _digest(folder: Path, names: tuple[str, ...]) -> str:
    # In blocks: a million articles' token file is several GB, and reading it
    # whole would count in the stage's peak memory.
    digest = hashlib.sha256()
    for name in names:
        with (folder / name).open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def _compute(setting: str, workers: int):  # noqa: ANN202 - imported lazily
    from framing.compute import Compute

    if setting == "serial":
        return Compute()
    return Compute(mode=setting, workers=workers)


class _WorkerPeak:
    """The largest VmHWM of this process's descendants, sampled from /proc."""

    def __init__(self, every: float = 0.5) -> None:
        self.peak_kb = 0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _WorkerPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.sample()

    def sample(self) -> None:
        parents: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may hold spaces.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
        todo, seen = list(parents.get(os.getpid(), [])), set()
        while todo:
            pid = todo.pop()
            seen.add(pid)
            todo.extend(parents.get(pid, []))
        for pid in seen:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))


def run_stage(stage: str, setting: str, workers: int, folder: Path) -> dict:
    """One stage under one setting, in this (fresh) process."""
    with _WorkerPeak() as peak:
        row = _run_stage(stage, setting, workers, folder)
    row["rss_worker_hwm_mb"] = peak.peak_kb / 1024
    return row


def _run_stage(stage: str, setting: str, workers: int, folder: Path) -> dict:
    store = folder / setting / "store"
    if stage == "build":
        from framing.datasets.build import CorpusBuilder
        from framing.datasets.cards import SourceFile, _parse_mapping
        from framing.synthetic import SYNTHETIC_MAPPING

        mapping = _parse_mapping(SYNTHETIC_MAPPING, "synthetic", ValueError)
        source = SourceFile(
            name="synthetic.csv",
            url="synthetic:",
            sha256="0" * 64,
            mapping=mapping,
            format="csv",
        )
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        corpus = CorpusBuilder("synthetic").build(
            [(folder / "synthetic.csv", source)],
            store,
            compute=_compute(setting, workers),
        )
        wall = time.perf_counter() - started
        digest = _digest(corpus.path, tuple(corpus.manifest["outputs"]))
        kept = corpus.counts["kept"]
    elif stage == "detect":
        from framing.frames.run import detect_corpus
        from framing.store import Corpus

        corpus = Corpus(store)
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        detection = detect_corpus(corpus, compute=_compute(setting, workers))
        wall = time.perf_counter() - started
        digest = _digest(detection.path, DETECTION_FILES)
        kept = corpus.counts["kept"]
    elif stage == "topics":
        from framing.frames.topics import TokenizerParams, prepare_corpus
        from framing.store import Corpus

        corpus = Corpus(store)
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        prepared = prepare_corpus(
            corpus,
            TokenizerParams(),
            root=folder / setting / "bow",
            compute=_compute(setting, workers),
        )
        wall = time.perf_counter() - started
        digest = _digest(
            prepared.path, tuple(sorted(p.name for p in prepared.path.iterdir()))
        )
        kept = corpus.counts["kept"]
    else:
        from framing.frames import LexiconDetector
        from framing.stats import naming_shares_from_store
        from framing.store import Corpus

        corpus = Corpus(store)
        frames = LexiconDetector().fit().frames_
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        shares = naming_shares_from_store(corpus, frames=frames, freq="M")
        wall = time.perf_counter() - started
        digest = hashlib.sha256(
            shares.to_csv(index=False, lineterminator="\n").encode()
        ).hexdigest()
        kept = corpus.counts["kept"]
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "stage": stage,
        "setting": setting,
        "wall_s": wall,
        "kept": kept,
        "digest": digest,
        # The stage's own CPU, without the imports before it.
        "cpu_self_s": own.ru_utime + own.ru_stime - before.ru_utime - before.ru_stime,
        "cpu_workers_s": children.ru_utime + children.ru_stime,
        "rss_self_mb": own.ru_maxrss / 1024,
        "rss_worker_mb": children.ru_maxrss / 1024,
    }


def _in_fresh_process(stage: str, setting: str, workers: int, folder: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--one",
        stage,
        setting,
        str(workers),
        str(folder),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{stage} ({setting}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _settings(args: argparse.Namespace) -> list[str]:
    return ["serial", "processes", *(["dask"] if args.dask else [])]


def _print_size(n: int, rows: list[dict], workers: int) -> None:
    header = (
        f"{'stage':<7} {'setting':<10} {'wall s':>8} {'art/s':>8} {'speed-up':>9} "
        f"{'cpu self':>9} {'cpu wkrs':>9} {'RSS self':>9} {'RSS wkr':>8} "
        f"{'wkr HWM':>8}  same"
    )
    print(f"\n{n:,} articles ({rows[0]['kept']:,} kept), {workers} workers")
    print(header)
    serial = {r["stage"]: r for r in rows if r["setting"] == "serial"}
    for row in rows:
        base = serial.get(row["stage"])
        if base is None:  # run without a serial baseline (--no-serial)
            same, speed_up = "–", f"{'–':>9}"
        else:
            same = "yes" if row["digest"] == base["digest"] else "NO"
            speed_up = f"{base['wall_s'] / row['wall_s']:>8.2f}x"
        print(
            f"{row['stage']:<7} {row['setting']:<10} {row['wall_s']:>8.1f} "
            f"{row['kept'] / row['wall_s']:>8,.0f} "
            f"{speed_up} {row['cpu_self_s']:>9.1f} "
            f"{row['cpu_workers_s']:>9.1f} {row['rss_self_mb']:>8.0f}M "
            f"{row['rss_worker_mb']:>7.0f}M {row.get('rss_worker_hwm_mb', 0):>7.0f}M"
            f"  {same}"
        )


def _projection(rows: list[dict], target: int = 10_000_000, cluster: int = 16) -> None:
    """Wall time of ``target`` articles on ``cluster`` workers, per stage."""
    print(
        f"\nProjection to {target:,} articles on {cluster} workers (from the "
        "largest size's processes run: in-order CPU per article in the stage "
        "process, parallel CPU per article on the workers)"
    )
    print(f"{'stage':<7} {'in-order s':>11} {'parallel s':>11} {'projected min':>14}")
    total = 0.0
    for row in rows:
        if row["setting"] != "processes":
            continue
        per_article_self = row["cpu_self_s"] / row["kept"]
        per_article_workers = row["cpu_workers_s"] / row["kept"]
        in_order = per_article_self * target
        parallel = per_article_workers * target / cluster
        # The stage process and the workers overlap; the slower side bounds.
        projected = max(in_order, parallel) / 60
        total += projected
        stage = row["stage"]
        print(f"{stage:<7} {in_order:>11,.0f} {parallel:>11,.0f} {projected:>14.1f}")
    print(f"{'total':<7} {'':>11} {'':>11} {total:>14.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[20000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dask", action="store_true", help="also a local Dask cluster")
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=STAGES,
        default=list(STAGES),
        help="stages to run (in this order; topics and detect need build)",
    )
    parser.add_argument(
        "--no-serial",
        nargs="+",
        choices=STAGES,
        default=[],
        metavar="STAGE",
        help="run these stages under the parallel settings only (no serial "
        "baseline: no speed-up or byte comparison for them)",
    )
    parser.add_argument(
        "--out", type=Path, help="write the rows as JSON here (after every stage)"
    )
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        stage, setting, workers, folder = args.one
        print(json.dumps(run_stage(stage, setting, int(workers), Path(folder))))
        return 0

    from _harness import machine_info

    info = machine_info(["pyarrow", "duckdb", "datasketch", "distributed"])
    print(
        f"Scale benchmark, {datetime.now(UTC).isoformat(timespec='seconds')}; "
        f"{info['cpu_model']}, {info['cpus']} CPUs, Python "
        f"{info['versions']['python']}, framing {info['versions']['framing']}"
    )
    everything: dict[str, list[dict]] = {}
    ok = True
    for n in args.articles:
        folder = Path(tempfile.mkdtemp(prefix="framing-scale-"))
        try:
            from framing.synthetic import write_synthetic_csv

            written = time.perf_counter()
            write_synthetic_csv(folder / "synthetic.csv", n, seed=args.seed)
            print(
                f"\nsynthetic CSV of {n:,} articles written in "
                f"{time.perf_counter() - written:.0f} s (not timed)"
            )
            rows = []
            for setting in _settings(args):
                # Statistics run in one process (DuckDB threads) whatever
                # the setting: measured once.
                for stage in (
                    s
                    for s in STAGES
                    if s in args.stages
                    and (setting == "serial" or s != "stats")
                    and not (setting == "serial" and s in args.no_serial)
                ):
                    row = _in_fresh_process(stage, setting, args.workers, folder)
                    rows.append(row)
                    print(
                        f"  {stage} ({setting}): {row['wall_s']:.1f} s",
                        flush=True,
                    )
                    everything[str(n)] = rows
                    if args.out:
                        # A long run that fails later keeps what it measured.
                        args.out.write_text(
                            json.dumps({"machine": info, "rows": everything}, indent=1)
                        )
            _print_size(n, rows, args.workers)
            serial = {r["stage"]: r["digest"] for r in rows if r["setting"] == "serial"}
            ok &= all(r["digest"] == serial.get(r["stage"], r["digest"]) for r in rows)
            everything[str(n)] = rows
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    _projection(everything[str(max(args.articles))])
    if args.out:
        args.out.write_text(json.dumps({"machine": info, "rows": everything}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
