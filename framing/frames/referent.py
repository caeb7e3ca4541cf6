"""Which event a mention names: rule layers and a mention classifier.

A lexicon names one event (``war-naming``: Russia's war against Ukraine),
but its words also name others: "trade war", "the war in Gaza",
"спецоперация ФСБ", "дорожный конфликт". Every mention therefore gets a
``referent``:

``event``
    the event the lexicon is about;
``other``
    another event (kept in the mentions table for audit and KWIC, not
    counted in the features by default);
``undecided``
    an ambiguous frame with no context for either reading (counted neither
    way by default).

with ``referent_cue`` (what decided) and ``referent_layer``:

``other-event``
    an ``[exclude]`` term (cue ``exclude: <term>``) or a
    ``[[referent.other]]`` rule matched in the mention's window (cue
    ``<rule>: <matched text>``);
``context``
    the nearest or most frequent context cue in the sentence, the headline
    or the document (cue ``<scope>: <matched text>``, scope ``sentence``,
    ``headline`` or ``document``; ``none`` when there was none);
``unambiguous``
    a frame or term that names the event by itself (cue: the term);
``classifier``
    :class:`MentionReferentClassifier` decided an ``undecided`` mention
    (cue ``p=<probability of the chosen class>``).

The layers are declared in the lexicon's ``[referent]`` section (format in
:mod:`framing.frames.lexicon`). :class:`ReferentDecider` applies them;
:class:`~framing.frames.detect.LexiconDetector` calls it for every match.

Why undecided is not counted
    A bare "war" with no place named anywhere in a post is as likely to be
    about Gaza or a hypothetical war as about Ukraine in general news, so
    counting it either way biases the shares; the classifier layer, trained
    on a corpus's own coded mentions, is the way to decide such mentions.

Examples
--------
>>> from framing.frames.detect import LexiconDetector
>>> detector = LexiconDetector().fit()
>>> mentions = detector.detect([("d", "The trade war with China goes on. "
...                              "The war in Ukraine goes on. A war, maybe.")])
>>> mentions[["matched", "referent", "referent_layer"]].values.tolist()
[['war', 'other', 'other-event'], ['war', 'event', 'context'], \
['war', 'event', 'context']]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from ._prefilter import literal_prefixes as _literal_prefixes
from ._prefilter import lower_aligned as _lower_aligned
from .lexicon import REFERENTS, Lexicon

__all__ = [
    "REFERENTS",
    "REFERENT_LAYERS",
    "ReferentDecision",
    "ReferentDecider",
    "DocumentContext",
    "MentionReferentClassifier",
    "context_window",
    "mention_contexts",
    "save_referent_model",
    "load_referent_model",
    "referent_training_data",
    "score_referents",
    "evaluate_referent_gold",
]

#: The layers that can decide a referent.
REFERENT_LAYERS = ("other-event", "context", "unambiguous", "classifier")
_WORD = re.compile(r"\S+")
# How far the window search may look back or ahead, in characters, so that
# a sentence without punctuation (a long Telegram post) stays cheap.
_MAX_WINDOW_CHARS = 600
_HEADLINE_CHARS = 300


@dataclass(frozen=True, slots=True)
class ReferentDecision:
    """The referent of one mention, with its cue and layer."""

    referent: str
    cue: str
    layer: str


def context_window(
    text: str, start: int, end: int, sentence: tuple[int, int], words: int
) -> tuple[int, int]:
    """Offsets of ``words`` words each side of ``text[start:end]``, within
    the sentence.

    Examples
    --------
    >>> text = "One two three war four five six."
    >>> a, b = context_window(text, 14, 17, (0, len(text)), 2)
    >>> text[a:b]
    'two three war four five'
    """
    low = max(sentence[0], start - _MAX_WINDOW_CHARS)
    high = min(sentence[1], end + _MAX_WINDOW_CHARS)
    left = [m.start() for m in _WORD.finditer(text, low, start)]
    window_start = left[-words] if len(left) >= words else low
    right_end = end
    for count, found in enumerate(_WORD.finditer(text, end, high), start=1):
        right_end = found.end()
        if count >= words:
            break
    return window_start, max(right_end, end)


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    if a[1] <= b[0]:
        return b[0] - a[1]
    if b[1] <= a[0]:
        return a[0] - b[1]
    return 0


_Candidates = tuple[list[int], list[int]]
_WORD_CHAR = re.compile(r"\w").match


class _Cues:
    """Compiled cue patterns of one kind and language.

    Candidates come from one Aho-Corasick pass over a text for the literal
    prefixes of the patterns; each pattern is then tried only where one of
    its prefixes starts (patterns without a literal prefix are scanned).
    """

    def __init__(self, named: list[tuple[str, re.Pattern[str]]]) -> None:
        import ahocorasick

        self.named = named
        self.fallback: list[int] = []
        entries: dict[tuple[str, bool], list[int]] = {}
        for index, (_, pattern) in enumerate(named):
            prefixes = _literal_prefixes(pattern)
            if prefixes is None:
                self.fallback.append(index)
                continue
            # Most cues start at a word boundary: candidates inside a word
            # ("cia" in "special") are dropped before any regex runs.
            boundary = pattern.pattern.startswith("\\b")
            for prefix in prefixes:
                entries.setdefault((prefix, boundary), []).append(index)
        self.automaton: Any = None
        if entries:
            by_prefix: dict[str, tuple[list[int], list[int]]] = {}
            for (prefix, boundary), indices in entries.items():
                anywhere, at_word_start = by_prefix.setdefault(prefix, ([], []))
                (at_word_start if boundary else anywhere).extend(indices)
            self.automaton = ahocorasick.Automaton()
            for prefix, (anywhere, at_word_start) in by_prefix.items():
                self.automaton.add_word(
                    prefix,
                    (
                        len(prefix),
                        tuple(sorted(set(anywhere))),
                        tuple(sorted(set(at_word_start) - set(anywhere))),
                    ),
                )
            self.automaton.make_automaton()

    def __bool__(self) -> bool:
        return bool(self.named)

    def candidates(
        self, lower: str, low: int = 0, high: int | None = None
    ) -> _Candidates:
        """Sorted candidate starts in ``lower[low:high]`` (the lower-cased
        text) and the pattern to try at each."""
        found: set[tuple[int, int]] = set()
        if self.automaton is not None:
            chunk = lower if low == 0 and high is None else lower[low:high]
            offset = low
            for end, (length, anywhere, at_word_start) in self.automaton.iter(chunk):
                start = offset + end - length + 1
                for index in anywhere:
                    found.add((start, index))
                if at_word_start and not (start > 0 and _WORD_CHAR(lower[start - 1])):
                    for index in at_word_start:
                        found.add((start, index))
        ordered = sorted(found)
        return [f[0] for f in ordered], [f[1] for f in ordered]

    def matches(
        self, text: str, candidates: _Candidates, low: int, high: int
    ) -> Iterator[tuple[int, int, str, str]]:
        """``(start, end, name, matched)`` of every cue within ``[low, high)``."""
        starts, indices = candidates
        position = bisect_left(starts, low)
        size = len(starts)
        while position < size and starts[position] < high:
            start, index = starts[position], indices[position]
            position += 1
            name, pattern = self.named[index]
            found = pattern.match(text, start, high)
            if found is not None and found.end() > start:
                yield start, found.end(), name, found.group(0)
        for index in self.fallback:
            name, pattern = self.named[index]
            for found in pattern.finditer(text, low, high):
                if found.end() > found.start():
                    yield found.start(), found.end(), name, found.group(0)

    def nearest(
        self,
        text: str,
        candidates: _Candidates,
        low: int,
        high: int,
        span: tuple[int, int],
    ) -> tuple[int, str, str] | None:
        """``(distance, name, matched)`` of the cue nearest ``span``."""
        best: tuple[int, str, str] | None = None
        for start, end, name, matched in self.matches(text, candidates, low, high):
            # The term is not its own context ("спецоперация" is an event
            # cue for the words around it, not for itself).
            if span[0] <= start and end <= span[1]:
                continue
            distance = _distance((start, end), span)
            if best is None or distance < best[0]:
                best = (distance, name, matched)
        return best

    def overlapping(
        self,
        text: str,
        candidates: _Candidates,
        low: int,
        high: int,
        span: tuple[int, int],
    ) -> tuple[str, str] | None:
        """``(name, matched)`` of a cue that overlaps ``span`` and reaches
        beyond it (a cue inside the mention is part of the term itself)."""
        for a, b, name, matched in self.matches(text, candidates, low, high):
            if a < span[1] and b > span[0] and (a < span[0] or b > span[1]):
                return name, matched
        return None

    def tally(
        self, text: str, candidates: _Candidates, low: int = 0, high: int | None = None
    ) -> dict[str, tuple[int, str]]:
        """Per cue name: how often it occurs in ``text[low:high]`` and its
        first match."""
        high = len(text) if high is None else high
        found: dict[str, tuple[int, str]] = {}
        for _, _, name, matched in sorted(self.matches(text, candidates, low, high)):
            count, first = found.get(name, (0, matched))
            found[name] = (count + 1, first)
        return found


@dataclass
class DocumentContext:
    """One document's text and title, with its cue candidates cached."""

    text: str
    title: str | None = None
    _cache: dict[tuple[int, str], Any] = field(default_factory=dict)
    _lower: str | None = None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = _lower_aligned(self.text)
        return self._lower

    def window(self, cues: _Cues, low: int, high: int) -> _Candidates:
        """Candidates of ``cues`` for ``text[low:high]``: the whole document's
        when they are known, else those of the slice (cached by slice, so
        the mentions of one sentence share them)."""
        cached = self._cache.get((id(cues), "text"))
        if cached is not None:
            return cached
        key = (id(cues), f"{low}:{high}")
        if key not in self._cache:
            self._cache[key] = cues.candidates(self.lower, low, high)
        return self._cache[key]

    def headline_end(self) -> int:
        """End of the headline scope in the text (its first line)."""
        end = self.text.find("\n")
        end = len(self.text) if end < 0 else end
        return min(end, _HEADLINE_CHARS)

    def candidates(self, cues: _Cues, which: str = "text") -> _Candidates:
        key = (id(cues), which)
        if key not in self._cache:
            source = self.lower if which == "text" else _lower_aligned(self.title or "")
            self._cache[key] = cues.candidates(source)
        return self._cache[key]

    def tally(self, cues: _Cues, scope: str) -> dict[str, tuple[int, str]]:
        """Cue counts in the headline (title, else first line) or document."""
        key = (id(cues), f"tally:{scope}")
        if key in self._cache:
            return self._cache[key]
        if scope == "headline":
            if self.title:
                result = cues.tally(self.title, self.candidates(cues, "title"))
            else:
                result = cues.tally(
                    self.text, self.candidates(cues), 0, self.headline_end()
                )
        else:
            result = cues.tally(self.text, self.candidates(cues))
            if self.title:
                for name, (count, first) in cues.tally(
                    self.title, self.candidates(cues, "title")
                ).items():
                    old = result.get(name, (0, first))
                    result[name] = (old[0] + count, old[1])
        self._cache[key] = result
        return result


