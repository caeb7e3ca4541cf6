"""The Gun Violence Frame Corpus as a classification task.

GVFC (Liu, Guo, Mays, Betke and Wijaya, CoNLL 2019; registered as ``gvfc``,
evaluation only) codes each news headline for relevance (``Q1 Relevant``)
and up to two of nine frames (``Q3 Theme1``, ``Q3 Theme2``; 99 = no frame).
The benchmark task is the primary frame of the relevant headlines, as in
the paper's nine-class task.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["GVFC_FRAMES", "gvfc_primary_frames"]

#: GVFC frame codes and their names (the corpus codebook).
GVFC_FRAMES: dict[int, str] = {
    1: "gun rights",
    2: "gun control",
    3: "politics",
    4: "mental health",
    5: "public safety",
    6: "race/ethnicity",
    7: "public opinion",
    8: "society/culture",
    9: "economic",
    99: "none",
}


def gvfc_primary_frames(
    corpus: Any = None, *, with_none: bool = False
) -> tuple[pd.DataFrame, list[str]]:
    """Relevant GVFC headlines and the name of their primary frame.

    Parameters
    ----------
    corpus : Corpus, optional
        The built ``gvfc`` store (default: ``load_corpus("gvfc")``).
    with_none : bool
        Keep headlines coded 99 ("no frame") as a tenth class; by default
        they are left out, as in the paper's nine-class task.

    Returns
    -------
    (DataFrame, list of str)
        ``doc_id, text`` of the kept headlines (canonical articles only) and
        their frame names, in the same order.
    """
    if corpus is None:
        from .build import load_corpus

        corpus = load_corpus("gvfc")
    articles = corpus.articles(columns=["doc_id", "text", "meta"])
    meta = pd.DataFrame([json.loads(m) for m in articles["meta"]])
    theme = meta["Q3 Theme1"]
    wanted = [code for code in GVFC_FRAMES if with_none or code != 99]
    keep = (meta["Q1 Relevant"] == 1) & theme.isin(wanted)
    documents = articles.loc[keep, ["doc_id", "text"]].reset_index(drop=True)
    labels = [GVFC_FRAMES[int(code)] for code in theme[keep]]
    return documents, labels
