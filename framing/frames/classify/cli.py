"""``framing classify``: annotate, agreement, train, evaluate, predict.

Registered by :mod:`framing.cli` as ``app.add_typer(classify_app, name="classify")``.
A corpus is a registry name or the path of a corpus store. Labels
(``train``/``evaluate``) are either a CSV or Parquet file with ``doc_id`` and
a label column (e.g. the gold table of ``classify agreement --gold``;
multi-label values as ``"a;b"`` with ``--multilabel``), or weak labels
derived from a lexicon's stored detection run (``--weak-labels war-naming``:
each document's dominant own-voice naming, see
:func:`~framing.frames.classify.naming_labels`), in which case the lexicon's
terms are masked in training, validation and every later prediction.
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

_LabelsOption = Annotated[
    Path | None,
    typer.Option(help="CSV/Parquet with doc_id and labels (or --weak-labels)."),
]
_WeakOption = Annotated[
    str | None,
    typer.Option(
        "--weak-labels",
        help="Lexicon whose dominant own-voice frame is the label (war-naming: "
        "war-invasion vs special-operation); its terms are masked.",
    ),
]
_MaskOption = Annotated[
    str | None,
    typer.Option(
        help="Lexicon whose terms are masked before featurising, in training "
        "and prediction alike (default: the --weak-labels lexicon)."
    ),
]
_MultiOption = Annotated[
    bool,
    typer.Option(help="Several frames per document (labels 'a;b'); one-vs-rest."),
]


def _read_table(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise FramingError(f"{path}: no such file; give the labels as CSV or Parquet")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"doc_id": str})


def _open_corpus(corpus: str, progress: bool = False) -> Any:
    """A corpus store by registry name or store path."""
    from ...store import MANIFEST_FILE, Corpus

    if (Path(corpus) / MANIFEST_FILE).is_file():
        return Corpus(corpus)
    from ...datasets.build import load_corpus

    return load_corpus(corpus, progress=progress)


def _labelled(
    corpus: str,
    labels: Path | None,
    label_column: str,
    *,
    weak_labels: str | None = None,
    multilabel: bool = False,
    progress: bool = False,
) -> tuple[Any, Any, list[str], str]:
    """The corpus, its labelled documents, their labels and where those came from.

    Documents have ``doc_id, text, outlet, published``. A labels file is
    read (and checked) before the corpus is opened, which may build it.
    """
    from ..lexicon import load_lexicon
    from .masking import NAMING_GROUPS, naming_labels

    if (labels is None) == (weak_labels is None):
        raise FramingError("give the labels: --labels FILE or --weak-labels LEXICON")
    if labels is not None:
        table = _read_table(labels)
        for column in ("doc_id", label_column):
            if column not in table:
                raise FramingError(f"{labels}: no {column!r} column")
        table = table.dropna(subset=[label_column])
        source = str(labels)
        built = _open_corpus(corpus, progress)
    else:
        assert weak_labels is not None
        lexicon = load_lexicon(weak_labels)
        built = _open_corpus(corpus, progress)
        # war-naming: the two labels of the Russia–Ukraine experiment
        groups = NAMING_GROUPS if lexicon.name == "war-naming" else None
        table = naming_labels(
            built, lexicon=weak_labels, groups=groups, progress=progress
        )
        label_column, source = "label", f"weak: own-voice {lexicon.name}"
    articles = built.articles(columns=["doc_id", "text", "outlet", "published"])
    docs = articles.merge(
        table[["doc_id", label_column]].astype({"doc_id": str}), on="doc_id"
    )
    if docs.empty:
        raise FramingError(f"{source}: no labelled document of {built.name}")
    y = docs[label_column].astype(str).tolist()
    if not multilabel and any(";" in v for v in y):
        raise FramingError(
            f"{source}: labels such as {next(v for v in y if ';' in v)!r} hold "
            "several frames; pass --multilabel"
        )
    return built, docs.drop(columns=label_column), y, source


def _side_by_side(table: Any) -> str:
    """One row per scheme, one ``estimate [low, high]`` column per metric."""
    shown = table[["scheme", "folds"]].copy()
    for column in table.columns:
        if column.endswith("_ci"):
            shown[column.removesuffix("_ci")] = table[column]
    return str(shown.to_string(index=False))


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
    from .annotate import sample_documents, write_sheets
    from .predict import load_predictions

    built = _open_corpus(corpus)
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
    corpus: Annotated[str, typer.Argument(help="Registry name or store path.")],
    out: Annotated[Path, typer.Option(help="Model file (.skops).")],
    labels: _LabelsOption = None,
    label_column: Annotated[str, typer.Option(help="Label column.")] = "label",
    weak_labels: _WeakOption = None,
    mask: _MaskOption = None,
    multilabel: _MultiOption = False,
    model: Annotated[str, typer.Option(help="logreg or svm.")] = "logreg",
    c: Annotated[float, typer.Option("--C", help="Inverse regularisation.")] = 1.0,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Fit a classifier on labelled documents and save it (skops + sidecar)."""
    from .masking import masking_config
    from .persist import save_model
    from .pipeline import FrameClassifier

    built, docs, y, source = _labelled(
        corpus,
        labels,
        label_column,
        weak_labels=weak_labels,
        multilabel=multilabel,
        progress=progress,
    )
    clf = FrameClassifier(
        model=model, C=c, multilabel=multilabel, mask=mask or weak_labels
    ).fit(docs, y)
    path = save_model(
        clf, out, metadata={"corpus": built.name, "labels": source, "n": len(y)}
    )
    console.print(
        f"trained on {len(y)} documents, {len(clf.classes_)} frames -> {path}"
    )
    config = masking_config(clf)
    if config is not None:
        console.print(
            f"masked: every {config['name']} term (lexicon sha256 "
            f"{config['sha256'][:12]}), stored in the model for prediction"
        )


