"""Voice-aware lexicon detection: mentions and per-document features.

:class:`LexiconDetector` finds every lexicon match in a text (one
Aho-Corasick pass over the lower-cased text, whole words only, leftmost
longest), then decides the voice of each match (:mod:`framing.frames.voice`)
and which event it names (:mod:`framing.frames.referent`). It follows the
scikit-learn estimator contract: hyperparameters are keyword-only and stored
unchanged, ``fit`` compiles the lexicon into learned attributes ending in
``_`` and returns ``self``.

Mentions
    one row per match: ``doc_id``, ``mention_id``, ``frame``, ``lemma``,
    ``matched`` (the text as written), ``start`` and ``end`` (character
    offsets into the article text), ``sentence``, ``voice``, ``cue``,
    ``in_quotation``, ``speaker``, ``speaker_role``, ``language``,
    ``referent`` (``event``, ``other`` or ``undecided``), ``referent_cue``
    and ``referent_layer`` (``other-event``, ``context``, ``unambiguous``,
    ``classifier``). Matches of other events (``[exclude]`` terms included)
    are kept, marked ``other``, for audit and KWIC.

Features
    one row per document, joinable on ``doc_id``: ``n_words``; for each
    frame and voice the count ``n__<frame>__<voice>`` of the mentions whose
    referent is counted (``referents``, by default only ``event``) and the rate per
    1,000 words ``rate__<frame>__<voice>``; presence flags
    ``has__<frame>`` (any voice) and ``has__<frame>__own``; and
    ``dominant_own``, the frame named most often in the text's own voice
    (ties go to the frame listed first in the lexicon; ``None`` when the
    text never names the event in its own voice). Hyphens in frame names
    become underscores so that the columns work in model formulas.

    The preposition columns of :data:`~framing.frames.voice.PREPOSITION_COLUMNS`
    (``n__preposition__na``, ``n__preposition__v``, ``has__preposition__na``,
    ``has__preposition__v``: Russian "на Украине" against "в Украине", and
    their Ukrainian forms, outside quotations; see
    :func:`~framing.frames.voice.preposition_counts`) follow, whatever the
    lexicon, when the documents came with their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .lexicon import REFERENTS, Lexicon, load_lexicon
from .referent import (
    DocumentContext,
    MentionReferentClassifier,
    ReferentDecider,
    _window_text,
)
from .voice import (
    PREPOSITION_COLUMNS,
    VOICES,
    VoiceRules,
    analyse_structure,
    classify_voice,
    preposition_counts,
)

__all__ = [
    "LexiconDetector",
    "Match",
    "CompiledLexicon",
    "MENTION_COLUMNS",
    "mentions_to_features",
    "feature_column",
]

MENTION_COLUMNS = [
    "doc_id",
    "mention_id",
    "frame",
    "lemma",
    "matched",
    "start",
    "end",
    "sentence",
    "voice",
    "cue",
    "in_quotation",
    "speaker",
    "speaker_role",
    "language",
    "referent",
    "referent_cue",
    "referent_layer",
]
_EXCLUDED = -1


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon match before voice analysis."""

    start: int
    end: int
    frame: str
    lemma: str
    language: str
    excluded_by: str = ""


