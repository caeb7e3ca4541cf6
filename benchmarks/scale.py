"""Scale benchmark: the detection stage serially and on worker processes.

What it measures
----------------
A seeded synthetic news-like corpus (``framing.synthetic``, labelled
synthetic; about 450 words per article, naming terms at the generator's
rates) is built once into a temporary folder (not timed). Then
``framing.frames.run.detect_corpus`` runs on it under each execution
setting -- ``serial`` and ``processes`` with 2 workers (and ``dask`` with
``--dask``) -- and the script reports wall time, articles per second, the
speed-up over the serial run measured in the same run, and whether the
stored mentions and features are byte-identical to the serial run's.

Only detection is parallel so far (issue 15): ingest, deduplication, topic
preparation and the statistics still run in one process, so this script
does not yet measure them.

Run::

    python benchmarks/scale.py --articles 20000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("mentions.parquet", "features.parquet", "manifest.json"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    from framing.compute import Compute, usable_cpus
    from framing.frames.run import detect_corpus
    from framing.synthetic import write_synthetic_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dask", action="store_true", help="also a local Dask cluster")
    args = parser.parse_args(argv)

    settings = [Compute(), Compute(mode="processes", workers=args.workers)]
    if args.dask:
        settings.append(Compute(mode="dask", workers=args.workers))
    folder = Path(tempfile.mkdtemp(prefix="framing-scale-"))
    try:
        started = time.perf_counter()
        corpus = write_synthetic_corpus(
            folder / "corpus", n_articles=args.articles, seed=args.seed
        )
        built = time.perf_counter() - started
        kept = corpus.counts["kept"]
        print(
            f"Scale benchmark (detection), "
            f"{datetime.now(UTC).isoformat(timespec='seconds')}; "
            f"{platform.processor() or platform.machine()}, {usable_cpus()} usable "
            f"CPUs, Python {platform.python_version()}"
        )
        print(
            f"synthetic corpus: {args.articles:,} articles, {kept:,} kept "
            f"(built in {built:.0f} s, not timed)\n"
        )
        rows = []
        for setting in settings:
            started = time.perf_counter()
            detection = detect_corpus(corpus, compute=setting)
            wall = time.perf_counter() - started
            rows.append((setting.describe(), wall, _digest(detection.path)))
        serial_wall, serial_digest = rows[0][1], rows[0][2]
        print(f"{'setting':<36} {'wall s':>8} {'articles/s':>11} {'speed-up':>9}  same")
        for name, wall, digest in rows:
            same = "yes" if digest == serial_digest else "NO"
            print(
                f"{name:<36} {wall:>8.1f} {kept / wall:>11,.0f} "
                f"{serial_wall / wall:>8.2f}x  {same}"
            )
        return 0 if all(digest == serial_digest for _, _, digest in rows) else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
