"""Word and word-pair counts for collocations, and the phrases they score.

A collocation layer is learned from the counts gensim's
:class:`~gensim.models.phrases.Phrases` keeps: every word and every
adjacent word pair of the corpus. Parts of the corpus are counted
separately (on workers) and their counts added here in part order by a
:class:`CollocationCounter`, in one of two ways:

* **exact** (``phrase_max_vocab=None``, the default): a worker splits its
  part's counts into hash buckets (:func:`bucket_of`; the same word or pair
  always falls in the same bucket); this process appends each bucket's
  rows to its own file on disk, then adds up one bucket at a time. Nothing
  is pruned, so the phrases are those of gensim trained on the whole
  corpus without a vocabulary bound, and this process holds one part's
  counts, one bucket's sums and the words seen more than ``min_count``
  times (which grow with the vocabulary, not with the corpus); the number
  of buckets grows with the corpus (:func:`buckets_for`) so that a bucket
  stays near the same size.
* **bounded** (``phrase_max_vocab=N``): the counts are added in memory and
  the rarest dropped whenever more than ``N`` entries are held
  (:func:`merge_counts`), as gensim's ``max_vocab_size`` prunes. Below the
  bound the two give the same phrases.

Scoring is gensim's default scorer with the counts and the number of
distinct words and pairs (gensim's ``len(vocab)``), so the scores are the
floats gensim computes.
"""

from __future__ import annotations

from collections import Counter
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CollocationCounter",
    "bucket_of",
    "buckets_for",
    "count_pairs",
    "counts_table",
    "merge_counts",
]

# Tokens of a later layer already contain "_"; gensim splits phrases on its
# delimiter when scoring them, so it must be a character no token has, or
# three-word phrases are never found.
DELIMITER = "\x1f"
COUNTS_SCHEMA = pa.schema([("key", pa.string()), ("n", pa.int64())])
# Documents whose counts one bucket holds, about 200 rows each before adding
# up; and a bound on the buckets (each is a file open while counting).
DOCS_PER_BUCKET = 2000
MAX_BUCKETS = 512
# Candidate pairs scored at a time.
_SCORE_ROWS = 100_000
# Odd 64-bit constants of the bucket hash (a polynomial over the key's UTF-8
# bytes, then a multiplicative mix so that the top bits pick the bucket).
_BASE = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _check_buckets(n_buckets: int) -> None:
    if n_buckets < 1 or n_buckets & (n_buckets - 1):
        raise ValueError(f"n_buckets={n_buckets}: must be a power of two")


def buckets_for(n_docs: int | None) -> int:
    """Buckets for a corpus of ``n_docs`` documents: a power of two.

    Examples
    --------
    >>> [buckets_for(n) for n in (None, 500, 100_000, 1_000_000, 10**8)]
    [1, 1, 64, 512, 512]
    """
    if not n_docs or n_docs <= DOCS_PER_BUCKET:
        return 1
    wanted = -(-n_docs // DOCS_PER_BUCKET)
    return min(MAX_BUCKETS, 1 << (wanted - 1).bit_length())


def bucket_of(keys: pa.Array, n_buckets: int) -> np.ndarray:
    """The bucket of each key: a function of the key's text alone.

    ``n_buckets`` must be a power of two. The same key falls in the same
    bucket in every process and run (no salted ``hash()``).

    Examples
    --------
    >>> keys = pa.array(["war", "special\x1foperation", "war", ""])
    >>> buckets = bucket_of(keys, 8)
    >>> bool(buckets[0] == buckets[2]), bool(buckets.max() < 8)
    (True, True)
    >>> bucket_of(keys, 1).tolist()
    [0, 0, 0, 0]
    """
    _check_buckets(n_buckets)
    keys = pa.array(keys, pa.string()) if not isinstance(keys, pa.Array) else keys
    if n_buckets == 1 or len(keys) == 0:
        return np.zeros(len(keys), dtype=np.int64)
    offsets = np.frombuffer(
        keys.buffers()[1], dtype=np.int32, count=len(keys) + 1, offset=keys.offset * 4
    ).astype(np.int64)
    first = int(offsets[0])
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    data = np.frombuffer(keys.buffers()[2], dtype=np.uint8)[first : int(offsets[-1])]
    longest = int(lengths.max())
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(longest, 1), _BASE, dtype=np.uint64))
        positions = np.arange(data.size) - np.repeat(starts, lengths)
        terms = data.astype(np.uint64) * powers[positions]
        # reduceat needs an index inside the array: an empty last key would
        # point past its end, so add a zero there.
        sums = np.add.reduceat(np.append(terms, np.uint64(0)), starts)
        sums[lengths == 0] = 0
        mixed = (sums + lengths.astype(np.uint64)) * _MIX
    shift = np.uint64(64 - (n_buckets.bit_length() - 1))
    return (mixed >> shift).astype(np.int64)