class ReferentDecider:
    """The rule layers of a lexicon's ``[referent]`` section, compiled.

    Parameters
    ----------
    lexicon : Lexicon

    Examples
    --------
    >>> from framing.frames.lexicon import load_lexicon
    >>> decider = ReferentDecider(load_lexicon("war-naming"))
    >>> text = "Тем временем торговая война с Китаем продолжается."
    >>> start = text.index("война")
    >>> decider.decide(text, start, start + 5, "war", "война", "ru",
    ...                (0, len(text))).layer
    'other-event'
    """

    def __init__(self, lexicon: Lexicon) -> None:
        spec = lexicon.referent
        self.spec = spec
        self.window = spec.window if spec else 8
        self.ambiguous = frozenset(spec.ambiguous if spec else ())
        self.unambiguous = frozenset(spec.unambiguous if spec else ())
        self.no_context = spec.no_context if spec else "undecided"
        languages = set(lexicon.languages)
        self.event: dict[str, _Cues] = {}
        self.kinds: dict[str, _Cues] = {}
        self.other_context: dict[str, _Cues] = {}
        self.other_document: dict[str, _Cues] = {}
        for language in languages:
            event = [
                ("event", p)
                for lang, p in (spec.context if spec else ())
                if lang == language
            ]
            kinds = [
                (rule.name, p)
                for rule in (spec.other if spec else ())
                if not rule.context
                for lang, p in rule.patterns
                if lang == language
            ]
            other_context = [
                (rule.name, p)
                for rule in (spec.other if spec else ())
                if rule.context
                for lang, p in rule.patterns
                if lang == language
            ]
            self.event[language] = _Cues(event)
            self.kinds[language] = _Cues(kinds)
            self.other_context[language] = _Cues(other_context)
            self.other_document[language] = _Cues(
                [
                    (rule.name, p)
                    for rule in (spec.other if spec else ())
                    if rule.context and rule.scope == "document"
                    for lang, p in rule.patterns
                    if lang == language
                ]
            )

    def decide(
        self,
        text: str,
        start: int,
        end: int,
        frame: str,
        lemma: str,
        language: str,
        sentence: tuple[int, int],
        document: DocumentContext | None = None,
        excluded_by: str = "",
    ) -> ReferentDecision:
        """The referent of the mention ``text[start:end]``."""
        if excluded_by:
            return ReferentDecision("other", f"exclude: {excluded_by}", "other-event")
        if self.spec is None:
            return ReferentDecision("event", lemma, "unambiguous")
        span = (start, end)
        document = document or DocumentContext(text)
        low, high = context_window(text, start, end, sentence, self.window)
        kind = self.kinds.get(language)
        if kind:
            found = kind.overlapping(
                text, document.window(kind, low, high), low, high, span
            )
            if found is not None:
                return ReferentDecision(
                    "other", f"{found[0]}: {found[1]}", "other-event"
                )
        unambiguous = (language, lemma.lower()) in self.unambiguous
        places = self.other_context.get(language)
        if places and not unambiguous:
            place = places.nearest(
                text, document.window(places, low, high), low, high, span
            )
            if place is not None:
                event_cues = self.event.get(language)
                event = (
                    event_cues.nearest(
                        text, document.window(event_cues, low, high), low, high, span
                    )
                    if event_cues
                    else None
                )
                if event is None or event[0] >= place[0]:
                    return ReferentDecision(
                        "other", f"{place[1]}: {place[2]}", "other-event"
                    )
        if frame not in self.ambiguous or unambiguous:
            return ReferentDecision("event", lemma, "unambiguous")
        return self._context(text, span, language, sentence, document)

    def _context(
        self,
        text: str,
        span: tuple[int, int],
        language: str,
        sentence: tuple[int, int],
        document: DocumentContext,
    ) -> ReferentDecision:
        event_cues = self.event.get(language) or _EMPTY
        other_cues = self.other_context.get(language) or _EMPTY
        event = event_cues.nearest(
            text, document.window(event_cues, *sentence), *sentence, span
        )
        other = other_cues.nearest(
            text, document.window(other_cues, *sentence), *sentence, span
        )
        if event is not None and (other is None or event[0] < other[0]):
            return ReferentDecision("event", f"sentence: {event[2]}", "context")
        if other is not None:
            return ReferentDecision(
                "other", f"sentence: {other[1]}: {other[2]}", "context"
            )
        for scope in ("headline", "document"):
            events = document.tally(event_cues, scope)
            others = document.tally(self.other_document.get(language) or _EMPTY, scope)
            n_event = sum(count for count, _ in events.values())
            event_text = next(iter(events.values()), (0, ""))[1]
            # The event against the most frequent single other theatre: a
            # text that touches on many places is still about its main one.
            top = max(others.items(), key=lambda kv: kv[1][0], default=None)
            n_other = top[1][0] if top else 0
            if n_event > n_other:
                return ReferentDecision("event", f"{scope}: {event_text}", "context")
            if top is not None and n_other > n_event:
                return ReferentDecision(
                    "other", f"{scope}: {top[0]}: {top[1][1]}", "context"
                )
            if n_event:
                return ReferentDecision(
                    "undecided",
                    f"{scope}: {event_text} / {top[0] if top else ''}",
                    "context",
                )
        return ReferentDecision(self.no_context, "none", "context")