class CompiledLexicon:
    """A lexicon compiled into one Aho-Corasick automaton.

    Examples
    --------
    >>> matcher = CompiledLexicon(load_lexicon("war-naming"))
    >>> text = "Since World War Two, no full-scale invasion; a cold war, a war."
    >>> [(m.frame, m.lemma) for m in matcher.find(text)]
    [('invasion', 'full-scale invasion'), ('war', 'war')]
    >>> [m.excluded_by for m in matcher.find(text, keep_excluded=True)]
    ['world war two', '', 'cold war', '']
    """

    def __init__(self, lexicon: Lexicon) -> None:
        import ahocorasick

        self.lexicon = lexicon
        priority = {name: index for index, name in enumerate(lexicon.frame_names)}
        entries: dict[str, tuple[int, str, str, int]] = {}
        for form, frame, lemma, language in lexicon.surface_table():
            rank = _EXCLUDED if frame == "" else priority[frame]
            current = entries.get(form)
            # Exclusions beat frames, and earlier frames beat later ones.
            if current is None or _beats(rank, current[0]):
                entries[form] = (rank, lemma, language, len(form))
        self.automaton = ahocorasick.Automaton()
        for form, value in entries.items():
            self.automaton.add_word(form, value)
        self.automaton.make_automaton()
        self.frames = lexicon.frame_names
        # The same pattern listed for several languages (e.g. "СВО" for ru
        # and uk) is searched once. A leading \b is checked in code instead:
        # it keeps Python's re from jumping ahead to the literal, which made
        # these few patterns most of the matching time.
        self.patterns: list[tuple[int, str, str, re.Pattern[str], bool]] = []
        seen: set[tuple[str, str]] = set()
        for lexicon_frame in lexicon.frames:
            for language, pattern in lexicon_frame.patterns:
                if (lexicon_frame.name, pattern.pattern) in seen:
                    continue
                seen.add((lexicon_frame.name, pattern.pattern))
                source = pattern.pattern
                left_boundary = source.startswith("\\b")
                compiled = (
                    re.compile(source[2:], pattern.flags) if left_boundary else pattern
                )
                self.patterns.append(
                    (
                        priority[lexicon_frame.name],
                        lexicon_frame.name,
                        language,
                        compiled,
                        left_boundary,
                    )
                )

    def find(self, text: str, *, keep_excluded: bool = False) -> list[Match]:
        """Matches in ``text``, leftmost-longest.

        Matches inside an exclusion are dropped, or with ``keep_excluded``
        returned with ``excluded_by`` set to the exclusion term.
        """
        lower = text.lower()
        if len(lower) != len(text):
            # A few characters (e.g. "İ") lower-case to two; keep offsets aligned.
            lower = "".join(ch.lower()[0] for ch in text)
        candidates: list[tuple[int, int, int, str, str]] = []
        size = len(lower)
        for end_index, (rank, lemma, language, length) in self.automaton.iter(lower):
            start = end_index - length + 1
            end = end_index + 1
            if start > 0 and _is_word_char(lower[start - 1]):
                continue
            if end < size and _is_word_char(lower[end]):
                continue
            candidates.append((start, -(end - start), rank, lemma, language))
        for rank, _frame, language, pattern, left_boundary in self.patterns:
            for found in pattern.finditer(text):
                start = found.start()
                if left_boundary and start > 0 and _is_word_char(text[start - 1]):
                    continue
                if found.end() > start:
                    candidates.append(
                        (
                            found.start(),
                            -(found.end() - found.start()),
                            rank,
                            found.group(0),
                            language,
                        )
                    )
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0], c[1], _sort_rank(c[2])))
        matches = []
        covered = 0
        exclusion = ""
        inner_covered = 0
        for start, negative_length, rank, lemma, language in candidates:
            if start < covered:
                # A frame match inside an exclusion: kept only on request.
                if (
                    keep_excluded
                    and exclusion
                    and rank != _EXCLUDED
                    and start >= inner_covered
                ):
                    inner_covered = min(start - negative_length, covered)
                    matches.append(
                        Match(
                            start,
                            inner_covered,
                            self.frames[rank],
                            lemma,
                            language,
                            exclusion,
                        )
                    )
                continue
            covered = start - negative_length
            if rank != _EXCLUDED:
                exclusion = ""
                matches.append(
                    Match(start, covered, self.frames[rank], lemma, language)
                )
            else:
                exclusion = lemma
                inner_covered = start
        return matches


def _beats(rank: int, other: int) -> bool:
    return _sort_rank(rank) < _sort_rank(other)


def _sort_rank(rank: int) -> int:
    return -1 if rank == _EXCLUDED else rank


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def feature_column(kind: str, frame: str, voice: str | None = None) -> str:
    """Name of a feature column.

    Examples
    --------
    >>> feature_column("n", "special-military-operation", "own")
    'n__special_military_operation__own'
    """
    name = f"{kind}__{frame.replace('-', '_')}"
    return f"{name}__{voice}" if voice else name


