"""Streaming text to bag-of-words, with a content-addressed cache.

:func:`prepare_corpus` turns documents into what gensim's topic models
read, in passes that stream the documents part by part (see Memory
below):

1. **Tokenise** (:func:`tokenize`): lower-case, keep runs of letters (any
   script; digits, punctuation and ``_`` split tokens; a possessive
   ``'s`` is removed and other words with an apostrophe -- contractions
   such as ``we've`` or ``don't`` -- are dropped), drop tokens shorter
   than ``min_length`` or longer than ``max_length`` and stop words
   (gensim's English list, unless ``gensim_stop_words=False``, plus the
   user's ``stop_words``). Each document is tokenised exactly once; the
   tokens go to a temporary file on disk.
2. **Collocations**: ``phrase_layers`` gensim :class:`~gensim.models.phrases.Phrases`
   models, each trained on the output of the one before, join frequent
   word pairs with ``_``; two layers let three-word namings survive as one
   token (``special_military_operation``). Stop words are removed before
   collocations, so ``minister_foreign_affairs`` rather than
   ``minister_of_foreign_affairs``.
3. **Dictionary**: a gensim :class:`~gensim.corpora.Dictionary`, then
   ``filter_extremes(no_below, no_above, keep_n)``. The defaults are
   gensim's own -- drop tokens in fewer than 5 documents or in more than
   half of them, keep at most 100,000 -- which suit corpora of a few
   hundred documents and more; for tiny corpora lower ``no_below``.
4. **Bag-of-words** written as a Matrix Market file, read back by
   :class:`BowCorpus`, a re-iterable stream.

The result lives in ``<FRAMING_CACHE_DIR>/topics/bow/<key>/`` where ``key``
is the sha256 of the documents' content hash (for a corpus store, the
sha256 of its ``articles.parquet`` from the store manifest), the
parameters and the gensim and toolkit versions. A second call with the same
inputs opens the cached folder and never re-tokenises. The folder is
written under a temporary name and renamed into place (atomic), so an
interrupted run leaves no half-written entry.

Parts: documents are read in parts of :data:`PART_DOCS` (1,000) in a
fixed order. Tokenising, counting word and word-pair frequencies for each
collocation layer, joining phrases, counting document frequencies and
writing the Matrix Market rows happen per part -- in this process, on
local worker processes or on a Dask cluster (``compute=``, see
:mod:`framing.compute`); this process adds up the parts' counts in part
order and writes the files. The counts are exact, and the gensim objects
are built from them as one pass over the corpus builds them (phrases scored
by gensim's scorer from the added counts and word total; dictionary ids in
order of first appearance), so the cache folder is byte-identical in every
setting, and identical to the single-pass gensim result (with no
vocabulary bound; with ``phrase_max_vocab`` set, while the counts stay
within it). The key does not depend on the setting.

Memory: a worker holds one part (its texts, tokens and counts). This
process holds one part's collocation counts at a time: by default the
workers split them into hash buckets, this process appends each bucket's
rows to a file in the cache entry's staging folder and adds up one bucket
at a time once a layer's pass is over, removing the files as it goes
(:mod:`~framing.frames.topics.collocations`); with ``phrase_max_vocab``
set, the merged counts are held in memory instead, about 200 bytes per
distinct word or word pair, at most ``phrase_max_vocab`` of them. Besides
those it holds the collocation layers, the words seen more than
``phrase_min_count`` times and the dictionary of distinct tokens after
collocations (which grow with the vocabulary, not with the number of
documents) and, per document, its id and two token counts.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from ...compute import Compute, kept_workers, ordered_map
from ...errors import FramingError
from ...paths import cache_dir
from ...store import ArticleRange, Corpus, atomic_directory, write_json_atomic
from ..detect import iter_documents
from .collocations import (
    CollocationCounter,
    buckets_for,
    count_pairs,
    counts_table,
    merge_counts,
)

__all__ = [
    "TokenizerParams",
    "PreparedCorpus",
    "BowCorpus",
    "TokenStream",
    "tokenize",
    "apply_phrases",
    "prepare_corpus",
    "merge_counts",
    "documents_key",
    "dictionary_to_json",
    "dictionary_from_json",
]

_FORMAT = 1
_LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
PREPARED_FILE = "prepared.json"


@dataclass(frozen=True)
class TokenizerParams:
    """How documents become tokens and bags of words.

    Parameters
    ----------
    lowercase : bool
        Lower-case before anything else.
    min_length, max_length : int
        Token lengths (in characters) kept, inclusive.
    gensim_stop_words : bool
        Remove gensim's English stop words (``gensim.parsing.STOPWORDS``).
    stop_words : tuple of str
        Further stop words (compared after lower-casing).
    phrase_layers : int
        Collocation layers; 0 turns collocations off, 2 finds three-word
        phrases.
    phrase_min_count : int
        Ignore word pairs seen fewer times (gensim ``min_count``).
    phrase_threshold : float
        gensim's default score threshold for a pair to become a phrase.
    phrase_max_vocab : int or None
        ``None`` (the default) counts words and word pairs exactly, added
        up in hash buckets on disk, so the phrases are those of one gensim
        ``Phrases`` over the whole corpus with no vocabulary bound, and
        memory does not grow with the number of documents
        (:class:`~framing.frames.topics.collocations.CollocationCounter`).
        A number holds the counts in memory instead and, after each part
        of :data:`PART_DOCS` documents is merged, drops the rarest of a
        table holding more entries, all of one count together
        (:func:`merge_counts`), as gensim's ``max_vocab_size`` does: counts
        become approximate past the bound, the result is still the same in
        every execution setting, and an entry costs about 200 bytes.
    no_below : int
        Drop tokens in fewer documents than this (absolute).
    no_above : float
        Drop tokens in more than this fraction of documents.
    keep_n : int
        Then keep only the ``keep_n`` most frequent tokens.
    """

    lowercase: bool = True
    min_length: int = 2
    max_length: int = 30
    gensim_stop_words: bool = True
    stop_words: tuple[str, ...] = ()
    phrase_layers: int = 2
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    phrase_max_vocab: int | None = None
    no_below: int = 5
    no_above: float = 0.5
    keep_n: int = 100_000
    _stop: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        from gensim.parsing.preprocessing import STOPWORDS

        if self.min_length < 1 or self.max_length < self.min_length:
            raise ValueError(
                f"token lengths min_length={self.min_length}, "
                f"max_length={self.max_length}: need 1 <= min_length <= max_length"
            )
        # Only checked when collocations are on: with none they are unused.
        if self.phrase_layers > 0 and (
            self.phrase_min_count < 1 or self.phrase_threshold <= 0
        ):
            raise ValueError(
                f"phrase_min_count={self.phrase_min_count}, phrase_threshold="
                f"{self.phrase_threshold}: gensim's scorer needs a count of at "
                "least 1 and a positive threshold"
            )
        if self.phrase_max_vocab is not None and self.phrase_max_vocab < 1:
            raise ValueError(
                f"phrase_max_vocab={self.phrase_max_vocab}: must be at least 1, "
                "or None to count exactly"
            )
        if not 0 < self.no_above <= 1:
            raise ValueError(f"no_above={self.no_above}: must be in (0, 1]")
        stop = {w.lower() for w in self.stop_words}
        if self.gensim_stop_words:
            stop |= set(STOPWORDS)
        object.__setattr__(self, "stop_words", tuple(sorted(set(self.stop_words))))
        object.__setattr__(self, "_stop", frozenset(stop))

    def to_json(self) -> dict[str, Any]:
        """The parameters as JSON-able data (stop words sorted)."""
        data = asdict(self)
        data.pop("_stop")
        data["stop_words"] = list(self.stop_words)
        return data


def tokenize(text: str, params: TokenizerParams) -> list[str]:
    """Tokens of one text (before collocations).

    Examples
    --------
    >>> tokenize("We've read the Kremlin's 'special military operation', 24 Feb.",
    ...          TokenizerParams())
    ['read', 'kremlin', 'special', 'military', 'operation', 'feb']
    """
    if params.lowercase:
        text = text.lower()
    stop = params._stop
    low, high = params.min_length, params.max_length
    tokens = []
    for token in _LETTERS.findall(text):
        if "'" in token or "’" in token:
            token = _POSSESSIVE.sub("", token)
            if "'" in token or "’" in token:
                continue
        if low <= len(token) <= high and token not in stop:
            tokens.append(token)
    return tokens


def apply_phrases(tokens: list[str], layers: Sequence[dict[str, float]]) -> list[str]:
    """Join collocations, layer by layer, left to right (as gensim does).

    Each layer maps ``"a_b"`` to its score; only phrases above the
    threshold are stored, so membership decides.

    Examples
    --------
    >>> layers = [{"special_military": 20.0}, {"special_military_operation": 15.0}]
    >>> apply_phrases(["special", "military", "operation", "began"], layers)
    ['special_military_operation', 'began']
    """
    return _join_phrases(tokens, _compile_layers(layers))


def _compile_layers(
    layers: Sequence[dict[str, float]],
) -> list[tuple[dict[str, float], frozenset[str]]]:
    """Each layer with the tokens that can start one of its phrases.

    A phrase ``"a_b"`` starts with ``a``; as tokens of later layers hold
    ``_`` themselves, every prefix ending before a ``_`` may be one.
    """
    compiled = []
    for phrasegrams in layers:
        starts: set[str] = set()
        for phrase in phrasegrams:
            parts = phrase.split("_")
            starts.update("_".join(parts[:i]) for i in range(1, len(parts)))
        compiled.append((phrasegrams, frozenset(starts)))
    return compiled


def _join_phrases(
    tokens: list[str], layers: list[tuple[dict[str, float], frozenset[str]]]
) -> list[str]:
    for phrasegrams, starts in layers:
        if len(tokens) < 2 or starts.isdisjoint(tokens):
            continue
        joined: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            # Only a token that starts a phrase pays for building the pair.
            if i + 1 < n and tokens[i] in starts:
                pair = f"{tokens[i]}_{tokens[i + 1]}"
                if pair in phrasegrams:
                    joined.append(pair)
                    i += 2
                    continue
            joined.append(tokens[i])
            i += 1
        tokens = joined
    return tokens


def documents_key(documents: Any) -> tuple[str, Any]:
    """A content hash of the documents, and the documents to read.

    A :class:`~framing.store.Corpus` is keyed by the sha256s of its article
    files recorded in the store manifest (no reading); other
    inputs by a streaming sha256 of every ``doc_id`` and text. One-shot
    iterables are materialised so that they can be read twice.
    """
    if isinstance(documents, Corpus):
        articles = documents.articles_sha256()
        return hashlib.sha256(f"corpus\0{articles}".encode()).hexdigest(), documents
    if not isinstance(documents, pd.DataFrame) and not isinstance(documents, list):
        documents = list(documents)
    if isinstance(documents, str):
        raise TypeError("documents must be a collection of texts, not one string")
    digest = hashlib.sha256(b"documents\0")
    for doc_id, text, _ in iter_documents(documents):
        digest.update(doc_id.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest(), documents


class TokenStream:
    """Re-iterable token lists (after collocations) read from disk.

    Each iteration opens the file again; memory is one document at a time.
    """

    def __init__(self, path: Path, n_docs: int) -> None:
        self.path = path
        self.n_docs = n_docs

    def __len__(self) -> int:
        return self.n_docs

    def __iter__(self) -> Iterator[list[str]]:
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                yield line.split()


class BowCorpus:
    """Re-iterable bag-of-words documents streamed from a Matrix Market file.

    Iterating yields lists of ``(token_id, count)``; nothing but the current
    document is held in memory, and no pickled index is read.
    """

    def __init__(self, path: Path, n_docs: int, n_terms: int) -> None:
        self.path = path
        self.n_docs = n_docs
        self.n_terms = n_terms

    def __len__(self) -> int:
        return self.n_docs

    def __iter__(self) -> Iterator[list[tuple[int, float]]]:
        from gensim.corpora._mmreader import MmReader

        for _, document in MmReader(str(self.path)):
            yield document


@dataclass
class PreparedCorpus:
    """A cached bag-of-words corpus and what made it.

    Attributes
    ----------
    path : Path
        The cache folder.
    key : str
        sha256 of documents, parameters and versions.
    dictionary : gensim Dictionary
    bow : BowCorpus
    tokens : TokenStream
        Token lists after collocations (before dictionary filtering), for
        coherence measures that need texts.
    doc_ids : list of str
    phrases : list of dict
        Collocation layers (phrase -> score), see :func:`apply_phrases`.
    params : TokenizerParams
    from_cache : bool
        Whether this call found the folder already built.
    """

    path: Path
    key: str
    dictionary: Dictionary
    bow: BowCorpus
    tokens: TokenStream
    doc_ids: list[str]
    phrases: list[dict[str, float]]
    params: TokenizerParams
    from_cache: bool

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)


def dictionary_to_json(dictionary: Dictionary) -> dict[str, Any]:
    """A gensim Dictionary as plain JSON data (tokens in id order)."""
    ids = sorted(dictionary.token2id.values())
    if ids != list(range(len(ids))):
        raise ValueError("dictionary ids are not contiguous; call compactify()")
    tokens = [dictionary[i] for i in ids]
    return {
        "tokens": tokens,
        "dfs": [int(dictionary.dfs.get(i, 0)) for i in ids],
        "cfs": [int(dictionary.cfs.get(i, 0)) for i in ids],
        "num_docs": int(dictionary.num_docs),
        "num_pos": int(dictionary.num_pos),
        "num_nnz": int(dictionary.num_nnz),
    }


def dictionary_from_json(data: dict[str, Any]) -> Dictionary:
    """Rebuild a Dictionary from :func:`dictionary_to_json` data.

    Examples
    --------
    >>> d = Dictionary([["war", "peace"], ["war"]])
    >>> dictionary_from_json(dictionary_to_json(d)).token2id == d.token2id
    True
    """
    dictionary = Dictionary()
    tokens = [str(t) for t in data["tokens"]]
    dictionary.token2id = {t: i for i, t in enumerate(tokens)}
    dictionary.dfs = {i: int(v) for i, v in enumerate(data["dfs"])}
    dictionary.cfs = {i: int(v) for i, v in enumerate(data["cfs"])}
    dictionary.num_docs = int(data["num_docs"])
    dictionary.num_pos = int(data["num_pos"])
    dictionary.num_nnz = int(data["num_nnz"])
    dictionary.id2token = {}
    return dictionary


def _versions() -> dict[str, str]:
    import gensim

    from ... import __version__

    return {"gensim": gensim.__version__, "framing": __version__}


def _cache_key(doc_key: str, params: TokenizerParams) -> str:
    payload = json.dumps(
        {
            "format": _FORMAT,
            "documents": doc_key,
            "params": params.to_json(),
            "versions": _versions(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


# Documents per part: what one worker tokenises, counts and writes at a time.
# A constant, not a parameter: over the collocation bound the counts are
# pruned after each part, so results there depend on where parts end.
PART_DOCS = 1000
_MM_HEADER = b"%%MatrixMarket matrix coordinate real general\n"
_MM_STATS_WIDTH = 50  # gensim's MmWriter leaves 50 characters for the sizes


def _part_state(*args: Any) -> tuple[Any, ...]:
    """A worker's state for a pass: sent once per worker, not per part."""
    return args


