"""Frame detection benchmark: throughput against a naive baseline, and memory.

What it measures
----------------
Three ways of finding the ``war-naming`` lexicon in the same texts, timed in
the same run, on one core:

* ``naive``: what a researcher writes by hand with the same lexicon. For
  each lexicon term -- every frame's lemmas in all languages (en, ru, uk)
  plus the exclusion terms, so that both sides look for the same words --
  ``re.compile(r"\\b" + re.escape(term) + r"\\w*", re.IGNORECASE)``, then
  ``finditer`` over every document, counting the matches. There is no
  voice analysis, no overlap resolution and no exclusion logic, and the
  trailing ``\\w*`` stands in for inflection.
* ``matching``: ``LexiconDetector.matcher_.find(text)``, the Aho-Corasick
  pass over all surface forms with whole-word checks, leftmost-longest
  resolution, exclusions and the frames' regular-expression patterns.
* ``full``: ``LexiconDetector.mentions_in(doc_id, text)``, matching plus
  voice (sentences, quotations, speaker turns, cue patterns). This is the
  detector the targets are about.

Throughput is megabytes (10^6 bytes) of UTF-8 article text per CPU second
of the measuring process, and articles per CPU second; wall-clock figures
are recorded too. CPU time is used for the checks because the target is per
core and this machine may be shared: CPU time does not count the time a
process waits for the core. Lexicon compilation (``fit``) and reading the
texts into memory are not timed.

Data: the real corpora ``kremlin-zelenskyy-2022`` and ``us-gov-2022`` (when
``FRAMING_DATA_MIRROR`` points at the raw-corpora mirror; they are built
into a temporary ``FRAMING_CACHE_DIR``, untimed) and ``--synthetic``
articles from ``framing.synthetic.synthetic_articles`` (seeded, about 450
words each, labelled synthetic), held in memory. Real corpora are timed
``--repeat`` times per method (median). The naive loop costs about 40 times
the detector, so on the synthetic texts it runs on a seeded random subset
of ``--naive-subset`` articles; throughput is per byte, so the subset
figure is comparable, and the detector is also timed on that same subset
as a like-for-like check.

Memory flat in corpus size: synthetic stores of 10,000 and ``--synthetic``
articles are built first, each in its own process (not measured). Then a
fresh process opens a store and runs ``framing.frames.run.detect_corpus``,
the streaming path that writes mentions and features to Parquet, and
reports its peak RSS (``ru_maxrss``, and ``VmHWM`` as a cross-check).
Fresh processes because peak RSS is a process-lifetime high-water mark;
the parent imports only the standard library, because Linux carries the
parent's high-water mark into an exec'd child's ``ru_maxrss``. An
import-only process (and one that also compiles the lexicon) gives the
fixed floor every run pays.

Every measuring process runs with ``OMP_NUM_THREADS=1`` and is pinned to
one CPU, the one that was idlest just before it started (``--no-pin`` to
let the scheduler choose). Each measurement also records how much CPU the
rest of the machine used meanwhile (``background_cores``); the summary
warns when that was more than a quarter of a core, because a busy
neighbour slows even CPU-time figures (shared caches, memory bandwidth).

Targets (from the project's issue): the full detector at least 5 MB of text
per second per core, and at least 10 times the naive loop's throughput with
the same lexicon; peak RSS at the large size no more than 1.5 times that at
10,000 articles (our reading of "memory flat in corpus size").

Run ``python benchmarks/frames.py --help`` for options; results are printed
as a table and written to ``<out>/frames.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _harness import machine_info as shared_machine_info
from _harness import peak_rss_mb

LEXICON = "war-naming"
REAL_CORPORA = ("kremlin-zelenskyy-2022", "us-gov-2022")
METHODS = ("naive", "matching", "full")
TARGET_MB_PER_S = 5.0
TARGET_SPEEDUP = 10.0
TARGET_RSS_RATIO = 1.5
SMALL_STORE = 10_000
BACKGROUND_WARNING = 0.25
RESULT_MARK = "FRAMES-BENCH-RESULT "
PACKAGES = ("numpy", "pandas", "pyarrow", "pyahocorasick", "pymorphy3")


# --------------------------------------------------------------------------
# Child side: one measurement per process.
# --------------------------------------------------------------------------


def naive_patterns(lexicon: Any) -> list[Any]:
    """One case-insensitive regex per lexicon term (see the module docstring)."""
    import re

    terms: list[str] = []
    seen: set[str] = set()
    for term in [t for f in lexicon.frames for t in f.terms] + list(lexicon.exclusions):
        # The same lemma listed twice would be searched twice by hand, too,
        # but that would only penalise the baseline for the lexicon's layout.
        key = term.text.lower()
        if key not in seen:
            seen.add(key)
            terms.append(term.text)
    return [
        re.compile(r"\b" + re.escape(term) + r"\w*", re.IGNORECASE) for term in terms
    ]


def naive_count(patterns: list[Any], texts: list[str]) -> int:
    """The hand-written loop: for each term, ``finditer`` over every document."""
    count = 0
    for pattern in patterns:
        for text in texts:
            for _ in pattern.finditer(text):
                count += 1
    return count


def _timed(function: Any, repeat: int) -> dict[str, Any]:
    """Median CPU and wall seconds of ``repeat`` calls, and the call's result."""
    cpu_runs, wall_runs = [], []
    result = None
    for _ in range(repeat):
        cpu = time.process_time()
        wall = time.perf_counter()
        result = function()
        wall_runs.append(time.perf_counter() - wall)
        cpu_runs.append(time.process_time() - cpu)
    return {
        "cpu_seconds": statistics.median(cpu_runs),
        "wall_seconds": statistics.median(wall_runs),
        "cpu_runs": cpu_runs,
        "count": result,
    }