class LexiconDetector(BaseEstimator):
    """Find frame-lexicon mentions and decide whose voice each is in.

    Parameters
    ----------
    lexicon : str or Path
        A built-in lexicon name (``"war-naming"``, ``"country-mentions"``)
        or the path of a lexicon TOML file.
    voice_rules : VoiceRules, str, Path or None
        Cue rules; a path is read with :meth:`VoiceRules.from_toml`
        (extending the defaults). ``None`` uses the defaults.
    batch_size : int
        Documents per batch when reading a corpus store.
    referents : tuple of str
        Referents whose mentions the features count (``"event"``,
        ``"other"``, ``"undecided"``); the mentions table keeps them all.
    referent_model : MentionReferentClassifier, str, Path or None
        A fitted mention classifier (or the path of one saved with
        :func:`~framing.frames.referent.save_referent_model`) that decides
        the mentions the rule layers leave ``undecided``.

    Attributes
    ----------
    lexicon_ : Lexicon
    matcher_ : CompiledLexicon
    rules_ : compiled voice rules
    frames_ : tuple of str
        Frame names in lexicon order.
    referent_ : ReferentDecider
        The lexicon's referent layers, compiled.
    referent_model_ : MentionReferentClassifier or None

    Examples
    --------
    >>> detector = LexiconDetector(lexicon="war-naming").fit()
    >>> mentions = detector.detect([("d1", 'Moscow calls it a "special operation". '
    ...                              'It is a war.')])
    >>> mentions[["frame", "voice"]].values.tolist()
    [['special-military-operation', 'attributed'], ['war', 'own']]
    >>> mentions[["referent", "referent_layer"]].values.tolist()
    [['event', 'unambiguous'], ['undecided', 'context']]
    >>> detector.transform([("d1", "It is a war in Ukraine.")]).loc[0, "dominant_own"]
    'war'
    >>> detector.transform([("d1", "It is a trade war.")]).loc[0, "dominant_own"]
    """

    def __init__(
        self,
        *,
        lexicon: str | Path = "war-naming",
        voice_rules: VoiceRules | str | Path | None = None,
        batch_size: int = 500,
        referents: tuple[str, ...] = ("event",),
        referent_model: MentionReferentClassifier | str | Path | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.voice_rules = voice_rules
        self.batch_size = batch_size
        self.referents = referents
        self.referent_model = referent_model

    def fit(self, X: Any = None, y: Any = None) -> LexiconDetector:
        """Compile the lexicon and rules (``X`` and ``y`` are ignored)."""
        self.lexicon_ = load_lexicon(self.lexicon)
        self.matcher_ = CompiledLexicon(self.lexicon_)
        if isinstance(self.voice_rules, VoiceRules):
            rules = self.voice_rules
        elif self.voice_rules is None:
            rules = VoiceRules.default()
        else:
            rules = VoiceRules.from_toml(self.voice_rules)
        self.rules_ = rules.compiled()
        self.frames_ = self.lexicon_.frame_names
        unknown = set(self.referents) - set(REFERENTS)
        if unknown or isinstance(self.referents, str):
            raise ValueError(
                f"referents={self.referents!r}: give a tuple of {list(REFERENTS)}"
            )
        self.referent_ = ReferentDecider(self.lexicon_)
        model = self.referent_model
        if model is not None and not isinstance(model, MentionReferentClassifier):
            from .referent import load_referent_model

            model = load_referent_model(model)
        if model is not None and not hasattr(model, "classes_"):
            # clone() copies an estimator parameter unfitted; a path survives.
            raise ValueError(
                "referent_model is not fitted: fit the MentionReferentClassifier "
                "first, or give the path of a saved one (which clone() keeps)"
            )
        self.referent_model_ = model
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "matcher_"):
            self.fit()

    def mentions_in(
        self, doc_id: str, text: str, title: str | None = None
    ) -> list[dict[str, Any]]:
        """The mentions of one text, as dicts with :data:`MENTION_COLUMNS`.

        ``title``, when the corpus has one, is the headline scope of the
        referent context (otherwise the text's first line is).
        """
        self._check_fitted()
        matches = self.matcher_.find(text, keep_excluded=True)
        if not matches:
            return []
        structure = analyse_structure(text, self.rules_.rules)
        document = DocumentContext(text, title)
        rows: list[dict[str, Any]] = []
        undecided: list[tuple[int, str]] = []
        for match in matches:
            decision = classify_voice(
                text, match.start, match.end, structure, self.rules_, match.language
            )
            sentence = structure.sentences[decision.sentence]
            referent = self.referent_.decide(
                text,
                match.start,
                match.end,
                match.frame,
                match.lemma,
                match.language,
                sentence,
                document,
                match.excluded_by,
            )
            if referent.referent == "undecided" and self.referent_model_ is not None:
                undecided.append(
                    (
                        len(rows),
                        _window_text(
                            text,
                            match.start,
                            match.end,
                            sentence,
                            self.referent_.window,
                        ),
                    )
                )
            rows.append(
                {
                    "doc_id": doc_id,
                    "mention_id": f"{doc_id}:{match.start}",
                    "frame": match.frame,
                    "lemma": match.lemma,
                    "matched": text[match.start : match.end],
                    "start": match.start,
                    "end": match.end,
                    "sentence": decision.sentence,
                    "voice": decision.voice,
                    "cue": decision.cue,
                    "in_quotation": decision.in_quotation,
                    "speaker": decision.speaker,
                    "speaker_role": decision.speaker_role,
                    "language": match.language,
                    "referent": referent.referent,
                    "referent_cue": referent.cue,
                    "referent_layer": referent.layer,
                }
            )
        if undecided:
            self._classify_undecided(rows, undecided)
        return rows

    def _classify_undecided(
        self, rows: list[dict[str, Any]], undecided: list[tuple[int, str]]
    ) -> None:
        model = self.referent_model_
        assert model is not None
        X = pd.DataFrame(
            {
                "context": [context for _, context in undecided],
                "frame": [rows[i]["frame"] for i, _ in undecided],
            }
        )
        probabilities = model.predict_proba(X)
        classes = list(model.classes_)
        for (index, _), row in zip(undecided, probabilities, strict=True):
            best = int(np.argmax(row))
            rows[index]["referent"] = str(classes[best])
            rows[index]["referent_cue"] = f"p={row[best]:.2f}"
            rows[index]["referent_layer"] = "classifier"

    def iter_mentions(self, documents: Any) -> Iterator[dict[str, Any]]:
        """Stream mentions over documents (see :func:`iter_documents`)."""
        self._check_fitted()
        for doc_id, text, _ in iter_documents(documents, self.batch_size):
            yield from self.mentions_in(doc_id, text)

    def detect(self, documents: Any) -> pd.DataFrame:
        """All mentions as a DataFrame with :data:`MENTION_COLUMNS`."""
        return pd.DataFrame(
            list(self.iter_mentions(documents)), columns=MENTION_COLUMNS
        )

    def transform(self, documents: Any) -> pd.DataFrame:
        """Per-document features (one row per document, in input order)."""
        self._check_fitted()
        doc_rows = []
        mention_rows: list[dict[str, Any]] = []
        for doc_id, text, n_words in iter_documents(documents, self.batch_size):
            doc_rows.append(
                (
                    doc_id,
                    n_words if n_words is not None else len(text.split()),
                    *preposition_counts(text).values(),
                )
            )
            mention_rows.extend(self.mentions_in(doc_id, text))
        mentions = pd.DataFrame(mention_rows, columns=MENTION_COLUMNS)
        docs = pd.DataFrame(
            doc_rows, columns=["doc_id", "n_words", *PREPOSITION_COLUMNS]
        )
        return mentions_to_features(
            mentions, docs, self.frames_, referents=self.referents
        )

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        return self.fit(X, y).transform(X)