_EMPTY = _Cues([])


# Classifier -----------------------------------------------------------------


def mention_contexts(
    mentions: pd.DataFrame,
    texts: Mapping[str, str],
    *,
    window: int = 8,
) -> pd.Series:
    """The context window of every mention, as the classifier reads it.

    ``mentions`` needs ``doc_id``, ``start`` and ``end``; ``texts`` maps
    ``doc_id`` to the text the offsets point into. The window is ``window``
    words each side of the term, within its sentence (sentences as the
    voice rules split them), with the term marked ``[[...]]``.

    Examples
    --------
    >>> mentions = pd.DataFrame({"doc_id": ["a"], "start": [10], "end": [13]})
    >>> mention_contexts(mentions, {"a": "The trade war. Next."}).tolist()
    ['The trade [[war]].']
    """
    from .voice import sentence_spans

    spans: dict[str, list[tuple[int, int]]] = {}
    out = []
    for doc_id, start, end in zip(
        mentions["doc_id"].astype(str), mentions["start"], mentions["end"], strict=True
    ):
        text = texts[doc_id]
        if doc_id not in spans:
            spans[doc_id] = sentence_spans(text)
        sentence = next(
            (s for s in spans[doc_id] if s[0] <= int(start) < s[1]), (0, len(text))
        )
        out.append(_window_text(text, int(start), int(end), sentence, window))
    return pd.Series(out, index=mentions.index, dtype=object)