@classify_app.command("evaluate")
@_friendly
def evaluate(
    corpus: Annotated[str, typer.Argument(help="Registry name or store path.")],
    labels: _LabelsOption = None,
    label_column: Annotated[str, typer.Option(help="Label column.")] = "label",
    weak_labels: _WeakOption = None,
    mask: _MaskOption = None,
    multilabel: _MultiOption = False,
    scheme: Annotated[
        list[str] | None,
        typer.Option(help="stratified, group, time (repeat; default all three)."),
    ] = None,
    model: Annotated[str, typer.Option(help="logreg or svm.")] = "logreg",
    folds: Annotated[int, typer.Option(help="Outer folds.")] = 5,
    repeats: Annotated[int, typer.Option(help="Repeats (stratified).")] = 1,
    grid: Annotated[str, typer.Option(help="Values of C for the inner search.")] = (
        "0.3,1,3"
    ),
    group_column: Annotated[
        str, typer.Option(help="Groups of the group scheme.")
    ] = "outlet",
    out: Annotated[
        Path | None, typer.Option(help="Write the tidy table (CSV).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Nested cross-validation under several schemes, side by side.

    Single-label: accuracy, macro-F1, per-frame P/R/F1, Brier; multi-label
    (--multilabel): subset accuracy, Hamming loss, micro/macro-F1 and
    per-frame scores; all with confidence intervals across folds.
    """
    import pandas as pd

    from .pipeline import FrameClassifier
    from .validate import SCHEMES, compare, validate

    schemes = scheme or list(SCHEMES)
    unknown = [s for s in schemes if s not in SCHEMES]
    if unknown:
        raise FramingError(f"unknown scheme(s) {unknown}; choose from {SCHEMES}")
    try:
        values = [float(v) for v in grid.split(",")]
    except ValueError:
        raise FramingError(
            f"--grid {grid!r}: give numbers separated by commas"
        ) from None
    built, docs, y, source = _labelled(
        corpus,
        labels,
        label_column,
        weak_labels=weak_labels,
        multilabel=multilabel,
        progress=progress,
    )
    estimator = FrameClassifier(
        model=model, multilabel=multilabel, mask=mask or weak_labels
    )
    console.print(
        f"{built.name}: {len(y)} labelled documents ({source})"
        + (f", {estimator.mask} terms masked" if estimator.mask else "")
    )
    results = []
    for name in schemes:
        result = validate(
            estimator,
            docs,
            y,
            scheme=name,
            n_splits=folds,
            n_repeats=repeats,
            group_column=group_column,
            param_grid={"C": values},
            progress=progress,
        )
        console.print(result.summary())
        results.append(result)
    console.print("\nschemes side by side (estimate [CI]):")
    console.print(_side_by_side(compare(results)), soft_wrap=True)
    if out is not None:
        pd.concat([r.table for r in results]).to_csv(out, index=False)
        console.print(f"table -> {out}")


@classify_app.command("predict")
@_friendly
def predict(
    corpus: Annotated[str, typer.Argument(help="Registry name or store path.")],
    model: Annotated[Path, typer.Option(help="Model file (.skops).")],
    name: Annotated[str, typer.Option(help="Name of the prediction run.")] = "frames",
    trusted: Annotated[
        list[str] | None, typer.Option(help="Extra trusted types (check first).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Documents per batch.")] = 1000,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Predict per-document frame probabilities over a corpus store.

    A model trained with masking masks every document the same way (the
    lexicon is stored in the model file).
    """
    from .persist import load_model
    from .predict import predict_corpus

    clf = load_model(model, trusted=trusted or ())
    run = predict_corpus(
        clf,
        _open_corpus(corpus, progress),
        name=name,
        batch_size=batch_size,
        progress=progress,
    )
    console.print(run.summary())