def _rates(timing: dict[str, Any], n_bytes: int, n_articles: int) -> dict[str, Any]:
    cpu, wall = timing["cpu_seconds"], timing["wall_seconds"]
    return {
        **timing,
        "articles": n_articles,
        "bytes": n_bytes,
        "mb_per_cpu_s": n_bytes / 1e6 / cpu if cpu else None,
        "mb_per_wall_s": n_bytes / 1e6 / wall if wall else None,
        "articles_per_cpu_s": n_articles / cpu if cpu else None,
    }


def _load_texts(spec: dict[str, Any]) -> list[tuple[str, str]]:
    if spec["source"] == "synthetic":
        from framing.synthetic import synthetic_articles

        return [
            (record["id"], record["body"])
            for record in synthetic_articles(spec["n"], seed=spec["seed"])
        ]
    from framing.datasets.build import build_corpus

    return list(build_corpus(spec["source"]).iter_texts())


def _child_throughput(spec: dict[str, Any]) -> dict[str, Any]:
    import random

    from framing.frames import LexiconDetector

    started = time.perf_counter()
    documents = _load_texts(spec)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    detector = LexiconDetector(lexicon=LEXICON).fit()
    fit_seconds = time.perf_counter() - started
    patterns = naive_patterns(detector.lexicon_)
    texts = [text for _, text in documents]
    n_bytes = sum(len(text.encode("utf-8")) for text in texts)

    subset = spec.get("naive_subset")
    if subset and subset < len(documents):
        chosen = sorted(random.Random(spec["seed"]).sample(range(len(texts)), subset))
        naive_documents = [documents[i] for i in chosen]
    else:
        naive_documents = documents
    naive_texts = [text for _, text in naive_documents]
    naive_bytes = sum(len(text.encode("utf-8")) for text in naive_texts)

    def matching(docs: list[tuple[str, str]]) -> Any:
        find = detector.matcher_.find
        return lambda: sum(len(find(text)) for _, text in docs)

    def full(docs: list[tuple[str, str]]) -> Any:
        mentions_in = detector.mentions_in
        return lambda: sum(len(mentions_in(doc_id, text)) for doc_id, text in docs)

    # Warm-up outside the clock: regex compilation caches, lazy imports.
    warm = documents[:20]
    naive_count(patterns, [text for _, text in warm])
    matching(warm)()
    full(warm)()

    repeat = spec["repeat"]
    results: dict[str, Any] = {
        "naive": _rates(
            _timed(lambda: naive_count(patterns, naive_texts), repeat),
            naive_bytes,
            len(naive_texts),
        ),
        "matching": _rates(_timed(matching(documents), repeat), n_bytes, len(texts)),
        "full": _rates(_timed(full(documents), repeat), n_bytes, len(texts)),
    }
    results["naive"]["subset"] = naive_documents is not documents
    if naive_documents is not documents:
        # The like-for-like check: the detector on exactly the naive subset.
        results["full_on_naive_subset"] = _rates(
            _timed(full(naive_documents), repeat), naive_bytes, len(naive_texts)
        )
    return {
        "articles": len(texts),
        "bytes": n_bytes,
        "naive_terms": len(patterns),
        "surface_forms": len(detector.lexicon_.surface_table()),
        "load_seconds": load_seconds,
        "fit_seconds": fit_seconds,
        "methods": results,
    }