def count_pairs(tokens: list[str], counts: Counter[str]) -> None:
    """Add words and adjacent word pairs, as gensim's ``Phrases`` counts them.

    Examples
    --------
    >>> counts = Counter()
    >>> count_pairs(["special", "military", "operation"], counts)
    >>> sorted(k.replace(DELIMITER, "+") for k in counts)
    ['military', 'military+operation', 'operation', 'special', 'special+military']
    """
    counts.update(tokens)
    if len(tokens) > 1:
        counts.update(map(DELIMITER.join, zip(tokens, tokens[1:], strict=False)))


def counts_table(counts: Counter[str], n_buckets: int = 1) -> tuple[pa.Table, Any]:
    """A part's counts as an Arrow table sorted by bucket, and bucket bounds.

    Cheaper to send than a ``Counter``; rows of bucket ``b`` are
    ``table[bounds[b]:bounds[b + 1]]``.

    Examples
    --------
    >>> table, bounds = counts_table(Counter(war=2, peace=1))
    >>> table.to_pydict(), bounds.tolist()
    ({'key': ['war', 'peace'], 'n': [2, 1]}, [0, 2])
    """
    keys = pa.array(list(counts.keys()), pa.string())
    table = pa.table(
        [keys, pa.array(list(counts.values()), pa.int64())], schema=COUNTS_SCHEMA
    )
    buckets = bucket_of(keys, n_buckets)
    if n_buckets > 1:
        order = np.argsort(buckets, kind="stable")
        table, buckets = table.take(order), buckets[order]
    bounds = np.searchsorted(buckets, np.arange(n_buckets + 1), side="left")
    return table, bounds


def merge_counts(
    counts: Counter[str], part: Counter[str], max_vocab: int
) -> Counter[str]:
    """Add a part's collocation counts, keeping at most ``max_vocab`` entries.

    When the merged table holds more than ``max_vocab`` words and word
    pairs, the rarest are dropped: every entry whose count is below the
    smallest count at which the table fits within the bound. Entries with
    the same count stay or go together, so the rule needs no tie-break and
    gives the same table in every execution setting (parts are merged in
    order). Counts of what is kept stay exact up to that point.

    Examples
    --------
    >>> from collections import Counter
    >>> merge_counts(Counter(a=3, b=1), Counter(b=1, c=1, d=2), 3)
    Counter({'a': 3, 'b': 2, 'd': 2})
    >>> merge_counts(Counter(a=3, b=1), Counter(c=1), 2)
    Counter({'a': 3})
    """
    # All in C (a part has some 10^5 entries): each key of the part once.
    keys = part.keys()
    get = counts.get
    totals = map(add, map(get, keys, repeat(0)), part.values())
    dict.update(counts, zip(keys, totals, strict=True))
    if len(counts) <= max_vocab:
        return counts
    by_count = Counter(counts.values())
    kept, floor = 0, None
    for count in sorted(by_count, reverse=True):
        if kept + by_count[count] > max_vocab:
            break
        kept += by_count[count]
        floor = count
    if floor is None:
        return Counter()
    # A new table: a dict does not give back the memory of deleted entries.
    return Counter({k: n for k, n in counts.items() if n >= floor})


