"""Word and word-pair counts for collocations, and the phrases they score.

A collocation layer is learned from the counts gensim's
:class:`~gensim.models.phrases.Phrases` keeps: every word and every
adjacent word pair of the corpus. Parts of the corpus are counted
separately (on workers) and their counts added here in part order by a
:class:`CollocationCounter`, in one of two ways:

* **exact** (``phrase_max_vocab=None``, the default): each part's counts
  are appended to a Parquet file and added up by DuckDB, which spills to
  disk past :data:`DUCKDB_MEMORY`. Nothing is pruned, so the phrases are
  those of gensim trained on the whole corpus without a vocabulary bound,
  and the merging process's memory does not grow with the corpus: it holds
  one part's counts and, while scoring, the phrases found.
* **bounded** (``phrase_max_vocab=N``): the counts are added in memory and
  the rarest dropped whenever more than ``N`` entries are held
  (:func:`merge_counts`), as gensim's ``max_vocab_size`` prunes. Below the
  bound the two give the same phrases.

Scoring is gensim's default scorer with the counts and the number of
distinct words and pairs (gensim's ``len(vocab)``), so the scores are the
floats gensim computes.
"""

from __future__ import annotations

import shutil
from collections import Counter
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "CollocationCounter",
    "DUCKDB_MEMORY",
    "count_pairs",
    "counts_table",
    "merge_counts",
]

# Tokens of a later layer already contain "_"; gensim splits phrases on its
# delimiter when scoring them, so it must be a character no token has, or
# three-word phrases are never found.
DELIMITER = "\x1f"
# What DuckDB may hold while adding up exact counts; past it, it spills to a
# folder next to the counts.
DUCKDB_MEMORY = "1GB"
COUNTS_SCHEMA = pa.schema([("key", pa.string()), ("n", pa.int64())])
# Candidate pairs scored at a time.
_SCORE_ROWS = 100_000


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


def counts_table(counts: Counter[str]) -> pa.Table:
    """A part's counts as an Arrow table, cheaper to send than a ``Counter``.

    Examples
    --------
    >>> counts_table(Counter(war=2, peace=1)).to_pydict()
    {'key': ['war', 'peace'], 'n': [2, 1]}
    """
    return pa.table(
        [
            pa.array(list(counts.keys()), pa.string()),
            pa.array(list(counts.values()), pa.int64()),
        ],
        schema=COUNTS_SCHEMA,
    )


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
        ``None`` counts exactly on disk; a number bounds the counts held in
        memory (:func:`merge_counts`).
    folder : Path
        Where the exact counts and DuckDB's spill files go; they are removed
        once the phrases are scored. The folder must exist.

    Parts come from :func:`counts_table` when counting exactly and as a
    ``Counter`` when bounded (:attr:`exact` tells a worker which).

    Examples
    --------
    >>> import tempfile
    >>> parts = [["grain", "deal", "grain", "deal"], ["grain", "deal", "talks"]]
    >>> found = {}
    >>> for bound in (None, 1000):
    ...     counter = CollocationCounter(
    ...         min_count=1, threshold=0.5, max_vocab=bound,
    ...         folder=Path(tempfile.mkdtemp()))
    ...     for tokens in parts:
    ...         counts = Counter()
    ...         count_pairs(tokens, counts)
    ...         counter.add(counts_table(counts) if counter.exact else counts)
    ...     found[bound] = counter.phrases(n_words=7)
    >>> found[None]  # (3 pairs - min_count 1) / (3 * 3 words) * 6 distinct keys
    {'grain_deal': 1.3333333333333333}
    >>> found[None] == found[1000]
    True
    """

    def __init__(
        self, *, min_count: int, threshold: float, max_vocab: int | None, folder: Path
    ) -> None:
        # gensim's own checks for its default scorer.
        if min_count < 1:
            raise ValueError(f"min_count={min_count}: must be at least 1")
        if threshold <= 0:
            raise ValueError(f"threshold={threshold}: must be positive")
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab = max_vocab
        self.folder = folder
        self.exact = max_vocab is None
        # Whether DuckDB spilled to disk while adding up the exact counts.
        self.spilled = False
        self._counts: Counter[str] = Counter()
        self._path = folder / "collocation-counts.parquet"
        self._writer: pq.ParquetWriter | None = None

    def add(self, part: Any) -> None:
        """Add one part's counts (parts must come in part order)."""
        if not self.exact:
            assert self.max_vocab is not None
            self._counts = merge_counts(self._counts, part, self.max_vocab)
            return
        if part.num_rows == 0:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self._path, COUNTS_SCHEMA, compression="snappy", use_dictionary=False
            )
        self._writer.write_table(part)

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
        import duckdb

        if self._writer is None:
            return {}
        self._writer.close()
        self._writer = None
        database = self.folder / "collocation-counts.duckdb"
        spill = self.folder / "collocation-counts.tmp"
        try:
            with duckdb.connect(str(database)) as con:
                con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
                quoted = str(spill).replace("'", "''")
                con.execute(f"SET temp_directory = '{quoted}'")
                con.execute("SET preserve_insertion_order = false")
                con.execute(
                    "CREATE TABLE totals AS SELECT key, CAST(sum(n) AS BIGINT) AS n "
                    "FROM read_parquet(?) GROUP BY key",
                    [str(self._path)],
                )
                # DuckDB makes the folder when it first spills, and removes it
                # when the connection closes.
                self.spilled = spill.is_dir()
                row = con.execute("SELECT count(*) FROM totals").fetchone()
                len_vocab = int(row[0]) if row else 0
                reader = con.execute(
                    "WITH frequent AS (SELECT key, n FROM totals WHERE n > $floor) "
                    "SELECT p.key, p.n, a.n, b.n FROM frequent p "
                    "JOIN frequent a ON a.key = split_part(p.key, $sep, 1) "
                    "JOIN frequent b ON b.key = split_part(p.key, $sep, 2) "
                    "WHERE contains(p.key, $sep)",
                    {"floor": floor, "sep": DELIMITER},
                )
                return self._score(_pairs_in_batches(reader), len_vocab, n_words)
        finally:
            # Only what this counter created.
            self._path.unlink(missing_ok=True)
            database.unlink(missing_ok=True)
            database.with_name(database.name + ".wal").unlink(missing_ok=True)
            shutil.rmtree(spill, ignore_errors=True)


def _pairs_in_memory(counts: Counter[str], floor: int) -> Any:
    get = counts.get
    for key, n in counts.items():
        if n > floor and DELIMITER in key:
            first, second = key.split(DELIMITER)
            # gensim skips a pair whose word is not counted (pruned).
            if get(first, 0) > 0 and get(second, 0) > 0:
                yield key, n, counts[first], counts[second]


def _pairs_in_batches(result: Any) -> Any:
    while rows := result.fetchmany(_SCORE_ROWS):
        yield from rows