def _tokenise_part(
    state: tuple[TokenizerParams, bool, int],
    part: list[tuple[str, str]] | ArticleRange,
) -> tuple[list[str], list[int], str, Any, int]:
    """Ids, token counts, token lines and collocation counts of one part.

    A part of a corpus store is a range of its rows, which the worker reads.
    The counts are an Arrow table in ``n_buckets`` buckets when counted
    exactly (see :class:`~framing.frames.topics.collocations.CollocationCounter`).
    """
    params, count, n_buckets = state
    part = part_documents(part)
    doc_ids: list[str] = []
    n_tokens: list[int] = []
    lines: list[str] = []
    counts: Counter[str] = Counter()
    for doc_id, text in part:
        tokens = tokenize(text, params)
        doc_ids.append(doc_id)
        n_tokens.append(len(tokens))
        lines.append(" ".join(tokens) + "\n")
        if count:
            count_pairs(tokens, counts)
    if params.phrase_max_vocab is None:
        table = counts_table(counts, n_buckets)
        return doc_ids, n_tokens, "".join(lines), table, sum(n_tokens)
    return doc_ids, n_tokens, "".join(lines), counts, sum(n_tokens)


def part_documents(
    part: list[tuple[str, str]] | ArticleRange,
) -> list[tuple[str, str]]:
    """``(doc_id, text)`` of a part; a range of a store is read here."""
    return part.documents() if isinstance(part, ArticleRange) else part