def _child_build(spec: dict[str, Any]) -> dict[str, Any]:
    import pyarrow.compute as pc

    from framing.synthetic import write_synthetic_corpus

    started = time.perf_counter()
    corpus = write_synthetic_corpus(
        spec["folder"], n_articles=spec["n"], seed=spec["seed"]
    )
    seconds = time.perf_counter() - started
    # The measured child must not read every text just to size the corpus.
    n_bytes = 0
    for batch in corpus.iter_batches(batch_size=2000, columns=["text"]):
        n_bytes += pc.sum(pc.binary_length(batch.column(0).cast("binary"))).as_py()
    csv = Path(spec["folder"]) / "synthetic.csv"
    if csv.exists():
        csv.unlink()
    return {
        "store": str(corpus.path),
        "kept": corpus.counts["kept"],
        "bytes": n_bytes,
        "seconds": seconds,
    }


def _child_imports(spec: dict[str, Any]) -> dict[str, Any]:
    import framing.frames.run  # noqa: F401
    import framing.store  # noqa: F401

    if spec.get("fit"):
        from framing.frames import LexiconDetector

        LexiconDetector(lexicon=LEXICON).fit()
    return {}


def _child_detect(spec: dict[str, Any]) -> dict[str, Any]:
    from framing.frames.run import detect_corpus
    from framing.store import Corpus

    corpus = Corpus(spec["store"])
    cpu = time.process_time()
    wall = time.perf_counter()
    detection = detect_corpus(corpus, lexicon=LEXICON)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    counts = detection.manifest["counts"]
    return {
        "documents": counts["documents"],
        "mentions": counts["mentions"],
        "cpu_seconds": cpu,
        "wall_seconds": wall,
    }


CHILDREN = {
    "throughput": _child_throughput,
    "build": _child_build,
    "imports": _child_imports,
    "detect": _child_detect,
}


def run_child(spec: dict[str, Any]) -> None:
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    result = CHILDREN[spec["kind"]](spec)
    result.update(peak_rss_mb())
    print(RESULT_MARK + json.dumps(result), flush=True)


# --------------------------------------------------------------------------
# Parent side: orchestration, table, JSON. Standard library only.
# --------------------------------------------------------------------------


def _cpu_ticks() -> dict[int, tuple[int, int]]:
    """Per-CPU (busy, idle) clock ticks from /proc/stat."""
    ticks: dict[int, tuple[int, int]] = {}
    with open("/proc/stat", encoding="ascii") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit():
                values = [int(v) for v in fields[:8]]
                idle = values[3] + values[4]
                ticks[int(name[3:])] = (sum(values) - idle, idle)
    return ticks


def idlest_cpu() -> int | None:
    """The allowed CPU that was idle longest over the last half second."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    try:
        before = _cpu_ticks()
        time.sleep(0.5)
        after = _cpu_ticks()
    except OSError:
        return allowed[0]
    # Pinning to a fixed CPU would put us on the same core as any other
    # benchmark that does the same, while the other core idles.
    return max(
        allowed,
        key=lambda c: (after[c][1] - before[c][1], -c) if c in after else (0, 0),
    )


def spawn(spec: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its result.

    Also returns ``background_cores``: the CPU the rest of the machine used
    meanwhile, in cores, so that a run disturbed by other work shows it.
    """
    child_env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        **(env or {}),
    }
    if spec.get("pin"):
        spec = {**spec, "cpu": idlest_cpu()}
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = usage.ru_utime + usage.ru_stime
    ticks = _cpu_ticks()
    wall = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=child_env,
        check=False,
    )
    wall = time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = usage.ru_utime + usage.ru_stime - child_cpu
    after = _cpu_ticks()
    busy = sum(after[c][0] - ticks[c][0] for c in after if c in ticks)
    busy_seconds = busy / os.sysconf("SC_CLK_TCK")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"child {spec['kind']} failed (exit {proc.returncode}):\n"
            f"{proc.stderr[-4000:]}"
        )
    result = json.loads(lines[-1][len(RESULT_MARK) :])
    result["cpu"] = spec.get("cpu")
    result["background_cores"] = max(0.0, busy_seconds - child_cpu) / wall
    return result


