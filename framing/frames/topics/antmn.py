"""Frames as communities of topics (ANTMN; Walter & Ophir 2019).

Analysis of Topic Model Networks treats topics as nodes and links two
topics when they co-occur in the same documents. Densely linked groups of
topics -- found by community detection -- are read as *frame packages*:
themes that outlets put together.

Here the edge weight between topics ``i`` and ``j`` is the Pearson
correlation of their shares over documents (by default only documents
with at least ``min_tokens`` bag-of-words tokens); only positive
correlations above ``min_weight`` become edges (negative ones mean the
topics avoid each other). Communities come from Louvain modularity
optimisation (networkx) with a fixed ``seed``; nodes are added in topic
order, so the same shares and seed give the same communities. Community
numbers are then renumbered by size (largest first, ties by lowest topic).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["topic_network", "topic_communities", "frame_packages"]


def topic_network(
    shares: np.ndarray, *, min_weight: float = 0.0, topic_names: list[str] | None = None
) -> Any:
    """The topic co-occurrence network (networkx Graph).

    Node attributes: ``name`` and ``prevalence`` (mean share); edge
    attribute ``weight`` (correlation of shares).
    """
    import networkx as nx

    shares = np.asarray(shares, dtype=np.float64)
    k = shares.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(shares, rowvar=False)
    corr = np.nan_to_num(corr, nan=0.0)
    graph = nx.Graph()
    names = topic_names or [f"topic_{i:02d}" for i in range(k)]
    for t in range(k):
        graph.add_node(t, name=names[t], prevalence=float(shares[:, t].mean()))
    for i in range(k):
        for j in range(i + 1, k):
            if corr[i, j] > min_weight:
                graph.add_edge(i, j, weight=float(corr[i, j]))
    return graph


def topic_communities(
    graph: Any, *, seed: int = 0, resolution: float = 1.0
) -> list[int]:
    """Community of each topic (Louvain, seeded), numbered by size.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_nodes_from(range(6))
    >>> g.add_weighted_edges_from([(0, 1, .9), (1, 2, .8), (0, 2, .7),
    ...                            (3, 4, .9), (4, 5, .8), (3, 5, .7), (2, 3, .05)])
    >>> topic_communities(g, seed=0)
    [0, 0, 0, 1, 1, 1]
    """
    import networkx as nx

    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    community = [0] * graph.number_of_nodes()
    for number, members in enumerate(ordered):
        for node in members:
            community[node] = number
    return community


def frame_packages(
    model: Any,
    *,
    seed: int = 0,
    min_weight: float = 0.0,
    min_tokens: int = 1,
    resolution: float = 1.0,
    n_words: int = 5,
) -> pd.DataFrame:
    """Frame packages of a fitted :class:`TopicModel`: one row per topic.

    Columns: ``topic``, ``name``, ``community``, ``prevalence``,
    ``weighted_degree`` (sum of edge weights) and ``top_words``.
    """
    gamma = model.gamma_
    shares = gamma / gamma.sum(axis=1, keepdims=True)
    used = np.asarray(model.doc_lengths_) >= min_tokens
    if used.sum() >= 3:
        shares = shares[used]
    graph = topic_network(shares, min_weight=min_weight, topic_names=model.topic_names_)
    community = topic_communities(graph, seed=seed, resolution=resolution)
    top = model.top_words(n_words)
    return pd.DataFrame(
        {
            "topic": range(model.k),
            "name": model.topic_names_,
            "community": community,
            "prevalence": [graph.nodes[t]["prevalence"] for t in range(model.k)],
            "weighted_degree": [
                float(graph.degree(t, weight="weight")) for t in range(model.k)
            ],
            "top_words": [" ".join(w) for w in top],
        }
    )