def _window_text(
    text: str, start: int, end: int, sentence: tuple[int, int], window: int
) -> str:
    low, high = context_window(text, start, end, sentence, window)
    return " ".join(f"{text[low:start]}[[{text[start:end]}]]{text[end:high]}".split())


def _classifier_documents(X: Any) -> list[str]:
    if isinstance(X, pd.DataFrame):
        if "context" not in X.columns:
            raise ValueError(
                "MentionReferentClassifier needs a DataFrame with a 'context' "
                "column (see mention_contexts); optional: frame, referent, "
                "referent_layer"
            )
        parts = [X["context"].astype(str).tolist()]
        for column in ("frame", "referent", "referent_layer"):
            if column in X.columns:
                parts.append(
                    [f"__{column}_{value}".replace("-", "_") for value in X[column]]
                )
        return [" ".join(values[::-1]) for values in zip(*parts, strict=True)]
    return [str(x) for x in X]


def referent_training_data(
    coded: pd.DataFrame, texts: Mapping[str, str], *, window: int = 8
) -> tuple[pd.DataFrame, list[str]]:
    """``X`` and ``y`` for :class:`MentionReferentClassifier` from coded mentions.

    ``coded`` has ``doc_id``, ``start``, ``end``, ``frame`` and ``referent``
    (a gold file, or a coding sheet read back with the validation tools);
    only ``event`` and ``other`` rows are used. ``texts`` maps ``doc_id`` to
    the text the offsets point into.

    Examples
    --------
    >>> coded = pd.DataFrame({"doc_id": ["a", "a"], "start": [4, 20],
    ...     "end": [7, 23], "frame": ["war", "war"], "referent": ["event", "none"]})
    >>> X, y = referent_training_data(coded, {"a": "The war in Donbas. No war."})
    >>> X["context"].tolist(), y
    (['The [[war]] in Donbas.'], ['event'])
    """
    rows = coded[coded["referent"].isin(["event", "other"])].reset_index(drop=True)
    X = pd.DataFrame(
        {
            "context": mention_contexts(rows, texts, window=window).to_numpy(),
            "frame": rows["frame"].astype(str).to_numpy(),
        }
    )
    return X, rows["referent"].astype(str).tolist()


