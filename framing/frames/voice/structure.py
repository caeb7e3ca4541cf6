"""Text structure: sentences, quotations, dash dialogue, speaker turns and labels.

:func:`analyse_structure` splits a text into sentences
(:func:`sentence_spans`), finds its quotations (:func:`quote_spans`), Russian
and Ukrainian dash dialogue (:func:`dialogue_spans`), the speaker turns of a
transcript (:func:`speaker_turns`) and, in a text that is not a transcript,
the "Speaker: …" labels at line starts (:func:`headline_labels`), and returns
them as a :class:`TextStructure` that :func:`classify_voice` consults.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ._vocabulary import (
    _DIALOGUE_VERB,
    _EN_SPEAKER_WORDS,
    _NOT_SPEAKER_WORDS,
    _RU_SPEAKER_WORDS,
    _RU_SURNAME,
)
from .rules import VoiceRules

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
    "govt",
    "ave",
    "blvd",
    "cf",
    "al",
    "u.s.a",
    "e.u",
    # Russian and Ukrainian: "т.н. СВО" must not end a sentence at "т.н."
    "т.н",
    "т.е",
    "т.к",
    "т.д",
    "т.п",
    "т.ч",
    "т.зв",
    "н",
    "е",
    "г",
    "гг",
    "им",
    "ул",
    "д",
    "пр",
    "просп",
    "пер",
    "обл",
    "р",
    "руб",
    "млн",
    "млрд",
    "тыс",
    "ср",
    "см",
    "напр",
    "англ",
    "букв",
    "ок",
    "св",
    "ген",
    "проф",
    "акад",
    "зам",
    "пос",
    "с",
    "ст",
    "ж",
    "вул",
    "м",
    "р-н",
    "тис",
    "грн",
}
# A full stop (with closing marks and space) before a capital, or a blank
# line. Written to begin with one character class, which lets re skip
# straight to candidate characters: three times faster than the plain
# alternation "[.!?…]+[…]*\s+(?=…)|\n\s*\n", with the same matches.
_SENTENCE_END = re.compile(
    r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[\"'”’»)\]]*\s+(?=[\"'“‘«„(\[]?[A-ZА-ЯЁІЇЄҐ0-9])"
    r"|(?<=\n)\s*\n)"
)
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
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


@dataclass(frozen=True, slots=True)
class Label:
    """A "Speaker: …" label at the start of a line of a non-transcript text."""

    speaker: str
    start: int
    end: int


@dataclass(frozen=True)
class TextStructure:
    """Sentences, quotations, dash dialogue, speaker turns and labels of a text."""

    sentences: list[tuple[int, int]]
    quotes: list[tuple[int, int]]
    turns: list[Turn]
    dialogues: list[tuple[int, int]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
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

    def in_dialogue(self, start: int, end: int) -> bool:
        """Whether the span lies in a line of dash dialogue (direct speech)."""
        return any(a <= start and end <= b for a, b in self.dialogues)

    def label_at(self, offset: int) -> Label | None:
        """The "Speaker: …" label whose line holds ``offset``, if any."""
        for label in self.labels:
            if label.start <= offset < label.end:
                return label
        return None


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
        at = match.start()
        if text[at] == ".":
            # The word before the full stop, scanned by hand (a regular
            # expression per candidate, or over the whole text, costs more).
            # A word longer than every abbreviation can stop the scan early.
            first, floor = at, max(0, at - _LONGEST_ABBREVIATION - 1)
            while first > floor and (
                text[first - 1].isalnum() or text[first - 1] in "._"
            ):
                first -= 1
            word = text[first:at]
            if word and word.lower() in _ABBREVIATIONS:
                continue
            if len(word) == 1 and word.isupper():
                continue  # an initial: "Vladimir V. Putin"
        cuts.append(match.end())
    cuts.extend(turn_starts or [])
    cuts = sorted(set(c for c in cuts if 0 < c < len(text)))
    starts = [0, *cuts]
    ends = [*cuts, len(text)]
    spans = []
    for start, end in zip(starts, ends, strict=True):
        stripped_end = start + len(text[start:end].rstrip())
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
        # Left open at the end (a truncated headline): the closing mark is
        # virtual, one past the end, so a term ending the text is inside.
        spans.append((position, length + 1))
    return sorted(spans)


# A quotation mark, or a blank line; one leading character class, as for
# _SENTENCE_END (same matches as "[…marks…]|\n[^\S\n]*\n").
_QUOTE_OR_BREAK = re.compile(r"[\"'“”«»„‘’‹›‚\n](?:(?<=\n)[^\S\n]*\n|(?<!\n))")


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


_LABEL_COLON = re.compile(rf":\s+(?=[\"“«„{_UPPER}])")


def _label_candidates(text: str) -> list[re.Match[str]]:
    """Matches of the speaker-label pattern, searched only before colons.

    Equivalent to ``_SPEAKER_LABEL.finditer(text)`` for labels shorter than
    the window (longer ones are refused as speakers anyway), and much
    faster: the label pattern is tried only near a colon, not at every
    capitalised word of a long text.
    """
    matches: list[re.Match[str]] = []
    resume = 0
    for colon in _LABEL_COLON.finditer(text):
        if colon.start() < resume:
            continue
        found = _SPEAKER_LABEL.search(
            text, max(resume, colon.start() - 200), colon.end() + 1
        )
        if found is not None:
            matches.append(found)
            resume = found.end()
    return matches


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
    for match in _label_candidates(text):
        label = match.group("label")
        start = match.start("label")
        before = start
        while before > 0 and text[before - 1].isspace():
            before -= 1
        after_sentence = before == 0 or text[before - 1] in '.!?…»"”)]\n:'
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


_DIALOGUE_LINE = re.compile(r"^[^\S\n]*[*_]*[—–][^\S\n]+", re.MULTILINE)
_DIALOGUE_REMARK = re.compile(
    rf"[,!?…][*_»\"”]*[^\S\n]*[—–][^\S\n]+(?:[\w-]+[^\S\n]+){{0,2}}?"
    rf"{_DIALOGUE_VERB}",
    re.IGNORECASE,
)
_DIALOGUE_RESUME = re.compile(r"[.!?…][*_]*[^\S\n]+[—–][^\S\n]+")


def dialogue_spans(text: str) -> list[tuple[int, int]]:
    """Direct speech in Russian and Ukrainian dash dialogue.

    A line that opens with a dash and carries an author's remark ("— …, —
    сказал он. — …") is direct speech up to the remark and again after it.
    A dash-led line without a remark is a list item, not dialogue.

    Examples
    --------
    >>> text = "Вступление.\\n— Мы против войны, — сказал он. — Это всё.\\n— пункт"
    >>> [text[a:b] for a, b in dialogue_spans(text)]
    ['— Мы против войны,', '— Это всё.']
    """
    spans = []
    for line in _DIALOGUE_LINE.finditer(text):
        start = line.start()
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        remark = _DIALOGUE_REMARK.search(text, line.end(), end)
        if remark is None:
            continue
        spans.append(
            (
                line.end() - 2 if text[line.end() - 2] in "—–" else start,
                remark.start() + 1,
            )
        )
        resume = _DIALOGUE_RESUME.search(text, remark.end(), end)
        if resume is not None:
            spans.append((resume.end() - 2, end))
    return [(a, b) for a, b in spans if b > a]


_LINE_LABEL = re.compile(
    r"^[^\w\n#@«\"“]*(?P<label>[#@]?\w[\w .'’#@&-]{0,70}?)[^\S\n]*[*_]*[^\S\n]*:"
    r"[*_]*[^\S\n]+(?=\S)",
    re.MULTILINE,
)
_MARKUP = str.maketrans({"*": " ", "_": " ", "~": " ", "`": " "})
_ALL_SPEAKER_WORDS = frozenset(
    w for words in (_EN_SPEAKER_WORDS, _RU_SPEAKER_WORDS) for w in words
)
# Event words: a label or trailing phrase that holds one is a topic
# ("Special Operation: Day 100"), not a speaker.
_EVENT_WORDS = re.compile(
    r"\b(?:war|wars|operation|conflict|crisis|invasion|aggression|"
    r"войн\w*|операци\w*|спецоперац\w*|сво|конфликт\w*|кризис\w*|вторжени\w*|"
    r"агресси\w*|війн\w*|операці\w*)\b",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Text with Telegram markup characters blanked (offsets kept)."""
    if "*" in text or "_" in text or "~" in text or "`" in text:
        return text.translate(_MARKUP)
    return text


