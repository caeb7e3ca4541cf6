"""``framing stats``: common analyses from the stored feature tables.

Each command reads ``<corpus store>/frames/<lexicon>/features.parquet``
(running detection first when it is missing), fits one model, prints its
``summary()`` and, with ``--out``, writes the table as CSV (``.csv``) or
LaTeX (``.tex``). Register with ``app.add_typer(stats_app, name="stats")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from .._cli_common import (
    EndOpt,
    ExcludeOutletOpt,
    GroupOpt,
    OutletOpt,
    StartOpt,
    subset_from_options,
    user_errors,
)
from ..errors import FramingError

ErrorModel = Literal["ar1", "hac"]

stats_app = typer.Typer(
    help="Statistics of framing: presence, rates, time series, vocabulary.",
    no_args_is_help=True,
)

CorpusArg = Annotated[str, typer.Argument(help="Registered corpus name.")]
FrameOpt = Annotated[str, typer.Option(help="Frame, e.g. invasion.")]
VoiceOpt = Annotated[str, typer.Option(help="Voice: own, quoted... or 'any'.")]
LexiconOpt = Annotated[str, typer.Option(help="Lexicon whose features to use.")]
OutOpt = Annotated[
    Path | None, typer.Option(help="Write the table: .csv or .tex (LaTeX).")
]
AdjustOpt = Annotated[str, typer.Option(help="Multiple testing: bh, holm, none.")]
ClusterOpt = Annotated[
    str,
    typer.Option(
        help="Cluster-robust SEs by these comma-separated columns "
        "(default outlet,day); 'none' turns clustering off (with a warning)."
    ),
]
FamilyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--family",
        help="Document-level model: negbin, quasipoisson or poisson; repeat for "
        "several (default: quasipoisson and negbin).",
    ),
]


def _cluster(value: str) -> list[str] | None:
    """``--cluster outlet,day`` -> ["outlet", "day"]; ``none`` -> None."""
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names or names == ["none"]:
        return None
    return names


def _features(corpus: str, lexicon: str, subset: Any = None) -> Any:
    """The feature table, restricted to ``subset``; with groups, the
    ``outlet`` column holds each document's source (the unit compared)."""
    from ..datasets.build import load_corpus
    from ._common import feature_table

    built = load_corpus(corpus)
    if subset is None:
        return feature_table(built, lexicon=lexicon)
    from ..subsets import subset_feature_table

    data = subset_feature_table(built, subset, lexicon=lexicon)
    if data.empty:
        raise FramingError(f"{corpus}: no documents in the subset {subset.as_dict()}")
    if "source" in data.columns:
        data["outlet"] = data.pop("source")
    return data


def _column(data: Any, kind: str, frame: str, voice: str) -> str:
    """The feature column for frame and voice; an error lists what exists."""
    from ..frames.detect import feature_column
    from ..frames.voice import VOICES

    if voice == "any":
        if kind != "has":
            raise FramingError("--voice any works for presence only; name a voice")
        column = feature_column("has", frame)
    else:
        column = feature_column(kind, frame, voice)
    if column not in data.columns:
        frames = sorted(
            {
                c.split("__")[1].replace("_", "-")
                for c in data.columns
                if c.startswith("has__")
            }
        )
        raise FramingError(
            f"no feature {column!r}: frames are {frames}, voices are "
            f"{list(VOICES)} (or 'any' for presence)"
        )
    return column


def _emit(result: Any, out: Path | None) -> None:
    typer.echo(result.summary())
    if out is None:
        return
    tables = getattr(result, "results", None)
    first = next(iter(tables.values())) if tables else result
    if out.suffix == ".tex":
        out.write_text(first.to_latex() + "\n", encoding="utf-8")
    else:
        first.table.to_csv(out, index=False)
    typer.echo(f"wrote {out}")


def _run(command: Any) -> None:
    with user_errors():
        command()


@stats_app.command("presence")
def presence(
    corpus: CorpusArg,
    frame: FrameOpt = "invasion",
    voice: VoiceOpt = "own",
    event: Annotated[str, typer.Option(help="Split date of the period.")] = (
        "2022-02-24"
    ),
    lexicon: LexiconOpt = "war-naming",
    out: OutOpt = None,
    p_adjust: AdjustOpt = "bh",
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
    cluster: ClusterOpt = "outlet,day",
) -> None:
    """Logit of frame presence by outlet x period, SEs clustered by outlet-day.

    With --group, the groups (sources) take the place of outlets.
    """

    def command() -> None:
        from ._common import add_period
        from .presence import fit_presence

        subset = subset_from_options(start, end, outlet, exclude_outlet, group)
        data = add_period(_features(corpus, lexicon, subset), event)
        result = fit_presence(
            data,
            _column(data, "has", frame, voice),
            cluster=_cluster(cluster),
            p_adjust=p_adjust,
        )
        _emit(result, out)

    _run(command)


