"""``framing topics``: fit topic models from the command line.

Registered in :mod:`framing.cli` as ``app.add_typer(topics_app, name="topics")``.

``framing topics fit CORPUS --k 20`` writes ``<store>/topics/<run-id>/``::

    topics.csv               one row per topic: prevalence, top and FREX words
    topic_words.parquet      long table of top words (probability and FREX)
    representative.csv       most representative documents per topic
    document_topics.parquet  doc_id, n_tokens and topic shares (every document,
                             also when trained on --sample-size)
    frame_packages.csv       ANTMN communities of topics
    prevalence_outlet.csv    mean share per outlet (and per month if dated)
    k_selection.csv/.png     with --grid: coherence and stability per K
    model/                   the saved model (pickle-free, see persist.py)
    manifest.json            inputs, parameters, seeds, versions, sha256, and
                             with --sample-size the training sample ("sample")

The run id is derived from the parameters, so the same command writes the
same folder, and reruns are byte-identical (no timestamps anywhere).
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Annotated, Any

import typer

topics_app = typer.Typer(
    help="Topic models (gensim LDA): fit, choose K, guided topics.",
    no_args_is_help=True,
)


@topics_app.callback()
def _topics() -> None:
    """Topic models (gensim LDA): fit, choose K, guided topics."""


def _ints(text: str | None, option: str) -> list[int]:
    if not text:
        return []
    try:
        values = [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise typer.BadParameter(
            f"{option} takes comma-separated integers, e.g. 5,10,20; got {text!r}"
        ) from None
    if not values:
        raise typer.BadParameter(f"{option} is empty")
    return values


_SAMPLING = ("sample_size", "sample_by")


def _sampling(size: int | None, by: str | None, seed: int) -> dict[str, Any]:
    """The sampling hyperparameters the options give (none without a size)."""
    from .sample import SAMPLE_FIELDS, check_sample_params

    if size is None:
        if by is not None:
            raise typer.BadParameter("--sample-by needs --sample-size")
        return {}
    text = ",".join(SAMPLE_FIELDS) if by is None else by
    fields = [f.strip() for f in text.split(",") if f.strip()]
    try:
        check_sample_params(size, fields, seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return {"sample_size": size, "sample_by": fields}


def _open_corpus(name: str) -> Any:
    from ...store import MANIFEST_FILE, Corpus

    if (Path(name) / MANIFEST_FILE).is_file():
        return Corpus(name)
    from ...datasets.build import load_corpus

    return load_corpus(name, progress=True)


def _versions() -> dict[str, str]:
    import gensim
    import numpy
    import pandas
    import pyarrow

    from ... import __version__

    return {
        "framing": __version__,
        "gensim": gensim.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def _write_parquet(frame: Any, path: Path) -> None:
    frame.to_parquet(path, index=False, compression="zstd")


@topics_app.command("fit")
def fit(
    corpus: Annotated[str, typer.Argument(help="Registry name or corpus store path.")],
    k: Annotated[
        int | None, typer.Option(help="Number of topics (default: best c_v of --grid).")
    ] = None,
    grid: Annotated[
        str | None, typer.Option(help="K values to compare, e.g. 5,10,20.")
    ] = None,
    seeds: Annotated[
        str, typer.Option(help="Seeds: the first fits the model, all feed --grid.")
    ] = "0,1,2",
    passes: Annotated[int, typer.Option(help="Passes over the corpus.")] = 10,
    iterations: Annotated[int, typer.Option(help="E-step iterations.")] = 100,
    lexicon_guided: Annotated[
        str | None,
        typer.Option(
            help="Guide the first topics with a lexicon's frames (war-naming)."
        ),
    ] = None,
    seed_weight: Annotated[float, typer.Option(help="Seed-word prior strength.")] = 1.0,
    measures: Annotated[
        str, typer.Option(help="Coherence measures for --grid (c_v picks K).")
    ] = "c_v,c_npmi,u_mass",
    no_below: Annotated[int, typer.Option(help="Drop words in fewer documents.")] = 5,
    no_above: Annotated[
        float, typer.Option(help="Drop words in more than this fraction.")
    ] = 0.5,
    phrase_layers: Annotated[
        int, typer.Option(help="Collocation layers (0: off).")
    ] = 2,
    phrase_max_vocab: Annotated[
        int | None,
        typer.Option(
            help="Hold at most this many word and word-pair counts in memory "
            "for collocations, dropping the rarest past it (default: count "
            "exactly, added up on disk)."
        ),
    ] = None,
    sample_size: Annotated[
        int | None,
        typer.Option(
            help="Train on a seeded stratified sample of this many documents "
            "(the dictionary and every document's shares still use them all)."
        ),
    ] = None,
    sample_by: Annotated[
        str | None,
        typer.Option(
            help="Strata of --sample-size, comma-separated: outlet,year (the "
            "default); an empty string draws a simple random sample."
        ),
    ] = None,
    multicore: Annotated[
        bool, typer.Option(help="LdaMulticore: faster, NOT bit-reproducible.")
    ] = False,
    compute: Annotated[
        str | None,
        typer.Option(
            "--compute",
            help="Where the bag-of-words is prepared: serial, processes (local "
            "workers) or dask. It is the same whichever prepares it; training "
            "runs here.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes for --compute (default: all usable CPUs) "
            "and for --multicore."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running dask.distributed scheduler "
            "(with --compute dask)."
        ),
    ] = None,
    run_id: Annotated[
        str | None, typer.Option(help="Output folder name (default: from parameters).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Fit an LDA model and write topic tables, document shares and the model."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from rich.console import Console
    from rich.table import Table

    from ..._cli_common import compute_from_options, user_errors
    from ...plots.style import save_figure
    from ...plots.topics import plot_k_selection
    from ...store import atomic_directory, write_json_atomic
    from .antmn import frame_packages
    from .dynamics import document_metadata, topic_prevalence
    from .labels import representative_documents, top_word_table, topic_labels
    from .model import TopicModel, topic_word_hash
    from .persist import save_model, sha256_file
    from .sample import describe_sample
    from .select import select_k

    console = Console()
    with user_errors():
        seed_list = _ints(seeds, "--seeds")
        ks = _ints(grid, "--grid")
        if k is None and not ks:
            raise typer.BadParameter("give --k, or --grid to choose K by coherence")
        setting = compute_from_options(compute, workers, scheduler)
        sampling = _sampling(sample_size, sample_by, seed_list[0])
        store = _open_corpus(corpus)
        params: dict[str, Any] = {
            "passes": passes,
            "iterations": iterations,
            "seed_words": lexicon_guided,
            "seed_weight": seed_weight,
            "no_below": no_below,
            "no_above": no_above,
            "phrase_layers": phrase_layers,
            "phrase_max_vocab": phrase_max_vocab,
            "multicore": multicore,
            "workers": workers,
            # Only when given, so that runs without a sample keep their run ids.
            **sampling,
        }
        selection = None
        if ks:
            if len(seed_list) < 2:
                console.print(
                    "[yellow]one seed: stability across seeds is not estimated"
                )
            chosen_measures = [m for m in measures.replace(" ", "").split(",") if m]
            if k is None and "c_v" not in chosen_measures:
                raise typer.BadParameter("--measures must include c_v to choose K")
            selection = select_k(
                store,
                ks,
                seed_list,
                measures=chosen_measures,
                progress=progress,
                compute=setting,
                **params,
            )
        chosen = k if k is not None else selection.best_k("c_v")  # type: ignore[union-attr]
        model = TopicModel(
            k=chosen, random_state=seed_list[0], progress=progress, **params
        ).fit(store, compute=setting)
        settings = {**params, "k": chosen, "seeds": seed_list, "grid": ks}
        digest = hashlib.sha256(
            json.dumps(
                {"corpus": model.bow_key_, "settings": settings}, sort_keys=True
            ).encode()
        ).hexdigest()
        rid = run_id or f"k{chosen}-seed{seed_list[0]}-{digest[:10]}"
        target = store.path / "topics" / rid
        vocabulary = [model.dictionary_[i] for i in range(len(model.dictionary_))]
        labels = topic_labels(model)
        with atomic_directory(target) as staging:
            labels.to_csv(staging / "topics.csv", index=False)
            _write_parquet(
                top_word_table(
                    model.topic_word_, vocabulary, topic_names=model.topic_names_
                ),
                staging / "topic_words.parquet",
            )
            representative_documents(model, n=3, documents=store).to_csv(
                staging / "representative.csv", index=False
            )
            shares = model.document_topics()
            _write_parquet(shares, staging / "document_topics.parquet")
            frame_packages(model, seed=seed_list[0]).to_csv(
                staging / "frame_packages.csv", index=False
            )
            meta = document_metadata(store)
            topic_prevalence(shares, meta, by=("outlet",)).to_csv(
                staging / "prevalence_outlet.csv", index=False
            )
            if meta["published"].notna().any():
                topic_prevalence(shares, meta, by=("outlet",), period="M").to_csv(
                    staging / "prevalence_outlet_month.csv", index=False
                )
            if selection is not None:
                selection.summary.to_csv(staging / "k_selection.csv", index=False)
                selection.runs.to_csv(staging / "k_runs.csv", index=False)
                figure = plot_k_selection(selection)
                save_figure(figure, staging / "k_selection", formats=("png",))
            model_pin = save_model(model, staging / "model")
            outputs = {
                str(p.relative_to(staging)): sha256_file(p)
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            }
            write_json_atomic(
                staging / "manifest.json",
                {
                    "run_id": rid,
                    "inputs": {
                        "corpus": store.name,
                        "articles_sha256": store.articles_sha256(),
                        "bow_key": model.bow_key_,
                        "documents": len(model.doc_ids_),
                        "dictionary_terms": len(model.dictionary_),
                    },
                    "parameters": {
                        k_: (list(v) if isinstance(v, tuple) else v)
                        for k_, v in model.get_params().items()
                        if k_ not in ("cache_dir", "progress")
                        and (k_ in sampling or k_ not in _SAMPLING)
                    },
                    "seeds": seed_list,
                    "grid": ks,
                    "chosen_k": chosen,
                    "reproducible": model.reproducible_,
                    "topic_word_sha256": topic_word_hash(model),
                    "model_manifest_sha256": model_pin,
                    "seed_words_missing_per_topic": {
                        name: len(words)
                        for name, words in model.seed_words_missing_.items()
                    },
                    **({"sample": model.sample_} if model.sample_ else {}),
                    "versions": _versions(),
                    "outputs": outputs,
                },
            )

    table = Table(
        title=f"{store.name}: {chosen} topics ({len(model.doc_ids_)} documents)"
    )
    table.add_column("topic")
    table.add_column("share", justify="right")
    table.add_column("top words")
    table.add_column("FREX")
    for row in labels.itertuples():
        table.add_row(
            str(row.name),
            f"{row.prevalence:.3f}",
            " ".join(str(row.top_words).split()[:6]),
            " ".join(str(row.frex_words).split()[:6]),
        )
    console.print(table)
    if model.sample_ is not None:
        console.print(describe_sample(model.sample_))
    if selection is not None:
        console.print(selection.summary.round(3).to_string(index=False))
    console.print(f"written to {target}")