class MentionReferentClassifier(ClassifierMixin, BaseEstimator):
    """Decide a mention's referent from its context window.

    TF-IDF of the words around the term (and of the frame, as a token; and
    of ``referent`` and ``referent_layer`` when ``X`` has them) and a
    logistic regression. :func:`referent_training_data` builds ``X`` and
    ``y`` from coded mentions. Train it on a
    corpus's own coded mentions (``referent`` ``event``/``other``); give it
    to :class:`~framing.frames.detect.LexiconDetector` as ``referent_model``
    and it decides the mentions the rules leave ``undecided`` (the rule
    layers' explicit cues are kept: they are precise and readable, and the
    classifier learns the rest).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    ngram_range : tuple of int
        Word n-grams of the context.
    min_df : int
        Minimum document frequency of an n-gram.
    class_weight : str or None
        ``"balanced"`` weighs classes inversely to their frequency.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    model_ : LogisticRegression
    classes_ : ndarray of str

    Examples
    --------
    >>> X = pd.DataFrame({"context": ["the [[war]] in Ukraine", "trade [[war]]",
    ...                               "[[war]] in Donbas", "the trade [[war]] grows"]})
    >>> clf = MentionReferentClassifier().fit(X, ["event", "other", "event", "other"])
    >>> clf.predict(pd.DataFrame({"context": ["a trade [[war]]"]})).tolist()
    ['other']
    """

    def __init__(
        self,
        *,
        C: float = 4.0,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        class_weight: str | None = "balanced",
    ) -> None:
        self.C = C
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.class_weight = class_weight

    def fit(self, X: Any, y: Iterable[str]) -> MentionReferentClassifier:
        """Fit on mentions ``X`` (a DataFrame with ``context``) and referents ``y``."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        labels = np.asarray(list(y), dtype=object)
        documents = _classifier_documents(X)
        if len(documents) != len(labels):
            raise ValueError(f"{len(documents)} mentions but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise ValueError(
                "MentionReferentClassifier needs coded mentions of at least two "
                f"referents (event and other), got {sorted(set(labels))}"
            )
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w[\w-]*\b",
        )
        matrix = self.vectorizer_.fit_transform(documents)
        self.model_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=2000
        ).fit(matrix, labels)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class in :attr:`classes_`, one row per mention."""
        return np.asarray(
            self.model_.predict_proba(
                self.vectorizer_.transform(_classifier_documents(X))
            )
        )

    def predict(self, X: Any) -> np.ndarray:
        """The referent of each mention."""
        return np.asarray(
            self.model_.predict(self.vectorizer_.transform(_classifier_documents(X))),
            dtype=object,
        )


