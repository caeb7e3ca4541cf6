"""Whose voice names the event: the text's own, quoted, scare-quoted,
attributed or negated.

Every lexicon match (a *mention*) gets one ``voice``:

``own``
    the text's own voice (or, in a transcript, the current speaker's);
``quoted``
    inside a direct quotation: a quoted passage longer than the term
    itself (straight, curly, guillemet « » and „ “ quotes; a quotation may
    span sentences, and paragraphs when the next paragraph reopens it);
``scare``
    the term itself is set in quotation marks (the quotation holds at most
    two words beyond the term), or is preceded by "so-called";
``attributed``
    reported naming: the sentence reports that someone names it so —
    "what Moscow calls", "calls it", "casts the war as", "described it as",
    "referred to as";
``negated``
    naming refused or denied: "refrained from calling it", "does not call
    it", "not a war".

The rules are applied in this order, and the first that fires wins:
``quoted`` (a long quotation is someone else's voice whatever it says),
then ``negated``, ``attributed``, ``scare``, and otherwise ``own``. The cue
that decided is recorded with the mention, so every label can be checked.

Cues are regular expressions matched against the *left context*: the
sentence from its start up to the mention (for a scare-quoted term, up to
the opening quotation mark). They are listed per language in
:class:`VoiceRules`, which can be replaced or extended (for example from a
TOML file with :meth:`VoiceRules.from_toml`).

Transcripts
-----------
Press releases often contain transcripts with speaker turns
("President of Russia Vladimir Putin: Colleagues, ..."; "Question: ...").
A turn starts at a label of capitalised words followed by a colon, where the
label either follows the end of a sentence or contains a title word
("President", "Minister", "Question", ...). Each mention records the
``speaker`` of the turn it falls in (``None`` in narration) and a
``speaker_role``: ``"narrator"``, ``"question"`` (a journalist's question or
a moderator) or ``"speaker"``. A mention in a journalist's question is thus
not the president's voice.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "VOICES",
    "VoiceRules",
    "TextStructure",
    "analyse_structure",
    "classify_voice",
    "sentence_spans",
    "quote_spans",
    "speaker_turns",
]

VOICES = ("own", "quoted", "scare", "attributed", "negated")

# --- cue vocabularies --------------------------------------------------------

_EN_NAMING_VERB = (
    r"(?:call(?:s|ed|ing)?|cast(?:s|ing)?|describ(?:e|es|ed|ing)|"
    r"refer(?:s|red|ring)?\s+to|term(?:s|ed|ing)?|dub(?:s|bed|bing)?|"
    r"label(?:s|led|ed|ling|ing)?|brand(?:s|ed|ing)?|characteri[sz](?:e|es|ed|ing)|"
    r"portray(?:s|ed|ing)?|depict(?:s|ed|ing)?|present(?:s|ed|ing)?|"
    r"fram(?:e|es|ed|ing)|nam(?:e|es|ed|ing)|recogni[sz](?:e|es|ed|ing))"
)
# The object of a naming verb, then the name: "calls it (a)", "calls the
# conflict a". After "this"/"that"/"the X" an article or "as" must follow, or
# "characterise this war" would read "this" as the object and "war" as a name.
_EN_OBJECT_THEN_NAME = (
    r"(?:(?:it|them)\s+(?:as\s+)?(?:(?:a|an|the|its|their|his|her|this)\s+)?|"
    r"(?:this|that|what\s+is\s+happening|the\s+[\w-]+(?:\s+[\w-]+)?)\s+"
    r"(?:as\s+)?(?:a|an|the|its|their)\s+)"
)
_EN_DETERMINER = r"(?:(?:a|an|the|its|their|his|her|this)\s+)?"
_EN_NEGATION = (
    r"(?:not|never|n[’']t|no\s+longer|refus\w*|refrain\w*|avoid\w*|declin\w*|"
    r"reject\w*|den(?:y|ies|ied|ying)|stopp?(?:ed|ing|s)?\s+short\s+of|"
    r"unwilling\w*|reluctan\w*)"
)

_RU_UK_NAMING_VERB = (
    r"(?:назыв\w*|назва\w*|назов\w*|именов\w*|имену\w*|назив\w*|іменув\w*|"
    r"характериз\w*|квалифиц\w*|кваліфік\w*|характеризу\w*)"
)


@dataclass(frozen=True)
class VoiceRules:
    """Cue patterns per language, matched at the end of the left context.

    Attributes
    ----------
    negation : dict
        Language -> patterns that make a mention ``negated``.
    attribution : dict
        Language -> patterns that make a mention ``attributed``.
    so_called : dict
        Language -> patterns that make a mention ``scare``.
    claims : dict
        Language -> patterns found anywhere in the left context that turn a
        scare-quoted or "so-called" term into an ``attributed`` one: the
        sentence reports someone's claim ("announced a Russian 'invasion'",
        "hysteria about the 'invasion'", "their so-called").
    titles_are_own : bool
        A short quotation in title case ("Children of War", a conference or
        portal name) is a title, not a scare quote: ``own``.
    max_scare_extra_words : int
        A quotation with at most this many words beyond the term is a
        scare quote, not a direct quotation.
    question_speakers : tuple of str
        Lower-case speaker labels (or their first word) that mark a
        journalist's question or a moderator.

    Examples
    --------
    >>> rules = VoiceRules.default()
    >>> sorted(rules.negation)
    ['en', 'ru', 'uk']
    """

    negation: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attribution: dict[str, tuple[str, ...]] = field(default_factory=dict)
    so_called: dict[str, tuple[str, ...]] = field(default_factory=dict)
    claims: dict[str, tuple[str, ...]] = field(default_factory=dict)
    titles_are_own: bool = True
    max_scare_extra_words: int = 2
    question_speakers: tuple[str, ...] = (
        "question",
        "q",
        "journalist",
        "reporter",
        "correspondent",
        "moderator",
        "presenter",
        "host",
        "вопрос",
        "питання",
        "журналист",
        "журналіст",
    )

    @classmethod
    def default(cls) -> VoiceRules:
        """The built-in English, Russian and Ukrainian cues."""
        en_negated_naming = (
            rf"\b{_EN_NEGATION}\b(?:[\s,]+[\w'’-]+){{0,10}}?\s+{_EN_NAMING_VERB}"
            rf"\s+(?:{_EN_OBJECT_THEN_NAME}|(?:as\s+)?{_EN_DETERMINER})$"
        )
        en_negated_direct = (
            r"(?:\b(?:not|never|nor|neither|isn[’']t|wasn[’']t|aren[’']t)|"
            r"\b(?:is|was|are|were|be|been)\s+no)\s+"
            r"(?:(?:a|an|the|any|some|real|actual|full-scale)\s+){0,2}$"
        )
        # "a war, not a crisis or a special operation": the later items of a
        # negated list.
        en_negated_list = (
            r"\bnot\s+(?:(?:a|an|the)\s+)?[^.;:!?]{1,80}?\s+(?:or|nor)\s+"
            + _EN_DETERMINER
            + "$"
        )
        ru_uk_negated = (
            rf"(?:^|\s)(?:не|ни|отказ\w*|відмов\w*|избега\w*|уника\w*)\s+"
            rf"(?:[\w-]+\s+){{0,6}}?{_RU_UK_NAMING_VERB}(?:\s+[\w-]+){{0,3}}\s*$"
        )
        return cls(
            negation={
                "en": (en_negated_naming, en_negated_direct, en_negated_list),
                "ru": (ru_uk_negated, r"(?:^|\s)(?:не|ни)\s+$"),
                "uk": (ru_uk_negated, r"(?:^|\s)(?:не|ні)\s+$"),
            },
            attribution={
                "en": (
                    # "calls it a", "called this an", "refer to it as"
                    rf"\b{_EN_NAMING_VERB}\s+{_EN_OBJECT_THEN_NAME}$",
                    # "casts the war as a", "described by Moscow as", "referred to as"
                    rf"\b{_EN_NAMING_VERB}\b(?:\s+[\w'’-]+){{0,5}}?\s+as\s+"
                    rf"{_EN_DETERMINER}$",
                    # "what Moscow calls its", "which the Kremlin terms a"
                    rf"\b(?:what|which|as)\s+(?:[\w'’-]+\s+){{1,4}}?{_EN_NAMING_VERB}"
                    rf"\s+(?:as\s+)?{_EN_DETERMINER}$",
                    # "the Kremlin's term for", "in the words of the Kremlin, a"
                    r"\b(?:term|euphemism|phrase|wording|words|name|label)\s+for\s+"
                    r"(?:it|this|the\s+[\w-]+)?[\s,:]*" + _EN_DETERMINER + "$",
                ),
                "ru": (
                    rf"(?:^|\s)(?:как|что)\s+(?:[\w-]+\s+){{0,4}}?{_RU_UK_NAMING_VERB}"
                    rf"(?:\s+[\w-]+){{0,2}}\s*$",
                    rf"{_RU_UK_NAMING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                ),
                "uk": (
                    rf"(?:^|\s)(?:як|що)\s+(?:[\w-]+\s+){{0,4}}?{_RU_UK_NAMING_VERB}"
                    rf"(?:\s+[\w-]+){{0,2}}\s*$",
                    rf"{_RU_UK_NAMING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                ),
            },
            claims={
                "en": (
                    r"\b(?:claim\w*|announc\w*|alleg\w*|speculat\w*|hysteri\w*|"
                    r"propaganda|narrative|rhetoric|chorus|insinuat\w*|"
                    r"attribut\w*|assert\w*|stated|stating)\b",
                    r"\b(?:their|its)\s+(?:so[\s-]called\s+)?$",
                ),
                "ru": (r"(?:утвержда\w*|заявля\w*|заяви\w*|пропаганд\w*|истери\w*)",),
                "uk": (r"(?:стверджу\w*|заявля\w*|заяви\w*|пропаганд\w*|істері\w*)",),
            },
            so_called={
                "en": (
                    r"\bso[\s-]called\s+(?:[\w-]+\s+){0,2}$",
                    r"\b(?:alleged|supposed|self-styled|quote-unquote)\s+$",
                ),
                "ru": (
                    r"(?:так\s+называем\w+|т\.\s?н\.|пресловут\w+)\s+(?:[\w-]+\s+){0,2}$",
                ),
                "uk": (
                    r"(?:так\s+зван\w+|т\.\s?зв\.|сумнозвісн\w+)\s+(?:[\w-]+\s+){0,2}$",
                ),
            },
        )

    @classmethod
    def from_toml(cls, path: str | Path, *, extend: bool = True) -> VoiceRules:
        """Read cue patterns from TOML (``[negation] en = ["..."]`` etc.).

        With ``extend`` the patterns are added to the defaults; otherwise they
        replace them.
        """
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        base = cls.default() if extend else cls()
        updates: dict[str, Any] = {}
        for key in ("negation", "attribution", "so_called", "claims"):
            table = data.get(key, {})
            merged = dict(getattr(base, key))
            for language, patterns in table.items():
                for pattern in patterns:
                    re.compile(pattern)  # fail early with the regex error
                merged[language] = (
                    (*merged.get(language, ()), *patterns)
                    if extend
                    else tuple(patterns)
                )
            updates[key] = merged
        for key in ("max_scare_extra_words",):
            if key in data:
                updates[key] = int(data[key])
        if "question_speakers" in data:
            updates["question_speakers"] = tuple(
                s.lower() for s in data["question_speakers"]
            )
        return replace(base, **updates)

    def compiled(self) -> _CompiledRules:
        def build(table: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
            return {
                lang: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
                for lang, patterns in table.items()
                if patterns
            }

        return _CompiledRules(
            negation=build(self.negation),
            attribution=build(self.attribution),
            so_called=build(self.so_called),
            claims=build(self.claims),
            rules=self,
        )


@dataclass(frozen=True)
class _CompiledRules:
    negation: dict[str, re.Pattern[str]]
    attribution: dict[str, re.Pattern[str]]
    so_called: dict[str, re.Pattern[str]]
    claims: dict[str, re.Pattern[str]]
    rules: VoiceRules


# --- text structure ----------------------------------------------------------

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "prof",
    "gen",
    "lt",
    "col",
    "sgt",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "vs",
    "etc",
    "no",
    "nos",
    "vol",
    "fig",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
    "u.n",
    "d.c",
    "mt",
    "ft",
    "approx",
    "est",
    "dept",
    "rep",
    "sen",
    "gov",
    "pres",
    "adm",
    "capt",
    "maj",
    "cmdr",
}
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’»)\]]*\s+(?=[\"'“‘«„(\[]?[A-ZА-ЯЁІЇЄҐ0-9])|\n\s*\n"
)
_LAST_WORD = re.compile(r"([\w.]+)\.$")
_UPPER = "A-ZА-ЯЁІЇЄҐ"
_SPEAKER_LABEL = re.compile(
    rf"(?P<label>[{_UPPER}][\w.'’-]*(?:[ \t]+(?:[{_UPPER}][\w.'’-]*|"
    rf"of|the|and|de|van|von|di|da|ibn|bin|al-[\w]+)){{0,8}}):\s+"
    rf"(?=[\"“«„{_UPPER}])"
)
_TITLE_WORDS = re.compile(
    r"\b(?:President|Minister|Premier|Chancellor|Secretary|Governor|Mayor|Chairman|"
    r"Chairwoman|Chair|Director|Head|Speaker|Ambassador|Commissioner|Commander|General|"
    r"Representative|Spokesman|Spokeswoman|Spokesperson|Adviser|Advisor|Aide|Deputy|"
    r"Prime|King|Queen|Emir|Sheikh|Pope|Patriarch|Question|Answer|Journalist|"
    r"Moderator|Presenter|Correspondent|Reporter|Q|A|Президент|Министр|Вопрос|"
    r"Міністр|Питання|Прем'єр|PRESIDENT|SECRETARY|OFFICIAL|QUESTION|MODERATOR|Q)\b"
)
_NOT_SPEAKERS = {
    "note",
    "notes",
    "source",
    "photo",
    "reference",
    "see also",
    "update",
    "example",
    "warning",
    "attention",
    "agenda",
    "participants",
}


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker turn: the label, where the speech starts and ends."""

    speaker: str
    role: str
    start: int
    end: int


