"""Frame probabilities for every document of a corpus store, in batches.

Results go to ``<store>/classify/<name>/predictions.parquet`` (``doc_id``,
``predicted`` and one ``p__<frame>`` column per frame; for multi-label
models ``predicted`` holds the frames with p >= 0.5 joined by ``;``) with a
``manifest.json``; the folder is built under a temporary name and moved
into place, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...store import Corpus, ParquetSink, atomic_directory, write_json_atomic
from .masking import masking_config
from .pipeline import join_features, probability_column

__all__ = ["PredictionRun", "predict_corpus", "load_predictions"]


@dataclass(frozen=True)
class PredictionRun:
    """Where a prediction run was written, and its manifest."""

    corpus: str
    name: str
    path: Path
    manifest: dict[str, Any]

    @property
    def predictions(self) -> pd.DataFrame:
        """The per-document predictions (joinable on ``doc_id``)."""
        return pq.read_table(self.path / "predictions.parquet").to_pandas()

    def summary(self) -> str:
        """Documents, predicted-frame counts and the masking, if any."""
        counts = self.manifest["counts"]
        lines = [f"{self.corpus}: {counts['documents']} documents -> {self.path}"]
        mask = self.manifest.get("model", {}).get("mask")
        if mask:
            lines.append(
                f"  masked before prediction: every {mask['name']} term "
                f"(lexicon sha256 {mask['sha256'][:12]})"
            )
        for frame, n in counts["predicted"].items():
            lines.append(f"  {frame}: {n}")
        return "\n".join(lines)


def _schema(classes: list[str]) -> pa.Schema:
    fields = [pa.field("doc_id", pa.string()), pa.field("predicted", pa.string())]
    fields += [pa.field(probability_column(c), pa.float64()) for c in classes]
    return pa.schema(fields)


def predict_corpus(
    model: Any,
    corpus: Corpus,
    *,
    name: str = "frames",
    features: pd.DataFrame | None = None,
    batch_size: int = 1000,
    progress: bool = False,
) -> PredictionRun:
    """Predict frame probabilities for every canonical article of ``corpus``.

    Parameters
    ----------
    model : FrameClassifier
        A fitted model. A model trained with ``mask`` (or ``weak_labels``)
        masks every batch with the lexicon it stored at fit, exactly as in
        training; the manifest records that masking (``model.mask``).
    corpus : Corpus
    name : str
        Sub-folder of ``<store>/classify/``.
    features : pandas.DataFrame, optional
        Extra feature columns (``doc_id`` + the model's ``extra_features``),
        e.g. stored lexicon features, joined to each batch on ``doc_id``.
    batch_size : int
        Documents per batch (memory is bounded by it).
    progress : bool
        Show a progress bar.

    Returns
    -------
    PredictionRun

    Examples
    --------
    >>> import tempfile
    >>> from framing.synthetic import write_synthetic_corpus
    >>> from framing.frames.classify import FrameClassifier
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=20, seed=1)
    >>> clf = FrameClassifier(char_ngrams=None).fit(
    ...     ["the war goes on", "markets rose"], ["war", "other"])
    >>> run = predict_corpus(clf, corpus, name="demo", batch_size=7)
    >>> len(run.predictions) == corpus.counts["kept"]
    True
    """
    from ..._progress import progress_bar, track

    extra = list(getattr(model, "extra_features", None) or [])
    if extra and features is None:
        raise ValueError(
            f"the model uses extra features {extra}; pass features= with them"
        )
    classes = [str(c) for c in model.classes_]
    multilabel = getattr(model, "binarizer_", None) is not None
    schema = _schema(classes)
    target = corpus.path / "classify" / name
    counts: dict[str, int] = {}
    n_documents = 0
    total = corpus.counts["kept"]
    with atomic_directory(target) as staging, progress_bar(progress) as bar:
        with ParquetSink(staging / "predictions.parquet", schema) as sink:
            batches = corpus.iter_batches(
                batch_size=batch_size, columns=["doc_id", "text"]
            )
            for batch in track(
                batches,
                bar,
                f"{corpus.name}: classify",
                total=-(-total // batch_size),
                every=1,
            ):
                docs = pd.DataFrame(
                    {
                        "doc_id": batch.column("doc_id").to_pylist(),
                        "text": batch.column("text").to_pylist(),
                    }
                )
                if extra and features is not None:
                    docs = join_features(docs, features[["doc_id", *extra]])
                table = model.transform(docs)
                predicted = model.predict(docs)
                labels = [
                    ";".join(p) if multilabel else str(p) for p in predicted.tolist()
                ]
                table.insert(1, "predicted", labels)
                for label in labels:
                    counts[label] = counts.get(label, 0) + 1
                n_documents += len(table)
                sink.write_table(
                    pa.Table.from_pandas(table, schema=schema, preserve_index=False)
                )
        manifest = {
            "format": "framing-classify/1",
            "corpus": corpus.name,
            "corpus_outputs": corpus.manifest.get("outputs", {}),
            "model": {
                "class": type(model).__name__,
                "classes": classes,
                "multilabel": multilabel,
                "params": {k: repr(v) for k, v in model.get_params().items()},
                "mask": masking_config(model),
            },
            "counts": {
                "documents": n_documents,
                "predicted": dict(sorted(counts.items())),
            },
        }
        write_json_atomic(staging / "manifest.json", manifest)
    return PredictionRun(corpus.name, name, target, manifest)


def load_predictions(corpus: Corpus, name: str = "frames") -> PredictionRun:
    """Open a stored prediction run."""
    import json

    from ...errors import FramingError

    path = corpus.path / "classify" / name
    if not (path / "manifest.json").is_file():
        raise FramingError(
            f"{path}: no predictions; run `framing classify predict {corpus.name} "
            f"--model <file> --name {name}`"
        )
    manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    return PredictionRun(corpus.name, name, path, manifest)
