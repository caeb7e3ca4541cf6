"""Run a lexicon detector over a corpus store and keep its outputs.

:func:`detect_corpus` streams the canonical articles of a built corpus in
batches, writes the mentions and the per-document features next to the
store (``<store>/frames/<lexicon>/``) and returns them as DataFrames.
Mentions of other events stay in the mentions table (``referent``
``other``); the features count the ``referents`` asked for (by default
only ``event``). Titles and texts are both scanned and the stored mentions
table holds the mentions of both (column ``field``); the features count the
``fields`` asked for (by default only ``text``, so features are those of
the detector before titles were scanned).
Memory is bounded by the batch size while writing; the returned
DataFrames hold the results (load them lazily from the Parquet files for
very large corpora with :func:`load_detection`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .._progress import progress_bar, track
from ..compute import Compute, ordered_map
from ..store import (
    ArticleRange,
    Corpus,
    ParquetSink,
    atomic_directory,
    write_json_atomic,
)
from .detect import (
    FIELDS,
    MENTION_COLUMNS,
    LexiconDetector,
    check_fields,
    counted_mentions,
    counted_words,
    feature_column,
    mentions_to_features,
)
from .lexicon import REFERENTS
from .voice import PREPOSITION_COLUMNS, VOICES, preposition_counts

__all__ = [
    "FrameDetection",
    "detect_corpus",
    "load_detection",
    "MENTIONS_SCHEMA",
    "features_schema",
]

MENTIONS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("mention_id", pa.string()),
        ("frame", pa.string()),
        ("lemma", pa.string()),
        ("matched", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("sentence", pa.int64()),
        ("voice", pa.string()),
        ("cue", pa.string()),
        ("in_quotation", pa.bool_()),
        ("speaker", pa.string()),
        ("speaker_role", pa.string()),
        ("language", pa.string()),
        ("referent", pa.string()),
        ("referent_cue", pa.string()),
        ("referent_layer", pa.string()),
        ("field", pa.string()),
    ]
)
assert MENTIONS_SCHEMA.names == MENTION_COLUMNS


def features_schema(frames: tuple[str, ...]) -> pa.Schema:
    """Arrow schema of the wide feature table for these frames."""
    fields = [pa.field("doc_id", pa.string()), pa.field("n_words", pa.int64())]
    for frame in frames:
        for voice in VOICES:
            fields.append(pa.field(feature_column("n", frame, voice), pa.int64()))
            fields.append(pa.field(feature_column("rate", frame, voice), pa.float64()))
        fields.append(pa.field(feature_column("has", frame), pa.bool_()))
        fields.append(pa.field(feature_column("has", frame, "own"), pa.bool_()))
    fields.append(pa.field("dominant_own", pa.string()))
    for column in PREPOSITION_COLUMNS:
        kind = pa.bool_() if column.startswith("has__") else pa.int64()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


@dataclass
class FrameDetection:
    """Mentions and features of one lexicon over one corpus.

    ``mentions`` are those of the fields the features count (``fields`` in
    the manifest; ``text`` by default), so that they agree with
    ``features`` and :meth:`counts`; ``all_mentions`` is the stored table,
    with the mentions of titles and texts (column ``field``).
    """

    corpus: str
    lexicon: str
    path: Path
    manifest: dict[str, Any]

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields whose mentions the features count."""
        return tuple(self.manifest.get("fields", ["text"]))

    @property
    def mentions(self) -> pd.DataFrame:
        return counted_mentions(self.all_mentions, self.fields).reset_index(drop=True)

    @property
    def all_mentions(self) -> pd.DataFrame:
        return pq.read_table(self.path / "mentions.parquet").to_pandas()

    @property
    def features(self) -> pd.DataFrame:
        return pq.read_table(self.path / "features.parquet").to_pandas()

    def counts(self) -> pd.DataFrame:
        """Mentions per frame (rows) and voice (columns)."""
        table = self.manifest["counts"]["by_frame_voice"]
        frame = (
            pd.DataFrame(table).T.reindex(columns=list(VOICES)).fillna(0).astype(int)
        )
        frame.index.name = "frame"
        return frame


