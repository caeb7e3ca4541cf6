"""LDA topic models as a scikit-learn style estimator.

:class:`TopicModel` prepares the bag-of-words (:mod:`.tokens`, cached by
content) and trains gensim's :class:`~gensim.models.LdaModel`.

Reproducibility
    With the default ``multicore=False`` and an integer ``random_state``
    the same documents, parameters and seed give a bit-identical
    topic-word matrix (:func:`topic_word_hash`): gensim's LdaModel draws
    every random number from the seeded state, and the toolkit sets
    ``eval_every=None`` because perplexity logging consumes random numbers.
    ``multicore=True`` uses :class:`~gensim.models.LdaMulticore`, which is
    faster on large corpora but *not* bit-reproducible once a pass has more
    than one chunk (``chunksize`` documents): workers return their updates
    in whatever order the operating system schedules them. The toolkit
    then emits a :class:`NotReproducibleWarning` and records
    ``reproducible: false`` in saved models and run manifests; use it to
    explore, and refit the model you report with ``multicore=False``.

Guided topics
    ``seed_words`` (a mapping of topic name to words, or a lexicon name
    such as ``"war-naming"`` whose frames become topics) turns into an
    asymmetric prior ``eta`` (:func:`seed_eta`): the first topics are the
    guided ones, in the order given, the rest are free. A seed word gets
    ``seed_weight`` times its corpus frequency as pseudo-counts in its
    topic, so that with the default ``seed_weight=1.0`` at least half of
    the word's probability mass is held by its topic whatever the corpus
    size; every other entry is the symmetric base ``1 / k``.

Document-topic posteriors
    ``gamma_`` holds the variational Dirichlet parameters of every training
    document under the final model; :meth:`TopicModel.transform` returns
    their normalised shares and :meth:`TopicModel.posterior_draws` samples
    from them, which is what the method of composition needs to carry
    topic uncertainty into later regressions.

Training sample
    ``sample_size=n`` trains LDA on a seeded stratified sample of ``n``
    prepared documents (strata: ``sample_by``, by default outlet and
    calendar year; see :mod:`.sample`). The dictionary and collocations
    are still learned from every document, and ``gamma_`` and
    :meth:`TopicModel.document_topics` still cover every document (one
    E-step pass with the sample-trained model). ``sample_`` records the
    draw (sizes per stratum, seed, method, a sha256 of the selected
    doc_ids) and is saved with the model. A sample needs an integer
    ``random_state``: ``None`` is refused, because the sample could not be
    drawn again.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ...compute import Compute, ordered_map
from ...errors import FramingError
from ..detect import iter_documents
from .sample import (
    SampledCorpus,
    check_sample_params,
    check_strata_source,
    document_strata,
    draw_training_sample,
    strata_table,
)
from .tokens import (
    PreparedCorpus,
    TokenizerParams,
    _cache_key,
    _compile_layers,
    _join_phrases,
    apply_phrases,
    document_parts,
    documents_key,
    part_documents,
    prepare_corpus,
    tokenize,
)

__all__ = [
    "TopicModel",
    "NotReproducibleWarning",
    "seed_eta",
    "lexicon_seed_words",
    "topic_word_hash",
    "topic_columns",
]

_TOKENIZER_FIELDS = (
    "lowercase",
    "min_length",
    "max_length",
    "gensim_stop_words",
    "stop_words",
    "phrase_layers",
    "phrase_min_count",
    "phrase_threshold",
    "phrase_max_vocab",
    "no_below",
    "no_above",
    "keep_n",
)


class NotReproducibleWarning(UserWarning):
    """A model was trained in a way that does not repeat bit for bit."""


def topic_columns(k: int) -> list[str]:
    """Column names of topic shares: ``topic_00``, ``topic_01``, ...

    Examples
    --------
    >>> topic_columns(3)
    ['topic_00', 'topic_01', 'topic_02']
    """
    width = max(2, len(str(k - 1)))
    return [f"topic_{i:0{width}d}" for i in range(k)]


def topic_word_hash(model: Any) -> str:
    """sha256 of a fitted model's topic-word variational parameters.

    ``model`` is a :class:`TopicModel` or a gensim LdaModel. Equal hashes
    mean bit-identical matrices.
    """
    lda = getattr(model, "model_", model)
    state = np.ascontiguousarray(lda.state.get_lambda())
    digest = hashlib.sha256(str((state.shape, state.dtype.str)).encode())
    digest.update(state.tobytes())
    return digest.hexdigest()


def lexicon_seed_words(
    lexicon: str | Path, params: TokenizerParams | None = None
) -> dict[str, list[str]]:
    """Seed words per frame of a lexicon, in the tokens the model will see.

    Every surface form of every term is tokenised like the documents and
    multi-word forms are joined with ``_`` (the collocation delimiter), so
    ``"special military operation"`` becomes
    ``"special_military_operation"``. Exclusions are not seeds.

    Examples
    --------
    >>> seeds = lexicon_seed_words("war-naming")
    >>> "special_military_operation" in seeds["special-military-operation"]
    True
    """
    from ..lexicon import load_lexicon

    params = params or TokenizerParams(gensim_stop_words=False)
    lexicon_ = load_lexicon(lexicon)
    seeds: dict[str, list[str]] = {name: [] for name in lexicon_.frame_names}
    for form, frame, _lemma, _language in lexicon_.surface_table():
        if not frame:
            continue
        tokens = tokenize(form, params)
        if tokens:
            word = "_".join(tokens)
            if word not in seeds[frame]:
                seeds[frame].append(word)
    return seeds


def seed_eta(
    dictionary: Any,
    seed_words: Mapping[str, Sequence[str]],
    k: int,
    *,
    weight: float = 1.0,
    base: float | None = None,
) -> tuple[np.ndarray, dict[str, list[str]]]:
    """The ``eta`` prior (k x V) for guided topics, and the missing seeds.

    Topic ``i`` is guided by the ``i``-th entry of ``seed_words``. A seed
    word ``w`` of topic ``i`` gets ``weight * cf(w)`` pseudo-counts in
    topic ``i`` (``cf`` = its corpus frequency in ``dictionary``), at least
    ``base``; every other entry is ``base`` (default ``1 / k``, gensim's
    symmetric prior). Seed words not in the dictionary are returned per
    topic so that they can be reported.

    Examples
    --------
    >>> from gensim.corpora import Dictionary
    >>> d = Dictionary([["war", "war", "peace", "grain"]])
    >>> eta, missing = seed_eta(d, {"war": ["war", "tank"]}, 2, weight=1.0)
    >>> eta[:, d.token2id["war"]].tolist()
    [2.0, 0.5]
    >>> missing
    {'war': ['tank']}
    """
    if len(seed_words) > k:
        raise ValueError(
            f"{len(seed_words)} guided topics but k={k}; raise k to at least "
            f"{len(seed_words)} or give fewer seed-word lists"
        )
    if weight <= 0:
        raise ValueError(f"seed_weight={weight}: must be positive")
    base = 1.0 / k if base is None else float(base)
    eta = np.full((k, len(dictionary)), base, dtype=np.float64)
    missing: dict[str, list[str]] = {}
    for topic, (name, words) in enumerate(seed_words.items()):
        for word in words:
            token_id = dictionary.token2id.get(word)
            if token_id is None:
                missing.setdefault(name, []).append(word)
                continue
            eta[topic, token_id] = max(base, weight * dictionary.cfs.get(token_id, 0))
    return eta, missing


class _Tracked:
    """A corpus that advances a progress bar as gensim reads it."""

    def __init__(self, corpus: Any, progress: Any, task: Any) -> None:
        self.corpus = corpus
        self.progress = progress
        self.task = task

    def __len__(self) -> int:
        return len(self.corpus)

    def __iter__(self) -> Iterator[list[tuple[int, float]]]:
        for i, doc in enumerate(self.corpus, start=1):
            yield doc
            if i % 200 == 0:
                self.progress.advance(self.task, 200)
        self.progress.advance(self.task, len(self.corpus) % 200)


class TopicModel(BaseEstimator):
    """Latent Dirichlet allocation over a streamed, cached bag-of-words.

    Parameters
    ----------
    k : int
        Number of topics.
    passes, iterations, chunksize : int
        gensim's passes over the corpus, E-step iterations per document
        and documents per update.
    alpha : str, float or array
        Document-topic prior (gensim: ``"symmetric"``, ``"asymmetric"``,
        ``"auto"``, a number or an array of length ``k``).
    eta : float, array or None
        Topic-word prior; ``None`` is gensim's symmetric ``1 / k``. With
        ``seed_words`` it must be ``None`` or a number (the base value).
    seed_words : mapping, str, Path or None
        Guided topics: ``{topic name: [words]}``, or a lexicon name or
        path whose frames become topics (:func:`lexicon_seed_words`).
    seed_weight : float
        Seed pseudo-counts as a multiple of the word's corpus frequency.
    random_state : int or None
        Seed; ``None`` gives a different model on every fit (and is refused
        with ``sample_size``).
    multicore : bool
        Use LdaMulticore (faster, not bit-reproducible; see module notes).
    workers : int or None
        Worker processes for ``multicore`` (default: cores - 1).
    sample_size : int or None
        Train on a seeded stratified sample of this many documents
        (:mod:`~framing.frames.topics.sample`); ``None`` trains on all.
        At least the number of documents trains on all and says so in
        ``sample_``.
    sample_by : sequence of str
        Strata of the sample: ``"outlet"`` and/or ``"year"`` (of
        ``published``; undated documents form the year ``"(no date)"``);
        ``()`` draws a simple random sample. Strata need a corpus store or
        a DataFrame with ``outlet`` and ``published`` columns.
    lowercase, min_length, max_length, gensim_stop_words, stop_words, \