def _speaker_like(
    phrase: str, words: frozenset[str], *, loose: bool = False, names: bool = False
) -> bool:
    """Whether a short phrase names a speaker (a title, institution or name).

    ``loose`` accepts any short phrase that is not a topic word (the English
    trailing-dash convention); ``names`` also accepts Latin proper names and
    upper-case abbreviations ("Bloomberg", "The New York Times", "ТАСС").
    """
    tokens = [t.strip("#@.,'’\"«»()[]:;!?") for t in _plain(phrase).split()]
    tokens = [t for t in tokens if t]
    if not tokens or len(tokens) > 8 or _EVENT_WORDS.search(" ".join(tokens)):
        return False
    lower = [re.sub(r"[’']s$", "", t.lower()) for t in tokens]
    if any(t in _NOT_SPEAKER_WORDS for t in lower) or all(t.isdigit() for t in lower):
        return False
    if any(t in words or any(p in words for p in t.split("-")) for t in lower):
        return True
    if len(tokens) <= 2 and _RU_SURNAME.match(tokens[-1]):
        return True
    if loose:
        return len(tokens) <= 7
    if names:
        latin = all(re.fullmatch(r"[A-Z][\w.'’&-]*|the|of|and", t) for t in tokens)
        capitals = all(t.isupper() and len(t) >= 2 for t in tokens)
        return (latin and len(tokens) <= 5) or capitals
    return False


