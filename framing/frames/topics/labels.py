"""Topic labels: top words by probability and by FREX, representative documents.

FREX (Roberts, Stewart & Airoldi 2016, as in the R package stm) ranks a
topic's words by the weighted harmonic mean of two within-topic empirical
CDF ranks: *frequency*, the word's probability in the topic, and
*exclusivity*, its probability in the topic divided by the sum of its
probabilities over all topics::

    FREX(w, t) = 1 / (omega / ECDF_t(excl[t, w]) + (1 - omega) / ECDF_t(beta[t, w]))

``omega`` is the weight on exclusivity (default 0.5, stm's default,
where both conventions in the literature agree). ECDF ranks use average
ranks for ties, divided by the vocabulary size. Top words by probability
favour words common everywhere ("president", "ukraine"); FREX favours
words both frequent in and specific to the topic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

__all__ = ["frex_scores", "top_word_table", "topic_labels", "representative_documents"]


def frex_scores(topic_word: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX score of every word in every topic (k x V), higher is better.

    Parameters
    ----------
    topic_word : ndarray (k, V)
        Topic-word probabilities.
    weight : float
        Weight on exclusivity, in [0, 1].

    Examples
    --------
    >>> beta = np.array([[0.5, 0.3, 0.2],
    ...                  [0.1, 0.1, 0.8]])
    >>> frex_scores(beta).round(3)
    array([[1.   , 0.667, 0.333],
           [0.4  , 0.571, 1.   ]])
    """
    if not 0 <= weight <= 1:
        raise ValueError(f"FREX weight {weight}: must be between 0 and 1")
    beta = np.asarray(topic_word, dtype=np.float64)
    n_words = beta.shape[1]
    exclusivity = beta / np.where(beta.sum(axis=0) == 0, 1.0, beta.sum(axis=0))
    freq_rank = np.vstack([rankdata(row) for row in beta]) / n_words
    excl_rank = np.vstack([rankdata(row) for row in exclusivity]) / n_words
    return np.asarray(1.0 / (weight / excl_rank + (1.0 - weight) / freq_rank))


def top_word_table(
    topic_word: np.ndarray,
    vocabulary: list[str],
    *,
    n: int = 10,
    frex_weight: float = 0.5,
    topic_names: list[str] | None = None,
) -> pd.DataFrame:
    """Long table of top words: ``topic``, ``name``, ``kind`` ("prob" or
    "frex"), ``rank`` (1 = best), ``word``, ``probability``, ``frex``.

    Ties are broken by word id, so the table is deterministic.
    """
    beta = np.asarray(topic_word, dtype=np.float64)
    frex = frex_scores(beta, frex_weight)
    names = topic_names or [f"topic_{i:02d}" for i in range(beta.shape[0])]
    rows: list[dict[str, Any]] = []
    for kind, score in (("prob", beta), ("frex", frex)):
        order = np.argsort(-score, axis=1, kind="stable")[:, :n]
        for t, row in enumerate(order):
            for rank, w in enumerate(row, start=1):
                rows.append(
                    {
                        "topic": t,
                        "name": names[t],
                        "kind": kind,
                        "rank": rank,
                        "word": vocabulary[int(w)],
                        "probability": float(beta[t, w]),
                        "frex": float(frex[t, w]),
                    }
                )
    return pd.DataFrame(rows)


def topic_labels(model: Any, *, n: int = 10, frex_weight: float = 0.5) -> pd.DataFrame:
    """One row per topic: ``topic``, ``name``, ``prevalence`` (mean share
    over training documents with tokens), ``top_words`` and ``frex_words``
    (space-separated)."""
    vocabulary = [model.dictionary_[i] for i in range(len(model.dictionary_))]
    long = top_word_table(
        model.topic_word_,
        vocabulary,
        n=n,
        frex_weight=frex_weight,
        topic_names=model.topic_names_,
    )
    shares = model.gamma_ / model.gamma_.sum(axis=1, keepdims=True)
    used = model.doc_lengths_ > 0
    prevalence = shares[used].mean(axis=0) if used.any() else shares.mean(axis=0)
    rows = []
    for t in range(model.k):
        part = long[long["topic"] == t]
        rows.append(
            {
                "topic": t,
                "name": model.topic_names_[t],
                "prevalence": float(prevalence[t]),
                "top_words": " ".join(part[part["kind"] == "prob"]["word"]),
                "frex_words": " ".join(part[part["kind"] == "frex"]["word"]),
            }
        )
    return pd.DataFrame(rows)


def representative_documents(
    model: Any, *, n: int = 3, documents: Any = None, min_tokens: int = 20
) -> pd.DataFrame:
    """The ``n`` training documents with the highest share of each topic.

    Documents with fewer than ``min_tokens`` bag-of-words tokens are
    skipped (a two-word document can be "100 %" one topic). With
    ``documents`` (the training input as a DataFrame with ``doc_id`` and
    ``text``, or a corpus store) the first 300 characters of the text are
    included.
    """
    shares = model.gamma_ / model.gamma_.sum(axis=1, keepdims=True)
    eligible = np.flatnonzero(model.doc_lengths_ >= min_tokens)
    if len(eligible) == 0:
        eligible = np.arange(len(shares))
    rows = []
    for t in range(model.k):
        order = eligible[np.argsort(-shares[eligible, t], kind="stable")[:n]]
        for rank, d in enumerate(order, start=1):
            rows.append(
                {
                    "topic": t,
                    "name": model.topic_names_[t],
                    "rank": rank,
                    "doc_id": model.doc_ids_[d],
                    "share": float(shares[d, t]),
                    "n_tokens": int(model.doc_lengths_[d]),
                }
            )
    table = pd.DataFrame(rows)
    if documents is not None and len(table):
        from ...store import Corpus

        if isinstance(documents, Corpus):
            wanted = set(table["doc_id"])
            texts = {d: t for d, t in documents.iter_texts() if d in wanted}
        else:
            frame = pd.DataFrame(documents)
            if not {"doc_id", "text"} <= set(frame.columns):
                frame.columns = ["doc_id", "text", *frame.columns[2:]]
            texts = dict(zip(frame["doc_id"].astype(str), frame["text"], strict=True))
        table["excerpt"] = [str(texts.get(d, ""))[:300] for d in table["doc_id"]]
    return table