phrase_layers, phrase_min_count, phrase_threshold, phrase_max_vocab, no_below, \
no_above, keep_n
        Tokenisation, collocation and dictionary settings
        (:class:`~framing.frames.topics.tokens.TokenizerParams`).
    cache_dir : str, Path or None
        Bag-of-words cache root (default under ``FRAMING_CACHE_DIR``).
    batch_size : int
        Rows per batch when reading a corpus store.
    progress : bool
        Show rich progress bars.

    Attributes
    ----------
    model_ : gensim.models.LdaModel
    dictionary_ : gensim.corpora.Dictionary
    phrases_ : list of dict
        Collocation layers learned from the training documents.
    prepared_ : PreparedCorpus or None
        The cached bag-of-words (``None`` for a loaded model).
    gamma_ : ndarray (n_docs, k)
        Variational Dirichlet parameters of each training document
        (computed on first access, then kept).
    doc_ids_ : list of str
    doc_lengths_ : ndarray
        Bag-of-words tokens per training document.
    topic_word_ : ndarray (k, V)
        Topic-word probabilities.
    topic_names_ : list of str
        Guided topics carry their seed list's name.
    seed_words_missing_ : dict
        Seed words absent from the dictionary, per topic.
    bow_key_ : str
        Cache key of the training bag-of-words.
    reproducible_ : bool
    sample_ : dict or None
        The training sample's record (JSON-ready: ``size``, ``requested``,
        ``population``, ``whole_corpus``, ``by``, ``seed``, ``method``,
        ``strata``, ``strata_without_sample``, ``doc_ids_sha256``); ``None``
        when trained on every document without ``sample_size``.
    sample_doc_mask_ : ndarray of bool or None
        ``True`` for the documents of ``doc_ids_`` in the training sample.
    sample_strata_ : DataFrame or None
        ``sample_["strata"]`` as a table.

    Examples
    --------
    >>> from framing.frames.topics.synthetic import sample_lda_corpus
    >>> data = sample_lda_corpus(n_docs=60, k=2, vocab_size=40, seed=1)
    >>> model = TopicModel(k=2, passes=5, no_below=1, no_above=1.0,
    ...                    phrase_layers=0, random_state=0).fit(data.documents)
    >>> shares = model.transform(data.documents)
    >>> shares.columns.tolist()
    ['doc_id', 'n_tokens', 'topic_00', 'topic_01']
    >>> bool(np.allclose(shares[["topic_00", "topic_01"]].sum(axis=1), 1.0))
    True

    Training on a sample of 40 documents (a simple random sample here;
    a corpus store or a DataFrame with ``outlet`` and ``published`` can be
    stratified), with shares for all 60:

    >>> sampled = TopicModel(k=2, passes=5, no_below=1, no_above=1.0,
    ...                      phrase_layers=0, random_state=0, sample_size=40,
    ...                      sample_by=()).fit(data.documents)
    >>> sampled.sample_["size"], sampled.sample_["population"]
    (40, 60)
    >>> int(sampled.sample_doc_mask_.sum()), len(sampled.document_topics())
    (40, 60)
    """

    def __init__(
        self,
        *,
        k: int = 10,
        passes: int = 10,
        iterations: int = 100,
        chunksize: int = 2000,
        alpha: Any = "symmetric",
        eta: Any = None,
        seed_words: Mapping[str, Sequence[str]] | str | Path | None = None,
        seed_weight: float = 1.0,
        random_state: int | None = 0,
        multicore: bool = False,
        workers: int | None = None,
        sample_size: int | None = None,
        sample_by: Sequence[str] = ("outlet", "year"),
        lowercase: bool = True,
        min_length: int = 2,
        max_length: int = 30,
        gensim_stop_words: bool = True,
        stop_words: Sequence[str] = (),
        phrase_layers: int = 2,
        phrase_min_count: int = 5,
        phrase_threshold: float = 10.0,
        phrase_max_vocab: int | None = None,
        no_below: int = 5,
        no_above: float = 0.5,
        keep_n: int = 100_000,
        cache_dir: str | Path | None = None,
        batch_size: int = 1000,
        progress: bool = False,
    ) -> None:
        self.k = k
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.alpha = alpha
        self.eta = eta
        self.seed_words = seed_words
        self.seed_weight = seed_weight
        self.random_state = random_state
        self.multicore = multicore
        self.workers = workers
        self.sample_size = sample_size
        self.sample_by = sample_by
        self.lowercase = lowercase
        self.min_length = min_length
        self.max_length = max_length
        self.gensim_stop_words = gensim_stop_words
        self.stop_words = stop_words
        self.phrase_layers = phrase_layers
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.phrase_max_vocab = phrase_max_vocab
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.progress = progress

    # -- preparation ---------------------------------------------------------

    def tokenizer_params(self) -> TokenizerParams:
        """The :class:`TokenizerParams` these hyperparameters describe."""
        values = {name: getattr(self, name) for name in _TOKENIZER_FIELDS}
        values["stop_words"] = tuple(values["stop_words"])
        return TokenizerParams(**values)

    def prepare(
        self, documents: Any, progress: Any = None, compute: Compute | None = None
    ) -> PreparedCorpus:
        """The cached bag-of-words of ``documents`` (built if missing).

        ``compute`` (:class:`framing.compute.Compute`) says where its parts
        are prepared; the bag-of-words is the same in every setting.
        """
        return prepare_corpus(
            documents,
            self.tokenizer_params(),
            root=self.cache_dir,
            progress=progress,
            batch_size=self.batch_size,
            compute=compute,
        )

    def _resolved_seed_words(self) -> dict[str, list[str]] | None:
        if self.seed_words is None:
            return None
        if isinstance(self.seed_words, str | Path):
            return lexicon_seed_words(self.seed_words, self.tokenizer_params())
        return {str(name): list(words) for name, words in self.seed_words.items()}

    # -- fitting -------------------------------------------------------------

    def fit(
        self, X: Any, y: Any = None, *, compute: Compute | None = None
    ) -> TopicModel:
        """Prepare the bag-of-words of ``X`` (or reuse the cache) and train.

        ``X`` is anything :func:`~framing.frames.detect.iter_documents`
        accepts: a corpus store, a DataFrame with ``doc_id`` and ``text``,
        ``(doc_id, text)`` pairs or strings. ``y`` is ignored. ``compute``
        (:class:`framing.compute.Compute`) runs the preparation's parts on
        local processes or a Dask cluster (the same bag-of-words); training
        runs in this process, on every document or, with ``sample_size``,
        on a seeded stratified sample of them.
        """
        from ..._progress import progress_bar

        if self.k < 1:
            raise ValueError(f"k={self.k}: need at least one topic")
        by = check_sample_params(self.sample_size, self.sample_by, self.random_state)
        if self.sample_size is not None:
            # Refused before the (long) preparation, not after it.
            check_strata_source(X, by)
        with progress_bar(self.progress) as bar:
            prepared = self.prepare(X, progress=bar, compute=compute)
            self._fit_prepared(prepared, bar, X)
        return self

    def fit_prepared(
        self, prepared: PreparedCorpus, documents: Any = None
    ) -> TopicModel:
        """Train on an already prepared bag-of-words (used by K selection).

        ``documents`` (those ``prepared`` was made from) gives the strata
        of a stratified ``sample_size``; a simple random sample
        (``sample_by=()``) and training on every document do not need it.
        """
        self._fit_prepared(prepared, None, documents)
        return self

    def _training_sample(self, prepared: PreparedCorpus, documents: Any) -> Any:
        """The sample to train on (``None``: every document, no sample)."""
        by = check_sample_params(self.sample_size, self.sample_by, self.random_state)
        if self.sample_size is None:
            return None
        if by and documents is None:
            raise ValueError(
                f"sample_by={list(by)} needs the documents' outlets and dates: "
                "pass the documents, fit_prepared(prepared, documents=...)"
            )
        strata = document_strata(
            documents, prepared.doc_ids, by, batch_size=self.batch_size
        )
        # check_sample_params has made sure random_state is an integer.
        seed = int(self.random_state or 0)
        return draw_training_sample(
            strata, prepared.doc_ids, int(self.sample_size), seed
        )

    def _fit_prepared(self, prepared: PreparedCorpus, bar: Any, documents: Any) -> None:
        from gensim.models import LdaModel, LdaMulticore

        sample = self._training_sample(prepared, documents)
        training: Any = prepared.bow
        if sample is not None and not sample.record["whole_corpus"]:
            training = SampledCorpus(prepared.bow, sample.mask)
        n_training = len(training)
        seeds = self._resolved_seed_words()
        eta: Any = self.eta
        missing: dict[str, list[str]] = {}
        names = topic_columns(self.k)
        if seeds is not None:
            if eta is not None and not isinstance(eta, int | float):
                raise ValueError(
                    "with seed_words, eta must be None or a number (the base prior); "
                    "build a full matrix yourself with seed_eta() and pass no seeds"
                )
            eta, missing = seed_eta(
                prepared.dictionary,
                seeds,
                self.k,
                weight=self.seed_weight,
                base=eta,
            )
            for i, name in enumerate(seeds):
                names[i] = str(name)
        common: dict[str, Any] = {
            "num_topics": self.k,
            "id2word": prepared.dictionary,
            "chunksize": self.chunksize,
            "passes": self.passes,
            "iterations": self.iterations,
            "alpha": self.alpha,
            "eta": eta,
            "random_state": self.random_state,
            "eval_every": None,
        }
        n_chunks = -(-n_training // self.chunksize)
        reproducible = self.random_state is not None
        if self.multicore and isinstance(self.alpha, str) and self.alpha == "auto":
            raise ValueError(
                "alpha='auto' is not available with multicore=True (gensim's "
                "LdaMulticore cannot learn alpha); use multicore=False or a fixed alpha"
            )
        if self.multicore:
            model: Any = LdaMulticore(workers=self.workers, **common)
            if n_chunks > 1:
                reproducible = False
                warnings.warn(
                    f"multicore=True with {n_chunks} chunks per pass: LdaMulticore "
                    "results differ from run to run even with a fixed random_state; "
                    "refit with multicore=False for the model you report",
                    NotReproducibleWarning,
                    stacklevel=3,
                )
        else:
            model = LdaModel(**common)
        corpus: Any = training
        if bar is not None:
            task = bar.add_task(f"LDA k={self.k}", total=self.passes * n_training)
            corpus = _Tracked(training, bar, task)
        # Training through update() is exactly what LdaModel(corpus=...) does,
        # and lets the corpus above report progress.
        model.update(corpus)

        self.model_ = model
        self.dictionary_ = prepared.dictionary
        self.phrases_ = prepared.phrases
        self.prepared_: PreparedCorpus | None = prepared
        self.bow_key_ = prepared.key
        self.doc_ids_ = list(prepared.doc_ids)
        self.doc_lengths_ = pd.read_parquet(
            prepared.path / "documents.parquet", columns=["n_bow_tokens"]
        )["n_bow_tokens"].to_numpy(dtype=np.int64)
        # Posteriors cost one E-step pass over the corpus: computed on first
        # use (gamma_), so that fit() costs what gensim's training costs.
        self._gamma_: np.ndarray | None = None
        self.topic_word_ = model.get_topics()
        self.topic_names_ = names
        self.seed_words_missing_ = missing
        self.reproducible_ = reproducible
        self.sample_ = None if sample is None else sample.record
        self.sample_doc_mask_ = None if sample is None else sample.mask
        self.sample_strata_ = strata_table(self.sample_)

    @property
    def gamma_(self) -> np.ndarray:
        """Variational Dirichlet parameters of the training documents.

        Computed on first access (one deterministic E-step pass over the
        cached bag-of-words) and kept.
        """
        if "_gamma_" not in vars(self):
            raise AttributeError("gamma_ is learned by fit(); fit the model first")
        if self._gamma_ is None:
            if self.prepared_ is None:
                raise FramingError(
                    "this model has no stored posteriors and no bag-of-words; "
                    "refit it on the documents"
                )
            self._gamma_ = self._infer(self.prepared_.bow)
        return self._gamma_

    def _infer(self, bows: Any) -> np.ndarray:
        """Variational gamma of documents under the fitted model.

        A fresh random state seeded from ``random_state`` initialises the
        E-step, so the result does not depend on what ran before.
        """
        seed = 0 if self.random_state is None else self.random_state
        return _e_step(self.model_, bows, self.chunksize, np.random.RandomState(seed))

    # -- using a fitted model ------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise FramingError(
                "this TopicModel is not fitted yet; call fit(documents) or "
                "load one with framing.frames.topics.load_model(path)"
            )

    def bow(self, documents: Any) -> tuple[list[str], list[list[tuple[int, int]]]]:
        """doc_ids and bags of words of new documents, with the fitted
        tokeniser, collocations and dictionary."""
        self._check_fitted()
        params = self.tokenizer_params()
        ids: list[str] = []
        bows: list[list[tuple[int, int]]] = []
        for doc_id, text, _ in iter_documents(documents, self.batch_size):
            tokens = apply_phrases(tokenize(text or "", params), self.phrases_)
            ids.append(doc_id)
            bows.append(self.dictionary_.doc2bow(tokens))
        return ids, bows

    def posteriors(
        self, documents: Any = None, *, compute: Compute | None = None
    ) -> tuple[list[str], np.ndarray]:
        """doc_ids and variational gamma (n_docs x k).

        ``None`` or the training documents give the stored ``gamma_``
        without re-tokenising; other documents are inferred part by part
        (see :meth:`transform`).
        """
        self._check_fitted()
        if documents is None:
            return list(self.doc_ids_), self.gamma_
        doc_key, documents = documents_key(documents)
        if _cache_key(doc_key, self.tokenizer_params()) == self.bow_key_:
            return list(self.doc_ids_), self.gamma_
        ids, gamma, _ = self._infer_documents(documents, compute)
        return ids, gamma

    def transform(self, X: Any, *, compute: Compute | None = None) -> pd.DataFrame:
        """Document-topic shares: ``doc_id``, ``n_tokens``, ``topic_00``...

        One row per document in input order; shares sum to 1. ``n_tokens``
        counts the bag-of-words tokens: documents with none get the prior's
        shares and are best left out of analyses.

        The training documents get their stored posteriors. Other documents
        are inferred in parts of :data:`~framing.frames.topics.tokens.PART_DOCS`
        (a corpus store's workers read their own range of it); each part's
        E-step starts from a random state seeded from ``random_state`` and
        the part's number, so ``compute`` (:class:`framing.compute.Compute`:
        serial, local processes or Dask) never changes the shares.
        """
        self._check_fitted()
        doc_key, X = documents_key(X)
        if _cache_key(doc_key, self.tokenizer_params()) == self.bow_key_:
            return self.document_topics()
        ids, gamma, lengths = self._infer_documents(X, compute)
        return self._shares_frame(ids, gamma, lengths)

    def _infer_documents(
        self, documents: Any, compute: Compute | None
    ) -> tuple[list[str], np.ndarray, np.ndarray]:
        """doc_ids, variational gamma and bag-of-words lengths, part by part."""
        seed = 0 if self.random_state is None else int(self.random_state)
        ids: list[str] = []
        gammas: list[np.ndarray] = []
        lengths: list[int] = []
        results = ordered_map(
            _infer_part,
            enumerate(document_parts(documents, self.batch_size)),
            compute,
            setup=_inference_state,
            setup_args=(
                self.tokenizer_params(),
                list(self.phrases_),
                self.dictionary_,
                self.model_,
                self.chunksize,
                seed,
            ),
        )
        for part_ids, part_gamma, part_lengths in results:
            ids.extend(part_ids)
            gammas.append(part_gamma)
            lengths.extend(part_lengths)
        gamma = np.vstack(gammas) if gammas else np.zeros((0, self.k))
        return ids, gamma, np.asarray(lengths, dtype=np.int64)

    def _shares_frame(
        self, ids: list[str], gamma: np.ndarray, lengths: np.ndarray
    ) -> pd.DataFrame:
        shares = gamma / gamma.sum(axis=1, keepdims=True) if len(gamma) else gamma
        frame = pd.DataFrame(shares, columns=topic_columns(self.k))
        frame.insert(0, "n_tokens", np.asarray(lengths, dtype=np.int64))
        frame.insert(0, "doc_id", pd.Series(ids, dtype=object))
        return frame

    def document_topics(self) -> pd.DataFrame:
        """Shares of the training documents (no re-tokenising)."""
        self._check_fitted()
        return self._shares_frame(self.doc_ids_, self.gamma_, self.doc_lengths_)

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        return self.fit(X, y).transform(X)

    def posterior_draws(
        self, n_draws: int, *, random_state: int = 0, documents: Any = None
    ) -> np.ndarray:
        """Draws of document-topic shares, shape (n_draws, n_docs, k).

        Each document's shares are sampled from Dirichlet(gamma); feed
        every draw through the downstream analysis and pool the results
        (the method of composition).

        Examples
        --------
        >>> from framing.frames.topics.synthetic import sample_lda_corpus
        >>> data = sample_lda_corpus(n_docs=30, k=2, vocab_size=30, seed=2)
        >>> model = TopicModel(k=2, passes=2, no_below=1, no_above=1.0,
        ...                    phrase_layers=0).fit(data.documents)
        >>> model.posterior_draws(5).shape
        (5, 30, 2)
        """
        _, gamma = self.posteriors(documents)
        rng = np.random.default_rng(random_state)
        draws = rng.standard_gamma(np.broadcast_to(gamma, (n_draws, *gamma.shape)))
        return draws / draws.sum(axis=2, keepdims=True)

    def top_words(self, n: int = 10) -> list[list[str]]:
        """The ``n`` most probable words of each topic."""
        self._check_fitted()
        order = np.argsort(-self.topic_word_, axis=1, kind="stable")[:, :n]
        return [[self.dictionary_[int(i)] for i in row] for row in order]


def _inference_state(
    params: TokenizerParams,
    layers: list[dict[str, float]],
    dictionary: Any,
    model: Any,
    chunksize: int,
    seed: int,
) -> tuple[Any, ...]:
    """A worker's state for inference: sent once per worker, not per part."""
    return params, _compile_layers(layers), dictionary, model, chunksize, seed