def headline_labels(
    text: str, words: frozenset[str] = _ALL_SPEAKER_WORDS
) -> list[Label]:
    """ "Speaker: …" labels at line starts ("Peskov: …", "Минобороны: …").

    Only labels that look like a speaker count (see :func:`_speaker_like`);
    each covers the rest of its line.

    Examples
    --------
    >>> text = "Лавров: конфликт можно решить\\nStrait of Hormuz: a war zone"
    >>> [(x.speaker, text[x.start : x.end]) for x in headline_labels(text)]
    [('Лавров', 'конфликт можно решить')]
    """
    labels = []
    position = 0
    for line in text.split("\n"):
        line_start, position = position, position + len(line) + 1
        if ":" not in line[:90]:
            continue
        match = _LINE_LABEL.match(text, line_start)
        if match is None:
            continue
        label = match.group("label").strip()
        if len(label.split()) > 8 or not _speaker_like(label, words):
            continue
        end = text.find("\n", match.end())
        speaker = label.replace("#", "").replace("@", "")
        labels.append(Label(speaker, match.end(), len(text) if end < 0 else end))
    return labels


_LABEL_WORDS: dict[int, tuple[VoiceRules, frozenset[str]]] = {}


def _label_words(rules: VoiceRules | None) -> frozenset[str]:
    """Speaker words of all languages (labels are found before the language)."""
    if rules is None or not rules.speaker_words:
        return _ALL_SPEAKER_WORDS
    cached = _LABEL_WORDS.get(id(rules))
    if cached is None or cached[0] is not rules:
        words = frozenset(w.lower() for ws in rules.speaker_words.values() for w in ws)
        cached = _LABEL_WORDS[id(rules)] = (rules, words)
    return cached[1]


def analyse_structure(text: str, rules: VoiceRules | None = None) -> TextStructure:
    """Sentences, quotations, dash dialogue, speaker turns and labels of a text."""
    turns = speaker_turns(text, rules)
    sentences = sentence_spans(text, [t.start for t in turns])
    words = _label_words(rules)
    # A transcript's "Name: …" turns are the speakers' own words; only a text
    # that is not a transcript uses the label to report someone's words.
    labels = headline_labels(text, words) if len(turns) < 2 and ":" in text else []
    dialogues = dialogue_spans(text) if "—" in text or "–" in text else []
    return TextStructure(
        sentences=sentences,
        quotes=quote_spans(text),
        turns=turns,
        dialogues=dialogues,
        labels=labels,
        _sentence_starts=[s for s, _ in sentences],
        _turn_starts=[t.start for t in turns],
    )
