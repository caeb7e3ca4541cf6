"""The ``framing`` command line.

Every command that can take more than a second shows a rich progress bar.
Errors the toolkit raises on purpose are printed as one message (file,
problem, fix) with exit code 1, without a traceback.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ._cli_common import (
    ComputeOpt,
    EndOpt,
    ExcludeOutletOpt,
    GroupOpt,
    OutletOpt,
    SchedulerOpt,
    StartOpt,
    WorkersOpt,
    compute_from_options,
    console,
    friendly_errors,
    subset_from_options,
)

app = typer.Typer(
    help="Reproducible media-framing research.",
    no_args_is_help=True,
    add_completion=False,
)
corpus_app = typer.Typer(
    help="The corpus registry: list, inspect, fetch and build corpora.",
    no_args_is_help=True,
)
app.add_typer(corpus_app, name="corpus")
frames_app = typer.Typer(
    help="Frame detection: voice-aware lexicons.", no_args_is_help=True
)
app.add_typer(frames_app, name="frames")


def _register_stage_commands() -> None:
    # Each stage owns its commands in its own module; registering them here
    # makes `framing --help` list every stage.
    from .frames.classify.cli import classify_app
    from .frames.topics.cli import topics_app
    from .stats.cli import stats_app

    app.add_typer(topics_app, name="topics", help="Topic models (gensim LDA).")
    app.add_typer(classify_app, name="classify", help="Supervised frame classifiers.")
    app.add_typer(stats_app, name="stats", help="Statistics of framing shifts.")


_friendly_errors = friendly_errors()


@app.command("run")
@_friendly_errors
def run(
    study: Annotated[
        str,
        typer.Argument(
            help="Study file (TOML); with --check-environment also its "
            "manifest.json or output folder."
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Rerun every stage, ignoring the cache.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Only validate the study file.")
    ] = False,
    check_environment: Annotated[
        bool,
        typer.Option(
            "--check-environment",
            help="Only compare this environment with the study's manifest: "
            "Python, every dependency's version, the lock's sha256. Exit 2 "
            "when they differ.",
        ),
    ] = False,
    compute: ComputeOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Run a study: every stage from one config, cached, into one output folder."""
    from .study import load_study, run_study

    if check_environment:
        _check_environment(study)
        return
    config = load_study(study)
    if check:
        console.print(f"{study}: valid ({len(config.corpora)} corpora)")
        for line in _study_scope(config):
            console.print(f"  {line}", highlight=False, markup=False)
        return

    def report(line: str) -> None:
        if not line.endswith("..."):
            console.print(f"  {line}", highlight=False)

    console.print(f"Running {config.name} from {study}", highlight=False)
    setting = compute_from_options(compute, workers, scheduler)
    result = run_study(
        config, force=force, progress=True, report=report, compute=setting
    )
    console.print(result.summary(), highlight=False)