def document_parts(
    documents: Any, batch_size: int = 1000
) -> Iterator[list[tuple[str, str]] | ArticleRange]:
    """The documents in parts of :data:`PART_DOCS`: store ranges or lists."""
    if isinstance(documents, Corpus):
        yield from documents.ranges(PART_DOCS)
        return
    docs = iter_documents(documents, batch_size)
    while part := [(d, text or "") for d, text, _ in islice(docs, PART_DOCS)]:
        yield part


def _layers_state(layers: list[dict[str, float]]) -> Any:
    """A worker's state for a pass that joins phrases: the compiled layers."""
    return _compile_layers(layers)


def _count_state(layers: list[dict[str, float]], n_buckets: int | None) -> Any:
    """A worker's state for counting a later layer: the compiled layers.

    ``n_buckets`` is ``None`` when the counts are bounded in memory.
    """
    return _compile_layers(layers), n_buckets


def _count_part(state: Any, lines: list[str]) -> tuple[Any, int]:
    """Collocation counts of one part after the layers found so far."""
    layers, n_buckets = state
    counts: Counter[str] = Counter()
    n_words = 0
    for line in lines:
        tokens = _join_phrases(line.split(), layers)
        n_words += len(tokens)
        count_pairs(tokens, counts)
    if n_buckets is None:
        return counts, n_words
    return counts_table(counts, n_buckets), n_words


