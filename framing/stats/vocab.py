"""Distinctive vocabulary: Fightin' Words (Monroe, Colaresi & Quinn 2008).

For a word ``w`` and groups ``i`` and ``j`` with word counts ``y_w``,
totals ``n`` and an informative Dirichlet prior ``alpha_w``
(``alpha_0 = sum_w alpha_w``), the log-odds ratio with the prior is
(Monroe et al. 2008, eq. 22)::

    delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w))
            - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))

with approximate variance ``1 / (y_wi + a_w) + 1 / (y_wj + a_w)`` and
``z = delta / sqrt(var)``. The prior here is informative in their sense:
``a_w = prior_scale * pi_w`` with ``pi_w`` the pooled relative frequency
of ``w`` over all groups, so that frequent words are shrunk less than
rare ones. ``prior_scale`` (``alpha_0``) sets the strength; the default
500 shrinks words seen a few times strongly and leaves words seen
hundreds of times nearly untouched. Report it.

Two groups are compared directly; with more, each group is compared with
the rest pooled (one-versus-rest). ``p`` is the two-sided normal tail of
``z``; the family for ``p_adj`` is every (group, term) tested. The z-scores
treat words as independent draws, so they overstate evidence for words
that cluster in few documents; read them as a ranking more than a test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ..errors import FramingError
from ._common import normal_quantile
from .results import StatsResult, adjust_pvalues

__all__ = ["fightin_words", "fightin_words_counts", "count_by_group"]


def fightin_words_counts(
    counts_i: Any,
    counts_j: Any,
    *,
    prior: Any = None,
    prior_scale: float = 500.0,
) -> pd.DataFrame:
    """Log-odds ratios with an informative Dirichlet prior from two count vectors.

    Parameters
    ----------
    counts_i, counts_j : array-like
        Word counts of the two groups (same vocabulary order).
    prior : array-like, optional
        ``alpha_w`` directly; default ``prior_scale * pi_w`` with ``pi_w``
        the pooled relative frequency of ``counts_i + counts_j``.
    prior_scale : float
        ``alpha_0`` when ``prior`` is not given.

    Returns
    -------
    DataFrame
        ``delta``, ``var``, ``z``, ``alpha`` per word.

    Examples
    --------
    >>> out = fightin_words_counts([10, 0], [5, 5], prior=[1.0, 1.0])
    >>> round(float(out.delta[0]), 6)  # log(11/1) - log(6/6)
    2.397895
    """
    y_i = np.asarray(counts_i, dtype=float)
    y_j = np.asarray(counts_j, dtype=float)
    if y_i.shape != y_j.shape:
        raise ValueError("the two count vectors need the same length")
    if prior is None:
        pooled = y_i + y_j
        alpha = prior_scale * pooled / pooled.sum()
    else:
        alpha = np.broadcast_to(np.asarray(prior, dtype=float), y_i.shape)
    if np.any(alpha <= 0):
        raise ValueError(
            "every prior count must be > 0 (drop words never seen in any group)"
        )
    a0 = alpha.sum()
    n_i, n_j = y_i.sum(), y_j.sum()
    delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log(
        (y_j + alpha) / (n_j + a0 - y_j - alpha)
    )
    var = 1 / (y_i + alpha) + 1 / (y_j + alpha)
    return pd.DataFrame(
        {"delta": delta, "var": var, "z": delta / np.sqrt(var), "alpha": alpha}
    )


def count_by_group(
    texts: Sequence[str],
    groups: Sequence[Any],
    *,
    min_count: int = 5,
    **vectorizer: Any,
) -> pd.DataFrame:
    """Word counts per group (rows: groups, columns: terms) via CountVectorizer.

    ``vectorizer`` keywords go to :class:`sklearn.feature_extraction.text.
    CountVectorizer` (default: lower-cased, tokens of 2+ word characters).
    Terms with fewer than ``min_count`` occurrences in total are dropped.

    Examples
    --------
    >>> count_by_group(["war war peace", "peace"], ["a", "b"], min_count=1).to_dict()
    {'peace': {'a': 1, 'b': 1}, 'war': {'a': 2, 'b': 0}}
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if len(texts) != len(groups):
        raise FramingError("texts and groups need the same length")
    vectoriser = CountVectorizer(**vectorizer)
    # pandas 3 string arrays confuse sklearn; give it plain Python objects.
    try:
        matrix = vectoriser.fit_transform([str(t) for t in texts])
    except ValueError as error:  # sklearn: "empty vocabulary"
        raise FramingError(
            f"no words to count in the {len(texts)} texts ({error}); check that "
            "the text column is filled, or relax the vectorizer settings "
            "(stop_words, token_pattern, min_df)"
        ) from None
    codes, labels = pd.factorize(pd.Series(list(groups), dtype=object), sort=True)
    indicator = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))),
        shape=(len(labels), len(codes)),
    )
    summed = np.asarray((indicator @ matrix).todense())
    table = pd.DataFrame(
        summed.astype(np.int64),
        index=pd.Index(list(labels)),
        columns=vectoriser.get_feature_names_out(),
    )
    return table.loc[:, table.sum(axis=0) >= min_count]