@dataclass(frozen=True)
class TextStructure:
    """Sentences, quotations and speaker turns of one text."""

    sentences: list[tuple[int, int]]
    quotes: list[tuple[int, int]]
    turns: list[Turn]
    _sentence_starts: list[int] = field(default_factory=list, repr=False)
    _turn_starts: list[int] = field(default_factory=list, repr=False)

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing ``offset``."""
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def turn_at(self, offset: int) -> Turn | None:
        index = bisect_right(self._turn_starts, offset) - 1
        if index < 0:
            return None
        turn = self.turns[index]
        return turn if offset < turn.end else None

    def quote_around(self, start: int, end: int) -> tuple[int, int] | None:
        """Innermost quotation (open mark, after close mark) containing the span."""
        best = None
        for q_open, q_close in self.quotes:
            if q_open < start and end <= q_close - 1:
                if best is None or q_open > best[0]:
                    best = (q_open, q_close)
            elif q_open >= end:
                break
        return best


def sentence_spans(
    text: str, turn_starts: list[int] | None = None
) -> list[tuple[int, int]]:
    """Sentence boundaries as ``(start, end)`` character offsets.

    Splits after ``.``, ``!``, ``?`` or ``…`` followed by a capital, and at
    blank lines, except after common abbreviations ("Mr.", "U.S.").

    Examples
    --------
    >>> text = "Mr. Putin spoke. He called it a war! Really?"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Mr. Putin spoke.', 'He called it a war!', 'Really?']
    """
    cuts = []
    for match in _SENTENCE_END.finditer(text):
        head = text[max(0, match.start() - 24) : match.start() + 1]
        word = _LAST_WORD.search(head)
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if word and len(word.group(1)) == 1 and word.group(1).isupper():
            continue  # an initial: "Vladimir V. Putin"
        cuts.append(match.end())
    cuts.extend(turn_starts or [])
    cuts = sorted(set(c for c in cuts if 0 < c < len(text)))
    starts = [0, *cuts]
    ends = [*cuts, len(text)]
    spans = []
    for start, end in zip(starts, ends, strict=True):
        stripped_end = end
        while stripped_end > start and text[stripped_end - 1].isspace():
            stripped_end -= 1
        if stripped_end > start:
            spans.append((start, stripped_end))
    return spans or [(0, len(text))]


_OPENERS = {"“": "”", "«": "»", "„": "“”", "‘": "’", "‹": "›", "‚": "‘’"}
_CLOSERS = {"”", "»", "“", "’", "›", "‘"}


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Quotation spans as ``(opening mark offset, offset after closing mark)``.

    Handles curly, guillemet, low-high and straight quotes; an apostrophe
    (``Russia’s``) is not a quotation mark. A quotation left open at a
    paragraph break continues when the next paragraph opens with the same
    mark (the convention for quotations over several paragraphs) and is
    closed at the break otherwise.

    Examples
    --------
    >>> text = 'He said: «это война». It was a "special operation", they claim.'
    >>> [text[a:b] for a, b in quote_spans(text)]
    ['«это война»', '"special operation"']
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (expected closers, position)
    length = len(text)
    resume = 0
    for found in _QUOTE_OR_BREAK.finditer(text):
        index = found.start()
        if index < resume:
            continue  # a re-opening mark already consumed by a paragraph break
        char = text[index]
        if char == "\n":
            resume = _paragraph_break(text, index, stack, spans)
            continue
        prev = text[index - 1] if index else " "
        nxt = text[index + 1] if index + 1 < length else " "
        if stack and char in stack[-1][0] and _can_close(char, prev, nxt):
            spans.append((stack.pop()[1], index + 1))
        elif char in _OPENERS and _can_open(char, prev, nxt):
            stack.append((_OPENERS[char], index))
        elif char == '"':
            closes = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
            opens = prev.isspace() or prev in "([{:—–-"
            if stack and stack[-1][0] == '"' and not (opens and not closes):
                spans.append((stack.pop()[1], index + 1))
            elif opens or not closes:
                stack.append(('"', index))
            # Otherwise a closing mark with nothing open: the opening mark is
            # missing in the source, and opening a quotation here would
            # swallow the narration that follows.
        elif char == "'" and (prev.isspace() or prev in "([{—–-") and nxt.isalnum():
            stack.append(("'", index))
        elif char == "'" and stack and stack[-1][0] == "'" and not nxt.isalnum():
            spans.append((stack.pop()[1], index + 1))
    for _, position in stack:
        spans.append((position, length))
    return sorted(spans)


_QUOTE_OR_BREAK = re.compile(r"[\"'“”«»„‘’‹›‚]|\n[^\S\n]*\n")


def _can_open(char: str, prev: str, nxt: str) -> bool:
    if char in "‘‚":
        # ‘ opens only at a word start; ’ never opens (it is an apostrophe).
        return not prev.isalnum() and not nxt.isspace()
    return not nxt.isspace() or char in "«„"


def _can_close(char: str, prev: str, nxt: str) -> bool:
    if char in "’‘":
        return not nxt.isalnum()  # "Russia’s" is an apostrophe, not a close
    return True


def _paragraph_break(
    text: str, index: int, stack: list[tuple[str, int]], spans: list[tuple[int, int]]
) -> int:
    """Close or continue quotations open at a paragraph break; say where to resume."""
    end = index
    while end < len(text) and text[end].isspace():
        end += 1
    if stack:
        opener = text[end] if end < len(text) else ""
        closers = stack[-1][0]
        reopened = bool(opener) and (
            opener in _OPENERS
            and _OPENERS[opener] == closers
            or opener == closers == '"'
        )
        if reopened:
            return end + 1  # the quotation goes on; skip the re-opening mark
        while stack:
            spans.append((stack.pop()[1], index))
    return end


def speaker_turns(text: str, rules: VoiceRules | None = None) -> list[Turn]:
    """Speaker turns of a transcript.

    Examples
    --------
    >>> text = ("The talks began. Vladimir Putin: Good afternoon. "
    ...         "Question: Is it a war? Dmitry Peskov: No.")
    >>> [(t.speaker, t.role) for t in speaker_turns(text)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Vladimir Putin', 'speaker'), ('Question', 'question'),
     ('Dmitry Peskov', 'speaker')]
    """
    rules = rules or VoiceRules.default()
    found: list[tuple[str, str, int, int]] = []
    for match in _SPEAKER_LABEL.finditer(text):
        label = match.group("label")
        start = match.start("label")
        before = text[:start].rstrip()
        after_sentence = not before or before[-1] in '.!?…»"”)]\n:'
        title = _TITLE_WORDS.search(label)
        if title and not after_sentence:
            label = label[title.start() :]
        elif not after_sentence:
            continue
        if label.lower() in _NOT_SPEAKERS or len(label) > 80:
            continue
        if re.search(r"\d", label):
            continue
        speaker = _speaker_name(label)
        first = speaker.lower().split()[0].rstrip(".")
        role = (
            "question"
            if (
                speaker.lower().rstrip(".") in rules.question_speakers
                or first in rules.question_speakers
            )
            else "speaker"
        )
        found.append(
            (speaker, role, start + len(match.group("label")) - len(label), match.end())
        )
    turns = []
    for index, (speaker, role, _label_start, speech_start) in enumerate(found):
        end = found[index + 1][2] if index + 1 < len(found) else len(text)
        turns.append(Turn(speaker, role, speech_start, end))
    return turns


_LABEL_PREFIX = re.compile(
    r"^(?:.*\.\s+)?(?:\d{1,2}[:.]\d{2}\s*)?(?:[AP]\.M\.\s+)?(?:[A-Z]{2,4}T\s+)?"
)


def _speaker_name(label: str) -> str:
    # "Thanks. SENIOR OFFICIAL" -> "SENIOR OFFICIAL"; "A.M. EDT THE PRESIDENT" ->
    # "THE PRESIDENT"; "President of Russia Vladimir Putin" -> "Vladimir Putin"
    label = _LABEL_PREFIX.sub("", label) or label
    words = label.split()
    title_end = 0
    for position, word in enumerate(words):
        if _TITLE_WORDS.fullmatch(word) or word in {"of", "the", "and"}:
            title_end = position + 1
    rest = words[title_end:]
    if title_end and len(rest) >= 2 and words[0] not in {"Question", "Answer"}:
        # Skip the country after "President of": keep the last two capitalised words.
        return " ".join(rest[-2:])
    return " ".join(rest) if rest else label


def analyse_structure(text: str, rules: VoiceRules | None = None) -> TextStructure:
    """Sentences, quotations and speaker turns of a text."""
    turns = speaker_turns(text, rules)
    sentences = sentence_spans(text, [t.start for t in turns])
    return TextStructure(
        sentences=sentences,
        quotes=quote_spans(text),
        turns=turns,
        _sentence_starts=[s for s, _ in sentences],
        _turn_starts=[t.start for t in turns],
    )


@dataclass(frozen=True, slots=True)
class VoiceDecision:
    voice: str
    cue: str
    in_quotation: bool
    sentence: int
    speaker: str | None
    speaker_role: str


def classify_voice(
    text: str,
    start: int,
    end: int,
    structure: TextStructure,
    rules: _CompiledRules,
    language: str = "en",
) -> VoiceDecision:
    """Decide the voice of the mention ``text[start:end]``.

    Examples
    --------
    >>> text = ('China refrained from calling it an invasion. The Kremlin casts '
    ...         'the war as a "special military operation".')
    >>> structure = analyse_structure(text)
    >>> rules = VoiceRules.default().compiled()
    >>> for term in ("invasion", "war", "special military operation"):
    ...     start = text.index(term)
    ...     decision = classify_voice(text, start, start + len(term), structure, rules)
    ...     print(term, "->", decision.voice, repr(decision.cue))
    invasion -> negated 'refrained from calling it an'
    war -> own ''
    special military operation -> attributed 'casts the war as a'
    """
    sentence_index = structure.sentence_at(start)
    sentence_start = structure.sentences[sentence_index][0]
    turn = structure.turn_at(start)
    speaker = turn.speaker if turn else None
    role = turn.role if turn else "narrator"
    quote = structure.quote_around(start, end)

    def decide(voice: str, cue: str, in_quotation: bool) -> VoiceDecision:
        return VoiceDecision(
            voice, " ".join(cue.split()), in_quotation, sentence_index, speaker, role
        )

    left_end = start
    if quote is not None:
        inner = text[quote[0] + 1 : quote[1] - 1]
        extra = len(inner.split()) - len(text[start:end].split())
        if extra > rules.rules.max_scare_extra_words:
            return decide("quoted", text[quote[0]], True)
        if rules.rules.titles_are_own and _is_title(inner, text[start:end]):
            return decide("own", "title", True)
        left_end = quote[0]
    left_start = max(sentence_start, left_end - 300)
    if turn is not None and turn.start > left_start:
        left_start = turn.start
    left = text[left_start:left_end]
    if quote is not None:
        # A scare-quoted term is the quote; look at the words before the mark
        # and the words inside the mark before the term.
        left = left.rstrip() + " " + text[quote[0] + 1 : start]
    language = language if language in rules.negation else "en"
    for voice, table in (
        ("negated", rules.negation),
        ("attributed", rules.attribution),
        ("scare", rules.so_called),
    ):
        pattern = table.get(language)
        if pattern is not None:
            match = pattern.search(left)
            if match:
                if voice == "scare":
                    return _scare_or_claim(
                        decide, rules, language, left, match.group(0), quote is not None
                    )
                return decide(voice, match.group(0), quote is not None)
    if quote is not None:
        return _scare_or_claim(decide, rules, language, left, text[quote[0]], True)
    return decide("own", "", False)


def _scare_or_claim(
    decide: Any,
    rules: _CompiledRules,
    language: str,
    left: str,
    cue: str,
    in_quotation: bool,
) -> VoiceDecision:
    # A distanced term in a sentence that reports someone's claim is the
    # claimant's naming, reported: attributed beats scare.
    claims = rules.claims.get(language)
    found = claims.search(left) if claims is not None else None
    if found:
        return decide("attributed", f"{found.group(0)} … {cue}", in_quotation)
    return decide("scare", cue, in_quotation)


def _is_title(inner: str, term: str) -> bool:
    """A short quotation in title case other than the term: a name or title."""
    words = inner.split()
    if len(words) < 2 or len(words) == len(term.split()):
        return False
    content = [w for w in words if len(w.strip(".,:;!?")) > 3]
    return bool(content) and all(w[:1].isupper() for w in content)