_TRUSTED = ("framing.frames.referent.MentionReferentClassifier",)


def save_referent_model(
    model: MentionReferentClassifier,
    path: str | Path,
    *,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Save a fitted :class:`MentionReferentClassifier` (skops + JSON sidecar).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> X = pd.DataFrame({"context": ["[[war]] in Ukraine", "trade [[war]]"]})
    >>> clf = MentionReferentClassifier().fit(X, ["event", "other"])
    >>> path = save_referent_model(clf, pathlib.Path(tempfile.mkdtemp()) / "r.skops")
    >>> load_referent_model(path).predict(X).tolist()
    ['event', 'other']
    """
    from .classify.persist import save_model

    return save_model(model, path, metadata=metadata)


def load_referent_model(path: str | Path) -> MentionReferentClassifier:
    """Load a model saved with :func:`save_referent_model` (types checked)."""
    from ..errors import FramingError
    from .classify.persist import load_model

    model = load_model(path, trusted=_TRUSTED)
    if not isinstance(model, MentionReferentClassifier):
        raise FramingError(
            f"{path}: holds a {type(model).__name__}, not a "
            "MentionReferentClassifier; save one with save_referent_model"
        )
    return model


# Evaluation -------------------------------------------------------------------


def score_referents(gold: pd.DataFrame, detected: pd.DataFrame) -> pd.DataFrame:
    """Referent precision and recall of the detector per gold frame.

    Parameters
    ----------
    gold : DataFrame
        Coded mentions with ``doc_id``, ``start``, ``end``, ``frame`` and
        ``referent`` (``event``/``other``/``undecided``/``none``; or
        ``refers_to_war`` 1/0, read as event/other). ``none`` rows are
        sentences coded as naming nothing: a detected mention counted as the
        event inside one is a false positive (under the detector's frame).
        ``undecided`` rows are left out.
    detected : DataFrame
        The detector's mentions (all referents) of the same documents.

    Returns
    -------
    DataFrame
        Per frame and ``all``: ``gold_event``, ``detected_event`` (among the
        coded rows), ``true_positive``, ``precision`` and ``recall`` with
        Wilson 95% intervals. A coded mention matches the detected mention
        whose span overlaps it; an event mention the detector does not find
        is a miss.

    Examples
    --------
    >>> gold = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 10, 0],
    ...     "end": [3, 13, 3], "frame": ["war", "war", "war"],
    ...     "referent": ["event", "other", "event"]})
    >>> detected = pd.DataFrame({"doc_id": ["a", "a"], "start": [0, 10],
    ...     "end": [3, 13], "frame": ["war", "war"], "referent": ["event", "event"]})
    >>> score_referents(gold, detected).set_index("frame").loc[
    ...     "war", ["precision", "recall"]].tolist()
    [0.5, 0.5]
    """
    from ..evaluation import wilson_interval

    gold = gold.copy()
    if "referent" not in gold.columns:
        gold["referent"] = np.where(
            gold["refers_to_war"].astype(int) == 1, "event", "other"
        )
    gold = gold[gold["referent"].isin(["event", "other", "none"])]
    by_doc: dict[str, list[tuple[int, int, str, str]]] = {}
    for row in detected.to_dict("records"):
        by_doc.setdefault(str(row["doc_id"]), []).append(
            (
                int(row["start"]),
                int(row["end"]),
                str(row["frame"]),
                str(row["referent"]),
            )
        )
    rows: list[tuple[str, bool, bool]] = []
    for item in gold.to_dict("records"):
        found = [
            d
            for d in by_doc.get(str(item["doc_id"]), [])
            if d[0] < int(item["end"]) and d[1] > int(item["start"])
        ]
        if item["referent"] == "none":
            rows.extend((d[2], False, d[3] == "event") for d in found)
            continue
        predicted = any(d[3] == "event" for d in found)
        rows.append((str(item["frame"]), item["referent"] == "event", predicted))
    table = pd.DataFrame(rows, columns=["frame", "gold", "predicted"])
    out = []
    groups = [(f, g) for f, g in table.groupby("frame", sort=True)]
    groups.append(("all", table))
    for frame, group in groups:
        gold_event = int(group["gold"].sum())
        detected_event = int(group["predicted"].sum())
        true_positive = int((group["gold"] & group["predicted"]).sum())
        precision = true_positive / detected_event if detected_event else np.nan
        recall = true_positive / gold_event if gold_event else np.nan
        p_low, p_high = (
            wilson_interval(true_positive, detected_event)
            if detected_event
            else (np.nan, np.nan)
        )
        r_low, r_high = (
            wilson_interval(true_positive, gold_event)
            if gold_event
            else (np.nan, np.nan)
        )
        out.append(
            {
                "frame": frame,
                "coded": len(group),
                "gold_event": gold_event,
                "detected_event": detected_event,
                "true_positive": true_positive,
                "precision": precision,
                "precision_low": p_low,
                "precision_high": p_high,
                "recall": recall,
                "recall_low": r_low,
                "recall_high": r_high,
            }
        )
    return pd.DataFrame(out)


def evaluate_referent_gold(
    name: str,
    *,
    split: str = "dev",
    detector: Any = None,
    return_mentions: bool = False,
) -> Any:
    """Score the detector's referents on a shipped gold file's ``split``.

    ``name`` is a gold file in ``framing/frames/gold`` (``war-naming-voice``,
    ``war-naming-headlines``, ``war-naming-telegram``). Texts are read from
    the built corpora (and the seed article from the mirror). Returns the
    :func:`score_referents` table, and with ``return_mentions`` also the
    coded rows joined with the detected mentions (for error analysis).

    Usage (not run here: it needs the corpora)::

        from framing.frames.referent import evaluate_referent_gold
        evaluate_referent_gold("war-naming-headlines", split="test")
    """
    from .detect import LexiconDetector
    from .validation import gold_texts, load_gold

    gold = load_gold(name)
    gold = gold[gold["split"] == split].copy()
    gold["doc_id"] = gold["doc_id"].astype(str)
    detector = detector or LexiconDetector().fit()
    texts = gold_texts(gold)
    detected = detector.detect(sorted(texts.items()))
    table = score_referents(gold, detected)
    if not return_mentions:
        return table
    columns = ["frame", "referent", "referent_cue", "referent_layer", "matched"]
    found: list[dict[str, Any]] = []
    for item in gold.to_dict("records"):
        hits = detected[
            (detected["doc_id"] == item["doc_id"])
            & (detected["start"] < int(item["end"]))
            & (detected["end"] > int(item["start"]))
        ]
        found.append(
            {f"{c}_detected": hits[c].iloc[0] for c in columns} if len(hits) else {}
        )
    joined = pd.concat(
        [gold.reset_index(drop=True), pd.DataFrame(found, index=range(len(gold)))],
        axis=1,
    )
    return table, joined, texts