def fightin_words(
    data: pd.DataFrame | None = None,
    *,
    text: str = "text",
    group: str = "outlet",
    counts: pd.DataFrame | None = None,
    groups: Sequence[Any] | None = None,
    prior_scale: float = 500.0,
    min_count: int = 5,
    ci_level: float = 0.95,
    p_adjust: str = "bh",
    **vectorizer: Any,
) -> StatsResult:
    """Fightin' Words for two groups, or each group against the rest.

    Parameters
    ----------
    data : DataFrame, optional
        Documents with a ``text`` and a ``group`` column (e.g.
        ``corpus.articles(columns=["text", "outlet"])``).
    counts : DataFrame, optional
        Instead of ``data``: counts with groups as rows and terms as
        columns (see :func:`count_by_group`).
    groups : sequence, optional
        Restrict to these groups (in this order). With exactly two, the
        first is compared with the second; otherwise one-versus-rest.
    prior_scale : float
        ``alpha_0`` of the informative prior (see the module docstring).
    min_count : int
        Minimum total count of a term to be counted.
    ci_level : float
        Level of the Wald interval ``delta +/- z sd``.
    p_adjust : {"bh", "holm", "none"}
        Adjustment across every (group, term) tested.
    **vectorizer
        Passed to CountVectorizer (e.g. ``stop_words="english"``,
        ``ngram_range=(1, 2)``).

    Returns
    -------
    StatsResult
        Rows (group, term) with ``estimate`` = delta (log-odds ratio,
        positive: more typical of ``group``), CI, ``z``, ``p``, ``p_adj``,
        ``count_group``, ``count_other`` and ``n`` (their sum).

    Examples
    --------
    >>> df = pd.DataFrame({"text": ["war war war peace", "peace talks peace"] * 5,
    ...                    "outlet": ["a", "b"] * 5})
    >>> res = fightin_words(df, min_count=1)
    >>> res.table.sort_values("z").iloc[-1][["group", "term"]].tolist()
    ['a', 'war']
    """
    if counts is None:
        if data is None:
            raise FramingError("give either data (texts and groups) or counts")
        counts = count_by_group(
            data[text].tolist(), data[group].tolist(), min_count=min_count, **vectorizer
        )
    else:
        counts = counts.loc[:, counts.sum(axis=0) >= min_count]
    if groups is not None:
        missing = [g for g in groups if g not in counts.index]
        if missing:
            raise FramingError(f"groups {missing} have no documents")
        counts = counts.loc[list(groups)]
    if len(counts) < 2:
        raise FramingError("Fightin' Words needs at least two groups")
    counts = counts.loc[:, counts.sum(axis=0) > 0]
    if counts.shape[1] == 0:
        raise FramingError(
            f"no term reaches min_count = {min_count} in these groups; lower "
            "min_count or give more text"
        )
    pooled = counts.sum(axis=0).to_numpy(dtype=float)
    alpha = prior_scale * pooled / pooled.sum()
    terms = counts.columns.to_numpy()
    z_crit = normal_quantile(ci_level)
    two = len(counts) == 2
    comparisons = [counts.index[0]] if two else list(counts.index)
    pieces = []
    for name in comparisons:
        own = counts.loc[name].to_numpy(dtype=float)
        other = counts.iloc[1].to_numpy(dtype=float) if two else pooled - own
        scores = fightin_words_counts(own, other, prior=alpha)
        sd = np.sqrt(scores["var"].to_numpy())
        delta = scores["delta"].to_numpy()
        pieces.append(
            pd.DataFrame(
                {
                    "group": name,
                    "term": terms,
                    "estimate": delta,
                    "ci_low": delta - z_crit * sd,
                    "ci_high": delta + z_crit * sd,
                    "p": 2 * stats.norm.sf(np.abs(scores["z"].to_numpy())),
                    "n": (own + other).astype(np.int64),
                    "z": scores["z"].to_numpy(),
                    "count_group": own.astype(np.int64),
                    "count_other": other.astype(np.int64),
                    "alpha": alpha,
                }
            )
        )
    table = pd.concat(pieces, ignore_index=True)
    table["p_adj"] = adjust_pvalues(table["p"], p_adjust)
    versus = f"{counts.index[0]} vs {counts.index[1]}" if two else "each group vs rest"
    table["model"] = "Fightin' Words"
    table = table.sort_values(["group", "z"], ascending=[True, False])
    return StatsResult(
        table=table,
        model=f"Fightin' Words ({versus}), informative Dirichlet prior "
        f"alpha_0 = {prior_scale:g}, min_count = {min_count}",
        family=f"all {len(table)} (group, term) pairs tested",
        p_adjust=p_adjust,
        estimate_scale="log-odds ratio (delta), positive = more typical of group",
        ci_level=ci_level,
        notes=[
            "z-scores treat words as independent; words concentrated in a few "
            "documents get overstated evidence. Read as a ranking."
        ],
    )
