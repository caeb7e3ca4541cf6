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

from .._cli_common import user_errors
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


def _features(corpus: str, lexicon: str) -> Any:
    from ..datasets.build import load_corpus
    from ._common import feature_table

    return feature_table(load_corpus(corpus), lexicon=lexicon)


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
) -> None:
    """Logit of frame presence by outlet x period, SEs clustered by outlet-day."""

    def command() -> None:
        from ._common import add_period
        from .presence import fit_presence

        data = add_period(_features(corpus, lexicon), event)
        result = fit_presence(
            data,
            _column(data, "has", frame, voice),
            cluster=["outlet", "day"],
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
) -> None:
    """Rate ratios: exact token-level test beside document-level models."""

    def command() -> None:
        from ._common import add_period
        from .rates import compare_rates

        data = add_period(_features(corpus, lexicon), event)
        result = compare_rates(
            data,
            _column(data, "n", frame, voice),
            by=by,
            reference=reference,
            cluster=["outlet", "day"],
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
    outlet: Annotated[str | None, typer.Option(help="Outlet (default: all).")] = None,
    freq: Annotated[str, typer.Option(help="Period: W (weeks) or D.")] = "W",
    errors: Annotated[
        ErrorModel, typer.Option(help="Error model: ar1 (default) or hac.")
    ] = "ar1",
    lexicon: LexiconOpt = "war-naming",
    out: OutOpt = None,
    p_adjust: AdjustOpt = "bh",
) -> None:
    """Interrupted time series of the rate per 1,000 words.

    Default: AR(1) errors by exact ML (unweighted weeks); --errors hac fits
    words-weighted WLS with Newey-West SEs (too narrow in short series).
    """

    def command() -> None:
        from .timeseries import fit_its, time_series

        data = _features(corpus, lexicon)
        if outlet is not None:
            data = data[data["outlet"] == outlet]
            if data.empty:
                raise FramingError(f"{corpus}: no documents from outlet {outlet!r}")
        series = time_series(
            data, count=_column(data, "n", frame, voice), by=None, freq=freq
        )
        result = fit_its(
            series,
            event=event,
            errors=errors,
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
) -> None:
    """Fightin' Words: distinctive words of each group (vs the rest)."""

    def command() -> None:
        from ..datasets.build import load_corpus
        from .results import StatsResult
        from .vocab import fightin_words

        docs = load_corpus(corpus).articles(columns=["text", by])
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
