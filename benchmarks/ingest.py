"""Ingest benchmark: corpus building throughput and peak memory.

What it measures
----------------
For each size (default 10,000 and 100,000 articles) a seeded synthetic
corpus of news-like length (``framing.synthetic``, about 450 words per
article; the data are synthetic and labelled so) is written to a CSV file
once. Generation is not timed. Then, each in a fresh Python process:

* ``framing``: ``CorpusBuilder("synthetic").build(...)`` with the default
  deduplication (exact + MinHash near duplicates). Reported: wall seconds,
  articles/s end to end, and articles/s of each stage from
  ``CorpusBuilder.stage_seconds_`` (load, normalise, exact dedupe, near
  dedupe, write).
* ``framing-window`` (with ``--window 12h``): the default build with a
  dedupe time window, which resolves clusters by a sweep in publication
  order instead of connected components.
* ``framing-exact``: the same build with ``mode="exact"``. With
  near duplicates on, the builder does the exact check inside the near-dup
  pass and books it there, so this run is the only way to see the exact
  dedupe stage on its own (and what near-dup detection costs on top).
* ``pandas``: ``pandas.read_csv`` then ``DataFrame.to_parquet`` (pyarrow),
  the cheapest plausible way to get the same CSV into Parquet: a floor for
  what parsing and writing the bytes costs, without any of the toolkit's
  cleaning, validation or deduplication.
* ``imports``: a process that only imports ``framing.datasets.build`` and
  pandas, to show the fixed memory floor every process pays.
* ``framing-telegram`` (smallest size only; ``--no-exports`` skips it): the
  same synthetic articles rewritten, untimed, as a Telegram Desktop
  ``result.json`` (Telegram Markdown bold and a link in every post, dates
  as ``date_unixtime``), then built with ``format = "telegram"``: the cost
  of an export reader (read whole, Markdown stripped, links to ``meta``).

When ``FRAMING_DATA_MIRROR`` is set, the three registered real corpora are
also built with ``build_corpus(name, force=True)`` (docs/s), each in its own
process and with a temporary ``FRAMING_CACHE_DIR`` so that the user's cache
is left alone.

Why fresh processes
-------------------
Peak RSS is a process-lifetime high-water mark, so each measurement needs
its own process. The parent also stays small (it imports neither numpy nor
the toolkit and generates the CSV files in a child too) because Linux
carries the parent's high-water mark into ``ru_maxrss`` of an exec'd child;
each child therefore reports both ``ru_maxrss`` and ``VmHWM`` (the
high-water mark of its own address space) and the two are checked against
each other.

Children are pinned to one CPU and run with ``OMP_NUM_THREADS=1`` and
``OPENBLAS_NUM_THREADS=1``: the target is stated per core, and on a
2-core machine helper threads would otherwise borrow the second core. The
CPU is the least busy one just before each child starts, so that another
pinned job on the machine does not halve the figures; each child also
reports its CPU seconds and how long it sat runnable waiting for its CPU
(``/proc/thread-self/schedstat``), and a run that waited more than a few
percent of its time is flagged: its rate is understated.

Targets (from the project's issue): at least 1,000 articles/s end to end on
one core, and peak RSS at 100k no more than 1.5 times that at 10k.

Run ``python benchmarks/ingest.py --help`` for options; results are printed
as a table and written to ``<out>/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
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

TARGET_ARTICLES_PER_S = 1000.0
TARGET_RSS_RATIO = 1.5
STAGES = ("load", "normalise", "exact_dedupe", "near_dedupe", "write")
REAL_CORPORA = ("kremlin-zelenskyy-2022", "us-gov-2022", "gvfc")
RESULT_MARK = "INGEST-BENCH-RESULT "
PACKAGES = (
    "numpy",
    "pandas",
    "pyarrow",
    "datasketch",
    "ftfy",
    "lingua-language-detector",
    "dateparser",
)


# --------------------------------------------------------------------------
# Child side: one measurement per process.
# --------------------------------------------------------------------------


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_queue_wait() -> float | None:
    """Seconds this thread has spent runnable but waiting for a CPU."""
    try:
        with open("/proc/thread-self/schedstat", encoding="ascii") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _synthetic_source(csv_path: Path) -> Any:
    from framing.datasets.cards import SourceFile, _parse_mapping
    from framing.synthetic import SYNTHETIC_MAPPING

    def fail(key: str, problem: str) -> Exception:
        return ValueError(f"{key}: {problem}")

    # Mirrors framing.synthetic.write_synthetic_corpus, minus the generation.
    return SourceFile(
        name=csv_path.name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(SYNTHETIC_MAPPING, "synthetic", fail),
        format="csv",
    )


def _child_generate(spec: dict[str, Any]) -> dict[str, Any]:
    from framing.synthetic import write_synthetic_csv

    started = time.perf_counter()
    path = write_synthetic_csv(
        spec["csv"], spec["n"], seed=spec["seed"], mean_words=spec["mean_words"]
    )
    return {
        "seconds": time.perf_counter() - started,
        "bytes": path.stat().st_size,
    }


def _child_imports(spec: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    import pandas  # noqa: F401

    import framing.datasets.build  # noqa: F401

    return {"seconds": time.perf_counter() - started}


def _child_framing(spec: dict[str, Any]) -> dict[str, Any]:
    from framing.datasets.build import CorpusBuilder

    csv_path = Path(spec["csv"])
    source = _synthetic_source(csv_path)
    target = Path(spec["workdir"]) / "store"
    builder = CorpusBuilder("synthetic", dedupe=spec.get("dedupe"), progress=False)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    corpus = builder.build([(csv_path, source)], target)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    counts = corpus.manifest["counts"]
    store_bytes = sum(p.stat().st_size for p in target.iterdir())
    return {
        "articles": counts["read"],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "stage_seconds": dict(builder.stage_seconds_),
        "kept": counts["kept"],
        "duplicates": counts["duplicates"],
        "rejected": counts["rejected"],
        "output_bytes": store_bytes,
    }


def _child_telegram(spec: dict[str, Any]) -> dict[str, Any]:
    import csv
    from datetime import datetime as _datetime

    from framing.datasets.build import CorpusBuilder
    from framing.datasets.cards import SourceFile, _parse_mapping

    # Untimed: the synthetic CSV as a Telegram Desktop channel export.
    json_path = Path(spec["workdir"]) / "result.json"
    messages = []
    with open(spec["csv"], encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            stamp = _datetime.fromisoformat(row["date"]).timestamp()
            messages.append(
                {
                    "id": number,
                    "type": "message",
                    "date": row["date"][:19],
                    "date_unixtime": str(int(stamp)),
                    "text": f"**{row['headline']}**\n\n{row['body']} "
                    f"[source]({row['link']})",
                }
            )
    json_path.write_text(
        json.dumps({"name": "synthetic", "id": 1, "messages": messages}),
        encoding="utf-8",
    )
    del messages

    def fail(key: str, problem: str) -> Exception:
        return ValueError(f"{key}: {problem}")

    mapping = {"text": "text", "published": "date", "outlet": "outlet", "id": "id"}
    source = SourceFile(
        name="result.json",
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(mapping, "synthetic", fail),
        format="telegram",
    )
    target = Path(spec["workdir"]) / "store"
    builder = CorpusBuilder("synthetic", progress=False)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    corpus = builder.build([(json_path, source)], target)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    counts = corpus.manifest["counts"]
    return {
        "articles": counts["read"],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "stage_seconds": dict(builder.stage_seconds_),
        "kept": counts["kept"],
        "duplicates": counts["duplicates"],
        "rejected": counts["rejected"],
        "input_bytes": json_path.stat().st_size,
    }


def _child_pandas(spec: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    out = Path(spec["workdir"]) / "baseline.parquet"
    cpu = _cpu_seconds()
    started = time.perf_counter()
    frame = pd.read_csv(spec["csv"])
    loaded = time.perf_counter()
    frame.to_parquet(out, engine="pyarrow")
    finished = time.perf_counter()
    cpu = _cpu_seconds() - cpu
    return {
        "articles": len(frame),
        "seconds": finished - started,
        "cpu_seconds": cpu,
        "stage_seconds": {"load": loaded - started, "write": finished - loaded},
        "output_bytes": out.stat().st_size,
    }


def _child_real(spec: dict[str, Any]) -> dict[str, Any]:
    from framing.datasets.build import build_corpus

    cpu = _cpu_seconds()
    started = time.perf_counter()
    corpus = build_corpus(spec["corpus"], force=True)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    counts = corpus.manifest["counts"]
    return {
        "articles": counts["read"],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "kept": counts["kept"],
        "duplicates": counts["duplicates"],
        "rejected": counts["rejected"],
    }


CHILDREN = {
    "generate": _child_generate,
    "imports": _child_imports,
    "framing": _child_framing,
    "pandas": _child_pandas,
    "telegram": _child_telegram,
    "real": _child_real,
}


def run_child(spec: dict[str, Any]) -> None:
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    waited = _run_queue_wait()
    started = time.perf_counter()
    result = CHILDREN[spec["kind"]](spec)
    result["child_seconds"] = time.perf_counter() - started
    after = _run_queue_wait()
    result["cpu_wait_seconds"] = (
        after - waited if after is not None and waited is not None else None
    )
    result.update(peak_rss_mb())
    result["cpus"] = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    )
    print(RESULT_MARK + json.dumps(result), flush=True)


# --------------------------------------------------------------------------
# Parent side: orchestration, table, JSON.
# --------------------------------------------------------------------------


def quietest_cpu(interval: float = 0.5) -> int | None:
    """The allowed CPU with the least busy time over ``interval`` seconds."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = os.sched_getaffinity(0)

    def busy() -> dict[int, int]:
        ticks = {}
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                name, *values = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    numbers = [int(v) for v in values]
                    # user nice system (idle iowait) irq softirq steal
                    ticks[int(name[3:])] = sum(numbers) - numbers[3] - numbers[4]
        return ticks

    try:
        before = busy()
        time.sleep(interval)
        after = busy()
    except (OSError, ValueError, IndexError):
        return min(allowed)
    return min(allowed, key=lambda cpu: (after.get(cpu, 0) - before.get(cpu, 0), cpu))


