"""Topic-model benchmark: bag-of-words throughput, toolkit overhead, memory.

What it measures
----------------
* **Preparation throughput**: ``framing.frames.topics.prepare_corpus`` on a
  cold cache -- tokenise, two collocation layers, dictionary with
  ``filter_extremes``, Matrix Market bag-of-words -- in documents and MB of
  text per CPU second, on the real corpora (when ``FRAMING_DATA_MIRROR``
  points at the raw-corpora mirror) and on synthetic stores of
  ``--small`` and ``--synthetic`` articles (``framing.synthetic``, about
  450 words each, labelled synthetic). Each run is a fresh process with a
  fresh cache folder.
* **Toolkit overhead**: on the same prepared bag-of-words, in the same
  process, alternating ``--repeat`` times: raw gensim
  ``LdaModel(corpus=MmCorpus(path), ...)`` versus ``TopicModel.fit`` (which
  opens the cache by content hash and trains the same LdaModel); and
  ``TopicModel.fit`` plus ``document_topics()`` (every document's
  posterior, one E-step pass) versus raw training plus one ``inference``
  pass over the corpus. Medians of CPU seconds; the topic-word matrices
  must be identical.
* **Memory**: peak RSS (``ru_maxrss``) of fresh processes that train LDA
  (one pass) from the bag-of-words on disk, for ``--small`` and
  ``--synthetic`` articles, both raw gensim and the toolkit; and an
  import-only floor.

Every measuring process runs with ``OMP_NUM_THREADS=1``. The parent
imports only the standard library (Linux carries a parent's high-water
mark into an exec'd child's ``ru_maxrss``). CPU time is used for ratios
because the machine may be shared.

Run ``python benchmarks/topics.py --help``; results are printed and
written to ``<out>/topics.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REAL = ("kremlin-zelenskyy-2022", "us-gov-2022", "gvfc")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- workers (each runs in its own process) -----------------------------------


def _open_store(spec: str):
    from framing.store import Corpus

    if spec.startswith("real:"):
        from framing.datasets.build import load_corpus

        return load_corpus(spec[5:])
    return Corpus(spec)


def worker_build(args: argparse.Namespace) -> dict:
    from framing.synthetic import write_synthetic_corpus

    corpus = write_synthetic_corpus(args.folder, n_articles=args.n, seed=0)
    return {"path": str(corpus.path), "kept": corpus.counts["kept"]}


def worker_prepare(args: argparse.Namespace) -> dict:
    from framing.frames.topics import TokenizerParams, prepare_corpus

    corpus = _open_store(args.store)
    params = TokenizerParams(**json.loads(args.params))
    text_bytes = int(corpus.sql("SELECT sum(strlen(text)) AS b FROM articles")["b"][0])
    cpu0, wall0 = time.process_time(), time.perf_counter()
    prepared = prepare_corpus(corpus, params, root=args.cache)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "documents": prepared.n_docs,
        "terms": len(prepared.dictionary),
        "text_mb": text_bytes / 1e6,
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "docs_per_cpu_s": prepared.n_docs / cpu,
        "mb_per_cpu_s": text_bytes / 1e6 / cpu,
        "peak_rss_mb": _peak_rss_mb(),
        "bow_mb": (prepared.path / "bow.mm").stat().st_size / 1e6,
        "from_cache": prepared.from_cache,
    }


def worker_overhead(args: argparse.Namespace) -> dict:
    import numpy as np
    from gensim.corpora import MmCorpus
    from gensim.models import LdaModel

    from framing.frames.topics import TokenizerParams, TopicModel, topic_word_hash

    corpus = _open_store(args.store)
    params = json.loads(args.params)
    lda = {"k": args.k, "passes": args.passes, "iterations": args.iterations}
    toolkit = TopicModel(**lda, **params, cache_dir=args.cache)
    prepared = toolkit.prepare(corpus)  # warm the cache; not timed
    assert TokenizerParams(**params) == prepared.params

    def raw(with_inference: bool) -> tuple[float, str]:
        start = time.process_time()
        model = LdaModel(
            corpus=MmCorpus(str(prepared.path / "bow.mm")),
            id2word=prepared.dictionary,
            num_topics=args.k,
            passes=args.passes,
            iterations=args.iterations,
            chunksize=2000,
            random_state=0,
            eval_every=None,
        )
        if with_inference:
            chunk: list = []
            for doc in MmCorpus(str(prepared.path / "bow.mm")):
                chunk.append(doc)
                if len(chunk) == 2000:
                    model.inference(chunk)
                    chunk = []
            if chunk:
                model.inference(chunk)
        return time.process_time() - start, topic_word_hash(model)

    def ours(with_posteriors: bool) -> tuple[float, str]:
        start = time.process_time()
        model = TopicModel(**lda, **params, cache_dir=args.cache).fit(corpus)
        if with_posteriors:
            model.document_topics()
        return time.process_time() - start, topic_word_hash(model)

    runs: dict[str, list[float]] = {
        "raw_train": [],
        "toolkit_fit": [],
        "raw_train_infer": [],
        "toolkit_fit_shares": [],
    }
    hashes = set()
    for _ in range(args.repeat):
        seconds, digest = raw(False)
        runs["raw_train"].append(seconds)
        hashes.add(digest)
        seconds, digest = raw(True)
        runs["raw_train_infer"].append(seconds)
        hashes.add(digest)
        seconds, digest = ours(False)
        runs["toolkit_fit"].append(seconds)
        hashes.add(digest)
        seconds, digest = ours(True)
        runs["toolkit_fit_shares"].append(seconds)
        hashes.add(digest)
    median = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "documents": prepared.n_docs,
        "terms": len(prepared.dictionary),
        "cpu_seconds": runs,
        "median_cpu_seconds": median,
        "overhead_fit_pct": 100 * (median["toolkit_fit"] / median["raw_train"] - 1),
        "overhead_fit_shares_pct": 100
        * (median["toolkit_fit_shares"] / median["raw_train_infer"] - 1),
        "identical_topic_word_matrix": len(hashes) == 1,
        "numpy": np.__version__,
    }


def worker_memory(args: argparse.Namespace) -> dict:
    params = json.loads(args.params)
    if args.mode == "floor":
        import gensim.models  # noqa: F401

        import framing.frames.topics  # noqa: F401

        return {"peak_rss_mb": _peak_rss_mb()}
    corpus = _open_store(args.store)
    if args.mode == "raw":
        from gensim.corpora import MmCorpus
        from gensim.models import LdaModel

        from framing.frames.topics import prepare_corpus
        from framing.frames.topics.tokens import TokenizerParams

        prepared = prepare_corpus(corpus, TokenizerParams(**params), root=args.cache)
        assert prepared.from_cache
        before = _peak_rss_mb()
        LdaModel(
            corpus=MmCorpus(str(prepared.path / "bow.mm")),
            id2word=prepared.dictionary,
            num_topics=args.k,
            passes=1,
            iterations=args.iterations,
            random_state=0,
            eval_every=None,
        )
    else:
        from framing.frames.topics import TopicModel

        before = _peak_rss_mb()
        model = TopicModel(
            k=args.k,
            passes=1,
            iterations=args.iterations,
            cache_dir=args.cache,
            **params,
        ).fit(corpus)
        assert model.prepared_.from_cache
    return {"peak_rss_mb": _peak_rss_mb(), "peak_before_training_mb": before}


WORKERS = {
    "build": worker_build,
    "prepare": worker_prepare,
    "overhead": worker_overhead,
    "memory": worker_memory,
}


# -- parent ------------------------------------------------------------------


def run_worker(name: str, **options: object) -> dict:
    command = [sys.executable, __file__, "--worker", name]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"worker {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu_model": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument(
        "--stages",
        default="prepare,overhead,memory",
        help="comma-separated subset of prepare,overhead,memory",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--workdir", type=Path, default=None)
    # worker options
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("--folder")
    parser.add_argument("--n", type=int)
    parser.add_argument("--store")
    parser.add_argument("--cache")
    parser.add_argument("--params", default="{}")
    parser.add_argument("--mode")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return

    work = args.workdir or Path(tempfile.mkdtemp(prefix="topics-bench-"))
    real_params = {"no_below": 5}
    results: dict = {
        "benchmark": "topics",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "arguments": {k: v for k, v in vars(args).items() if not k.startswith("work")}
        | {"out": str(args.out)},
        "machine": machine(),
        "prepare": {},
        "overhead": {},
        "memory": {},
    }
    results["arguments"] = {
        k: results["arguments"][k]
        for k in ("synthetic", "small", "k", "passes", "iterations", "repeat")
    }
    stores: dict[str, str] = {}
    if not args.no_real and os.environ.get("FRAMING_DATA_MIRROR"):
        ENV.setdefault("FRAMING_CACHE_DIR", str(work / "framing-cache"))
        for name in REAL:
            stores[name] = f"real:{name}"
    stages = set(args.stages.split(","))
    for n in sorted({args.small, args.synthetic}):
        existing = work / f"synthetic-{n}" / "store"
        if (existing / "manifest.json").is_file():  # reuse with --workdir
            stores[f"synthetic-{n}"] = str(existing)
            continue
        print(f"building synthetic store of {n:,} articles ...", flush=True)
        built = run_worker("build", folder=work / f"synthetic-{n}", n=n)
        stores[f"synthetic-{n}"] = built["path"]

    # Collocation training (gensim Phrases, pure Python) is most of the
    # preparation cost; one run without it shows the share.
    runs = [(label, store, label) for label, store in stores.items()]
    small_label = f"synthetic-{args.small}"
    runs.append((small_label, stores[small_label], f"{small_label}-no-collocations"))
    if "prepare" not in stages:
        runs = []
    for label, store, key in runs:
        params = {"no_below": 3, "phrase_layers": 1} if label == "gvfc" else real_params
        if key.endswith("no-collocations"):
            params = {**params, "phrase_layers": 0}
        result = run_worker(
            "prepare",
            store=store,
            cache=work / f"cache-{key}",
            params=json.dumps(params),
        )
        results["prepare"][key] = result
        print(
            f"prepare {key:>32}: {result['documents']:>7,} docs "
            f"{result['docs_per_cpu_s']:>8,.0f} docs/cpu-s "
            f"{result['mb_per_cpu_s']:5.2f} MB/cpu-s "
            f"peak {result['peak_rss_mb']:.0f} MB",
            flush=True,
        )

    for label in ("kremlin-zelenskyy-2022", f"synthetic-{args.small}"):
        if label not in stores or "overhead" not in stages:
            continue
        result = run_worker(
            "overhead",
            store=stores[label],
            cache=work / f"cache-{label}",
            params=json.dumps(real_params),
            k=args.k,
            passes=args.passes,
            iterations=args.iterations,
            repeat=args.repeat,
        )
        results["overhead"][label] = result
        median = result["median_cpu_seconds"]
        print(
            f"overhead {label}: fit {median['toolkit_fit']:.1f} s vs raw train "
            f"{median['raw_train']:.1f} s ({result['overhead_fit_pct']:+.1f} %); "
            f"fit+shares {median['toolkit_fit_shares']:.1f} s vs raw train+infer "
            f"{median['raw_train_infer']:.1f} s "
            f"({result['overhead_fit_shares_pct']:+.1f} %), identical="
            f"{result['identical_topic_word_matrix']}",
            flush=True,
        )

    if "memory" not in stages:
        _write(args.out, results, work)
        return
    results["memory"]["import_floor"] = run_worker("memory", mode="floor")
    for n in sorted({args.small, args.synthetic}):
        label = f"synthetic-{n}"
        # Warm the cache in its own process, so the measured ones only read it.
        warm = run_worker(
            "prepare",
            store=stores[label],
            cache=work / f"cache-{label}",
            params=json.dumps(real_params),
        )
        results["memory"][f"terms-{n}"] = warm["terms"]
        for mode in ("raw", "toolkit"):
            result = run_worker(
                "memory",
                mode=mode,
                store=stores[label],
                cache=work / f"cache-{label}",
                params=json.dumps(real_params),
                k=args.k,
                iterations=args.iterations,
            )
            results["memory"][f"{mode}-{n}"] = result
            print(
                f"memory {mode:>7} {n:>7,}: peak {result['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    small, big = args.small, args.synthetic
    for mode in ("raw", "toolkit"):
        ratio = (
            results["memory"][f"{mode}-{big}"]["peak_rss_mb"]
            / results["memory"][f"{mode}-{small}"]["peak_rss_mb"]
        )
        results["memory"][f"{mode}_ratio_{big}_over_{small}"] = ratio
        print(f"memory {mode}: peak RSS ratio {big:,}/{small:,} = {ratio:.2f}")
    _write(args.out, results, work)


def _write(out: Path, results: dict, work: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "topics.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out / 'topics.json'} (work folder {work})")


if __name__ == "__main__":
    main()
