"""Choosing the number of topics: coherence and stability over K and seeds.

For every K in the grid and every seed a model is trained on the same
cached bag-of-words. Each run is scored by gensim's
:class:`~gensim.models.CoherenceModel`:

* ``c_v`` and ``c_npmi`` -- sliding-window co-occurrence of each topic's
  top words in the token lists (after collocations), higher is better;
* ``u_mass`` -- document co-occurrence in the bag-of-words, closer to
  zero is better.

Stability asks whether a different seed finds the same topics. For every
pair of seeds at the same K, topics are matched one-to-one (Hungarian
algorithm) to maximise the overlap of their top-``topn`` word sets
(Jaccard); the pair's stability is the mean Jaccard of the matched
topics, and K's stability is the mean over seed pairs (1 = every seed
found the same top words, 0 = nothing in common).

A K worth reporting is coherent *and* stable; the plot
(:func:`framing.plots.topics.plot_k_selection`) shows both.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ...compute import Compute
from .model import TopicModel, topic_word_hash
from .sample import check_sample_params, check_strata_source
from .tokens import PreparedCorpus

__all__ = [
    "KSelection",
    "select_k",
    "coherence",
    "topic_stability",
    "COHERENCE_MEASURES",
]

COHERENCE_MEASURES = ("c_v", "c_npmi", "u_mass")


def topic_stability(
    top_words_a: Sequence[Sequence[str]], top_words_b: Sequence[Sequence[str]]
) -> float:
    """Mean Jaccard overlap of top words after one-to-one topic matching.

    Examples
    --------
    >>> a = [["war", "tank", "army"], ["grain", "port", "ship"]]
    >>> b = [["grain", "port", "wheat"], ["war", "tank", "army"]]
    >>> topic_stability(a, b)   # (3/3 + 2/4) / 2
    0.75
    """
    sets_a = [set(t) for t in top_words_a]
    sets_b = [set(t) for t in top_words_b]
    if len(sets_a) != len(sets_b) or not sets_a:
        raise ValueError("stability compares two runs with the same number of topics")
    overlap = np.array(
        [[len(a & b) / len(a | b) if a | b else 1.0 for b in sets_b] for a in sets_a]
    )
    rows, cols = linear_sum_assignment(-overlap)
    return float(overlap[rows, cols].mean())


def coherence(
    model: TopicModel,
    prepared: PreparedCorpus | None = None,
    *,
    measures: Sequence[str] = COHERENCE_MEASURES,
    topn: int = 10,
) -> dict[str, float]:
    """Mean coherence of a fitted model's topics for each measure.

    ``prepared`` defaults to the model's own training bag-of-words.
    """
    from gensim.models import CoherenceModel

    prepared = prepared or model.prepared_
    if prepared is None:
        raise ValueError(
            "coherence needs the training texts: pass prepared=model.prepare(documents)"
        )
    topics = model.top_words(topn)
    scores: dict[str, float] = {}
    for measure in measures:
        if measure not in COHERENCE_MEASURES:
            raise ValueError(f"unknown coherence {measure!r}; use {COHERENCE_MEASURES}")
        kwargs: dict[str, Any] = (
            {"corpus": prepared.bow}
            if measure == "u_mass"
            else {"texts": prepared.tokens}
        )
        # processes=1: the parallel accumulator's result depends on scheduling.
        cm = CoherenceModel(
            topics=topics,
            dictionary=prepared.dictionary,
            coherence=measure,
            topn=topn,
            processes=1,
            **kwargs,
        )
        scores[measure] = float(np.nanmean(cm.get_coherence_per_topic()))
    return scores


@dataclass
class KSelection:
    """Result of :func:`select_k`.

    Attributes
    ----------
    runs : DataFrame
        One row per (k, seed): coherence measures and the topic-word hash.
    summary : DataFrame
        One row per k: mean and standard deviation of each measure over
        seeds, ``stability`` (mean over seed pairs) and ``stability_sd``.
    top_words : dict
        ``(k, seed) -> list of top-word lists``.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    top_words: dict[tuple[int, int], list[list[str]]]

    def best_k(self, measure: str = "c_v") -> int:
        """The K with the highest mean ``measure`` (ties: the smaller K)."""
        table = self.summary.sort_values(["k"])
        ks = table["k"].to_numpy()
        # argmax returns the first maximum, i.e. the smallest K among ties.
        return int(ks[int(np.argmax(table[f"{measure}_mean"].to_numpy()))])


def select_k(
    documents: Any,
    ks: Sequence[int],
    seeds: Sequence[int] = (0, 1, 2),
    *,
    measures: Sequence[str] = COHERENCE_MEASURES,
    topn: int = 10,
    progress: bool = False,
    compute: Compute | None = None,
    **model_params: Any,
) -> KSelection:
    """Fit a model for every K and seed and score coherence and stability.

    Parameters
    ----------
    documents
        Anything :meth:`TopicModel.fit` accepts; it is tokenised once.
    ks : sequence of int
    seeds : sequence of int
        At least two for a stability estimate.
    compute : framing.compute.Compute, optional
        Where the bag-of-words is prepared (see :func:`prepare_corpus`).
    **model_params
        Further :class:`TopicModel` hyperparameters (``passes``, ...). With
        ``sample_size`` every fit trains on the sample its seed draws, and
        coherence is still measured on every document.

    Examples
    --------
    >>> from framing.frames.topics.synthetic import sample_lda_corpus
    >>> data = sample_lda_corpus(n_docs=80, k=2, vocab_size=40, seed=3)
    >>> grid = select_k(data.documents, [2, 3], seeds=[0, 1], passes=3,
    ...                 no_below=1, no_above=1.0, phrase_layers=0, topn=5)
    >>> grid.summary[["k", "stability"]].shape
    (2, 2)
    """
    from ..._progress import progress_bar, track

    base = TopicModel(random_state=seeds[0], **model_params)
    if base.sample_size is not None:
        # Refused before the preparation, not after it.
        by = check_sample_params(base.sample_size, base.sample_by, seeds[0])
        check_strata_source(documents, by)
    rows: list[dict[str, Any]] = []
    words: dict[tuple[int, int], list[list[str]]] = {}
    with progress_bar(progress) as bar:
        prepared = base.prepare(documents, progress=bar, compute=compute)
        grid = list(itertools.product(ks, seeds))
        for k, seed in track(grid, bar, "K grid", total=len(grid), every=1):
            model = base.set_params(k=k, random_state=seed)
            model = TopicModel(**model.get_params()).fit_prepared(prepared, documents)
            scores = coherence(model, prepared, measures=measures, topn=topn)
            words[(k, seed)] = model.top_words(topn)
            rows.append(
                {
                    "k": k,
                    "seed": seed,
                    **scores,
                    "topic_word_sha256": topic_word_hash(model),
                }
            )
    runs = pd.DataFrame(rows)
    summary_rows = []
    for k in ks:
        part = runs[runs["k"] == k]
        row: dict[str, Any] = {"k": k, "n_seeds": len(part)}
        for measure in measures:
            row[f"{measure}_mean"] = float(part[measure].mean())
            row[f"{measure}_sd"] = (
                float(part[measure].std(ddof=1)) if len(part) > 1 else np.nan
            )
        pairs = [
            topic_stability(words[(k, a)], words[(k, b)])
            for a, b in itertools.combinations(seeds, 2)
        ]
        row["stability"] = float(np.mean(pairs)) if pairs else np.nan
        row["stability_sd"] = float(np.std(pairs, ddof=1)) if len(pairs) > 1 else np.nan
        summary_rows.append(row)
    return KSelection(runs, pd.DataFrame(summary_rows), words)
