"""``framing classify``: annotate, agreement, train, evaluate, predict.

Registered by :mod:`framing.cli` as ``app.add_typer(classify_app, name="classify")``.
Labels files (``train``/``evaluate``) are CSV or Parquet with ``doc_id`` and
a label column (e.g. the gold table of ``classify agreement --gold``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..._cli_common import console, friendly_errors
from ...errors import FramingError

classify_app = typer.Typer(
    help="Supervised frame classifiers: annotation, training, validation, prediction.",
    no_args_is_help=True,
)


# Input mistakes surface as ValueError from scikit-learn and pandas here.
_friendly = friendly_errors(ValueError)


def _read_table(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise FramingError(f"{path}: no such file; give the labels as CSV or Parquet")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"doc_id": str})


def _labelled(corpus: str, labels: Path, label_column: str) -> tuple[Any, list[str]]:
    from ...datasets.build import load_corpus

    table = _read_table(labels)
    for column in ("doc_id", label_column):
        if column not in table:
            raise FramingError(f"{labels}: no {column!r} column")
    table = table.dropna(subset=[label_column])
    articles = load_corpus(corpus).articles(
        columns=["doc_id", "text", "outlet", "published"]
    )
    docs = articles.merge(
        table[["doc_id", label_column]].astype({"doc_id": str}), on="doc_id"
    )
    if docs.empty:
        raise FramingError(f"{labels}: no doc_id matches a document of {corpus}")
    return docs.drop(columns=label_column), docs[label_column].astype(str).tolist()


@classify_app.command("annotate")
@_friendly
def annotate(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    scheme: Annotated[Path, typer.Option(help="Coding scheme TOML.")],
    out: Annotated[Path, typer.Option(help="Folder for the sheets.")],
    coder: Annotated[list[str], typer.Option(help="Coder names (repeat).")],
    n: Annotated[int, typer.Option(help="Documents to sample.")] = 200,
    by: Annotated[
        list[str] | None, typer.Option(help="Strata: outlet, period, predicted.")
    ] = None,
    period: Annotated[str, typer.Option(help="Period length: M, Q or Y.")] = "Q",
    predictions: Annotated[
        str | None, typer.Option(help="Stored prediction run to stratify on.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
) -> None:
    """Draw a stratified sample and write one coding sheet per coder."""
    from ...annotation import CodingScheme
    from ...datasets.build import load_corpus
    from .annotate import sample_documents, write_sheets
    from .predict import load_predictions

    built = load_corpus(corpus)
    predicted = (
        load_predictions(built, predictions).predictions if predictions else None
    )
    strata = by or (
        ["outlet", "period"] + (["predicted"] if predicted is not None else [])
    )
    sample = sample_documents(
        built, n=n, by=strata, period=period, predictions=predicted, seed=seed
    )
    out.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out / "sample.csv", index=False)
    paths = write_sheets(
        sample, out, CodingScheme.from_toml(scheme), coders=coder, suffix=f".{fmt}"
    )
    console.print(f"{len(sample)} documents in {sample['stratum'].nunique()} strata")
    for name, path in paths.items():
        console.print(f"  {name}: {path}")
    console.print(f"sample with weights: {out / 'sample.csv'}")


@classify_app.command("agreement")
@_friendly
def agreement_command(
    sheets: Annotated[list[Path], typer.Argument(help="Filled coding sheets.")],
    scheme: Annotated[Path, typer.Option(help="Coding scheme TOML.")],
    adjudication: Annotated[
        Path | None, typer.Option(help="Write the disagreements here.")
    ] = None,
    adjudicated: Annotated[
        Path | None, typer.Option(help="A filled adjudication sheet to merge.")
    ] = None,
    gold: Annotated[
        Path | None, typer.Option(help="Write the gold table (CSV).")
    ] = None,
    sample: Annotated[
        Path | None, typer.Option(help="sample.csv, for context in adjudication.")
    ] = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
) -> None:
    """Krippendorff's alpha; adjudication sheet; gold table."""
    from ...annotation import CodingScheme
    from .annotate import (
        document_agreement,
        gold_labels,
        read_sheets,
        write_adjudication,
    )

    coding_scheme = CodingScheme.from_toml(scheme)
    codings = read_sheets(sheets, coding_scheme)
    console.print(document_agreement(codings, coding_scheme, n_boot=n_boot).summary())
    if adjudication is not None:
        context = _read_table(sample) if sample is not None else None
        rows = write_adjudication(codings, adjudication, coding_scheme, sample=context)
        console.print(f"{len(rows)} disagreements -> {adjudication}")
    if gold is not None:
        if adjudicated is None:
            raise FramingError("--gold needs --adjudicated (the filled sheet)")
        table = gold_labels(codings, adjudicated, coding_scheme)
        table.to_csv(gold, index=False)
        console.print(f"gold table ({len(table)} documents) -> {gold}")


