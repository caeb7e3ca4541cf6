"""Corpora sampled from a known LDA (seeded; labelled synthetic).

For recovery tests and benchmarks only. Document ids start with
``synthetic-lda-`` and the words are generated pseudo-words (no stop
words, letters only, at least four characters) so that the toolkit's
tokeniser keeps every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SyntheticLDA", "sample_lda_corpus", "best_match_similarity"]

_SYLLABLES = (
    "ka", "lo", "mi", "ne", "ru", "sa", "vi", "da", "pe", "zo",
    "gri", "bar", "tel", "mon", "ost", "ver", "lin", "dro", "pas", "kel",
)  # fmt: skip


@dataclass(frozen=True)
class SyntheticLDA:
    """A corpus sampled from a known LDA.

    Attributes
    ----------
    documents : list of (doc_id, text)
    vocabulary : list of str
    topic_word : ndarray (k, V)
        True topic-word distributions (rows sum to 1).
    doc_topic : ndarray (n_docs, k)
        True document-topic shares.
    synthetic : bool
        Always ``True``: this is generated data.
    """

    documents: list[tuple[str, str]]
    vocabulary: list[str]
    topic_word: np.ndarray
    doc_topic: np.ndarray
    synthetic: bool = True


def _words(rng: np.random.Generator, size: int) -> list[str]:
    from gensim.parsing.preprocessing import STOPWORDS

    words: set[str] = set()
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 4))))
        if len(word) >= 4 and word not in STOPWORDS:
            words.add(word)
    return sorted(words)


def sample_lda_corpus(
    *,
    n_docs: int = 500,
    k: int = 5,
    vocab_size: int = 300,
    doc_length: int = 100,
    alpha: float = 0.2,
    eta: float = 0.05,
    seed: int = 0,
) -> SyntheticLDA:
    """Sample documents from LDA with known topics.

    Topic-word distributions are drawn from Dirichlet(``eta``) over the
    vocabulary, document shares from Dirichlet(``alpha``), lengths from a
    Poisson with mean ``doc_length`` (at least 5 words), then each word's
    topic and the word itself.

    Examples
    --------
    >>> data = sample_lda_corpus(n_docs=3, k=2, vocab_size=20, seed=4)
    >>> data.documents[0][0], data.topic_word.shape, data.synthetic
    ('synthetic-lda-00000', (2, 20), True)
    >>> data.documents == sample_lda_corpus(n_docs=3, k=2, vocab_size=20,
    ...                                     seed=4).documents
    True
    """
    rng = np.random.default_rng(seed)
    vocabulary = _words(rng, vocab_size)
    topic_word = rng.dirichlet(np.full(vocab_size, eta), size=k)
    doc_topic = rng.dirichlet(np.full(k, alpha), size=n_docs)
    documents = []
    words = np.asarray(vocabulary)
    for d in range(n_docs):
        length = max(5, int(rng.poisson(doc_length)))
        topics = rng.choice(k, size=length, p=doc_topic[d])
        counts = np.bincount(topics, minlength=k)
        tokens: list[str] = []
        for topic in range(k):
            if counts[topic]:
                tokens.extend(
                    words[
                        rng.choice(vocab_size, size=counts[topic], p=topic_word[topic])
                    ]
                )
        # Shuffle so that word order carries no topic signal (LDA ignores
        # order, but collocation detection would not).
        rng.shuffle(tokens)
        documents.append((f"synthetic-lda-{d:05d}", " ".join(tokens)))
    return SyntheticLDA(documents, vocabulary, topic_word, doc_topic)


def best_match_similarity(
    true_topic_word: np.ndarray,
    true_vocabulary: list[str],
    fitted_topic_word: np.ndarray,
    fitted_vocabulary: list[str],
) -> np.ndarray:
    """For each true topic, the cosine similarity of its best fitted match.

    Fitted topics are aligned to the true vocabulary by word (words the
    dictionary dropped count as zero probability).

    Examples
    --------
    >>> truth = np.array([[0.9, 0.1, 0.0], [0.0, 0.1, 0.9]])
    >>> fitted = truth[::-1, [2, 1, 0]]   # same topics, other order and ids
    >>> best_match_similarity(truth, ["a", "b", "c"], fitted, ["c", "b", "a"]).round(6)
    array([1., 1.])
    """
    index = {w: i for i, w in enumerate(true_vocabulary)}
    aligned = np.zeros((fitted_topic_word.shape[0], len(true_vocabulary)))
    for j, word in enumerate(fitted_vocabulary):
        i = index.get(word)
        if i is not None:
            aligned[:, i] = fitted_topic_word[:, j]
    a = true_topic_word / np.linalg.norm(true_topic_word, axis=1, keepdims=True)
    norms = np.linalg.norm(aligned, axis=1, keepdims=True)
    b = aligned / np.where(norms == 0, 1.0, norms)
    return np.asarray((a @ b.T).max(axis=1))