def machine_info() -> dict[str, Any]:
    return shared_machine_info(PACKAGES)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_throughput(datasets: list[dict[str, Any]]) -> None:
    headers = (
        "data",
        "method",
        "articles",
        "MB",
        "CPU s",
        "MB/s",
        "art/s",
        "wall MB/s",
        "vs naive",
        "found",
    )
    table: list[tuple[str, ...]] = [headers]
    for data in datasets:
        naive = data["methods"]["naive"]["mb_per_cpu_s"]
        for method in (*METHODS, "full_on_naive_subset"):
            row = data["methods"].get(method)
            if row is None:
                continue
            label = (
                "full (naive's subset)" if method == "full_on_naive_subset" else method
            )
            if method == "naive" and row.get("subset"):
                label = "naive (subset)"
            table.append(
                (
                    data["name"],
                    label,
                    f"{row['articles']:,}",
                    f"{row['bytes'] / 1e6:,.1f}",
                    _fmt(row["cpu_seconds"], 1),
                    _fmt(row["mb_per_cpu_s"]),
                    _fmt(row["articles_per_cpu_s"], 0),
                    _fmt(row["mb_per_wall_s"]),
                    f"{row['mb_per_cpu_s'] / naive:,.1f}x",
                    f"{row['count']:,}",
                )
            )
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    for index, line in enumerate(table):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print(
        "MB/s and art/s per CPU second of one process; 'found' = naive regex "
        "matches (no exclusions, prefix matches) or detector mentions."
    )
    if datasets:
        print(
            f"naive: {datasets[0]['naive_terms']} term regexes; detector: "
            f"{datasets[0]['surface_forms']:,} surface forms in one automaton."
        )


def evaluate(datasets: list[dict[str, Any]], memory: dict[str, Any]) -> dict[str, Any]:
    by_name = {
        d["name"]: {
            "full_mb_per_s": d["methods"]["full"]["mb_per_cpu_s"],
            "naive_mb_per_s": d["methods"]["naive"]["mb_per_cpu_s"],
            "speedup": d["methods"]["full"]["mb_per_cpu_s"]
            / d["methods"]["naive"]["mb_per_cpu_s"],
        }
        for d in datasets
    }
    checks: dict[str, Any] = {
        "throughput": {
            "target_mb_per_s": TARGET_MB_PER_S,
            "by_data": {k: v["full_mb_per_s"] for k, v in by_name.items()},
            "passed": bool(by_name)
            and all(v["full_mb_per_s"] >= TARGET_MB_PER_S for v in by_name.values()),
        },
        "speedup": {
            "target": TARGET_SPEEDUP,
            "by_data": {k: v["speedup"] for k, v in by_name.items()},
            "passed": bool(by_name)
            and all(v["speedup"] >= TARGET_SPEEDUP for v in by_name.values()),
        },
    }
    runs = memory.get("runs", {})
    ratio: dict[str, Any] = {"target": TARGET_RSS_RATIO, "value": None, "passed": None}
    sizes = sorted(int(s) for s in runs)
    if len(sizes) >= 2:
        small, large = runs[str(sizes[0])], runs[str(sizes[-1])]
        value = large["peak_rss_mb"] / small["peak_rss_mb"]
        ratio.update(
            sizes=[sizes[0], sizes[-1]], value=value, passed=value <= TARGET_RSS_RATIO
        )
        floor = memory.get("floor_fitted") or memory.get("floor_imports")
        if floor:
            above = [r["peak_rss_mb"] - floor["peak_rss_mb"] for r in (small, large)]
            ratio["above_fitted_floor_mb"] = above
            ratio["above_fitted_floor_ratio"] = (
                above[1] / above[0] if above[0] else None
            )
        # A ratio under the target can still hide linear growth that the
        # fixed floor dilutes; the slope is what decides at a million articles.
        extra_docs = large["documents"] - small["documents"]
        if extra_docs > 0:
            ratio["growth_mb_per_1k_articles"] = (
                (large["peak_rss_mb"] - small["peak_rss_mb"]) / extra_docs * 1000
            )
    checks["rss_ratio"] = ratio
    return checks