def iter_documents(
    documents: Any, batch_size: int = 500
) -> Iterator[tuple[str, str, int | None]]:
    """``(doc_id, text, n_words or None)`` from the inputs detectors accept.

    Accepted: a :class:`~framing.store.Corpus` (canonical articles, read in
    batches), a DataFrame with ``doc_id`` and ``text`` (``n_words``
    optional), an iterable of ``(doc_id, text)`` pairs, or an iterable of
    strings (ids are their positions).
    """
    from ..store import Corpus

    if isinstance(documents, Corpus):
        for batch in documents.iter_batches(
            batch_size=batch_size, columns=["doc_id", "text", "n_words"]
        ):
            yield from zip(
                batch.column(0).to_pylist(),
                batch.column(1).to_pylist(),
                batch.column(2).to_pylist(),
                strict=True,
            )
        return
    if isinstance(documents, pd.DataFrame):
        if not {"doc_id", "text"} <= set(documents.columns):
            raise ValueError("a DataFrame of documents needs columns doc_id and text")
        n_words: Iterable[Any] = (
            documents["n_words"] if "n_words" in documents else [None] * len(documents)
        )
        yield from zip(
            documents["doc_id"].astype(str),
            documents["text"].astype(str),
            n_words,
            strict=True,
        )
        return
    for index, item in enumerate(documents):
        if isinstance(item, str):
            yield str(index), item, None
        else:
            doc_id, text = item[0], item[1]
            yield str(doc_id), text, None