class CollocationCounter:
    """Adds the parts' counts of one layer in part order and scores phrases.

    Parameters
    ----------
    min_count, threshold : gensim ``Phrases`` settings
    max_vocab : int or None
        ``None`` counts exactly, in buckets on disk; a number bounds the
        counts held in memory (:func:`merge_counts`).
    folder : Path
        Where the buckets' files go; each is removed once added up, so
        nothing is left once the phrases are scored. The folder must exist.
    n_buckets : int
        Buckets for exact counts, a power of two (:func:`buckets_for`); the
        workers' :func:`counts_table` must use the same number.

    Parts come from :func:`counts_table` when counting exactly and as a
    ``Counter`` when bounded (:attr:`exact` tells a worker which).

    Examples
    --------
    >>> import tempfile
    >>> parts = [["grain", "deal", "grain", "deal"], ["grain", "deal", "talks"]]
    >>> found = {}
    >>> for bound, buckets in ((None, 1), (None, 4), (1000, 1)):
    ...     counter = CollocationCounter(
    ...         min_count=1, threshold=0.5, max_vocab=bound,
    ...         folder=Path(tempfile.mkdtemp()), n_buckets=buckets)
    ...     for tokens in parts:
    ...         counts = Counter()
    ...         count_pairs(tokens, counts)
    ...         exact = counter.exact
    ...         counter.add(counts_table(counts, buckets) if exact else counts)
    ...     found[bound, buckets] = counter.phrases(n_words=7)
    >>> found[None, 1]  # (3 pairs - min_count 1) / (3 * 3 words) * 6 distinct keys
    {'grain_deal': 1.3333333333333333}
    >>> found[None, 1] == found[None, 4] == found[1000, 1]
    True
    """

    def __init__(
        self,
        *,
        min_count: int,
        threshold: float,
        max_vocab: int | None,
        folder: Path,
        n_buckets: int = 1,
    ) -> None:
        # gensim's own checks for its default scorer.
        if min_count < 1:
            raise ValueError(f"min_count={min_count}: must be at least 1")
        if threshold <= 0:
            raise ValueError(f"threshold={threshold}: must be positive")
        _check_buckets(n_buckets)
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab = max_vocab
        self.folder = folder
        self.n_buckets = n_buckets
        self.exact = max_vocab is None
        self._counts: Counter[str] = Counter()
        self._writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}

    def _bucket_path(self, bucket: int) -> Path:
        return self.folder / f"collocation-counts-{bucket:04d}.arrow"

    def add(self, part: Any) -> None:
        """Add one part's counts (parts must come in part order)."""
        if not self.exact:
            assert self.max_vocab is not None
            self._counts = merge_counts(self._counts, part, self.max_vocab)
            return
        table, bounds = part
        if len(bounds) != self.n_buckets + 1:
            raise ValueError(
                f"a part split into {len(bounds) - 1} buckets; this counter "
                f"has {self.n_buckets}"
            )
        for bucket in range(self.n_buckets):
            low, high = int(bounds[bucket]), int(bounds[bucket + 1])
            if high == low:
                continue
            writer = self._writers.get(bucket)
            if writer is None:
                # Arrow streams: a part's few rows per bucket cost a message,
                # not a Parquet row group with its metadata.
                writer = pa.ipc.new_stream(
                    str(self._bucket_path(bucket)), COUNTS_SCHEMA
                )
                self._writers[bucket] = writer
            writer.write_table(table.slice(low, high - low))

    def phrases(self, n_words: int) -> dict[str, float]:
        """The phrases these counts give, ``_``-joined and sorted, with scores.

        ``n_words`` is the number of words counted (gensim's
        ``corpus_word_count``). The counts are released.
        """
        # Only pairs seen more than min_count times can score above a
        # positive threshold (gensim's score is (pair count - min_count) /
        # ...); a pair never outnumbers its words, so the words it needs pass
        # the same floor.
        floor = self.min_count
        if self.exact:
            found = self._exact_phrases(n_words, floor)
        else:
            counts, self._counts = self._counts, Counter()
            found = self._score(_pairs_in_memory(counts, floor), len(counts), n_words)
        # Sorted so that the cached JSON is byte-identical between runs.
        return {k.replace(DELIMITER, "_"): v for k, v in sorted(found.items())}

    def _score(self, candidates: Any, len_vocab: int, n_words: int) -> dict[str, float]:
        """Score ``(pair, pair count, first count, second count)`` candidates."""
        from gensim.models.phrases import original_scorer

        found = {}
        for pair, n_pair, n_first, n_second in candidates:
            # As gensim's Phrases.score_candidate calls its default scorer.
            score = original_scorer(
                worda_count=n_first,
                wordb_count=n_second,
                bigram_count=n_pair,
                len_vocab=len_vocab,
                min_count=self.min_count,
                corpus_word_count=n_words,
            )
            if score > self.threshold:
                found[pair] = float(score)
        return found

    def _exact_phrases(self, n_words: int, floor: int) -> dict[str, float]:
        """Add up each bucket, then score the frequent pairs."""
        for writer in self._writers.values():
            writer.close()
        buckets, self._writers = sorted(self._writers), {}
        frequent_pairs = self.folder / "collocation-pairs.arrow"
        len_vocab = 0
        words: dict[str, int] = {}
        try:
            with pa.ipc.new_stream(str(frequent_pairs), COUNTS_SCHEMA) as pairs_out:
                for bucket in buckets:
                    path = self._bucket_path(bucket)
                    with pa.OSFile(str(path), "rb") as source:
                        rows = pa.ipc.open_stream(source).read_all()
                    path.unlink()
                    totals = rows.group_by("key", use_threads=False).aggregate(
                        [("n", "sum")]
                    )
                    del rows
                    len_vocab += totals.num_rows
                    frequent = totals.filter(pc.greater(totals["n_sum"], floor))
                    is_pair = pc.match_substring(frequent["key"], DELIMITER)
                    single = frequent.filter(pc.invert(is_pair))
                    words.update(
                        zip(
                            single["key"].to_pylist(),
                            single["n_sum"].to_pylist(),
                            strict=True,
                        )
                    )
                    pairs = frequent.filter(is_pair)
                    pairs_out.write_table(
                        pa.table([pairs["key"], pairs["n_sum"]], schema=COUNTS_SCHEMA)
                    )
            with pa.OSFile(str(frequent_pairs), "rb") as source:
                reader = pa.ipc.open_stream(source)
                return self._score(_pairs_with_words(reader, words), len_vocab, n_words)
        finally:
            # Only what this counter created.
            for bucket in buckets:
                self._bucket_path(bucket).unlink(missing_ok=True)
            frequent_pairs.unlink(missing_ok=True)


def _pairs_in_memory(counts: Counter[str], floor: int) -> Any:
    get = counts.get
    for key, n in counts.items():
        if n > floor and DELIMITER in key:
            first, second = key.split(DELIMITER)
            # gensim skips a pair whose word is not counted (pruned).
            if get(first, 0) > 0 and get(second, 0) > 0:
                yield key, n, counts[first], counts[second]


def _pairs_with_words(reader: Any, words: dict[str, int]) -> Any:
    """Frequent pairs with the counts of their words (batch by batch)."""
    for batch in reader:
        for key, n in zip(
            batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
        ):
            first, second = key.split(DELIMITER)
            # Every word of a frequent pair is frequent (a pair never
            # outnumbers its words).
            yield key, n, words[first], words[second]