def _infer_part(
    state: tuple[Any, ...], item: tuple[int, Any]
) -> tuple[list[str], np.ndarray, list[int]]:
    """doc_ids, gamma and bag-of-words lengths of one part (runs on a worker)."""
    params, layers, dictionary, model, chunksize, seed = state
    index, part = item
    ids: list[str] = []
    bows: list[list[tuple[int, int]]] = []
    for doc_id, text in part_documents(part):
        ids.append(doc_id)
        bows.append(dictionary.doc2bow(_join_phrases(tokenize(text, params), layers)))
    # Seeded by part, so a part's E-step does not depend on the parts before.
    entropy = np.random.SeedSequence([seed, index]).generate_state(1)
    gamma = _e_step(model, bows, chunksize, np.random.RandomState(entropy))
    return ids, gamma, [sum(n for _, n in bow) for bow in bows]


def _e_step(
    model: Any, bows: Any, chunksize: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Variational gamma of a stream of bags of words, ``chunksize`` at a time.

    ``random_state`` initialises the E-step (gensim draws the starting gamma
    from the model's state); the model's own state is put back afterwards.
    """
    saved = model.random_state
    model.random_state = random_state
    try:
        parts: list[np.ndarray] = []
        chunk: list[Any] = []
        for doc in bows:
            chunk.append(doc)
            if len(chunk) == chunksize:
                parts.append(model.inference(chunk)[0])
                chunk = []
        if chunk:
            parts.append(model.inference(chunk)[0])
    finally:
        model.random_state = saved
    if not parts:
        return np.zeros((0, model.num_topics), dtype=np.float64)
    return np.vstack(parts).astype(np.float64)
