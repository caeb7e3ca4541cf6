"""Seeded stratified samples of documents for training topic models.

A topic model may be trained on a sample of the prepared documents
(``TopicModel(sample_size=...)``) while the dictionary, the collocations
and every document's topic shares still come from the whole corpus. The
sample is drawn as follows:

* **Strata** are the distinct values of ``by``: ``"outlet"`` and
  ``"year"`` (the calendar year of ``published``, in UTC). A document
  without a date falls in the year stratum :data:`NO_DATE`, one without an
  outlet in :data:`NO_OUTLET`. ``by=()`` gives one stratum: a simple
  random sample. Strata are ordered by their values (outlets
  alphabetically, years ascending, undated last).
* **Allocation** is proportional to stratum size, rounded by largest
  remainder (:func:`allocate`): each stratum gets the integer part of its
  quota, and the documents left over go one each to the strata with the
  largest fractional parts, ties to the earlier stratum. Counts sum to the
  sample size and each lies within one of its quota; a small stratum whose
  quota rounds down to 0 gets no document (the record lists it with
  ``"sample": 0``).
* **Draw**: each stratum's documents are ordered by ``doc_id`` and drawn
  without replacement by a :func:`numpy.random.default_rng` seeded with
  ``[seed, stratum index]`` (:func:`stratified_sample`), so the sample is
  a function of the documents, their strata and the seed -- not of the
  order in which the documents arrive.
* The selected documents are then read in corpus order.

When ``sample_size`` is at least the number of documents, every document
is used and the record says ``"whole_corpus": true``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FramingError

__all__ = [
    "SAMPLE_FIELDS",
    "NO_DATE",
    "NO_OUTLET",
    "DocumentStrata",
    "TrainingSample",
    "SampledCorpus",
    "allocate",
    "stratified_sample",
    "check_sample_params",
    "check_strata_source",
    "document_strata",
    "draw_training_sample",
    "strata_table",
    "describe_sample",
]

SAMPLE_FIELDS = ("outlet", "year")
NO_DATE = "(no date)"
NO_OUTLET = "(no outlet)"
STRATIFIED_METHOD = (
    "stratified, proportional allocation (largest remainder, ties to the "
    "earlier stratum), without replacement"
)
SIMPLE_METHOD = "simple random sample without replacement"
WHOLE_METHOD = "whole corpus (sample_size is at least the number of documents)"


def allocate(population: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """Documents per stratum: proportional to size, largest remainder.

    Parameters
    ----------
    population : sequence or array of int
        Documents in each stratum, in stratum order.
    size : int
        Documents to draw in all; at most the total population.

    Returns
    -------
    ndarray of int64
        The allocation; it sums to ``size`` and each entry lies within one
        of its quota ``size * population / total``.

    Examples
    --------
    Quotas 4.67, 2.80, 1.87 and 0.65 round down to 4, 2, 1 and 0; the three
    documents left go to the largest fractional parts (0.87, 0.80, 0.67):

    >>> allocate([50, 30, 20, 7], 10).tolist()
    [5, 3, 2, 0]
    >>> allocate([1, 1, 1], 2).tolist()  # equal remainders: earlier strata
    [1, 1, 0]
    """
    counts = np.asarray(population, dtype=np.int64)
    total = int(counts.sum())
    if size < 0 or size > total:
        raise ValueError(f"size={size}: must be between 0 and {total} (the population)")
    if total == 0:
        return np.zeros(len(counts), dtype=np.int64)
    # Integer arithmetic: the fractional parts are exact, so ties are real ties.
    # The annotation sampler allocates with floats (and per-stratum floors);
    # it keeps its own routine so that samples coders have coded redraw the
    # same.
    floors, remainders = np.divmod(counts * size, total)
    left = size - int(floors.sum())
    # Stable sort on the negated remainder: ties keep stratum order.
    order = np.argsort(-remainders, kind="stable")[:left]
    floors[order] += 1
    return floors


def stratified_sample(
    strata: Sequence[Any] | np.ndarray,
    size: int,
    seed: int,
    *,
    ids: Sequence[Any] | np.ndarray | None = None,
) -> np.ndarray:
    """Positions of a seeded stratified sample, in increasing order.

    Parameters
    ----------
    strata : array-like
        The stratum label of every document (numbers or strings); strata
        are ordered by label (:func:`numpy.unique`).
    size : int
        Documents to draw; at least the number of documents selects all.
    seed : int
        A non-negative integer. Stratum ``i`` is drawn with
        ``numpy.random.default_rng([seed, i])``.
    ids : array-like, optional
        Document ids: each stratum's documents are ordered by id before
        the draw, so the sample does not depend on the input order. Without
        ids they keep their input order.

    Returns
    -------
    ndarray of int64
        Positions in ``strata`` of the selected documents, sorted.

    Examples
    --------
    >>> strata = ["a"] * 6 + ["b"] * 3 + ["c"]
    >>> picked = stratified_sample(strata, 4, seed=0)
    >>> [strata[i] for i in picked]
    ['a', 'a', 'a', 'b']
    >>> bool((picked == stratified_sample(strata, 4, seed=0)).all())
    True
    """
    labels = np.asarray(strata)
    n = len(labels)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r}: must be a non-negative integer")
    if size >= n:
        return np.arange(n, dtype=np.int64)
    _, inverse, population = np.unique(labels, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    allocation = allocate(population, size)
    if ids is None:
        by_stratum = np.argsort(inverse, kind="stable")
    else:
        keys = np.asarray(ids, dtype=object)
        if len(keys) != n:
            raise ValueError(f"{len(keys)} ids for {n} documents")
        by_id = np.argsort(keys, kind="stable")
        by_stratum = by_id[np.argsort(inverse[by_id], kind="stable")]
    starts = np.concatenate([[0], np.cumsum(population)[:-1]])
    chosen = []
    for index, (start, count, take) in enumerate(
        zip(starts, population, allocation, strict=True)
    ):
        if take == 0:
            continue
        rng = np.random.default_rng([int(seed), index])
        members = by_stratum[start : start + count]
        chosen.append(members[rng.choice(int(count), size=int(take), replace=False)])
    if not chosen:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def check_sample_params(
    sample_size: Any, sample_by: Any, random_state: Any
) -> tuple[str, ...]:
    """Validate the sampling hyperparameters; return ``sample_by`` as a tuple.

    ``sample_size`` must be a positive integer (or ``None``: no sample),
    ``sample_by`` a sequence of :data:`SAMPLE_FIELDS`, and a sample needs an
    integer ``random_state`` so that it can be drawn again.

    Examples
    --------
    >>> check_sample_params(100, ["outlet"], 0)
    ('outlet',)
    >>> check_sample_params(100, ("source",), 0)
    Traceback (most recent call last):
    ...
    ValueError: sample_by: unknown field 'source'; allowed fields are 'outlet', 'year' (or none, for a simple random sample)
    """  # noqa: E501
    if isinstance(sample_by, str):
        raise ValueError(
            f"sample_by={sample_by!r}: give a sequence of fields, e.g. "
            f"({sample_by!r},), not one string"
        )
    by = tuple(sample_by)
    for name in by:
        if name not in SAMPLE_FIELDS:
            raise ValueError(
                f"sample_by: unknown field {name!r}; allowed fields are "
                + ", ".join(repr(f) for f in SAMPLE_FIELDS)
                + " (or none, for a simple random sample)"
            )
    if len(set(by)) != len(by):
        raise ValueError(f"sample_by={list(by)}: a field is named twice")
    if sample_size is None:
        return by
    if (
        isinstance(sample_size, bool)
        or not isinstance(sample_size, int | np.integer)
        or sample_size < 1
    ):
        raise ValueError(f"sample_size={sample_size!r}: must be a positive integer")
    if (
        isinstance(random_state, bool)
        or not isinstance(random_state, int | np.integer)
        or random_state < 0
    ):
        raise ValueError(
            f"sample_size needs a non-negative integer random_state to draw a "
            f"sample that can be drawn again (got random_state={random_state!r})"
        )
    return by


@dataclass(frozen=True)
class DocumentStrata:
    """The stratum of every prepared document.

    Attributes
    ----------
    by : tuple of str
        The stratifying fields.
    codes : ndarray of int32
        Stratum index of each document, aligned with the prepared doc_ids;
        indices follow the strata's sorted values.
    values : list of dict
        Each stratum's values (``{"outlet": ..., "year": ...}``), in order.
    """

    by: tuple[str, ...]
    codes: np.ndarray
    values: list[dict[str, Any]]


def _value_order(value: Any) -> tuple[int, Any]:
    # Years are numbers and NO_DATE a string: numbers first, then strings.
    return (1, str(value)) if isinstance(value, str) else (0, value)


def _metadata_columns(by: Sequence[str]) -> list[str]:
    """The columns the stratifying fields are read from."""
    return [column for field, column in _COLUMNS.items() if field in by]


_COLUMNS = {"outlet": "outlet", "year": "published"}


def check_strata_source(documents: Any, by: Sequence[str]) -> None:
    """Raise unless the strata ``by`` can be read from ``documents``.

    A corpus store always has them; a DataFrame needs ``doc_id`` and the
    ``outlet`` and/or ``published`` columns; other inputs only allow a
    simple random sample (``by=()``).
    """
    from ...store import Corpus

    if not by or isinstance(documents, Corpus):
        return
    if isinstance(documents, pd.DataFrame):
        needed = ["doc_id", *_metadata_columns(by)]
        absent = [c for c in needed if c not in documents.columns]
        if absent:
            raise ValueError(
                f"sample_by={list(by)} needs the column(s) {absent} in the "
                "DataFrame of documents (outlet for 'outlet', published for "
                "'year'); add them or use sample_by=() for a simple random sample"
            )
        return
    raise ValueError(
        f"sample_by={list(by)} needs each document's outlet and publication date: "
        "fit on a corpus store or a DataFrame with doc_id, text, outlet and "
        f"published columns (not {type(documents).__name__}), or use sample_by=() "
        "for a simple random sample"
    )


def _metadata_batches(
    documents: Any, by: tuple[str, ...], batch_size: int
) -> Iterator[tuple[list[str], pd.DataFrame]]:
    """doc_ids and the ``outlet``/``published`` columns, batch by batch.

    A corpus store is read by columns only (never its texts).
    """
    from ...store import Corpus

    check_strata_source(documents, by)
    if isinstance(documents, Corpus):
        for batch in documents.iter_batches(
            batch_size=batch_size, columns=["doc_id", *_metadata_columns(by)]
        ):
            frame = batch.to_pandas()
            yield frame["doc_id"].astype(str).tolist(), frame
        return
    for start in range(0, len(documents), batch_size):
        frame = documents.iloc[start : start + batch_size]
        yield frame["doc_id"].astype(str).tolist(), frame


def _batch_keys(frame: pd.DataFrame, by: tuple[str, ...]) -> list[tuple[Any, ...]]:
    columns: list[list[Any]] = []
    for name in by:
        if name == "outlet":
            outlets = frame["outlet"]
            columns.append(
                [NO_OUTLET if pd.isna(v) else str(v) for v in outlets.tolist()]
            )
        else:
            dates = pd.to_datetime(frame["published"], utc=True, errors="coerce")
            years = dates.dt.year
            columns.append([NO_DATE if pd.isna(v) else int(v) for v in years.tolist()])
    return list(zip(*columns, strict=True))


def document_strata(
    documents: Any,
    doc_ids: Sequence[str],
    by: Sequence[str],
    *,
    batch_size: int = 1000,
) -> DocumentStrata:
    """The stratum of every document of ``doc_ids``, read from ``documents``.

    ``documents`` is a corpus store (its ``doc_id``, ``outlet`` and
    ``published`` columns are streamed; texts are not read) or a DataFrame
    with those columns. Rows are matched to ``doc_ids`` by ``doc_id``; a
    prepared document without a row is an error. With ``by=()`` every
    document is in one stratum and ``documents`` is not read.
    """
    by = tuple(by)
    n = len(doc_ids)
    if not by:
        return DocumentStrata((), np.zeros(n, dtype=np.int32), [{}])
    first_seen: dict[tuple[Any, ...], int] = {}
    codes = np.full(n, -1, dtype=np.int64)
    position: dict[str, int] | None = None
    start = 0
    for ids, frame in _metadata_batches(documents, by, batch_size):
        batch = np.fromiter(
            (
                first_seen.setdefault(key, len(first_seen))
                for key in _batch_keys(frame, by)
            ),
            dtype=np.int64,
            count=len(ids),
        )
        # The prepared documents come in the input's order, so rows normally
        # line up; look ids up only when they do not.
        if position is None and list(doc_ids[start : start + len(ids)]) == ids:
            codes[start : start + len(ids)] = batch
        else:
            if position is None:
                position = {d: i for i, d in enumerate(doc_ids)}
            for doc_id, code in zip(ids, batch.tolist(), strict=True):
                index = position.get(doc_id)
                if index is not None:
                    codes[index] = code
        start += len(ids)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise FramingError(
            f"{len(missing)} prepared document(s) have no outlet/published row to "
            f"stratify by, e.g. doc_id {doc_ids[int(missing[0])]!r}; fit on the "
            "same documents that were prepared"
        )
    keys = sorted(first_seen, key=lambda key: tuple(_value_order(v) for v in key))
    remap = np.empty(len(keys), dtype=np.int32)
    for rank, key in enumerate(keys):
        remap[first_seen[key]] = rank
    return DocumentStrata(
        by, remap[codes], [dict(zip(by, key, strict=True)) for key in keys]
    )


@dataclass(frozen=True)
class TrainingSample:
    """The documents a topic model is trained on, and its record.

    Attributes
    ----------
    mask : ndarray of bool
        ``True`` for each prepared document in the sample.
    record : dict
        JSON-ready description (see :func:`draw_training_sample`).
    """

    mask: np.ndarray
    record: dict[str, Any]


def draw_training_sample(
    strata: DocumentStrata, doc_ids: Sequence[str], size: int, seed: int
) -> TrainingSample:
    """Draw the training sample and describe it.

    The record holds ``size`` (documents drawn), ``requested``,
    ``population`` (prepared documents), ``whole_corpus``, ``by``,
    ``seed``, ``method``, ``strata`` (each stratum's values, ``population``
    and ``sample``), ``strata_without_sample`` (strata whose allocation
    rounded to 0) and ``doc_ids_sha256`` (sha256 of the selected doc_ids,
    one per line, in corpus order), which pins the exact sample.
    """
    n = len(doc_ids)
    picked = stratified_sample(strata.codes, size, seed, ids=doc_ids)
    mask = np.zeros(n, dtype=bool)
    mask[picked] = True
    population = np.bincount(strata.codes, minlength=len(strata.values))
    drawn = np.bincount(strata.codes[picked], minlength=len(strata.values))
    digest = hashlib.sha256()
    for index in picked.tolist():
        digest.update(str(doc_ids[index]).encode("utf-8", "surrogatepass") + b"\n")
    whole = size >= n
    record = {
        "size": int(len(picked)),
        "requested": int(size),
        "population": int(n),
        "whole_corpus": bool(whole),
        "by": list(strata.by),
        "seed": int(seed),
        "method": WHOLE_METHOD
        if whole
        else (STRATIFIED_METHOD if strata.by else SIMPLE_METHOD),
        "strata": [
            {**values, "population": int(p), "sample": int(s)}
            for values, p, s in zip(strata.values, population, drawn, strict=True)
        ],
        "strata_without_sample": int(((drawn == 0) & (population > 0)).sum()),
        "doc_ids_sha256": digest.hexdigest(),
    }
    return TrainingSample(mask, record)


def strata_table(record: dict[str, Any] | None) -> pd.DataFrame | None:
    """A sample record's strata as a table (``None`` without a sample).

    Examples
    --------
    >>> strata_table({"by": ["outlet"], "strata": [
    ...     {"outlet": "a", "population": 5, "sample": 2}]})
      outlet  population  sample
    0      a           5       2
    """
    if record is None:
        return None
    columns = [*record["by"], "population", "sample"]
    return pd.DataFrame(record["strata"], columns=columns)


def describe_sample(record: dict[str, Any] | None) -> str:
    """One sentence saying what a model was trained on.

    Examples
    --------
    >>> describe_sample(None)
    'trained on every document'
    >>> describe_sample({"size": 40, "population": 115, "whole_corpus": False,
    ...                  "by": ["outlet", "year"], "seed": 0, "strata": [{}] * 10,
    ...                  "strata_without_sample": 1})
    'trained on a sample of 40 of 115 documents (stratified by outlet and year, 10 strata, 1 without a document; seed 0)'
    """  # noqa: E501
    if record is None:
        return "trained on every document"
    if record["whole_corpus"]:
        return (
            f"trained on every document: the requested sample of "
            f"{record['requested']:,} is at least the {record['population']:,} "
            "documents"
        )
    if record["by"]:
        design = (
            f"stratified by {' and '.join(record['by'])}, "
            f"{len(record['strata'])} strata, "
            f"{record['strata_without_sample']} without a document"
        )
    else:
        design = "simple random sample"
    return (
        f"trained on a sample of {record['size']:,} of {record['population']:,} "
        f"documents ({design}; seed {record['seed']})"
    )


class SampledCorpus:
    """The selected rows of a re-iterable corpus, streamed in corpus order.

    Only a boolean mask is held (one byte per document); each iteration
    reads the underlying corpus again and skips the rows not selected.

    Examples
    --------
    >>> rows = SampledCorpus([["a"], ["b"], ["c"]], np.array([True, False, True]))
    >>> len(rows), list(rows)
    (2, [['a'], ['c']])
    """

    def __init__(self, corpus: Any, mask: np.ndarray) -> None:
        self.corpus = corpus
        self.mask = np.asarray(mask, dtype=bool)
        self.n_docs = int(self.mask.sum())

    def __len__(self) -> int:
        return self.n_docs

    def __iter__(self) -> Iterator[Any]:
        mask = self.mask
        for index, document in enumerate(self.corpus):
            if mask[index]:
                yield document