def spawn(spec: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its result."""
    if spec.get("pin"):
        spec = {**spec, "cpu": quietest_cpu()}
    child_env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        **(env or {}),
    }
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=child_env,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"child {spec['kind']} failed (exit {proc.returncode}):\n"
            f"{proc.stderr[-4000:]}"
        )
    result = json.loads(lines[-1][len(RESULT_MARK) :])
    result["cpu"] = spec.get("cpu")
    return result


def measure(
    spec: dict[str, Any], repeat: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Median wall time over ``repeat`` fresh processes, largest peak RSS."""
    runs = [spawn(spec, env) for _ in range(repeat)]
    result = min(runs, key=lambda r: abs(r["seconds"] - _median(runs, "seconds")))
    result = dict(result)
    result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    hwms = [r["vm_hwm_mb"] for r in runs if r.get("vm_hwm_mb") is not None]
    result["vm_hwm_mb"] = max(hwms) if hwms else None
    result["all_seconds"] = [r["seconds"] for r in runs]
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _rate(articles: int, seconds: float | None) -> float | None:
    if not seconds:
        return None
    return articles / seconds


def _git_state() -> dict[str, Any] | None:
    """Commit of the checkout and whether framing/ differs from it (read-only)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "framing"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "framing_modified": bool(dirty)}


def machine_info() -> dict[str, Any]:
    return {"git": _git_state(), **shared_machine_info(PACKAGES)}


def _fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _fmt_mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def stage_rates(result: dict[str, Any], near: bool) -> dict[str, float | None]:
    """Articles/s per stage; ``None`` where a stage was not timed separately."""
    seconds = result.get("stage_seconds", {})
    rates: dict[str, float | None] = {}
    for stage in STAGES:
        value = seconds.get(stage)
        # With near duplicates on, exact matching happens inside the near-dup
        # pass and is booked there; a 0.0 here means "not separated".
        if stage == "exact_dedupe" and near and not value:
            rates[stage] = None
        else:
            rates[stage] = _rate(result["articles"], value)
    return rates


def print_table(rows: list[dict[str, Any]], floor: dict[str, Any] | None) -> None:
    headers = (
        "size",
        "pipeline",
        "wall s",
        "art/s",
        "art/CPU-s",
        "load",
        "normalise",
        "exact",
        "near",
        "write",
        "peak RSS MB",
    )
    table = [headers]
    for row in rows:
        rates = row["stage_rates"]
        table.append(
            (
                f"{row['size']:,}",
                row["pipeline"],
                f"{row['seconds']:.1f}",
                _fmt_rate(row["articles_per_s"]),
                _fmt_rate(row.get("articles_per_cpu_s")),
                *(_fmt_rate(rates.get(s)) for s in STAGES),
                _fmt_mb(row["peak_rss_mb"]),
            )
        )
    widths = [max(len(str(line[i])) for line in table) for i in range(len(headers))]
    for index, line in enumerate(table):
        cells = [
            str(c).ljust(w) if i < 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print(
        "art/CPU-s = articles per CPU second of the measured section (equals "
        "art/s when the core was not shared). Stage columns are articles/s of "
        "that stage alone (articles / stage wall seconds); '-' = stage not "
        "run, or not timed separately (exact dedupe runs inside the near-dup "
        "pass when near duplicates are on)."
    )
    if floor is not None:
        print(
            f"Import-only floor (framing.datasets.build + pandas): "
            f"{floor['peak_rss_mb']:,.0f} MB peak RSS."
        )


def evaluate(
    rows: list[dict[str, Any]], sizes: list[int], floor: float | None = None
) -> dict[str, Any]:
    framing_rows = {r["size"]: r for r in rows if r["pipeline"] == "framing"}
    slowest = min(framing_rows.values(), key=lambda r: r["articles_per_s"])
    throughput = {
        "target": TARGET_ARTICLES_PER_S,
        "by_size": {s: r["articles_per_s"] for s, r in framing_rows.items()},
        "per_cpu_second_by_size": {
            s: r.get("articles_per_cpu_s") for s, r in framing_rows.items()
        },
        "worst": slowest["articles_per_s"],
        "passed": slowest["articles_per_s"] >= TARGET_ARTICLES_PER_S,
    }
    small, large = min(sizes), max(sizes)
    ratio: dict[str, Any] = {"target": TARGET_RSS_RATIO, "sizes": [small, large]}
    if small != large and small in framing_rows and large in framing_rows:
        value = framing_rows[large]["peak_rss_mb"] / framing_rows[small]["peak_rss_mb"]
        ratio.update(value=value, passed=value <= TARGET_RSS_RATIO)
        if floor is not None:
            # Informative only: growth of what the build itself adds.
            above = [framing_rows[s]["peak_rss_mb"] - floor for s in (small, large)]
            ratio["above_import_floor_mb"] = above
            ratio["above_import_floor_ratio"] = above[1] / above[0]
    else:
        ratio.update(value=None, passed=None)
    # The stage that takes the most time is where a fix would pay most.
    seconds = slowest.get("stage_seconds", {})
    total = sum(seconds.values()) or 1.0
    shares = {s: seconds.get(s, 0.0) / total for s in STAGES}
    return {
        "throughput": throughput,
        "rss_ratio": ratio,
        "stage_share_at_slowest_size": shares,
        "slowest_size": slowest["size"],
    }


def print_checks(checks: dict[str, Any]) -> None:
    throughput = checks["throughput"]
    per_cpu = throughput["per_cpu_second_by_size"]
    figures = ", ".join(
        f"{size:,}: {rate:,.0f}/s wall, {per_cpu[size] or 0:,.0f}/CPU-s"
        for size, rate in throughput["by_size"].items()
    )
    verdict = "PASS" if throughput["passed"] else "FAIL"
    print(
        f"[{verdict}] end to end >= {throughput['target']:,.0f} articles/s "
        f"on one core ({figures})"
    )
    ratio = checks["rss_ratio"]
    small, large = ratio["sizes"]
    if ratio["value"] is None:
        print("[n/a ] peak RSS ratio needs two different sizes")
    else:
        verdict = "PASS" if ratio["passed"] else "FAIL"
        print(
            f"[{verdict}] peak RSS({large:,}) / peak RSS({small:,}) = "
            f"{ratio['value']:.2f} (target <= {ratio['target']})"
        )
        if "above_import_floor_ratio" in ratio:
            low, high = ratio["above_import_floor_mb"]
            print(
                f"  above the import floor: {low:,.0f} MB -> {high:,.0f} MB "
                f"({ratio['above_import_floor_ratio']:.2f}x)"
            )
    if not throughput["passed"]:
        shares = checks["stage_share_at_slowest_size"]
        ranked = sorted(shares.items(), key=lambda kv: kv[1], reverse=True)
        parts = ", ".join(f"{s} {v:.0%}" for s, v in ranked if v > 0)
        print(f"  share of build time at {checks['slowest_size']:,}: {parts}")


def run_real(workdir: Path, repeat: int, pin: bool) -> list[dict[str, Any]]:
    if not os.environ.get("FRAMING_DATA_MIRROR"):
        print(
            "\nReal corpora: skipped (set FRAMING_DATA_MIRROR to the raw-corpora "
            "mirror, e.g. FRAMING_DATA_MIRROR=/work/shared/corpora)."
        )
        return []
    cache = workdir / "cache"
    results = []
    print(f"\nReal corpora (build_corpus(force=True), cache {cache}):")
    for name in REAL_CORPORA:
        try:
            result = measure(
                {"kind": "real", "corpus": name, "pin": pin},
                repeat,
                env={"FRAMING_CACHE_DIR": str(cache)},
            )
        except RuntimeError as exc:
            print(f"  {name}: failed: {exc}")
            results.append({"corpus": name, "error": str(exc)})
            continue
        result["corpus"] = name
        result["docs_per_s"] = _rate(result["articles"], result["seconds"])
        results.append(result)
        print(
            f"  {name:24s} {result['articles']:>6,} docs  "
            f"{result['seconds']:6.2f} s  {result['docs_per_s']:>7,.0f} docs/s  "
            f"peak RSS {result['peak_rss_mb']:,.0f} MB"
        )
    return results


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mean-words", type=int, default=450)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument(
        "--repeat", type=int, default=1, help="fresh processes per measurement"
    )
    parser.add_argument(
        "--no-exact-only",
        action="store_true",
        help="skip the mode=exact build",
    )
    parser.add_argument("--no-real", action="store_true", help="skip real corpora")
    parser.add_argument(
        "--window",
        help="also build with this dedupe window (e.g. 12h): framing-window",
    )
    parser.add_argument(
        "--no-exports",
        action="store_true",
        help="skip the Telegram-export build (run at the smallest size only)",
    )
    parser.add_argument(
        "--all-cores", action="store_true", help="do not pin children to one CPU"
    )
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: tmp)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(json.loads(args.child))
        return 0

    sizes = sorted(set(args.sizes))
    pin = not args.all_cores
    args.out.mkdir(parents=True, exist_ok=True)
    # A killed run should still remove its scratch CSV files (hundreds of MB).
    signal.signal(signal.SIGTERM, _exit_on_signal)
    scratch = tempfile.mkdtemp(prefix="framing-bench-", dir=args.workdir)
    workdir = Path(scratch)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    machine = machine_info()
    git = machine["git"] or {}
    print(
        f"Ingest benchmark, {started_at}, commit {git.get('commit', '?')}"
        f"{' (framing/ modified)' if git.get('framing_modified') else ''}; "
        f"{machine['cpu_model']}, "
        f"{machine['cpus']} CPUs, {machine['memory_gb']} GB, "
        f"Python {machine['versions']['python']}; children pinned to "
        f"{'1 CPU' if pin else 'all CPUs'}."
    )
    rows: list[dict[str, Any]] = []
    generated: dict[int, dict[str, Any]] = {}
    try:
        floor = measure({"kind": "imports", "pin": pin}, 1)
        print(f"Import-only peak RSS: {floor['peak_rss_mb']:,.0f} MB")
        for size in sizes:
            csv_path = workdir / f"synthetic-{size}-seed{args.seed}.csv"
            gen = spawn(
                {
                    "kind": "generate",
                    "csv": str(csv_path),
                    "n": size,
                    "seed": args.seed,
                    "mean_words": args.mean_words,
                    "pin": False,
                }
            )
            generated[size] = gen
            print(
                f"\n{size:,} synthetic articles (seed {args.seed}, mean "
                f"{args.mean_words} words): {gen['bytes'] / 1e6:,.0f} MB CSV, "
                f"generated in {gen['seconds']:.0f} s (not timed below)"
            )
            pipelines: list[tuple[str, dict[str, Any], bool]] = [
                ("framing", {"kind": "framing"}, True),
            ]
            if not args.no_exact_only:
                pipelines.append(
                    (
                        "framing-exact",
                        {"kind": "framing", "dedupe": {"mode": "exact"}},
                        False,
                    )
                )
            if args.window:
                pipelines.append(
                    (
                        "framing-window",
                        {"kind": "framing", "dedupe": {"window": args.window}},
                        True,
                    )
                )
            if not args.no_exports and size == sizes[0]:
                pipelines.append(("framing-telegram", {"kind": "telegram"}, True))
            pipelines.append(("pandas", {"kind": "pandas"}, False))
            for name, spec, near in pipelines:
                run_dir = workdir / f"{name}-{size}"
                run_dir.mkdir()
                result = measure(
                    {**spec, "csv": str(csv_path), "workdir": str(run_dir), "pin": pin},
                    args.repeat,
                )
                shutil.rmtree(run_dir, ignore_errors=True)
                result.update(
                    size=size,
                    pipeline=name,
                    articles_per_s=_rate(result["articles"], result["seconds"]),
                    articles_per_cpu_s=_rate(
                        result["articles"], result.get("cpu_seconds")
                    ),
                    stage_rates=stage_rates(result, near),
                )
                rows.append(result)
                print(
                    f"  {name:14s} {result['seconds']:7.1f} s  "
                    f"{result['articles_per_s']:7,.0f} articles/s  "
                    f"peak RSS {result['peak_rss_mb']:,.0f} MB"
                    + (
                        f" (VmHWM {result['vm_hwm_mb']:,.0f})"
                        if result.get("vm_hwm_mb")
                        else ""
                    )
                    + (
                        "; runs: "
                        + ", ".join(f"{s:.1f} s" for s in result["all_seconds"])
                        if args.repeat > 1
                        else ""
                    )
                )
            csv_path.unlink()
        real = [] if args.no_real else run_real(workdir, args.repeat, pin)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print_table(rows, floor)
    print()
    checks = evaluate(rows, sizes, floor["peak_rss_mb"])
    print_checks(checks)
    for row in [*rows, *real]:
        # Time spent runnable but waiting for the pinned CPU means another
        # process shared the core, and the rate is understated.
        wait = row.get("cpu_wait_seconds")
        lifetime = row.get("child_seconds") or row["seconds"]
        if wait is not None and wait > max(0.1, 0.03 * lifetime):
            label = row.get("corpus") or f"{row['pipeline']} at {row['size']:,}"
            print(
                f"warning: {label}: waited {wait:.1f} s of {lifetime:.1f} s for "
                "its CPU (core shared with another process; rerun when quiet)"
            )
    for row in rows:
        hwm = row.get("vm_hwm_mb")
        # ru_maxrss can carry a parent's high-water mark across exec.
        if hwm and abs(row["peak_rss_mb"] - hwm) > 0.05 * hwm:
            print(
                f"warning: {row['pipeline']} at {row['size']:,}: ru_maxrss "
                f"{row['peak_rss_mb']:,.0f} MB differs from VmHWM {hwm:,.0f} MB"
            )
    report = {
        "benchmark": "ingest",
        "date": started_at,
        "data": "synthetic (framing.synthetic.write_synthetic_csv)",
        "arguments": {
            "sizes": sizes,
            "seed": args.seed,
            "mean_words": args.mean_words,
            "repeat": args.repeat,
            "pinned_to_one_cpu": pin,
        },
        "machine": machine,
        "generated": {str(k): v for k, v in generated.items()},
        "import_floor": floor,
        "runs": rows,
        "real_corpora": real,
        "checks": checks,
    }
    out_file = args.out / "ingest.json"
    out_file.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nResults written to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
