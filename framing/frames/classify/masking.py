"""Mask lexicon terms in texts, and derive labels from lexicon naming.

For the Russia–Ukraine experiment the label of a document is the name it
gives the war in its own voice (war/invasion vs special operation), found by
the lexicon detector. A classifier that sees those very names learns the
lexicon back; masking every lexicon match (in any voice, so that quoted and
attributed names do not leak the label either) asks a harder question: can
the *rest* of the text tell how the document names the war?

A classifier trained on masked text must see masked text at prediction too.
:class:`~framing.frames.classify.FrameClassifier` (``mask=`` or
``weak_labels=``) therefore masks inside the model: at ``fit`` it keeps the
lexicon's TOML source (``mask_lexicon_``) and masks every later input with
exactly that lexicon, so a saved model masks the same way wherever it is
loaded, even where the lexicon file is missing or has changed since.
:func:`masking_config` describes that preprocessing for sidecars and
manifests.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..detect import CompiledLexicon, LexiconDetector, iter_documents
from ..lexicon import _parse, load_lexicon

if TYPE_CHECKING:
    from ...store import Corpus

__all__ = [
    "MASK",
    "NAMING_GROUPS",
    "lexicon_labels",
    "lexicon_source",
    "mask_documents",
    "mask_text",
    "mask_with_source",
    "masking_config",
    "naming_labels",
]

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


def lexicon_source(lexicon: str | Path) -> str:
    """The TOML text of a lexicon (built-in name or path of a ``.toml`` file).

    This is what a masking :class:`~framing.frames.classify.FrameClassifier`
    keeps, so that it masks with the same terms after it is saved and loaded.

    Examples
    --------
    >>> text = lexicon_source("war-naming")
    >>> hashlib.sha256(text.encode()).hexdigest() == load_lexicon("war-naming").sha256
    True
    """
    from importlib import resources

    parsed = load_lexicon(lexicon)  # validates, and raises the usual errors
    candidate = Path(lexicon)
    if candidate.suffix == ".toml":
        text = candidate.read_text(encoding="utf-8")
    else:
        resource = resources.files("framing.frames") / "lexicons" / f"{lexicon}.toml"
        text = resource.read_text(encoding="utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != parsed.sha256:
        raise ValueError(f"{lexicon}: the lexicon changed while it was read")
    return text


@functools.lru_cache(maxsize=8)
def _compiled(source: str) -> CompiledLexicon:
    """A matcher for a lexicon's TOML text (compiled once per text)."""
    return CompiledLexicon(_parse(source, "<stored in the model>"))


def _mask_all(texts: Iterable[str], matcher: CompiledLexicon) -> list[str]:
    return [
        mask_text(text, [(m.start, m.end) for m in matcher.find(text)])
        for text in texts
    ]


def mask_with_source(texts: Iterable[str], source: str) -> list[str]:
    """Mask every term (any frame, any voice) of the lexicon whose TOML is ``source``.

    Examples
    --------
    >>> mask_with_source(["It is a war."], lexicon_source("war-naming"))
    ['It is a [MASK].']
    """
    return _mask_all(texts, _compiled(source))


def masking_config(model: Any) -> dict[str, Any] | None:
    """How a model masks its input: lexicon, its SHA-256, frames and token.

    ``None`` if the model does not mask. Written to the sidecar of a saved
    model and to the manifest of a prediction run.

    Examples
    --------
    >>> from framing.frames.classify import FrameClassifier
    >>> clf = FrameClassifier(mask="war-naming", char_ngrams=None).fit(
    ...     ["the war near Kharkiv", "the operation in Donbas"], ["a", "b"])
    >>> config = masking_config(clf)
    >>> config["lexicon"], config["frames"], config["token"]
    ('war-naming', 'all', '[MASK]')
    """
    name = getattr(model, "mask", None) or getattr(model, "weak_labels", None)
    if name is None:
        return None
    source = getattr(model, "mask_lexicon_", None)
    parsed = _parse(source, "<stored>") if source else load_lexicon(name)
    return {
        "lexicon": str(name),
        "name": parsed.name,
        "version": parsed.version,
        "sha256": parsed.sha256,
        "stored_in_model": bool(source),
        "frames": "all",
        "voices": "all",
        "token": MASK,
    }


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
    >>> lexicon_labels([("a", "The war in Ukraine goes on."), ("b", "Markets rose.")],
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


def naming_labels(
    corpus: Corpus,
    *,
    lexicon: str | Path = "war-naming",
    groups: Mapping[str, str] | None = NAMING_GROUPS,
    keep_unlabelled: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Weak labels of a corpus store: each document's dominant own-voice frame.

    The labels come from the stored detection run of ``lexicon``
    (``framing frames detect``, :func:`framing.frames.run.detect_corpus`),
    the same per-document features the statistics use. If there is none,
    or it is stale (made with another version of the lexicon or from an
    earlier build of the corpus), detection is run and stored first.

    Parameters
    ----------
    corpus : Corpus
        A corpus store.
    lexicon : str or Path
        The lexicon (built-in name or ``.toml`` path).
    groups : mapping or None
        Frame -> label; the default :data:`NAMING_GROUPS` gives the
        Russia–Ukraine labels ``war-invasion`` / ``special-operation``.
        Frames not in it get no label. ``None``: the frame itself, and
        ``"none"`` where a document names no frame in its own voice.
    keep_unlabelled : bool
        Keep documents without a label (``label`` missing); by default they
        are left out, ready to train on.
    progress : bool
        Show a progress bar if detection has to run.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, outlet, published, dominant_own, label``, in store order;
        write it to CSV for ``framing classify train --labels``, or fit
        ``FrameClassifier(mask=lexicon)`` on it (with the texts) so the
        naming terms the labels come from are masked.

    Examples
    --------
    >>> import tempfile
    >>> from framing.synthetic import write_synthetic_corpus
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=30, seed=3)
    >>> table = naming_labels(corpus)
    >>> sorted(set(table["label"]))
    ['special-operation', 'war-invasion']
    >>> (corpus.path / "frames" / "war-naming" / "features.parquet").is_file()
    True
    """
    from ...errors import FramingError
    from ..run import detect_corpus, load_detection

    parsed = load_lexicon(lexicon)
    try:
        detection = load_detection(corpus, parsed.name)
        stored = detection.manifest
        stale = stored.get("lexicon", {}).get("sha256") != parsed.sha256 or stored.get(
            "corpus_outputs"
        ) != corpus.manifest.get("outputs", {})
    except FramingError:
        detection, stale = None, False
    if detection is None or stale:
        if stale:
            warnings.warn(
                f"{corpus.name}: the stored {parsed.name} detection is stale "
                "(another lexicon version or corpus build); detecting again",
                UserWarning,
                stacklevel=2,
            )
        detection = detect_corpus(corpus, lexicon=lexicon, progress=progress)
    features = detection.features[["doc_id", "dominant_own"]]
    meta = corpus.articles(columns=["doc_id", "outlet", "published"])
    labels = lexicon_labels(
        meta[["doc_id"]].assign(text=""), groups=groups, features=features
    )
    table = meta.merge(labels, on="doc_id", how="left", validate="one_to_one")
    if not keep_unlabelled:
        table = table[table["label"].notna()].reset_index(drop=True)
    return table