def print_checks(checks: dict[str, Any]) -> None:
    throughput = checks["throughput"]
    figures = ", ".join(f"{k}: {v:.2f}" for k, v in throughput["by_data"].items())
    verdict = "PASS" if throughput["passed"] else "FAIL"
    print(
        f"[{verdict}] full detector >= {TARGET_MB_PER_S:g} MB/s per core "
        f"(MB/s: {figures})"
    )
    speedup = checks["speedup"]
    figures = ", ".join(f"{k}: {v:,.1f}x" for k, v in speedup["by_data"].items())
    verdict = "PASS" if speedup["passed"] else "FAIL"
    print(f"[{verdict}] full detector >= {TARGET_SPEEDUP:g}x naive ({figures})")
    ratio = checks["rss_ratio"]
    if ratio["value"] is None:
        print("[n/a ] peak RSS ratio needs two store sizes")
        return
    small, large = ratio["sizes"]
    verdict = "PASS" if ratio["passed"] else "FAIL"
    print(
        f"[{verdict}] detect_corpus peak RSS({large:,}) / peak RSS({small:,}) = "
        f"{ratio['value']:.2f} (target <= {TARGET_RSS_RATIO})"
    )
    if ratio.get("above_fitted_floor_ratio") is not None:
        low, high = ratio["above_fitted_floor_mb"]
        print(
            f"  above the imports+fit floor: {low:,.0f} MB -> {high:,.0f} MB "
            f"({ratio['above_fitted_floor_ratio']:.2f}x)"
        )
    if ratio.get("growth_mb_per_1k_articles") is not None:
        slope = ratio["growth_mb_per_1k_articles"]
        print(
            f"  growth: {slope:.2f} MB per 1,000 articles "
            f"(about {slope * 1000:,.0f} MB more at 1M articles, if linear)"
        )


