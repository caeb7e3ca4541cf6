"""Mask lexicon terms in texts, and derive labels from lexicon naming.

For the Russia–Ukraine experiment the label of a document is the name it
gives the war in its own voice (war/invasion vs special operation), found by
the lexicon detector. A classifier that sees those very names learns the
lexicon back; masking every lexicon match (in any voice, so that quoted and
attributed names do not leak the label either) asks a harder question: can
the *rest* of the text tell how the document names the war?
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..detect import LexiconDetector, iter_documents

__all__ = ["MASK", "mask_text", "mask_documents", "lexicon_labels", "NAMING_GROUPS"]

MASK = "[MASK]"

NAMING_GROUPS: dict[str, str] = {
    "war": "war-invasion",
    "invasion": "war-invasion",
    "special-military-operation": "special-operation",
    "military-operation": "special-operation",
}
"""Own-voice naming frames of ``war-naming`` grouped into the two labels of
the Russia–Ukraine experiment; documents whose dominant own-voice frame is
another one (conflict, crisis, aggression ...) or none are left out."""


def mask_text(text: str, spans: list[tuple[int, int]], token: str = MASK) -> str:
    """Replace character ``spans`` (start, end) of ``text`` with ``token``.

    Examples
    --------
    >>> mask_text("a war and an invasion", [(2, 5), (13, 21)])
    'a [MASK] and an [MASK]'
    """
    pieces = []
    position = 0
    for start, end in sorted(spans):
        if start < position:  # overlapping spans: the first one wins
            continue
        pieces.append(text[position:start])
        pieces.append(token)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def mask_documents(
    documents: Any,
    *,
    lexicon: str | Path = "war-naming",
    frames: list[str] | None = None,
    token: str = MASK,
    detector: LexiconDetector | None = None,
) -> pd.DataFrame:
    """Mask every mention of the lexicon's terms, using the detector's offsets.

    Parameters
    ----------
    documents
        Anything :func:`~framing.frames.detect.iter_documents` accepts.
    lexicon : str or Path
        The lexicon whose matches are masked.
    frames : list of str, optional
        Only these frames' terms (default: all, whatever their voice).
    token : str
        The replacement.
    detector : LexiconDetector, optional
        A fitted detector to reuse.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, text, n_masked`` in input order.

    Examples
    --------
    >>> mask_documents([("d", 'Kyiv calls the war an invasion; Moscow says '
    ...                 '"special military operation".')])["text"][0]
    'Kyiv calls the [MASK] an [MASK]; Moscow says "[MASK]".'
    """
    detector = detector or LexiconDetector(lexicon=lexicon).fit()
    wanted = set(frames) if frames is not None else None
    rows = []
    for doc_id, text, _ in iter_documents(documents):
        matches = detector.matcher_.find(text)
        spans = [
            (m.start, m.end) for m in matches if wanted is None or m.frame in wanted
        ]
        rows.append((doc_id, mask_text(text, spans, token), len(spans)))
    return pd.DataFrame(rows, columns=["doc_id", "text", "n_masked"])


def lexicon_labels(
    documents: Any,
    *,
    lexicon: str | Path = "war-naming",
    groups: Mapping[str, str] | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Label documents by their dominant own-voice frame in a lexicon.

    Parameters
    ----------
    documents
        Anything :func:`~framing.frames.detect.iter_documents` accepts.
    lexicon : str or Path
        The lexicon.
    groups : mapping, optional
        Frame -> label (e.g. :data:`NAMING_GROUPS`); frames not in it get a
        missing label. Default: the frame itself, ``"none"`` where the text
        names no frame in its own voice.
    features : pandas.DataFrame, optional
        Stored detector features (``doc_id, dominant_own``), e.g. from
        :func:`framing.frames.run.load_detection`, to skip detection.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, dominant_own, label``.

    Examples
    --------
    >>> lexicon_labels([("a", "It is a war."), ("b", "Markets rose.")],
    ...                groups=NAMING_GROUPS)["label"].tolist()
    ['war-invasion', None]
    """
    if features is None:
        features = LexiconDetector(lexicon=lexicon).fit().transform(documents)
        table = features[["doc_id", "dominant_own"]].copy()
    else:
        ids = [d for d, _, _ in iter_documents(documents)]
        lookup = features.set_index(features["doc_id"].astype(str))["dominant_own"]
        table = pd.DataFrame({"doc_id": ids})
        table["dominant_own"] = lookup.reindex(ids).to_numpy(dtype=object)
    dominant = table["dominant_own"].astype(object)
    if groups is None:
        from .pipeline import NO_FRAME

        labels: list[str | None] = [
            v if isinstance(v, str) else NO_FRAME for v in dominant.tolist()
        ]
    else:
        labels = [
            groups.get(v) if isinstance(v, str) else None for v in dominant.tolist()
        ]
    # object dtype keeps None as None (pandas 3 would turn it into NaN)
    table["label"] = pd.Series(labels, index=table.index, dtype=object)
    return table