@stats_app.command("rates")
def rates(
    corpus: CorpusArg,
    frame: FrameOpt = "invasion",
    voice: VoiceOpt = "own",
    by: Annotated[str, typer.Option(help="Group column: outlet or period.")] = (
        "outlet"
    ),
    reference: Annotated[str | None, typer.Option(help="Reference level.")] = None,
    event: Annotated[str, typer.Option(help="Split date when --by period.")] = (
        "2022-02-24"
    ),
    lexicon: LexiconOpt = "war-naming",
    out: OutOpt = None,
    p_adjust: AdjustOpt = "bh",
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
    cluster: ClusterOpt = "outlet,day",
    family: FamilyOpt = None,
) -> None:
    """Rate ratios: exact token-level test beside document-level models.

    With --group, the groups (sources) take the place of outlets.
    """

    def command() -> None:
        from ._common import add_period
        from .rates import compare_rates

        subset = subset_from_options(start, end, outlet, exclude_outlet, group)
        data = add_period(_features(corpus, lexicon, subset), event)
        families = family or ["quasipoisson", "negbin"]
        unknown = [
            f for f in families if f not in ("negbin", "quasipoisson", "poisson")
        ]
        if unknown:
            raise FramingError(
                f"--family {unknown[0]!r}: use negbin, quasipoisson or poisson"
            )
        result = compare_rates(
            data,
            _column(data, "n", frame, voice),
            by=by,
            reference=reference,
            cluster=_cluster(cluster),
            families=families,  # type: ignore[arg-type]
            p_adjust=p_adjust,
        )
        _emit(result, out)

    _run(command)


@stats_app.command("its")
def its(
    corpus: CorpusArg,
    frame: FrameOpt = "invasion",
    voice: VoiceOpt = "own",
    event: Annotated[str, typer.Option(help="Event date.")] = "2022-02-24",
    outlet: OutletOpt = None,
    freq: Annotated[
        str,
        typer.Option(
            help="Period: D (days), W (weeks), M (months), Q (quarters), Y (years)."
        ),
    ] = "W",
    errors: Annotated[
        ErrorModel, typer.Option(help="Error model: ar1 (default) or hac.")
    ] = "ar1",
    estimation: Annotated[
        Literal["ml", "reml"],
        typer.Option(
            help="AR(1) estimation: ml (exact ML, Hessian SEs, as R arima) or "
            "reml (as nlme::gls; better coverage in short series)."
        ),
    ] = "ml",
    lexicon: LexiconOpt = "war-naming",
    out: OutOpt = None,
    p_adjust: AdjustOpt = "bh",
    start: StartOpt = None,
    end: EndOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
    source: Annotated[
        str | None, typer.Option(help="With --group: the one group to fit.")
    ] = None,
) -> None:
    """Interrupted time series of the rate per 1,000 words.

    Default: AR(1) errors by exact ML (unweighted weeks); --errors hac fits
    words-weighted WLS with Newey-West SEs (too narrow in short series).
    The series pools the documents of the subset (--outlet, --start...);
    --source fits one group of --group.
    """

    def command() -> None:
        from ..subsets import check_freq
        from .timeseries import fit_its, time_series

        code = check_freq(freq, key="--freq")
        subset = subset_from_options(start, end, outlet, exclude_outlet, group)
        data = _features(corpus, lexicon, subset)
        if source is not None:
            if subset is None or not subset.groups:
                raise FramingError("--source names a group: give the --group too")
            data = data[data["outlet"] == source]
            if data.empty:
                raise FramingError(
                    f"{corpus}: no documents in group {source!r}; groups are "
                    + ", ".join(repr(g) for g in subset.groups)
                )
        series = time_series(
            data, count=_column(data, "n", frame, voice), by=None, freq=code
        )
        result = fit_its(
            series,
            event=event,
            errors=errors,
            estimation=estimation,
            weights="words" if errors == "hac" else None,
            p_adjust=p_adjust,
        )
        _emit(result, out)

    _run(command)


@stats_app.command("words")
def words(
    corpus: CorpusArg,
    by: Annotated[str, typer.Option(help="Group column: outlet.")] = "outlet",
    top: Annotated[int, typer.Option(help="Rows shown per group and sign.")] = 15,
    min_count: Annotated[int, typer.Option(help="Minimum total count.")] = 10,
    prior_scale: Annotated[float, typer.Option(help="alpha_0 of the prior.")] = 500.0,
    out: OutOpt = None,
    p_adjust: AdjustOpt = "bh",
    start: StartOpt = None,
    end: EndOpt = None,
    outlet: OutletOpt = None,
    exclude_outlet: ExcludeOutletOpt = None,
    group: GroupOpt = None,
) -> None:
    """Fightin' Words: distinctive words of each group (vs the rest).

    With --group, --by source compares the groups.
    """

    def command() -> None:
        from ..datasets.build import load_corpus
        from ..subsets import subset_articles
        from .results import StatsResult
        from .vocab import fightin_words

        subset = subset_from_options(start, end, outlet, exclude_outlet, group)
        built = load_corpus(corpus)
        if subset is None:
            docs = built.articles(columns=["text", by])
        else:
            if by == "source" and not subset.groups:
                raise FramingError("--by source needs --group NAME=outlet1,outlet2")
            columns = ["text"] if by == "source" else ["text", by]
            docs = subset_articles(built, subset, columns=columns)
        result = fightin_words(
            docs,
            group=by,
            min_count=min_count,
            prior_scale=prior_scale,
            p_adjust=p_adjust,
        )
        if out is not None:
            _emit_file(result, out)
        table = result.table
        shown = (
            table.sort_values("z", ascending=False)
            .groupby("group", sort=False)
            .head(top)
            .sort_values(["group", "z"], ascending=[True, False])
        )
        typer.echo(
            StatsResult(
                table=shown,
                model=result.model,
                family=result.family,
                p_adjust=result.p_adjust,
                estimate_scale=result.estimate_scale,
                notes=[*result.notes, f"Showing the top {top} words per group."],
            ).summary()
        )

    _run(command)


def _emit_file(result: Any, out: Path) -> None:
    if out.suffix == ".tex":
        out.write_text(result.to_latex() + "\n", encoding="utf-8")
    else:
        result.table.to_csv(out, index=False)