def run_throughput(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    datasets = []
    specs: list[tuple[str, dict[str, Any], dict[str, str] | None]] = []
    if os.environ.get("FRAMING_DATA_MIRROR"):
        # A private cache: the benchmark must not rebuild the user's stores.
        env = {"FRAMING_CACHE_DIR": str(workdir / "cache")}
        for name in REAL_CORPORA:
            specs.append((name, {"source": name, "repeat": args.repeat}, env))
    else:
        print(
            "Real corpora: skipped (set FRAMING_DATA_MIRROR to the raw-corpora "
            "mirror, e.g. FRAMING_DATA_MIRROR=/work/shared/corpora)."
        )
    if args.synthetic:
        specs.append(
            (
                f"synthetic-{args.synthetic // 1000}k",
                {
                    "source": "synthetic",
                    "n": args.synthetic,
                    "naive_subset": args.naive_subset,
                    # Large enough that one run averages out the noise.
                    "repeat": 1,
                },
                None,
            )
        )
    for name, spec, env in specs:
        started = time.perf_counter()
        try:
            result = spawn(
                {"kind": "throughput", "seed": args.seed, "pin": args.pin, **spec}, env
            )
        except RuntimeError as exc:
            print(f"  {name}: failed: {exc}")
            continue
        result["name"] = name
        datasets.append(result)
        methods = result["methods"]
        print(
            f"  {name}: {result['articles']:,} articles, "
            f"{result['bytes'] / 1e6:,.1f} MB; naive "
            f"{methods['naive']['mb_per_cpu_s']:.2f}, matching "
            f"{methods['matching']['mb_per_cpu_s']:.2f}, full "
            f"{methods['full']['mb_per_cpu_s']:.2f} MB/s "
            f"({time.perf_counter() - started:,.0f} s; CPU {result['cpu']}, "
            f"background {result['background_cores']:.2f} cores)",
            flush=True,
        )
    return datasets


def run_memory(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    sizes = sorted({SMALL_STORE, args.memory_size or args.synthetic or SMALL_STORE})
    memory: dict[str, Any] = {"sizes": sizes, "builds": {}, "runs": {}}
    memory["floor_imports"] = spawn({"kind": "imports", "pin": args.pin})
    memory["floor_fitted"] = spawn({"kind": "imports", "fit": True, "pin": args.pin})
    print(
        f"  import-only floor {memory['floor_imports']['peak_rss_mb']:,.0f} MB, "
        f"imports + fitted detector {memory['floor_fitted']['peak_rss_mb']:,.0f} MB",
        flush=True,
    )
    for size in sizes:
        build = spawn(
            {
                "kind": "build",
                "folder": str(workdir / f"store-{size}"),
                "n": size,
                "seed": args.seed,
                "pin": False,
            }
        )
        memory["builds"][str(size)] = build
        run = spawn({"kind": "detect", "store": build["store"], "pin": args.pin})
        run["articles_per_cpu_s"] = run["documents"] / run["cpu_seconds"]
        run["mb_per_cpu_s"] = build["bytes"] / 1e6 / run["cpu_seconds"]
        memory["runs"][str(size)] = run
        shutil.rmtree(workdir / f"store-{size}", ignore_errors=True)
        print(
            f"  {size:>7,} articles ({build['kept']:,} kept, "
            f"{build['bytes'] / 1e6:,.0f} MB text; store built in "
            f"{build['seconds']:,.0f} s, untimed): detect_corpus "
            f"{run['cpu_seconds']:,.1f} CPU s, {run['mb_per_cpu_s']:.2f} MB/s, "
            f"{run['articles_per_cpu_s']:,.0f} art/s, peak RSS "
            f"{run['peak_rss_mb']:,.0f} MB (VmHWM {_fmt(run['vm_hwm_mb'], 0)}; "
            f"background {run['background_cores']:.2f} cores)",
            flush=True,
        )
    return memory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        default=100_000,
        help="synthetic articles for throughput and the large store (0: none)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument(
        "--naive-subset",
        type=int,
        default=5_000,
        help="synthetic articles the naive loop runs on (0: all)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per method on real corpora"
    )
    parser.add_argument(
        "--memory-size",
        type=int,
        help="large store size for the memory check (default: --synthetic)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip memory check")
    parser.add_argument(
        "--no-pin", dest="pin", action="store_false", help="do not pin to one CPU"
    )
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: tmp)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(json.loads(args.child))
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="framing-frames-bench-", dir=args.workdir))
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_info()
    print(
        f"Frame detection benchmark ({LEXICON}), {started_at}; "
        f"{machine['cpu_model']}, {machine['cpus']} CPUs, {machine['memory_gb']} GB, "
        f"Python {machine['versions']['python']}; measuring processes "
        f"{'pinned to 1 CPU' if args.pin else 'not pinned'}.",
        flush=True,
    )
    try:
        print("\nThroughput:", flush=True)
        datasets = run_throughput(args, workdir)
        memory: dict[str, Any] = {}
        if not args.no_memory:
            print("\nMemory (detect_corpus, fresh process per store):", flush=True)
            memory = run_memory(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print_throughput(datasets)
    print()
    checks = evaluate(datasets, memory)
    print_checks(checks)
    for size, run in memory.get("runs", {}).items():
        hwm = run.get("vm_hwm_mb")
        if hwm and abs(run["peak_rss_mb"] - hwm) > 0.05 * hwm:
            print(
                f"warning: {int(size):,}: ru_maxrss {run['peak_rss_mb']:,.0f} MB "
                f"differs from VmHWM {hwm:,.0f} MB"
            )
    measured = [*datasets, *memory.get("runs", {}).values()]
    busiest = max((m["background_cores"] for m in measured), default=0.0)
    if busiest > BACKGROUND_WARNING:
        print(
            f"warning: other processes used up to {busiest:.2f} cores during a "
            "measurement; figures may be low. Re-run on a quiet machine."
        )
    report = {
        "benchmark": "frames",
        "date": started_at,
        "lexicon": LEXICON,
        "naive_baseline": (
            "for each lexicon term (frame lemmas in all languages plus exclusion "
            'terms): re.compile(r"\\b" + re.escape(term) + r"\\w*", re.IGNORECASE)'
            ", finditer over every document, count matches"
        ),
        "arguments": {
            "synthetic": args.synthetic,
            "seed": args.seed,
            "naive_subset": args.naive_subset,
            "repeat_real": args.repeat,
            "pinned_to_one_cpu": args.pin,
        },
        "machine": machine,
        "throughput": datasets,
        "memory": memory,
        "checks": checks,
    }
    out_file = args.out / "frames.json"
    out_file.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nResults written to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