def detect_corpus(
    corpus: Corpus,
    *,
    lexicon: str | Path = "war-naming",
    voice_rules: Any = None,
    batch_size: int = 500,
    progress: bool = False,
    referents: tuple[str, ...] = ("event",),
    referent_model: Any = None,
    fields: tuple[str, ...] = ("text",),
    compute: Compute | None = None,
) -> FrameDetection:
    """Detect mentions in every canonical article and store the results.

    Writes ``mentions.parquet``, ``features.parquet`` and ``manifest.json``
    to ``<corpus store>/frames/<lexicon name>/`` (atomically).
    ``referents``, ``referent_model`` and ``fields`` are passed to
    :class:`~framing.frames.detect.LexiconDetector`; the mentions table
    holds the mentions of titles and texts, the features count those of
    ``fields``. The manifest's ``counts`` are those of the counted fields
    (``by_frame_voice``: the mentions the features count;
    ``by_frame_referent``: all by referent); ``mentions_by_field`` counts
    every mention found, by field.

    ``compute`` (:class:`framing.compute.Compute`) runs the batches on
    local processes or a Dask cluster; the stored outputs are byte-identical
    to the serial run's (the same batches, written in the same order).
    """
    detector = LexiconDetector(
        lexicon=lexicon,
        voice_rules=voice_rules,
        batch_size=batch_size,
        referents=referents,
        referent_model=referent_model,
        fields=fields,
    ).fit()
    fields = check_fields(fields)
    frames = detector.frames_
    name = detector.lexicon_.name
    target = corpus.path / "frames" / name
    counts: dict[str, dict[str, int]] = {f: dict.fromkeys(VOICES, 0) for f in frames}
    by_referent: dict[str, dict[str, int]] = {
        f: dict.fromkeys(REFERENTS, 0) for f in frames
    }
    # The title, when a corpus has one, is the headline scope of the referent.
    columns = ["doc_id", "text", "n_words", "title"]
    n_documents = n_mentions = 0
    by_field = dict.fromkeys(FIELDS, 0)
    features_table_schema = features_schema(frames)
    with atomic_directory(target) as staging, progress_bar(progress) as bar:
        with (
            ParquetSink(staging / "mentions.parquet", MENTIONS_SCHEMA) as mentions_sink,
            ParquetSink(
                staging / "features.parquet", features_table_schema
            ) as features_sink,
        ):
            # Workers read their own range of the store and return Arrow
            # tables and a tally, so this process only writes and adds up.
            ranges = corpus.ranges(max(batch_size, RANGE_ROWS))
            results = ordered_map(
                _detect_part,
                ranges,
                compute,
                setup=_part_state,
                setup_args=(detector, features_table_schema, columns),
            )
            for mentions, features, tally in track(
                results,
                bar,
                f"{corpus.name}: {name}",
                total=len(ranges),
                every=1,
            ):
                mentions_sink.write_table(mentions)
                features_sink.write_table(features)
                for (field, frame, referent, voice), count in tally:
                    by_field[field] += count
                    if field not in fields:
                        continue
                    by_referent[frame][referent] += count
                    if referent in detector.referents:
                        counts[frame][voice] += count
                    n_mentions += count
                n_documents += features.num_rows
        rules_digest = hashlib.sha256(
            json.dumps(
                detector.rules_.rules.__dict__, sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        manifest = {
            "format": "framing-frames/1",
            "corpus": corpus.name,
            "corpus_outputs": corpus.manifest.get("outputs", {}),
            "lexicon": {
                "name": name,
                "source": detector.lexicon_.source,
                "sha256": detector.lexicon_.sha256,
                "frames": list(frames),
            },
            "voice_rules_sha256": rules_digest,
            "referents": list(detector.referents),
            "fields": list(fields),
            "referent_model": None
            if referent_model is None
            else str(
                referent_model
                if isinstance(referent_model, str | Path)
                else type(referent_model).__name__
            ),
            "counts": {
                "documents": n_documents,
                "mentions": n_mentions,
                "by_frame_voice": counts,
                "by_frame_referent": by_referent,
            },
            # Outside "counts", which study outputs copy: all mentions found,
            # counted or not, by field.
            "mentions_by_field": by_field,
        }
        write_json_atomic(staging / "manifest.json", manifest)
    return FrameDetection(corpus.name, name, target, manifest)


# Articles a worker reads at a time: one row group of the store.
RANGE_ROWS = 2000

_Tally = list[tuple[tuple[str, str, str, str], int]]


def _part_state(
    detector: LexiconDetector, features_table_schema: pa.Schema, columns: list[str]
) -> tuple[LexiconDetector, pa.Schema, list[str]]:
    """A worker's state for detection: sent once per worker, not per part."""
    return detector, features_table_schema, columns


def _detect_part(
    state: tuple[LexiconDetector, pa.Schema, list[str]], part: ArticleRange
) -> tuple[pa.Table, pa.Table, _Tally]:
    """Mentions, features and mention tally of one range (runs on a worker)."""
    detector, features_table_schema, columns = state
    results = [
        _detect_batch(detector, features_table_schema, batch)
        for batch in part.read(columns).to_batches(detector.batch_size)
    ]
    # The range's text is no longer needed: hand its Arrow memory back.
    pa.default_memory_pool().release_unused()
    if not results:
        empty = pa.Table.from_batches([], schema=MENTIONS_SCHEMA)
        return empty, features_table_schema.empty_table(), []
    tally: Counter[tuple[str, str, str, str]] = Counter()
    for _, _, counts in results:
        tally.update(dict(counts))
    return (
        pa.concat_tables([mentions for mentions, _, _ in results]),
        pa.concat_tables([features for _, features, _ in results]),
        sorted(tally.items()),
    )


def _detect_batch(
    detector: LexiconDetector, features_table_schema: pa.Schema, batch: pa.RecordBatch
) -> tuple[pa.Table, pa.Table, _Tally]:
    """Mentions, features and mention tally of one batch."""
    fields = check_fields(detector.fields)
    doc_ids = batch.column("doc_id").to_pylist()
    texts = batch.column("text").to_pylist()
    titles = batch.column("title").to_pylist()
    rows: list[dict[str, Any]] = []
    for doc_id, text, title in zip(doc_ids, texts, titles, strict=True):
        rows.extend(detector.mentions_in(doc_id, text, title))
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    n_words = batch.column("n_words").to_pylist()
    if fields != ("text",):
        n_words = [
            counted_words(text, n, title, fields)
            for text, n, title in zip(texts, n_words, titles, strict=True)
        ]
    docs = pd.DataFrame({"doc_id": doc_ids, "n_words": n_words})
    prepositions = pd.DataFrame(
        [preposition_counts(t) for t in texts], columns=list(PREPOSITION_COLUMNS)
    )
    docs = pd.concat([docs, prepositions], axis=1)
    features = mentions_to_features(
        counted_mentions(mentions, fields),
        docs,
        detector.frames_,
        referents=detector.referents,
    )
    tally = Counter(
        (row["field"], row["frame"], row["referent"], row["voice"]) for row in rows
    )
    return (
        pa.Table.from_pandas(mentions, schema=MENTIONS_SCHEMA, preserve_index=False),
        pa.Table.from_pandas(
            features, schema=features_table_schema, preserve_index=False
        ),
        sorted(tally.items()),
    )


def load_detection(corpus: Corpus, lexicon: str = "war-naming") -> FrameDetection:
    """Open stored detection results of ``lexicon`` for ``corpus``."""
    path = corpus.path / "frames" / lexicon
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        from ..errors import FramingError

        raise FramingError(
            f"{path}: no detection results; run "
            f"`framing frames detect {corpus.name} --lexicon {lexicon}`"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return FrameDetection(corpus.name, lexicon, path, manifest)