def _check_environment(study: str) -> None:
    """List how this environment differs from a manifest; exit 2 if it does."""
    from .study.environment import (
        LOCK_FILE,
        check_environment,
        load_manifest,
        recorded_environment,
    )

    path, manifest = load_manifest(study)
    differences = check_environment(manifest)
    recorded = recorded_environment(manifest)
    lock = recorded.get("lock") or {}
    if differences:
        console.print(
            f"environment differs from {path} in {len(differences)} "
            f"{'item' if len(differences) == 1 else 'items'}:",
            highlight=False,
        )
        for difference in differences:
            console.print(f"  {difference}", highlight=False, markup=False)
    else:
        console.print(
            f"environment matches {path} "
            f"({len(recorded['packages'])} distributions"
            + (f", lock sha256 {lock['sha256'][:12]}" if lock else "")
            + ")",
            highlight=False,
        )
    if "environment" not in manifest:
        console.print(
            "note: a manifest from before the environment record; only the "
            "versions it lists were compared",
            highlight=False,
        )
    if differences:
        console.print(
            "To restore the study's environment: check out the framing version "
            f"it ran with and run `make install` (installs exactly {LOCK_FILE}).",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(code=2)


def _study_scope(config: Any) -> list[str]:
    """What --check reports of the subset, the periods and the events."""
    lines = []
    if config.subset:
        window = (
            f"[{config.subset.get('start', 'first')}, "
            f"{config.subset.get('end', 'last')})"
        )
        lines.append(f"subset: dates {window}")
        for key in ("outlets", "exclude_outlets"):
            if key in config.subset:
                lines.append(f"subset: {key} {', '.join(config.subset[key])}")
    if config.sources:
        lines.append(f"sources: {', '.join(config.sources)}")
    lines.append(f"naming periods: {config.freq}")
    split = f"before/after split: {config.event}"
    if config.events_stats:
        split += f"; events: {', '.join(config.events_stats)}"
    lines.append(split)
    for spec in config.its:
        events = (spec.event,) if spec.event else config.its_events
        window = (
            f", window [{spec.start or 'first'}, {spec.end or 'last'})"
            if spec.start or spec.end
            else ""
        )
        lines.append(
            f"ITS: {spec.source} / {spec.frame} ({spec.voice}, {spec.freq}) at "
            f"{', '.join(events)}{window}"
        )
    return lines


@corpus_app.command("list")
@_friendly_errors
def corpus_list() -> None:
    """List the corpora of every registry folder (and every broken card).

    The folders are the registered cards, those in FRAMING_REGISTRY and the
    user's own (see `framing.datasets.cards.registry_dirs`).
    """
    import warnings

    from .datasets.build import store_path
    from .datasets.cards import (
        BrokenCardWarning,
        broken_cards,
        list_cards,
        registry_dir,
        user_registry_dir,
    )

    table = Table(title="Registered corpora")
    for column in ("name", "title", "licence", "files", "use", "built", "card"):
        table.add_column(column, overflow="fold")
    with warnings.catch_warnings():
        # Broken cards are reported below, each once, after the good ones.
        warnings.simplefilter("ignore", BrokenCardWarning)
        cards = list_cards()
    for card in cards:
        built = (store_path(card.name) / "manifest.json").is_file()
        table.add_row(
            card.name,
            card.title,
            card.licence,
            str(len(card.files)),
            "evaluation only" if card.evaluation_only else "analysis",
            "yes" if built else "no",
            _card_origin(card.path, registry_dir(), user_registry_dir()),
        )
    console.print(table)
    from rich.markup import escape

    for path, error in broken_cards().items():
        console.print(
            f"[red]broken card[/] {escape(path.name)}: {escape(str(error))}. Fix "
            "the card; the "
            "corpora above are unaffected.",
            highlight=False,
            markup=True,
        )


def _card_origin(path: Any, registered: Any, user: Any) -> str:
    import os

    folder = os.path.realpath(path.parent)
    if folder == os.path.realpath(registered):
        return "registered"
    if folder == os.path.realpath(user):
        return f"user: {path}"
    return str(path)


@corpus_app.command("init")
@_friendly_errors
def corpus_init(
    files: Annotated[list[str], typer.Argument(help="Data files to draft a card for.")],
    name: Annotated[
        str | None,
        typer.Option(help="Corpus name (default: the files' common folder)."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(help="Card file to write (default: <name>.toml); never replaced."),
    ] = None,
) -> None:
    """Draft a corpus card from your own files: sniffed fields, a proposed
    mapping and the outlets found, as a commented TOML to check and edit."""
    from .datasets.draft import write_draft

    path = write_draft(files, out, name=name)
    console.print(
        f"wrote {path}: check the mapping and fill in the TODOs, then "
        f"`framing corpus build {path}`",
        highlight=False,
    )


@corpus_app.command("info")
@_friendly_errors
def corpus_info(
    name: Annotated[str, typer.Argument(help="Registry name or card path.")],
) -> None:
    """Show a corpus card and, if built, its counts."""
    from .datasets.build import store_path
    from .datasets.cards import find_card
    from .store import Corpus

    card = find_card(name)
    console.print(f"[bold]{card.name}[/]: {card.title}")
    console.print(card.description)
    console.print(f"licence: {card.licence}")
    console.print(f"attribution: {card.attribution}")
    console.print(f"cite: {card.citation}")
    if card.evaluation_only:
        console.print("[yellow]evaluation only: do not redistribute[/]")
    table = Table(title="files")
    for column in ("name", "format", "sha256", "url or path"):
        table.add_column(column, overflow="fold")
    for source in card.files:
        table.add_row(
            source.name,
            source.format or "(by name)",
            source.sha256 or "(computed at build)",
            source.url or str(source.local),
        )
    console.print(table)
    target = store_path(card.name)
    if (target / "manifest.json").is_file():
        corpus = Corpus(target)
        counts = corpus.counts
        console.print(
            f"built at {target}: read {counts['read']} = kept {counts['kept']} "
            f"+ duplicates {counts['duplicates']} + rejected {counts['rejected']}"
        )
    else:
        console.print(f"not built; run `framing corpus build {card.name}`")


@corpus_app.command("fetch")
@_friendly_errors
def corpus_fetch(
    names: Annotated[list[str], typer.Argument(help="Registry names or card paths.")],
) -> None:
    """Fetch and verify the raw files of corpora (mirror or download)."""
    from .datasets.cards import find_card
    from .datasets.fetch import fetch_corpus

    for name in names:
        card = find_card(name)
        with console.status(f"fetching {card.name}"):
            paths = fetch_corpus(card)
        unchecked = {f.name for f in card.files if f.sha256 is None}
        for file_name, path in paths.items():
            state = (
                "local, no sha256 to check" if file_name in unchecked else "sha256 ok"
            )
            console.print(f"{card.name}/{file_name}: {state} -> {path}")


@corpus_app.command("build")
@_friendly_errors
def corpus_build(
    names: Annotated[list[str], typer.Argument(help="Registry names or card paths.")],
    force: Annotated[
        bool, typer.Option(help="Rebuild even if an up-to-date store exists.")
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Near-duplicate Jaccard threshold (default from the card, else 0.8)."
        ),
    ] = None,
    dedupe_mode: Annotated[
        str | None,
        typer.Option(
            "--dedupe",
            help="Deduplication: near (exact + near duplicates), exact or off "
            "(default from the card's [dedupe] mode, else near).",
        ),
    ] = None,
    dedupe_scope: Annotated[
        str | None,
        typer.Option(
            help="Duplicates across the whole corpus or only within one outlet "
            "(corpus or outlet; default from the card, else corpus)."
        ),
    ] = None,
    dedupe_window: Annotated[
        str | None,
        typer.Option(
            help="Longest gap between duplicates, such as 12h or 3d; 0 for none "
            "(default from the card, else none)."
        ),
    ] = None,
    part_rows: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Canonical articles per part of the store (default 100000); "
            "parallel stages read one range of a part per task.",
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    compute: ComputeOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Build corpora into the cache and print a per-outlet summary.

    The --dedupe options override the card's [dedupe] table for this build;
    the store manifest records them, and a store built with another policy
    is rebuilt, never reused. --compute maps the records on worker
    processes or a Dask cluster; the store is the same byte for byte.
    """
    import pandas as pd

    from .datasets.build import build_corpus
    from .store import PART_ROWS

    overrides = {
        key: value
        for key, value in (
            ("threshold", threshold),
            ("mode", dedupe_mode),
            ("scope", dedupe_scope),
            ("window", dedupe_window),
        )
        if value is not None
    }
    summaries = []
    for name in names:
        corpus = build_corpus(
            name,
            force=force,
            progress=progress,
            dedupe=overrides or None,
            compute=compute_from_options(compute, workers, scheduler),
            part_rows=part_rows if part_rows is not None else PART_ROWS,
        )
        counts = corpus.counts
        console.print(
            f"[bold]{corpus.name}[/]: read {counts['read']} = kept {counts['kept']} "
            f"+ duplicates {counts['duplicates']} + rejected {counts['rejected']} "
            f"-> {corpus.path}"
        )
        summaries.append(corpus.summary())
    _print_summary(pd.concat(summaries, ignore_index=True))


@corpus_app.command("summary")
@_friendly_errors
def corpus_summary(
    names: Annotated[list[str], typer.Argument(help="Registry names or card paths.")],
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
) -> None:
    """Print the per-outlet summary of built corpora (or of a subset)."""
    import pandas as pd

    from .datasets.build import load_corpus

    subset = subset_from_options(start, end, outlet, exclude_outlet, group)
    _print_summary(
        pd.concat(
            [load_corpus(n, build=False).summary(subset) for n in names],
            ignore_index=True,
        )
    )


@corpus_app.command("sql")
@_friendly_errors
def corpus_sql(
    corpus: Annotated[str, typer.Argument(help="Registry name or card path.")],
    query: Annotated[
        str,
        typer.Argument(
            help="DuckDB SQL over the views articles, duplicates, rejects, "
            "all_articles, mentions, features (and mentions_<lexicon>, "
            "features_<lexicon>)."
        ),
    ],
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
    limit: Annotated[int, typer.Option(help="Print at most this many rows.")] = 50,
    out: Annotated[
        str | None, typer.Option(help="Write the whole result to this CSV file.")
    ] = None,
) -> None:
    """Query a built corpus with SQL; subset options restrict every view."""
    import duckdb

    from ._cli_common import user_errors
    from .datasets.build import load_corpus
    from .subsets import corpus_outlets

    built = load_corpus(corpus, build=False)
    subset = subset_from_options(start, end, outlet, exclude_outlet, group)
    if subset is not None:
        subset.check_outlets(corpus_outlets(built), where=built.name)
    with user_errors(duckdb.Error):
        frame = built.sql(query, subset=subset)
    if out:
        frame.to_csv(out, index=False, lineterminator="\n")
        console.print(f"wrote {len(frame):,} rows to {out}", highlight=False)
    shown = frame.head(limit)
    console.print(shown.to_string(index=False), markup=False, highlight=False)
    if len(frame) > limit:
        console.print(f"({len(frame):,} rows; showing {limit})", highlight=False)


def _print_summary(frame: Any) -> None:
    # A subset that groups outlets gives one row per source.
    key = "source" if "source" in frame.columns else "outlet"
    table = Table(title=f"Per-{key} summary (canonical articles)")
    counts = ("documents", "words", "duplicates", "exact", "near", "rejected")
    for column in ("corpus", key, "documents", "words", "first", "last", *counts[2:]):
        table.add_column(column, justify="right" if column in counts else "left")
    for row in frame.itertuples(index=False):
        table.add_row(
            row.corpus,
            getattr(row, key),
            f"{row.documents:,}",
            f"{row.words:,}",
            _day(row.first),
            _day(row.last),
            f"{row.duplicates:,}",
            _count(getattr(row, "exact_duplicates", None)),
            _count(getattr(row, "near_duplicates", None)),
            f"{row.rejected:,}",
        )
    console.print(table)
    if "dedupe" in frame.columns:
        for corpus, policy in frame[["corpus", "dedupe"]].drop_duplicates().values:
            console.print(
                f"{corpus}: duplicates removed under dedupe policy {policy} "
                "(mode, scope, window)",
                highlight=False,
            )


def _count(value: Any) -> str:
    return "-" if value is None else f"{int(value):,}"


def _day(value: Any) -> str:
    import pandas as pd

    return (
        "-"
        if value is None or pd.isna(value)
        else pd.Timestamp(value).strftime("%Y-%m-%d")
    )


@frames_app.command("lexicons")
@_friendly_errors
def frames_lexicons() -> None:
    """List the built-in lexicons and their frames."""
    from .frames import builtin_lexicons, load_lexicon

    table = Table(title="Built-in lexicons")
    for column in ("lexicon", "languages", "frames"):
        table.add_column(column, overflow="fold")
    for name in builtin_lexicons():
        lexicon = load_lexicon(name)
        table.add_row(
            name, ", ".join(lexicon.languages), ", ".join(lexicon.frame_names)
        )
    console.print(table)


@frames_app.command("detect")
@_friendly_errors
def frames_detect(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    lexicon: Annotated[str, typer.Option(help="Built-in lexicon or a .toml path.")] = (
        "war-naming"
    ),
    voice_rules: Annotated[
        str | None, typer.Option(help="TOML file of extra voice cues.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
    fields: Annotated[
        str,
        typer.Option(
            help="Fields whose mentions the features count: text, title or "
            "title,text (mentions are found in both either way)."
        ),
    ] = "text",
    compute: ComputeOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Find lexicon mentions with their voice; write mentions and features.

    Detection always covers the whole corpus (the stored results are the
    corpus's); subset options restrict the counts printed. Titles and texts
    are both scanned; --fields says which the features and counts use.
    """
    from .datasets.build import load_corpus
    from .frames.detect import check_fields
    from .frames.run import detect_corpus

    try:
        chosen = check_fields(tuple(f.strip() for f in fields.split(",") if f.strip()))
    except ValueError:
        raise typer.BadParameter(
            f"{fields!r}: give text, title or title,text", param_hint="--fields"
        ) from None
    built = load_corpus(corpus, progress=progress)
    subset = subset_from_options(start, end, outlet, exclude_outlet, group)
    if subset is not None:
        from .subsets import corpus_outlets

        subset.check_outlets(corpus_outlets(built), where=built.name)
    result = detect_corpus(
        built,
        lexicon=lexicon,
        voice_rules=voice_rules,
        progress=progress,
        fields=chosen,
        compute=compute_from_options(compute, workers, scheduler),
    )
    counts = result.counts()
    scope = ""
    if subset is not None:
        counts = _subset_counts(built, subset, result, counts)
        scope = ", subset"
    what = f"{result.lexicon}{scope}, {'+'.join(result.fields)}"
    table = Table(title=f"{result.corpus}: mentions by frame and voice ({what})")
    table.add_column("frame")
    for voice in counts.columns:
        table.add_column(voice, justify="right")
    for frame, row in counts.iterrows():
        table.add_row(str(frame), *(f"{v:,}" for v in row))
    console.print(table)
    console.print(f"mentions and features: {result.path}")


def _subset_counts(built: Any, subset: Any, result: Any, counts: Any) -> Any:
    """Mentions by frame and voice in the subset, as ``result.counts()``."""
    from .frames.detect import counted_mentions
    from .subsets import subset_mentions

    mentions = subset_mentions(built, subset, lexicon=result.lexicon)
    mentions = counted_mentions(mentions, result.fields)
    mentions = mentions[mentions["referent"].isin(result.manifest["referents"])]
    table = (
        mentions.groupby(["frame", "voice"]).size().unstack(fill_value=0)
        if len(mentions)
        else None
    )
    if table is None:
        return counts * 0
    return table.reindex(index=counts.index, columns=counts.columns, fill_value=0)


@frames_app.command("kwic")
@_friendly_errors
def frames_kwic(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    lexicon: Annotated[str, typer.Option(help="Lexicon whose results to show.")] = (
        "war-naming"
    ),
    frame: Annotated[list[str] | None, typer.Option(help="Only these frames.")] = None,
    voice: Annotated[list[str] | None, typer.Option(help="Only these voices.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many lines.")] = 30,
    width: Annotated[int, typer.Option(help="Context characters per side.")] = 50,
    seed: Annotated[
        int | None, typer.Option(help="Random sample with this seed.")
    ] = None,
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
) -> None:
    """Show stored mentions in context (run `frames detect` first).

    Mentions in titles and texts are shown; when there are title mentions,
    each line says which field it is from.
    """
    from .datasets.build import load_corpus
    from .frames.kwic import kwic
    from .frames.run import load_detection
    from .subsets import subset_mentions

    built = load_corpus(corpus, build=False)
    subset = subset_from_options(start, end, outlet, exclude_outlet, group)
    detection = load_detection(built, lexicon)
    mentions = (
        detection.all_mentions
        if subset is None
        else subset_mentions(built, subset, lexicon=lexicon)
    )
    view = kwic(
        mentions,
        built,
        width=width,
        frames=frame,
        voices=voice,
        limit=limit,
        seed=seed,
    )
    console.print(str(view), markup=False, highlight=False, soft_wrap=True)


@frames_app.command("sample")
@_friendly_errors
def frames_sample(
    corpus: Annotated[
        str, typer.Argument(help="Registry name of a corpus or a card path.")
    ],
    out: Annotated[
        str, typer.Option(help="Coding sheet to write (.csv or .xlsx).")
    ] = "coding-sample.csv",
    n: Annotated[int, typer.Option(help="Detected mentions to draw.")] = 300,
    no_mention: Annotated[
        int, typer.Option(help="Sentences without a mention to draw (misses).")
    ] = 60,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    lexicon: Annotated[str, typer.Option(help="Built-in lexicon or a .toml path.")] = (
        "war-naming"
    ),
    context_words: Annotated[
        str | None,
        typer.Option(
            help="Regular expression: only sentences matching it are no-mention "
            "candidates."
        ),
    ] = None,
    context: Annotated[int, typer.Option(help="Context characters per side.")] = 200,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing sheet.")] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="A coded sheet or gold file whose documents are left out (an "
            "earlier round); repeatable."
        ),
    ] = None,
) -> None:
    """Draw a blind, stratified coding sample (mentions and no-mention sentences)."""
    from .datasets.build import load_corpus
    from .frames.validation import coded_documents, sample_corpus

    built = load_corpus(corpus)
    excluded = coded_documents(exclude or [])
    with console.status(f"detecting and sampling {built.name}"):
        sheet, key, sample = sample_corpus(
            built,
            out,
            lexicon=lexicon,
            n=n,
            no_mention=no_mention,
            context_words=context_words,
            context=context,
            seed=seed,
            overwrite=overwrite,
            exclude_docs=excluded,
        )
    if excluded:
        ids = set(built.articles(columns=["doc_id"])["doc_id"].astype(str))
        console.print(
            f"left out {len(excluded & ids)} documents of earlier rounds",
            highlight=False,
        )
    kinds = sample["kind"].value_counts()
    table = Table(title=f"{built.name}: coding sample (seed {seed})")
    for column in ("outlet", "mentions", "no-mention sentences"):
        table.add_column(column, justify="left" if column == "outlet" else "right")
    counts = sample.groupby(["outlet", "kind"]).size().unstack(fill_value=0)
    for outlet, row in counts.iterrows():
        table.add_row(
            str(outlet),
            str(int(row.get("mention", 0))),
            str(int(row.get("no-mention", 0))),
        )
    console.print(table)
    console.print(
        f"{int(kinds.get('mention', 0))} mentions and "
        f"{int(kinds.get('no-mention', 0))} no-mention sentences",
        highlight=False,
    )
    console.print(f"coding sheet (blind): {sheet}", highlight=False)
    console.print(f"key (detector labels, weights; keep from coders): {key}")
    console.print(
        f"after coding: framing frames validate {built.name} --gold {sheet}",
        highlight=False,
    )


@frames_app.command("validate")
@_friendly_errors
def frames_validate(
    corpus: Annotated[
        str | None,
        typer.Argument(
            help="Registry name or card path of a corpus to validate on (with "
            "--gold); "
            "without it, the shipped press-release gold set is scored."
        ),
    ] = None,
    gold: Annotated[
        str | None,
        typer.Option(help="Gold file or coded sample sheet (.csv/.xlsx) for CORPUS."),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(help="Score only the 'dev' or 'test' part of the gold set."),
    ] = None,
    lexicon: Annotated[str, typer.Option(help="Built-in lexicon or a .toml path.")] = (
        "war-naming"
    ),
    key: Annotated[
        str | None,
        typer.Option(help="Key file of a coded sheet (default: <sheet>.key.csv)."),
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Write the tidy scores to this CSV file.")
    ] = None,
    n_boot: Annotated[
        int, typer.Option(help="Bootstrap replicates (weighted samples).")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    markdown: Annotated[
        str | None,
        typer.Option(help="Also write the per-voice table as Markdown to this file."),
    ] = None,
    merge_voice: Annotated[
        list[str] | None,
        typer.Option(
            help="Score a voice as another, on both sides, e.g. reported=own "
            "(repeatable); for gold coded without the voice."
        ),
    ] = None,
) -> None:
    """Score the detector: on CORPUS against --gold, else on the shipped gold set."""
    from pathlib import Path

    from .frames.validation import GoldError

    if corpus is None:
        if gold is not None:
            raise GoldError("--gold needs a CORPUS to validate on")
        from .frames.validation import evaluate_gold

        with console.status("scoring the gold set"):
            result = evaluate_gold(split=None if split in (None, "all") else split)
        console.print(result.summary(), markup=False, highlight=False)
        if markdown:
            Path(markdown).write_text(result.to_markdown() + "\n", encoding="utf-8")
            console.print(f"written: {markdown}")
        return
    if gold is None:
        raise GoldError(
            "give --gold SHEET: a gold file or a sheet from `framing frames sample`"
        )
    from .datasets.build import load_corpus
    from .frames.validation import METRICS, validate_corpus
    from .frames.voice import VOICES

    merges: dict[str, str] = {}
    for item in merge_voice or []:
        source, _, target = item.partition("=")
        if source not in VOICES or target not in VOICES:
            raise GoldError(
                f"--merge-voice {item!r}: give VOICE=VOICE with voices among "
                f"{list(VOICES)}, e.g. reported=own"
            )
        merges[source] = target
    built = load_corpus(corpus)
    with console.status(f"scoring {built.name} against {gold}"):
        validation = validate_corpus(
            built,
            gold,
            lexicon=lexicon,
            split=split or "all",
            key=key,
            n_boot=n_boot,
            seed=seed,
            merge_voices=merges or None,
        )
    level = int(round(validation.ci_level * 100))
    for by in ("frame", "outlet", "all"):
        wide = validation.table(by, cells=True)
        if wide.empty:
            continue
        table = Table(
            title=f"{built.name}: detector vs gold by {by} ({level}% intervals, "
            f"{'weighted' if validation.weighted else 'unweighted'})"
        )
        table.add_column(by)
        for metric in METRICS:
            table.add_column(metric.replace("_", " "), justify="right")
        table.add_column("gold", justify="right")
        for row in wide.to_dict("records"):
            flag = " (few)" if row["few_gold"] else ""
            table.add_row(
                str(row[by]),
                *(row[m] for m in METRICS),
                f"{row['gold']}{flag}",
            )
        console.print(table)
    if not validation.confusion.empty:
        console.print("Voice: coded (rows) by detected (columns)")
        console.print(validation.confusion.to_string(), markup=False, highlight=False)
    for note in validation.notes:
        console.print(f"- {note}", markup=False, highlight=False)
    if out:
        validation.scores.to_csv(out, index=False, lineterminator="\n")
        console.print(f"written: {out}", highlight=False)


_register_stage_commands()

if __name__ == "__main__":  # pragma: no cover
    app()
