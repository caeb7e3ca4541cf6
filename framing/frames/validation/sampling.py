"""Coding samples of a researcher's own corpus, drawn and written blind.

:func:`naming_scheme` is the coding scheme of the sheets;
:func:`draw_coding_sample` draws detected mentions of every referent and
sentences with no detected mention, with sampling weights;
:func:`write_coding_sample` writes the blind sheet and, at
:func:`key_path`, the key of the detector's labels; :func:`sample_corpus`
does all three on a built corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...annotation import CodingScheme, stratified_sample, write_coding_sheet
from ..detect import LexiconDetector, counted_mentions
from ..voice import VOICES
from ._common import _NO_NAMING, REFERENTS, GoldError, _referents
from .mentions import sample_mentions


def naming_scheme(frames: Any = ()) -> CodingScheme:
    """The coding scheme of :func:`write_coding_sample` sheets.

    Three variables: ``referent`` (``event``, ``other``, ``undecided``, or
    ``none`` for a sampled sentence that names nothing), ``voice``
    (:data:`~framing.frames.voice.VOICES` or ``none``) and, for no-mention
    units only, ``frame`` (the lexicon frame of a naming the coder found).

    Examples
    --------
    >>> naming_scheme(["war"]).variable_names
    ('referent', 'voice', 'frame')
    """
    frame_codes = list(dict.fromkeys([*map(str, frames), _NO_NAMING]))
    return CodingScheme.from_dict(
        {
            "name": "naming",
            "description": "Does this occurrence name the event, in whose voice? "
            "See framing/frames/gold/CODEBOOK.md.",
            "variables": [
                {
                    "name": "referent",
                    "codes": [*REFERENTS, _NO_NAMING],
                    "labels": {
                        "event": "Names the event the lexicon is about",
                        "other": "Names another event (another war, a trade war...)",
                        "undecided": "The text does not let a careful reader decide",
                        "none": "No-mention unit: the sentence names no event",
                    },
                    "description": "Mention units: what does the marked term "
                    "refer to? No-mention units: does the sentence name the event "
                    "(event) or not (none)?",
                },
                {
                    "name": "voice",
                    "codes": [*VOICES, _NO_NAMING],
                    "description": "Whose voice uses the name (none: no naming).",
                },
                {
                    "name": "frame",
                    "codes": frame_codes,
                    "description": "No-mention units only: the frame of the naming "
                    "you found; leave blank for mention units.",
                },
            ],
        }
    )


def _sentence_candidates(
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    context_words: str | None,
) -> pd.DataFrame:
    """Sentences that overlap no detected mention (of any referent)."""
    import re

    from ..voice import sentence_spans

    pattern = re.compile(context_words, re.IGNORECASE) if context_words else None
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in zip(
        mentions["doc_id"].astype(str),
        mentions["start"].astype(int),
        mentions["end"].astype(int),
        strict=True,
    ):
        by_doc.setdefault(doc_id, []).append((start, end))
    rows: list[tuple[str, str, int, int]] = []
    for doc_id, outlet, text in zip(
        documents["doc_id"].astype(str),
        documents["outlet"].astype(str),
        documents["text"].astype(str),
        strict=True,
    ):
        spans = by_doc.get(doc_id, [])
        for start, end in sentence_spans(text):
            if any(s < end and start < e for s, e in spans):
                continue
            if pattern is not None and not pattern.search(text, start, end):
                continue
            rows.append((doc_id, outlet, start, end))
    return pd.DataFrame(rows, columns=["doc_id", "outlet", "start", "end"])


def draw_coding_sample(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    n: int = 300,
    no_mention: int = 60,
    by: tuple[str, ...] = ("frame", "voice", "outlet"),
    context_words: str | None = None,
    seed: int = 0,
    min_per_stratum: int = 1,
) -> pd.DataFrame:
    """A seeded coding sample: detected mentions and sentences without one.

    Parameters
    ----------
    mentions : DataFrame
        The detector's mentions of the corpus, *all referents* (mentions the
        detector assigns to other events are sampled too, so their precision
        is checked as well). ``outlet`` is joined from ``documents`` when
        missing.
    documents : DataFrame
        ``doc_id``, ``outlet`` and ``text`` of every document (``corpus``
        optional).
    n : int
        Mentions to draw, stratified by ``by`` (proportional allocation with
        at least ``min_per_stratum`` per stratum; see
        :func:`framing.annotation.stratified_sample`).
    no_mention : int
        Sentences to draw, stratified by outlet, among sentences that
        overlap no detected mention: the coders' namings there are the
        detector's misses. 0 draws none.
    by : tuple of str
        Stratification columns of the mentions.
    context_words : str, optional
        A regular expression (case-insensitive); only sentences matching it
        are no-mention candidates (e.g. words that go with the event, so the
        miss check looks where misses are likely). The weights then describe
        the matching sentences only.
    seed : int
    min_per_stratum : int

    Returns
    -------
    DataFrame
        One row per unit in a seeded random order: ``unit_id``, ``kind``
        (``mention`` or ``no-mention``), ``corpus``, ``outlet``, ``doc_id``,
        ``start``, ``end``, ``frame`` (the lexicon frame of the matched
        words; empty for no-mention units), the detector's ``voice``,
        ``referent``, ``referent_cue``, ``referent_layer``, ``cue`` and
        ``mention_id`` (empty for no-mention units), ``stratum`` and
        ``weight`` (stratum size / units drawn, so weighted scores estimate
        the whole corpus).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["x", "y"],
    ...     "text": ["The war goes on. Troops moved.", "Talks resumed today."]})
    >>> mentions = LexiconDetector().fit().detect(docs)
    >>> sample = draw_coding_sample(mentions, docs, n=1, no_mention=2)
    >>> sorted(sample["kind"])
    ['mention', 'no-mention', 'no-mention']
    """
    if "outlet" not in documents.columns or "doc_id" not in documents.columns:
        raise GoldError("documents need doc_id, outlet and text columns")
    # Gold offsets are text offsets: title mentions are not sampled.
    mentions = counted_mentions(mentions, ("text",)).copy()
    meta = documents[["doc_id", "outlet"]].astype({"doc_id": str})
    if "outlet" not in mentions.columns:
        mentions = mentions.merge(meta, on="doc_id", how="left")
    mentions["referent"] = _referents(mentions)
    for column in ("referent_cue", "referent_layer"):
        if column not in mentions.columns:
            mentions[column] = ""
    parts = []
    if n > 0:
        if mentions.empty:
            raise GoldError("the detector found no mentions to sample")
        try:
            mention_sample = sample_mentions(
                mentions,
                n=min(n, len(mentions)),
                by=by,
                seed=seed,
                min_per_stratum=min_per_stratum,
            )
        except ValueError as exc:
            raise GoldError(f"cannot draw {n} mentions: {exc}") from None
        mention_sample["kind"] = "mention"
        parts.append(mention_sample)
    if no_mention > 0:
        candidates = _sentence_candidates(documents, mentions, context_words)
        if candidates.empty:
            raise GoldError(
                "no sentence without a mention"
                + (f" matches {context_words!r}" if context_words else "")
                + "; lower no_mention or loosen the context words"
            )
        picked = stratified_sample(
            candidates,
            by=["outlet"],
            n=min(no_mention, len(candidates)),
            seed=seed + 1,
            min_per_stratum=min(min_per_stratum, 1),
        )
        picked["kind"] = "no-mention"
        picked["stratum"] = "no-mention | " + picked["stratum"].astype(str)
        parts.append(picked)
    if not parts:
        raise GoldError("nothing to sample: n and no_mention are both 0")
    sample = pd.concat(parts, ignore_index=True)
    if "corpus" in documents.columns:
        corpus_of = dict(
            zip(documents["doc_id"].astype(str), documents["corpus"], strict=True)
        )
        sample["corpus"] = sample["doc_id"].astype(str).map(corpus_of)
    columns = [
        "kind",
        "corpus",
        "outlet",
        "doc_id",
        "start",
        "end",
        "frame",
        "voice",
        "referent",
        "referent_cue",
        "referent_layer",
        "cue",
        "mention_id",
        "stratum",
        "weight",
    ]
    for column in columns:
        if column not in sample.columns:
            sample[column] = ""
    sample = sample[columns].fillna("")
    sample = sample.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    sample.insert(0, "unit_id", [f"u{i + 1:04d}" for i in range(len(sample))])
    return sample


def key_path(sheet: str | Path) -> Path:
    """Where :func:`write_coding_sample` keeps the detector's labels.

    Examples
    --------
    >>> key_path("out/sheet.xlsx").as_posix()
    'out/sheet.key.csv'
    """
    sheet = Path(sheet)
    return sheet.with_name(f"{sheet.stem}.key.csv")


def write_coding_sample(
    sample: pd.DataFrame,
    texts: Any,
    path: str | Path,
    *,
    frames: Any = (),
    context: int = 200,
    coder: str | None = None,
    overwrite: bool = False,
) -> tuple[Path, Path]:
    """Write a blind coding sheet and, beside it, the key of detector labels.

    The sheet (``.csv`` or ``.xlsx``, see
    :func:`framing.annotation.write_coding_sheet`) shows each unit with
    ``context`` characters either side -- for a mention the matched words,
    for a no-mention unit the sentence -- and its location (``doc_id``,
    ``start``, ``end``) so the filled sheet can be scored with
    :func:`read_gold`. The detector's voice, referent and cues go to
    :func:`key_path` (``<sheet>.key.csv``) with the sampling weights, so
    coders never see them.

    Parameters
    ----------
    sample : DataFrame
        From :func:`draw_coding_sample`.
    texts : mapping or Corpus
        ``doc_id -> text`` (a :class:`~framing.store.Corpus` works).
    path : str or Path
    frames : sequence of str
        The lexicon's frames (the codes of ``code_frame``).

    Returns
    -------
    (Path, Path)
        The sheet and the key file.
    """
    wanted = set(sample["doc_id"].astype(str))
    if hasattr(texts, "iter_texts"):
        lookup = {d: t for d, t in texts.iter_texts() if d in wanted}
    else:
        lookup = {d: texts[d] for d in wanted}
    left, target, right = [], [], []
    for doc_id, start, end in zip(
        sample["doc_id"].astype(str),
        sample["start"].astype(int),
        sample["end"].astype(int),
        strict=True,
    ):
        text = lookup[doc_id]
        left.append(" ".join(text[max(0, start - context) : start].split()))
        target.append(" ".join(text[start:end].split()))
        right.append(" ".join(text[end : end + context].split()))
    units = sample[
        ["unit_id", "kind", "corpus", "outlet", "doc_id", "start", "end", "frame"]
    ].copy()
    units["left"], units["target"], units["right"] = left, target, right
    sheet = write_coding_sheet(
        units,
        path,
        naming_scheme(frames or sorted(set(sample["frame"]) - {""})),
        id_column="unit_id",
        context_columns=[
            "kind",
            "corpus",
            "outlet",
            "doc_id",
            "start",
            "end",
            "frame",
            "left",
            "target",
            "right",
        ],
        coder=coder,
        overwrite=overwrite,
    )
    key = key_path(sheet)
    sample.to_csv(key, index=False, lineterminator="\n")
    return sheet, key


def _corpus_documents(corpus: Any, doc_ids: set[str] | None = None) -> pd.DataFrame:
    columns = ["doc_id", "outlet", "text", "n_words"]
    docs = corpus.articles(columns=columns)
    if doc_ids is not None:
        docs = docs[docs["doc_id"].astype(str).isin(doc_ids)]
    docs = docs.reset_index(drop=True)
    docs.insert(0, "corpus", corpus.name)
    return docs


def sample_corpus(
    corpus: Any,
    path: str | Path,
    *,
    lexicon: str | Path = "war-naming",
    voice_rules: Any = None,
    n: int = 300,
    no_mention: int = 60,
    context_words: str | None = None,
    context: int = 200,
    seed: int = 0,
    overwrite: bool = False,
    exclude_docs: Any = (),
) -> tuple[Path, Path, pd.DataFrame]:
    """Detect, draw a coding sample and write its blind sheet and key.

    ``corpus`` is a built :class:`~framing.store.Corpus`; see
    :func:`draw_coding_sample` and :func:`write_coding_sample`.
    ``exclude_docs`` are document ids left out of the draw -- those of an
    earlier coding round, so that a new round scores documents nobody has
    looked at; the sampling weights then describe the remaining documents.
    Returns the sheet, the key file and the sample.
    """
    detector = LexiconDetector(lexicon=lexicon, voice_rules=voice_rules).fit()
    docs = _corpus_documents(corpus)
    excluded = {str(doc_id) for doc_id in exclude_docs}
    if excluded:
        docs = docs[~docs["doc_id"].astype(str).isin(excluded)].reset_index(drop=True)
        if docs.empty:
            raise GoldError(
                f"{corpus.name}: every document is excluded; nothing left to sample"
            )
    mentions = detector.detect(docs)
    sample = draw_coding_sample(
        mentions,
        docs,
        n=n,
        no_mention=no_mention,
        context_words=context_words,
        seed=seed,
    )
    texts = dict(zip(docs["doc_id"].astype(str), docs["text"], strict=True))
    sheet, key = write_coding_sample(
        sample,
        texts,
        path,
        frames=detector.frames_,
        context=context,
        overwrite=overwrite,
    )
    return sheet, key, sample
