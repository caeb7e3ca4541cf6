"""Topics over time and across outlets.

The cheap default, :func:`topic_prevalence`, uses a static model: mean
document-topic share per period and/or outlet, with the number of
documents and a standard error. It scales to any corpus and keeps topics
comparable across groups because they are the same topics.

:func:`dynamic_topics` fits gensim's :class:`~gensim.models.LdaSeqModel`
(dynamic topic model, Blei & Lafferty 2006), in which each topic's words
drift from period to period. LdaSeqModel is pure Python and slow -- on
this project's 2-core machine one pass over 200 documents with 100 terms
in 3 periods took 18 s, and the cost grows with documents x terms x
periods -- so a size guard refuses more than
:data:`MAX_LDASEQ_DOCUMENTS` documents or :data:`MAX_LDASEQ_TERMS`
dictionary terms unless the limits are raised explicitly
(``max_documents=None`` turns the guard off). It starts from the static
model's topics (``initialize="ldamodel"``), so guided topics stay guided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FramingError
from .model import topic_columns

__all__ = [
    "topic_prevalence",
    "dynamic_topics",
    "DynamicTopics",
    "MAX_LDASEQ_DOCUMENTS",
    "MAX_LDASEQ_TERMS",
    "document_metadata",
]

#: Documents above which :func:`dynamic_topics` refuses to run by default.
MAX_LDASEQ_DOCUMENTS = 2_000
#: Dictionary terms above which :func:`dynamic_topics` refuses to run by default.
MAX_LDASEQ_TERMS = 5_000


def document_metadata(documents: Any) -> pd.DataFrame:
    """``doc_id``, ``outlet`` and ``published`` of a corpus store or DataFrame."""
    from ...store import Corpus

    if isinstance(documents, Corpus):
        return documents.articles(columns=["doc_id", "outlet", "published"])
    frame = pd.DataFrame(documents)
    if "doc_id" not in frame.columns:
        raise ValueError("metadata needs a doc_id column (and outlet and/or published)")
    return frame.assign(doc_id=frame["doc_id"].astype(str))


def _period_labels(published: pd.Series, period: str) -> pd.Series:
    values = pd.to_datetime(published, utc=True)
    labels = values.dt.tz_localize(None).dt.to_period(period).astype(str)
    return labels.where(values.notna())


def topic_prevalence(
    shares: pd.DataFrame,
    metadata: Any,
    *,
    by: tuple[str, ...] = ("outlet",),
    period: str | None = None,
) -> pd.DataFrame:
    """Mean topic share per group (outlet, period, or both).

    Parameters
    ----------
    shares : DataFrame
        ``doc_id`` and ``topic_*`` columns, as from
        :meth:`TopicModel.transform` or :meth:`TopicModel.document_topics`.
        Documents with ``n_tokens == 0`` are left out.
    metadata : Corpus or DataFrame
        ``doc_id`` plus the grouping columns (``outlet``, ``published``).
    by : tuple of str
        Metadata columns to group by.
    period : str, optional
        A pandas period code (``"M"``, ``"Q"``, ``"W"``): adds a ``period``
        group from ``published`` (UTC); undated documents are left out.

    Returns
    -------
    DataFrame
        Long: the group columns, ``topic``, ``prevalence`` (mean share),
        ``se`` (standard error of the mean) and ``n_docs``.

    Examples
    --------
    >>> shares = pd.DataFrame({"doc_id": ["a", "b", "c"],
    ...                        "topic_00": [0.9, 0.1, 0.5],
    ...                        "topic_01": [0.1, 0.9, 0.5]})
    >>> meta = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["x", "y", "y"]})
    >>> topic_prevalence(shares, meta)[["outlet", "topic", "prevalence", "n_docs"]]
      outlet     topic  prevalence  n_docs
    0      x  topic_00         0.9       1
    1      x  topic_01         0.1       1
    2      y  topic_00         0.3       2
    3      y  topic_01         0.7       2
    """
    meta = document_metadata(metadata)
    topics = [c for c in shares.columns if c.startswith("topic_")]
    if not topics:
        raise ValueError("shares need topic_* columns (from TopicModel.transform)")
    keys = list(by)
    missing = [c for c in keys if c not in meta.columns]
    if missing:
        raise ValueError(
            f"metadata has no column(s) {missing}; it has {list(meta.columns)}"
        )
    data = shares
    if "n_tokens" in data.columns:
        data = data[data["n_tokens"] > 0]
    columns = ["doc_id", *keys] + (["published"] if period else [])
    data = data.merge(meta[list(dict.fromkeys(columns))], on="doc_id", how="inner")
    if period:
        data = data.assign(period=_period_labels(data["published"], period))
        if data["period"].isna().all():
            raise FramingError(
                "no document has a publication date, so prevalence per period "
                "cannot be computed; group by outlet only (period=None)"
            )
        data = data[data["period"].notna()]
        keys = [*keys, "period"]
    if not keys:
        keys = ["all"]
        data = data.assign(all="all")
    long = data.melt(
        id_vars=keys, value_vars=topics, var_name="topic", value_name="share"
    )
    grouped = long.groupby([*keys, "topic"], sort=True, observed=True)["share"]
    table = grouped.agg(prevalence="mean", sd="std", n_docs="count").reset_index()
    table["se"] = table["sd"] / np.sqrt(table["n_docs"])
    return table.drop(columns="sd")[[*keys, "topic", "prevalence", "se", "n_docs"]]


@dataclass
class DynamicTopics:
    """A fitted dynamic topic model.

    Attributes
    ----------
    model : gensim LdaSeqModel
    periods : list of str
    words : DataFrame
        ``topic``, ``period``, ``rank``, ``word``, ``probability``.
    """

    model: Any
    periods: list[str]
    words: pd.DataFrame


def dynamic_topics(
    topic_model: Any,
    metadata: Any,
    *,
    period: str = "Q",
    passes: int = 2,
    topn: int = 10,
    max_documents: int | None = MAX_LDASEQ_DOCUMENTS,
    max_terms: int | None = MAX_LDASEQ_TERMS,
    em_max_iter: int = 5,
) -> DynamicTopics:
    """Fit a dynamic topic model starting from a fitted :class:`TopicModel`.

    Raises
    ------
    FramingError
        Above the size guard (documents or terms), or with fewer than two
        dated periods.
    """
    from gensim.models import LdaSeqModel

    n_docs = len(topic_model.doc_ids_)
    n_terms = len(topic_model.dictionary_)
    if max_documents is not None and n_docs > max_documents:
        raise FramingError(
            f"LdaSeqModel on {n_docs:,} documents exceeds the size guard of "
            f"{max_documents:,} documents: it is pure Python and would take hours. "
            "Use topic_prevalence() on the static model (the cheap default), fit "
            f"on a sample, or pass max_documents={n_docs} (or None) to run anyway"
        )
    if max_terms is not None and n_terms > max_terms:
        raise FramingError(
            f"LdaSeqModel with {n_terms:,} dictionary terms exceeds the size guard "
            f"of {max_terms:,} terms; raise no_below or lower keep_n when fitting, "
            f"or pass max_terms={n_terms} (or None) to run anyway"
        )
    prepared = topic_model.prepared_
    if prepared is None:
        raise FramingError(
            "dynamic_topics needs the training bag-of-words, which a loaded model "
            "does not carry; refit the TopicModel on the documents"
        )
    meta = document_metadata(metadata)
    if "published" not in meta.columns:
        raise ValueError("metadata needs a published column for periods")
    dates = dict(zip(meta["doc_id"], meta["published"], strict=True))
    labels = _period_labels(
        pd.Series([dates.get(d) for d in topic_model.doc_ids_], dtype="object"), period
    )
    bows = list(prepared.bow)
    keep = [i for i in range(n_docs) if isinstance(labels.iloc[i], str)]
    order = sorted(keep, key=lambda i: (labels.iloc[i], i))
    periods = sorted({labels.iloc[i] for i in keep})
    if len(periods) < 2:
        raise FramingError(
            "dynamic topics need dated documents in at least two periods "
            f"({period!r}); "
            f"found {len(periods)}: use a finer period or topic_prevalence()"
        )
    time_slice = [sum(1 for i in keep if labels.iloc[i] == p) for p in periods]
    # gensim divides by the previous bound, which is 0 on the first iteration.
    with np.errstate(divide="ignore", invalid="ignore"):
        seq = LdaSeqModel(
            corpus=[bows[i] for i in order],
            time_slice=time_slice,
            id2word=topic_model.dictionary_,
            num_topics=topic_model.k,
            initialize="ldamodel",
            lda_model=topic_model.model_,
            passes=passes,
            random_state=topic_model.random_state,
            em_max_iter=em_max_iter,
            chunksize=topic_model.chunksize,
        )
    rows = []
    names = topic_columns(topic_model.k)
    for t in range(topic_model.k):
        for p, words in enumerate(seq.print_topic_times(t, top_terms=topn)):
            for rank, (word, prob) in enumerate(words, start=1):
                rows.append(
                    {
                        "topic": names[t],
                        "period": periods[p],
                        "rank": rank,
                        "word": word,
                        "probability": float(prob),
                    }
                )
    return DynamicTopics(seq, periods, pd.DataFrame(rows))