def mentions_to_features(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    frames: Iterable[str],
    *,
    referents: Iterable[str] = ("event",),
) -> pd.DataFrame:
    """Wide per-document features from mentions (see the module docstring).

    ``documents`` has ``doc_id`` and ``n_words`` (and, passed through, any
    of :data:`~framing.frames.voice.PREPOSITION_COLUMNS`); documents without
    mentions get zero counts. Only mentions whose ``referent`` is in ``referents``
    are counted (mentions without a ``referent`` column all count).

    Examples
    --------
    >>> mentions = pd.DataFrame({"doc_id": ["a", "a"], "frame": ["war", "war"],
    ...     "voice": ["own", "own"], "referent": ["event", "other"]})
    >>> docs = pd.DataFrame({"doc_id": ["a"], "n_words": [10]})
    >>> mentions_to_features(mentions, docs, ["war"]).loc[0, "n__war__own"]
    np.int64(1)
    >>> mentions_to_features(mentions, docs, ["war"], referents=("event", "other")
    ...                      ).loc[0, "n__war__own"]
    np.int64(2)
    """
    frames = list(frames)
    if "referent" in mentions.columns and len(mentions):
        mentions = mentions[mentions["referent"].isin(list(referents))]
    result = documents[["doc_id", "n_words"]].reset_index(drop=True).copy()
    per_thousand = 1000.0 / result["n_words"].clip(lower=1).to_numpy(dtype=float)
    counts = (
        mentions.groupby(["doc_id", "frame", "voice"]).size()
        if len(mentions)
        else pd.Series(dtype="int64")
    )
    columns: dict[str, Any] = {}
    index = pd.Index(result["doc_id"])
    for frame in frames:
        total = np.zeros(len(result), dtype=np.int64)
        for voice in VOICES:
            if len(counts):
                try:
                    series = counts.xs((frame, voice), level=("frame", "voice"))
                except KeyError:
                    series = pd.Series(dtype="int64")
            else:
                series = pd.Series(dtype="int64")
            values = series.reindex(index, fill_value=0).to_numpy(dtype=np.int64)
            columns[feature_column("n", frame, voice)] = values
            columns[feature_column("rate", frame, voice)] = values * per_thousand
            total += values
        columns[feature_column("has", frame)] = total > 0
        columns[feature_column("has", frame, "own")] = (
            columns[feature_column("n", frame, "own")] > 0
        )
    frame_table = pd.DataFrame(columns)
    own = (
        np.stack([columns[feature_column("n", f, "own")] for f in frames], axis=1)
        if frames
        else np.zeros((len(result), 0))
    )
    dominant = np.where(
        own.max(axis=1, initial=0) > 0, own.argmax(axis=1) if frames else 0, -1
    )
    frame_table["dominant_own"] = [frames[i] if i >= 0 else None for i in dominant]
    for column in PREPOSITION_COLUMNS:
        if column in documents.columns:
            frame_table[column] = documents[column].to_numpy()
    return pd.concat([result, frame_table], axis=1)
