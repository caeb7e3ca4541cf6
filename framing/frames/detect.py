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
    offsets into the field the match is in), ``sentence``, ``voice``,
    ``cue``, ``in_quotation``, ``speaker``, ``speaker_role``, ``language``,
    ``referent`` (``event``, ``other`` or ``undecided``), ``referent_cue``,
    ``referent_layer`` (``other-event``, ``context``, ``unambiguous``,
    ``classifier``) and ``field``: ``"text"`` or ``"title"``. Matches of
    other events (``[exclude]`` terms included) are kept, marked ``other``,
    for audit and KWIC.

    Titles and texts are both scanned, whatever the features count: a
    mention in the title has ``field="title"``, offsets into the title and
    ``mention_id`` ``<doc_id>:title:<start>`` (``<doc_id>:<start>`` in the
    text). Its voice is decided with the title as its own sentence (the
    title is analysed on its own by :func:`~framing.frames.voice.classify_voice`,
    so a headline's "X - Speaker" or quotation marks count), and so is its
    referent. A title that repeats the text is not scanned twice: when the
    title, with runs of white space collapsed and case ignored, equals the
    whole text or its first non-blank line (many stores keep the headline
    as the first line of the text), its mentions are those of the text and
    no ``title`` rows are made (:func:`title_repeats_text`). Gold offsets
    are text offsets: validation matches ``text`` mentions only.

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

    ``fields`` (a detector parameter; default ``("text",)``) says which
    fields' mentions the features count: ``("title", "text")`` counts the
    title's mentions too, and ``n_words`` (the rate's denominator) then
    includes the title's words when the title was scanned. With the
    default the features are exactly those of the detector before titles
    were scanned.

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

from ..normalize import count_words
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
    "FIELDS",
    "check_fields",
    "title_repeats_text",
    "counted_mentions",
    "counted_words",
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
    "field",
]
_EXCLUDED = -1
#: The fields of an article that mentions are found in.
FIELDS = ("title", "text")
_SPACE = re.compile(r"\s+")
_NON_SPACE = re.compile(r"\S+")


def check_fields(fields: Any) -> tuple[str, ...]:
    """``fields`` as a tuple of distinct names among :data:`FIELDS`.

    Raises
    ------
    ValueError
        For an empty selection, a bare string or an unknown field.

    Examples
    --------
    >>> check_fields(["title", "text"])
    ('title', 'text')
    """
    if isinstance(fields, str) or not fields:
        raise ValueError(
            f"fields={fields!r}: give a tuple of fields among {list(FIELDS)}, "
            'e.g. ("text",) or ("title", "text")'
        )
    chosen = tuple(fields)
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown or len(set(chosen)) != len(chosen):
        raise ValueError(
            f"fields={fields!r}: each of {list(FIELDS)} at most once; "
            f"unknown: {unknown}"
        )
    return chosen


def _collapse(value: str) -> str:
    return _SPACE.sub(" ", value).strip().casefold()


def title_repeats_text(title: str | None, text: str) -> bool:
    """Whether ``title`` is empty or repeats ``text`` (so is not scanned).

    True when the title, white space collapsed and case ignored, is empty,
    equals the whole text, or equals the text's first non-blank line.

    Examples
    --------
    >>> title_repeats_text("War in Ukraine", "War in  Ukraine\\n\\nThe war began.")
    True
    >>> title_repeats_text("War in Ukraine", "The war began.")
    False
    """
    head = _collapse(title or "")
    if not head:
        return True
    # Reading only as many words as the title has: collapsing a whole
    # one-line text cost a tenth of detection.
    words = head.count(" ") + 1
    return head in (
        _leading_words(_first_nonblank_line(text), words),
        _leading_words(text, words),
    )


def _first_nonblank_line(text: str) -> str:
    """The first line with a non-space character, splitting only as needed."""
    size = 4096
    while True:
        chunk = text[:size]
        lines = chunk.splitlines()
        # Unless the chunk is the whole text, its last line may be cut short.
        complete = lines if size >= len(text) else lines[:-1]
        for line in complete:
            if line.strip():
                return line
        if size >= len(text):
            return ""
        size *= 4