def _phrase_part(
    state: Any, lines: list[str]
) -> tuple[str, list[str], list[int], list[int], int, int]:
    """Phrased lines and dictionary counts of one part.

    Tokens come in the order a gensim ``Dictionary`` would first see them
    (document by document, sorted within a document), so that ids assigned
    across parts in part order are the ids of one pass.
    """
    out: list[str] = []
    order: list[str] = []
    dfs: Counter[str] = Counter()
    cfs: Counter[str] = Counter()
    num_pos = num_nnz = 0
    for line in lines:
        tokens = _join_phrases(line.split(), state)
        out.append(" ".join(tokens) + "\n")
        counter = Counter(tokens)
        order.extend(sorted(t for t in counter if t not in dfs))
        dfs.update(counter.keys())
        cfs.update(counter)
        num_pos += len(tokens)
        num_nnz += len(counter)
    return (
        "".join(out),
        order,
        [dfs[t] for t in order],
        [cfs[t] for t in order],
        num_pos,
        num_nnz,
    )


def _bow_part(
    state: tuple[dict[str, int]], item: tuple[int, list[str]]
) -> tuple[bytes, list[int], int]:
    """Matrix Market rows (as gensim's ``MmWriter`` writes them) of one part."""
    (token2id,) = state
    first, lines = item
    rows: list[str] = []
    lengths: list[int] = []
    nnz = 0
    for docno, line in enumerate(lines, start=first + 1):
        bow = sorted(
            (token2id[t], n) for t, n in Counter(line.split()).items() if t in token2id
        )
        lengths.append(sum(n for _, n in bow))
        nnz += len(bow)
        rows.extend(f"{docno} {i + 1} {n}\n" for i, n in bow)
    return "".join(rows).encode("utf-8"), lengths, nnz