@classify_app.command("train")
@_friendly
def train(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    labels: Annotated[Path, typer.Option(help="CSV/Parquet with doc_id and labels.")],
    out: Annotated[Path, typer.Option(help="Model file (.skops).")],
    label_column: Annotated[str, typer.Option(help="Label column.")] = "label",
    model: Annotated[str, typer.Option(help="logreg or svm.")] = "logreg",
    c: Annotated[float, typer.Option("--C", help="Inverse regularisation.")] = 1.0,
) -> None:
    """Fit a classifier on labelled documents and save it (skops)."""
    from .persist import save_model
    from .pipeline import FrameClassifier

    docs, y = _labelled(corpus, labels, label_column)
    clf = FrameClassifier(model=model, C=c).fit(docs, y)
    path = save_model(
        clf, out, metadata={"corpus": corpus, "labels": str(labels), "n": len(y)}
    )
    console.print(
        f"trained on {len(y)} documents, {len(clf.classes_)} frames -> {path}"
    )


@classify_app.command("evaluate")
@_friendly
def evaluate(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    labels: Annotated[Path, typer.Option(help="CSV/Parquet with doc_id and labels.")],
    label_column: Annotated[str, typer.Option(help="Label column.")] = "label",
    scheme: Annotated[
        list[str] | None, typer.Option(help="stratified, group, time (repeat).")
    ] = None,
    model: Annotated[str, typer.Option(help="logreg or svm.")] = "logreg",
    folds: Annotated[int, typer.Option(help="Outer folds.")] = 5,
    repeats: Annotated[int, typer.Option(help="Repeats (stratified).")] = 1,
    grid: Annotated[str, typer.Option(help="Values of C for the inner search.")] = (
        "0.3,1,3"
    ),
    out: Annotated[
        Path | None, typer.Option(help="Write the tidy table (CSV).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Nested cross-validation under several schemes, side by side."""
    import pandas as pd

    from .pipeline import FrameClassifier
    from .validate import compare, validate

    docs, y = _labelled(corpus, labels, label_column)
    results = []
    for name in scheme or ["stratified", "group", "time"]:
        result = validate(
            FrameClassifier(model=model),
            docs,
            y,
            scheme=name,
            n_splits=folds,
            n_repeats=repeats,
            param_grid={"C": [float(v) for v in grid.split(",")]},
            progress=progress,
        )
        console.print(result.summary())
        results.append(result)
    console.print(compare(results).to_string(index=False))
    if out is not None:
        pd.concat([r.table for r in results]).to_csv(out, index=False)
        console.print(f"table -> {out}")


@classify_app.command("predict")
@_friendly
def predict(
    corpus: Annotated[str, typer.Argument(help="Registry name of a corpus.")],
    model: Annotated[Path, typer.Option(help="Model file (.skops).")],
    name: Annotated[str, typer.Option(help="Name of the prediction run.")] = "frames",
    trusted: Annotated[
        list[str] | None, typer.Option(help="Extra trusted types (check first).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Documents per batch.")] = 1000,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Predict per-document frame probabilities over a corpus store."""
    from ...datasets.build import load_corpus
    from .persist import load_model
    from .predict import predict_corpus

    clf = load_model(model, trusted=trusted or ())
    run = predict_corpus(
        clf, load_corpus(corpus), name=name, batch_size=batch_size, progress=progress
    )
    console.print(run.summary())