def _leading_words(text: str, count: int) -> str | None:
    """The text collapsed as :func:`_collapse` does, if it has ``count`` words.

    Reads at most ``count + 1`` words, so a long text costs no more than
    its opening.
    """
    words = []
    for match in _NON_SPACE.finditer(text):
        words.append(match.group(0))
        if len(words) > count:
            return None
    return " ".join(words).casefold() if len(words) == count else None


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
    fields : tuple of str
        Fields whose mentions the features count: ``("text",)`` (the
        default), ``("title", "text")`` or ``("title",)``. Mentions are
        found in both fields whatever this says.

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

    Documents may come with a title (``(doc_id, text, title)``):

    >>> doc = ("d2", "Talks resumed in Geneva.", "The war in Ukraine: talks resume")
    >>> detector.detect([doc])[["matched", "field", "start"]].values.tolist()
    [['war', 'title', 4]]
    >>> detector.transform([doc]).loc[0, "n__war__own"]
    np.int64(0)
    >>> both = LexiconDetector(fields=("title", "text")).fit()
    >>> both.transform([doc]).loc[0, "n__war__own"]
    np.int64(1)
    """

    def __init__(
        self,
        *,
        lexicon: str | Path = "war-naming",
        voice_rules: VoiceRules | str | Path | None = None,
        batch_size: int = 500,
        referents: tuple[str, ...] = ("event",),
        referent_model: MentionReferentClassifier | str | Path | None = None,
        fields: tuple[str, ...] = ("text",),
    ) -> None:
        self.lexicon = lexicon
        self.voice_rules = voice_rules
        self.batch_size = batch_size
        self.referents = referents
        self.referent_model = referent_model
        self.fields = fields

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
        check_fields(self.fields)
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
        """The mentions of one document, as dicts with :data:`MENTION_COLUMNS`.

        The text's mentions (``field="text"``) come first, then the title's
        (``field="title"``), unless the title repeats the text
        (:func:`title_repeats_text`). ``title``, when the corpus has one,
        is also the headline scope of the text's referent context
        (otherwise the text's first line is).
        """
        return self._document_mentions(doc_id, text, title, headline=title)

    def _document_mentions(
        self, doc_id: str, text: str, title: str | None, headline: str | None
    ) -> list[dict[str, Any]]:
        self._check_fitted()
        rows = self._mentions_of_field(doc_id, text, DocumentContext(text, headline))
        if title is not None and not title_repeats_text(title, text):
            # The title is its own sentence and its own headline.
            rows += self._mentions_of_field(
                doc_id, title, DocumentContext(title), field="title"
            )
        return rows

    def _mentions_of_field(
        self,
        doc_id: str,
        text: str,
        document: DocumentContext,
        field: str = "text",
    ) -> list[dict[str, Any]]:
        matches = self.matcher_.find(text, keep_excluded=True)
        if not matches:
            return []
        structure = analyse_structure(text, self.rules_.rules)
        prefix = f"{doc_id}:" if field == "text" else f"{doc_id}:{field}:"
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
                    "mention_id": f"{prefix}{match.start}",
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
                    "field": field,
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
        """Stream mentions of titles and texts over documents (see
        :func:`iter_documents`)."""
        self._check_fitted()
        for doc_id, text, _, title in iter_documents(
            documents, self.batch_size, titles=True
        ):
            # As before titles were scanned, the in-memory API does not make
            # the title the headline scope of the text's referents (the
            # corpus runner, detect_corpus, always has).
            yield from self._document_mentions(doc_id, text, title, headline=None)

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
        for doc_id, text, n_words, title in iter_documents(
            documents, self.batch_size, titles=True
        ):
            doc_rows.append(
                (
                    doc_id,
                    counted_words(
                        text,
                        n_words if n_words is not None else len(text.split()),
                        title,
                        self.fields,
                    ),
                    *preposition_counts(text).values(),
                )
            )
            mention_rows.extend(
                self._document_mentions(doc_id, text, title, headline=None)
            )
        mentions = counted_mentions(
            pd.DataFrame(mention_rows, columns=MENTION_COLUMNS), self.fields
        )
        docs = pd.DataFrame(
            doc_rows, columns=["doc_id", "n_words", *PREPOSITION_COLUMNS]
        )
        return mentions_to_features(
            mentions, docs, self.frames_, referents=self.referents
        )

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        return self.fit(X, y).transform(X)


def iter_documents(
    documents: Any, batch_size: int = 500, *, titles: bool = False
) -> Iterator[Any]:
    """``(doc_id, text, n_words or None)`` from the inputs detectors accept.

    Accepted: a :class:`~framing.store.Corpus` (canonical articles, read in
    batches), a DataFrame with ``doc_id`` and ``text`` (``n_words`` and
    ``title`` optional), an iterable of ``(doc_id, text)`` or ``(doc_id,
    text, title)`` tuples, or an iterable of strings (ids are their
    positions). With ``titles=True`` each item is ``(doc_id, text, n_words
    or None, title or None)``.
    """
    from ..store import Corpus

    if isinstance(documents, Corpus):
        columns = ["doc_id", "text", "n_words", *(["title"] if titles else [])]
        for batch in documents.iter_batches(batch_size=batch_size, columns=columns):
            yield from zip(
                *(batch.column(i).to_pylist() for i in range(len(columns))),
                strict=True,
            )
        return
    if isinstance(documents, pd.DataFrame):
        if not {"doc_id", "text"} <= set(documents.columns):
            raise ValueError("a DataFrame of documents needs columns doc_id and text")
        n_words: Iterable[Any] = (
            documents["n_words"] if "n_words" in documents else [None] * len(documents)
        )
        parts: list[Iterable[Any]] = [
            documents["doc_id"].astype(str),
            documents["text"].astype(str),
            n_words,
        ]
        if titles:
            parts.append(
                [None if pd.isna(t) else str(t) for t in documents["title"]]
                if "title" in documents
                else [None] * len(documents)
            )
        yield from zip(*parts, strict=True)
        return
    for index, item in enumerate(documents):
        if isinstance(item, str):
            row: tuple[Any, ...] = (str(index), item, None, None)
        else:
            title = item[2] if len(item) > 2 else None
            row = (str(item[0]), item[1], None, title)
        yield row if titles else row[:3]


def counted_mentions(mentions: pd.DataFrame, fields: Iterable[str]) -> pd.DataFrame:
    """The mentions of ``fields`` (all of them when there is no ``field``).

    Examples
    --------
    >>> table = pd.DataFrame({"doc_id": ["a", "a"], "field": ["title", "text"]})
    >>> counted_mentions(table, ("text",))["field"].tolist()
    ['text']
    """
    if "field" not in mentions.columns or set(FIELDS) <= set(fields):
        return mentions
    return mentions[mentions["field"].isin(list(fields))]


def counted_words(
    text: str, n_words: int, title: str | None, fields: Iterable[str]
) -> int:
    """Words of the fields counted: the rate's denominator.

    The title's words count when ``"title"`` is in ``fields`` and the title
    is scanned (it does not repeat the text); the text's when ``"text"`` is.

    Examples
    --------
    >>> counted_words("The war began.", 3, "Kyiv talks", ("text",))
    3
    >>> counted_words("The war began.", 3, "Kyiv talks", ("title", "text"))
    5
    """
    fields = tuple(fields)
    words = n_words if "text" in fields else 0
    if "title" in fields and title is not None and not title_repeats_text(title, text):
        words += count_words(title)
    return words


def _mention_counts(
    mentions: pd.DataFrame, documents: pd.Index, frames: list[str]
) -> np.ndarray:
    """Mentions per document (rows, in ``documents`` order) and frame x voice.

    One pass over the mentions (a lookup per frame and voice cost more than
    detecting the mentions of a short text).
    """
    pairs = {
        (frame, voice): f * len(VOICES) + v
        for f, frame in enumerate(frames)
        for v, voice in enumerate(VOICES)
    }
    if not len(mentions):
        return np.zeros((len(documents), len(pairs)), dtype=np.int64)
    codes, mentioned = pd.factorize(mentions["doc_id"])
    column = np.fromiter(
        (
            pairs.get(pair, -1)
            for pair in zip(mentions["frame"], mentions["voice"], strict=True)
        ),
        dtype=np.int64,
        count=len(mentions),
    )
    counted = (codes >= 0) & (column >= 0)
    # One extra row of zeros for documents without mentions.
    grid = np.zeros((len(mentioned) + 1, len(pairs)), dtype=np.int64)
    np.add.at(grid, (codes[counted], column[counted]), 1)
    rows = pd.Index(mentioned).get_indexer(documents)
    return grid[np.where(rows >= 0, rows, len(mentioned))]


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
    counts = _mention_counts(mentions, pd.Index(result["doc_id"]), frames)
    columns: dict[str, Any] = {}
    for f, frame in enumerate(frames):
        total = np.zeros(len(result), dtype=np.int64)
        for v, voice in enumerate(VOICES):
            values = np.ascontiguousarray(counts[:, f * len(VOICES) + v])
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