def _line_parts(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        while lines := list(islice(handle, PART_DOCS)):
            yield lines


def _numbered(parts: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    first = 0
    for lines in parts:
        yield first, lines
        first += len(lines)


def prepare_corpus(
    documents: Any,
    params: TokenizerParams | None = None,
    *,
    root: str | Path | None = None,
    progress: Any = None,
    batch_size: int = 1000,
    compute: Compute | None = None,
) -> PreparedCorpus:
    """Tokenise, find collocations, build a dictionary and a bag-of-words.

    Parameters
    ----------
    documents
        A :class:`~framing.store.Corpus`, a DataFrame with ``doc_id`` and
        ``text``, ``(doc_id, text)`` pairs or strings (as for
        :class:`~framing.frames.LexiconDetector`).
    params : TokenizerParams, optional
    root : path, optional
        Cache root; default ``<FRAMING_CACHE_DIR>/topics/bow``.
    progress : rich Progress, optional
        Shows one bar per pass.
    batch_size : int
        Accepted for compatibility; it has no effect. A corpus store is read
        by the workers themselves, each a range of :data:`PART_DOCS` rows.
    compute : framing.compute.Compute, optional
        Where the parts are tokenised, counted and written: serially (the
        default), on local processes or on a Dask cluster. The cache
        folder is byte-identical whichever runs it.

    Examples
    --------
    >>> import tempfile
    >>> texts = ["the special military operation in the east",
    ...          "a special military operation began", "grain exports from the south",
    ...          "the east and the south", "grain prices rose"] * 3
    >>> docs = [(f"d{i}", text) for i, text in enumerate(texts)]
    >>> p = TokenizerParams(no_below=1, no_above=1.0, phrase_min_count=2)
    >>> prepared = prepare_corpus(docs, p, root=tempfile.mkdtemp())
    >>> prepared.n_docs, prepared.from_cache
    (15, False)
    >>> prepare_corpus(docs, p, root=prepared.path.parent).from_cache
    True
    """
    from ..._progress import track

    params = params or TokenizerParams()
    doc_key, documents = documents_key(documents)
    key = _cache_key(doc_key, params)
    base = Path(root) if root is not None else cache_dir() / "topics" / "bow"
    target = base / key
    if (target / PREPARED_FILE).is_file():
        return _open_prepared(target, params, from_cache=True)

    n_docs = len(documents) if not isinstance(documents, Corpus) else None
    if isinstance(documents, Corpus):
        n_docs = int(documents.counts.get("kept", 0)) or None
    n_parts = None if n_docs is None else -(-n_docs // PART_DOCS)

    def passes(
        function: Any,
        items: Iterable[Any],
        description: str,
        *state: Any,
        setup: Any = _part_state,
    ) -> Iterator[Any]:
        # Every setting, serial included, runs the same function on the same
        # parts and takes the results back in part order.
        results = ordered_map(function, items, compute, setup=setup, setup_args=state)
        return track(results, progress, description, total=n_parts, every=1)

    # One set of workers for the four passes (each would start its own).
    with kept_workers(compute), atomic_directory(target) as staging:
        raw = staging / "raw-tokens.txt"
        doc_ids: list[str] = []
        n_tokens = array("q")
        collocations = params.phrase_layers > 0

        # Buckets from the documents expected: the result does not depend on
        # them, only how much of the counts this process adds up at a time.
        n_buckets = buckets_for(n_docs)

        def counter() -> CollocationCounter:
            return CollocationCounter(
                min_count=params.phrase_min_count,
                threshold=params.phrase_threshold,
                max_vocab=params.phrase_max_vocab,
                folder=staging,
                n_buckets=n_buckets,
            )

        counts = counter()
        n_words = 0
        with raw.open("w", encoding="utf-8") as out:
            for ids, lengths, lines, part_counts, part_words in passes(
                _tokenise_part,
                document_parts(documents, batch_size),
                "tokenise",
                params,
                collocations,
                n_buckets,
            ):
                doc_ids.extend(ids)
                n_tokens.extend(lengths)
                out.write(lines)
                if collocations:
                    counts.add(part_counts)
                    n_words += part_words
        if len(set(doc_ids)) != len(doc_ids):
            dup = next(d for d, n in Counter(doc_ids).items() if n > 1)
            raise FramingError(
                f"doc_id {dup!r} occurs more than once; topic shares are joined "
                "on doc_id, so give every document a unique id"
            )
        n_parts = -(-len(doc_ids) // PART_DOCS)

        layers: list[dict[str, float]] = []
        if collocations:
            layers.append(counts.phrases(n_words))
            for layer in range(1, params.phrase_layers):
                counts, n_words = counter(), 0
                for part_counts, part_words in passes(
                    _count_part,
                    _line_parts(raw),
                    f"collocations {layer + 1}",
                    list(layers),
                    n_buckets if counts.exact else None,
                    setup=_count_state,
                ):
                    counts.add(part_counts)
                    n_words += part_words
                layers.append(counts.phrases(n_words))

        # The dictionary, built from the parts' counts as gensim's
        # Dictionary.add_documents would build it in one pass.
        phrased = staging / "tokens.txt"
        token2id: dict[str, int] = {}
        dfs: list[int] = []
        cfs: list[int] = []
        num_pos = num_nnz = 0
        with phrased.open("w", encoding="utf-8") as out:
            for lines, order, part_dfs, part_cfs, part_pos, part_nnz in passes(
                _phrase_part,
                _line_parts(raw),
                "collocations",
                layers,
                setup=_layers_state,
            ):
                out.write(lines)
                for token, df, cf in zip(order, part_dfs, part_cfs, strict=True):
                    token_id = token2id.setdefault(token, len(token2id))
                    if token_id == len(dfs):
                        dfs.append(df)
                        cfs.append(cf)
                    else:
                        dfs[token_id] += df
                        cfs[token_id] += cf
                num_pos += part_pos
                num_nnz += part_nnz
        raw.unlink()
        dictionary = Dictionary()
        dictionary.token2id = token2id
        dictionary.dfs = dict(enumerate(dfs))
        dictionary.cfs = dict(enumerate(cfs))
        dictionary.num_docs = len(doc_ids)
        dictionary.num_pos = num_pos
        dictionary.num_nnz = num_nnz
        del token2id, dfs, cfs
        dictionary.filter_extremes(
            no_below=params.no_below, no_above=params.no_above, keep_n=params.keep_n
        )
        dictionary.compactify()
        if len(dictionary) == 0:
            raise FramingError(
                f"no token survives filtering in {len(doc_ids)} documents "
                f"(no_below={params.no_below}, no_above={params.no_above}); "
                "lower no_below or raise no_above for small corpora"
            )

        bow_lengths = array("q")
        bow_nnz = 0
        with (staging / "bow.mm").open("wb") as matrix:
            # The layout of gensim's MmWriter: a header line, the sizes padded
            # to a fixed width (filled in at the end), then one row per entry.
            matrix.write(_MM_HEADER + b" " * _MM_STATS_WIDTH + b"\n")
            for rows, lengths, part_nnz in passes(
                _bow_part,
                _numbered(_line_parts(phrased)),
                "bag-of-words",
                dict(dictionary.token2id),
            ):
                matrix.write(rows)
                bow_lengths.extend(lengths)
                bow_nnz += part_nnz
            matrix.seek(len(_MM_HEADER))
            matrix.write(f"{len(doc_ids)} {len(dictionary)} {bow_nnz}".encode())
        pd.DataFrame(
            {
                "doc_id": pd.Series(doc_ids, dtype=object),
                "n_tokens": np.asarray(n_tokens, dtype=np.int64),
                "n_bow_tokens": np.asarray(bow_lengths, dtype=np.int64),
            }
        ).to_parquet(staging / "documents.parquet", index=False)
        write_json_atomic(staging / "dictionary.json", dictionary_to_json(dictionary))
        write_json_atomic(staging / "phrases.json", {"layers": layers})
        write_json_atomic(
            staging / PREPARED_FILE,
            {
                "key": key,
                "documents_key": doc_key,
                "params": params.to_json(),
                "versions": _versions(),
                "n_docs": len(doc_ids),
                "n_terms": len(dictionary),
                "empty_docs": int(sum(1 for n in bow_lengths if n == 0)),
            },
        )
    return _open_prepared(target, params, from_cache=False)


def _open_prepared(
    folder: Path, params: TokenizerParams, *, from_cache: bool
) -> PreparedCorpus:
    try:
        meta = json.loads((folder / PREPARED_FILE).read_text(encoding="utf-8"))
        dictionary = dictionary_from_json(
            json.loads((folder / "dictionary.json").read_text(encoding="utf-8"))
        )
        layers = json.loads((folder / "phrases.json").read_text(encoding="utf-8"))
        doc_ids = (
            pd.read_parquet(folder / "documents.parquet", columns=["doc_id"])["doc_id"]
            .astype(str)
            .tolist()
        )
    except (OSError, ValueError, KeyError) as exc:
        # A damaged cache entry is rebuilt rather than trusted.
        shutil.rmtree(folder, ignore_errors=True)
        raise FramingError(
            f"{folder}: damaged bag-of-words cache ({exc}); it has been removed, "
            "run the fit again to rebuild it"
        ) from exc
    n_docs = int(meta["n_docs"])
    return PreparedCorpus(
        path=folder,
        key=str(meta["key"]),
        dictionary=dictionary,
        bow=BowCorpus(folder / "bow.mm", n_docs, len(dictionary)),
        tokens=TokenStream(folder / "tokens.txt", n_docs),
        doc_ids=doc_ids,
        phrases=[
            {str(k): float(v) for k, v in layer.items()} for layer in layers["layers"]
        ],
        params=params,
        from_cache=from_cache,
    )
