"""Voice classification: :func:`classify_voice` decides the voice of one mention.

Given a text's :class:`TextStructure` and compiled :class:`VoiceRules`, it
applies the rules in order (quoted, negated, attributed, scare, reported,
otherwise own) and returns a :class:`VoiceDecision` with the cue that
decided and the speaker. The helpers here find reported speech (trailing
dash and colon speakers, speech verbs before and after the mention, "Об этом
заявил …" in the next sentence) and listed statements (bullet items and
lines under a header that introduces a speaker), and tell scare quotes from
titles and claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .._prefilter import PrefixSearch
from ._vocabulary import _RU_SURNAME, _RU_UK_NAMING_VERB, _word_trie
from .rules import _CompiledRules
from .structure import _ALL_SPEAKER_WORDS, TextStructure, _plain, _speaker_like


@dataclass(frozen=True, slots=True)
class VoiceDecision:
    voice: str
    cue: str
    in_quotation: bool
    sentence: int
    speaker: str | None
    speaker_role: str


_INSTRUMENTAL = re.compile(r"(?:ой|ей|ою|ею|ом|ем|ём|ами|ями|ым|им)$")
_RU_NEGATED_MODAL = re.compile(
    r"^[\s»\"”’]*(?:это\s+|це\s+)?(?:нельзя|невозможно|неможливо|не\s+можна|"
    r"не\s+(?:могу|можем|может|могут|стоит|следует|хочу|хотим|хочет|хотят|"
    r"стал\w*|получится|буду|будем|будут))\b",
    re.IGNORECASE,
)
_RU_NAMING_AT_END = re.compile(
    rf"{_RU_UK_NAMING_VERB}(?:\s+[\w-]+)?\s*$", re.IGNORECASE
)


def _object_not_name(term: str) -> bool:
    """A declined Russian/Ukrainian noun not in the instrumental case.

    After a naming verb the name given is in the instrumental ("называют
    войной"); an accusative or nominative form is the object ("называют
    войну …"). Abbreviations (СВО) do not decline and stay ambiguous.
    """
    last = term.split()[-1] if term.split() else term
    if last.isupper() or not re.search(r"[а-яёіїєґ]", last):
        return False
    return not _INSTRUMENTAL.search(last.lower())


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


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
    >>> from framing.frames.voice import VoiceRules, analyse_structure
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
    >>> text = "Special Operation Will Go On Until Its Goals Are Met - Kremlin"
    >>> decision = classify_voice(text, 0, 17, analyse_structure(text), rules)
    >>> decision.voice, decision.cue, decision.speaker
    ('reported', '- Kremlin', 'Kremlin')
    """
    sentence_index = structure.sentence_at(start)
    sentence_start, sentence_end = structure.sentences[sentence_index]
    turn = structure.turn_at(start)
    speaker = turn.speaker if turn else None
    role = turn.role if turn else "narrator"
    quote = structure.quote_around(start, end)
    term = text[start:end]
    language = language if language in rules.negation else "en"
    russian = language in ("ru", "uk")

    def decide(
        voice: str, cue: str, in_quotation: bool, reported_by: str | None = None
    ) -> VoiceDecision:
        if voice == "reported":
            return VoiceDecision(
                voice,
                " ".join(cue.split()),
                in_quotation,
                sentence_index,
                reported_by,
                "reported",
            )
        return VoiceDecision(
            voice, " ".join(cue.split()), in_quotation, sentence_index, speaker, role
        )

    if structure.dialogues and structure.in_dialogue(start, end):
        return decide("quoted", "— … —", True)
    line_start, line_end = _line_bounds(text, start, end)
    left_end = start
    right_start = end
    extra = 0
    if quote is not None:
        inner = text[quote[0] + 1 : quote[1] - 1]
        extra = len(inner.split()) - len(term.split())
        limit = rules.rules.scare_extra_words.get(
            language, rules.rules.max_scare_extra_words
        )
        if extra > limit and not (
            russian and rules.rules.titles_are_own and _is_title(inner, term, True)
        ):
            return decide("quoted", text[quote[0]], True)
        speech = _short_quote_speech(text, quote, line_start, rules, language)
        if speech is not None:
            return decide("quoted", speech, True)
        if rules.rules.titles_are_own and _is_title(inner, term, russian):
            return decide("own", "title", True)
        left_end = quote[0]
        right_start = min(quote[1], len(text))
    left_start = max(sentence_start, left_end - 300)
    if turn is not None and turn.start > left_start:
        left_start = turn.start
    left = _plain(text[left_start:left_end])
    if quote is not None:
        # A scare-quoted term is the quote; look at the words before the mark
        # and the words inside the mark before the term.
        left = left.rstrip() + " " + _plain(text[quote[0] + 1 : start])
    right = _plain(text[right_start : max(right_start, min(sentence_end, line_end))])
    declined_object = russian and quote is None and _object_not_name(term)
    bounds = (sentence_end, line_end)

    if quote is not None and extra >= 1:
        # A short phrase in marks inside someone's reported words ("… Kiev's
        # 'war machine' — Kremlin") quotes that speaker; only the bare term
        # in marks distances the writer.
        reported = _reported(
            text, start, structure, rules, language, left, right, bounds
        )
        if reported is not None:
            return decide("quoted", f"{text[quote[0]]} {reported[0]}", True)
    match = _search(rules.negation, language, left)
    if match:
        return decide("negated", match.group(0), quote is not None)
    after = _search(rules.negation_after, language, right)
    if after and not declined_object:
        return decide("negated", after.group(0), quote is not None)
    match = _search(rules.attribution, language, left)
    if (
        match
        and russian
        and not declined_object
        and _RU_NAMING_AT_END.search(left.rstrip())
    ):
        modal = _RU_NEGATED_MODAL.search(right)
        if modal:  # "назвать …ой нельзя"
            return decide("negated", f"{match.group(0)} … {modal.group(0)}", False)
    if match and not declined_object:
        return decide("attributed", match.group(0), quote is not None)
    after = _search(rules.attribution_after, language, right)
    if after and not declined_object:
        return decide("attributed", after.group(0), quote is not None)
    match = _search(rules.so_called, language, left)
    if match:
        return _scare_or_claim(
            decide, rules, language, left, match.group(0), quote is not None
        )
    if quote is not None:
        return _scare_or_claim(decide, rules, language, left, text[quote[0]], True)
    reported = _reported(text, start, structure, rules, language, left, right, bounds)
    if reported is not None:
        return decide("reported", reported[0], False, reported[1])
    return decide("own", "", False)


def _search(
    table: dict[str, PrefixSearch], language: str, context: str
) -> re.Match[str] | None:
    pattern = table.get(language)
    return pattern.search(context) if pattern is not None and context else None


def _short_quote_speech(
    text: str,
    quote: tuple[int, int],
    line_start: int,
    rules: _CompiledRules,
    language: str,
) -> str | None:
    """The speech cue that makes a short quotation direct speech, if any."""
    after = text[quote[1] : quote[1] + 80].split("\n", 1)[0]
    inner_end = text[quote[1] - 2 : quote[1] - 1]
    after_plain = _plain(after)
    speech = _search(rules.quote_speech, language, after_plain)
    if speech is not None and (
        inner_end in ",.!?…" or after_plain.lstrip()[:1] in (",", "—", "–", "-")
    ):
        return f"{text[quote[0]]} {speech.group(0).strip()}"
    before = _plain(text[max(line_start, quote[0] - 80) : quote[0]])
    intro = _search(rules.quote_intro, language, before)
    if intro is not None:
        return f"{intro.group(0).strip()} {text[quote[0]]}"
    return None


_TRAILING_DASH = re.compile(
    r"(?:^|[\s,.!?…»\"”'’)])[—–-]{1,2}\s+(?P<speaker>[^—–\n,]{1,80}?)"
    r"(?:,\s*(?:котор|who\b|which\b|чей|чья|який|яка|яке|які)[^—–\n]*)?[\s.!]*$"
)
_LINK_TARGET = re.compile(r"\]\([^)\s]{1,500}\)")


# A sentence's first word is capitalised whatever it is: a lone capitalised
# subject counts as a name only without the endings of common nouns.
_COMMON_NOUN_ENDING = re.compile(
    r"(?:ing|tion|sion|ment|ness|ity|ance|ence|ure|ism|ship|age|ery|ies|s)$"
)


# "I urged", "We recalled", "As I said": the current speaker's own words;
# "Which saw …": no subject at all.
_NOT_REPORTED_SUBJECT = frozenset(
    {"i", "we", "me", "us", "my", "our", "which", "that", "who", "what", "it"}
    | {"this", "these", "those", "there", "as", "so", "and", "but", "if", "when"}
    | {"while"}
)


_THIRD_PERSON = frozenset({"he", "she", "they"})


def _first_person(phrase: str | None) -> bool:
    """Whether a speaker phrase ends in "I" or "we" ("As I said", "We've said")."""
    if not phrase:
        return False
    last = re.split(r"[’']", phrase.split()[-1].lower())[0]
    return last in ("i", "we")


def _subject_is_speaker(phrase: str, words: frozenset[str]) -> bool:
    """Whether a sentence's subject is someone who can be reported."""
    tokens = [re.split(r"[’']", t.lower())[0] for t in phrase.split()]
    if not tokens or tokens[0] in _NOT_REPORTED_SUBJECT or "i" in tokens:
        return False
    # "He also underscored …", "She said …": a third person named before.
    if tokens[0] in _THIRD_PERSON and len(tokens) <= 2:
        return True
    if _speaker_like(phrase, words):
        return True
    tokens = phrase.split()
    if len(tokens) == 1 and _COMMON_NOUN_ENDING.search(tokens[0].lower()):
        return False
    return _speaker_like(phrase, words, names=True)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


_TRAILING_COLON = re.compile(r":\s+(?P<speaker>[^:\n]{1,60}?)[\s.!]*$")
# A headline or sentence that opens with its speaker and a verb of saying or
# of stance ("Trump sees good chance for resolving …", "Kazakh leader points
# to …"): what follows paraphrases the speaker. Whether the subject is a
# speaker is checked separately (a title or institution word, or a name).
_EN_STANCE_WORDS = (  # noqa: SIM905
    "says said tells told calls called sees saw reminds reminded doubts doubted "
    "expects expected hopes hoped wants wanted believes believed fears feared "
    "warns warned urges urged slams slammed blasts blasted accuses accused "
    "denies denied rejects rejected dismisses dismissed questions questioned "
    "hints hinted announces announced proposes proposed demands demanded "
    "insists insisted welcomes welcomed condemns condemned criticizes "
    "criticized criticises criticised praises praised admits admitted notes "
    "noted stresses stressed confirms confirmed suggests suggested predicts "
    "predicted vows vowed threatens threatened claims claimed argues argued "
    "explains explained reveals revealed recalls recalled reiterates "
    "reiterated signals signaled signalled assures assured promises promised "
    "considers considered thinks thought asks asked writes wrote reports "
    "reported estimates estimated describes described stated highlights "
    "highlighted emphasizes emphasized emphasises emphasised underlines "
    "underlined underscores underscored voices voiced expresses expressed "
    "confident convinced reaffirms reaffirmed conveys conveyed advises advised "
    # Readouts of calls and meetings (past tense: a headline's "Putin thanks
    # troops in the zone" describes the troops in the outlet's words): what
    # an official informed about, thanked for or outlined is the official's
    # account, not the office's.
    "informed thanked outlined updated briefed instructed tasked addressed"
).split() + [
    "spoke about",
    "spoke of",
    "talked about",
    "agreed on",
    "agreed that",
    "agreed to",
    "supported the idea",
    "set a task",
    "set the task",
    "raised the issue",
    "drew attention",
    "points to",
    "pointed to",
    "rules out",
    "ruled out",
    "is confident",
    "is convinced",
    "are convinced",
    "was convinced",
]
_EN_SUBJECT_STANCE = re.compile(
    r"^[^\w\n]*(?:(?:in\s+addition|also|at\s+the\s+same\s+time|besides|moreover|"
    r"furthermore|separately|in\s+particular|among\s+other\s+things|"
    r"during\s+the\s+(?:conversation|meeting|talks|call|visit))\s*,\s*)?"
    r"(?P<speaker>(?:[\w'’.&-]+\s+){0,5}?[\w'’.&-]+)\s+"
    r"(?:(?:also|further|again|once\s+again|in\s+turn|personally)\s+)?"
    rf"(?P<verb>{_word_trie(_EN_STANCE_WORDS)})\b",
    re.IGNORECASE,
)
# Readouts without a named subject: "Attention was drawn to …", "It was noted
# that …", and an opening participle whose subject comes later ("Noting the
# role of …, the Head of State said …").
_EN_READOUT = re.compile(
    r"^[^\w\n]*(?:(?:(?:special|particular)\s+)?attention\s+was\s+(?:drawn|paid)"
    r"\s+to|it\s+was\s+(?:noted|stressed|emphasi[sz]ed|underlined|pointed\s+out|"
    r"stated|agreed)|(?P<participle>noting|stressing|emphasi[sz]ing|underlining|"
    r"recalling|pointing\s+(?:to|out)))\b",
    re.IGNORECASE,
)
_FIRST_PERSON_CLAUSE = re.compile(r",\s*(?:I|we|We)\b")


def _reported(
    text: str,
    start: int,
    structure: TextStructure,
    rules: _CompiledRules,
    language: str,
    left: str,
    right: str,
    bounds: tuple[int, int],
) -> tuple[str, str | None] | None:
    """Reported-speech cue and speaker of a mention, or ``None``."""
    words = rules.speaker_words.get(language, _ALL_SPEAKER_WORDS)
    label = structure.label_at(start) if structure.labels else None
    if label is not None:
        return f"{label.speaker}:", label.speaker
    listed = _listed_statement(text, start, words)
    if listed is not None:
        return listed
    # "X — Speaker", "X, — глава МИД": the clause before a final dash.
    dash = _TRAILING_DASH.search(right)
    if dash is not None:
        phrase = dash.group("speaker").strip()
        comma = right[: dash.start("speaker")].rstrip()[:-1].rstrip().endswith(",")
        if language == "en":
            # Agency headlines are in title case; in lower-case text (or a
            # parenthetical dash) only a speaker word will do.
            ok = _speaker_like(phrase, words, loose=phrase[:1].isupper())
        else:
            speech = _search(
                rules.reported_after, language, "," + right[dash.start() :]
            )
            ok = speech is not None or _speaker_like(
                phrase, words, loose=comma, names=True
            )
        if ok:
            return " ".join(right[dash.start() :].split()).strip(" .!"), phrase
    # A headline "X: Speaker" may be cut into two sentences by the transcript
    # turn finder; the speaker closes the line.
    line_end = text.find("\n", start)
    rest = text[start : len(text) if line_end < 0 else line_end]
    colon = _TRAILING_COLON.search(_plain(rest[:300]))
    if colon is not None and _speaker_like(colon.group("speaker"), words):
        phrase = colon.group("speaker").strip()
        return f": {phrase}", phrase
    after = _search(rules.reported_after, language, right)
    if after is not None:
        return after.group(0), _group_speaker(after)
    line_start = text.rfind("\n", 0, start) + 1
    context = left[-(start - line_start) :]
    # A Markdown link's address ("t.me/…") must not end the sentence.
    before = _search(rules.reported_before, language, _LINK_TARGET.sub(_blank, context))
    if before is not None:
        speaker = _group_speaker(before) or _words_before(context, before.start())
        if not _first_person(speaker):
            return before.group(0), speaker
    if language == "en":
        plain = _plain(context)
        lead = _EN_SUBJECT_STANCE.match(plain)
        if lead is not None and _subject_is_speaker(lead.group("speaker"), words):
            return lead.group(0).strip(" \t*_"), lead.group("speaker")
        readout = _EN_READOUT.match(plain)
        if readout is not None and not (
            readout.group("participle")
            and _FIRST_PERSON_CLAUSE.search(text[start : bounds[1]])
        ):
            return readout.group(0).strip(" \t*_"), None
    following = text[bounds[0] : bounds[0] + 200]
    following = _plain(following.lstrip(" \t\n.!?…*_"))
    nxt = _search(rules.reported_next, language, following)
    if nxt is not None:
        return nxt.group(0), _group_speaker(nxt)
    return None


_BULLET = re.compile(r"^[^\S\n]*[*_]*[^\S\n]*(?:[—–•▪●◾🔹🔸➖]|-(?=\s))")
_HEADER_SPEECH = re.compile(
    r"\b(?:interview|article|op-ed|opinion|briefing|remarks|comments?|"
    r"statement|speech|address|answers|message|заявлени\w*|выступлени\w*|"
    r"интервью|брифинг\w*|тезис\w*|статья|статье|мнение|слова\w*|"
    r"послани\w*|доктрин\w*|указ\w*|заяв\w*|інтерв'ю|виступ\w*)\b",
    re.IGNORECASE,
)


def _listed_statement(
    text: str, start: int, words: frozenset[str]
) -> tuple[str, str | None] | None:
    """A mention in a list item, or under a header, that reports a speaker.

    Telegram posts list a speaker's points as dash or bullet items under an
    introducing line ("Путин:", "Другие заявления Пескова:", "… заявил:");
    an English index line may open with "interview with …", "opinion by …"
    and continue on the next line with the speaker's words.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    bullet = _BULLET.match(line) is not None
    if not bullet and _newline_inside(text, line_start):
        return None  # only the second line of a text continues a header
    # The nearest earlier line that is not a list item introduces the list.
    cursor = line_start - 1
    while cursor > 0:
        previous_start = text.rfind("\n", 0, cursor) + 1
        previous = text[previous_start:cursor]
        if _plain(previous).strip() and not (bullet and _BULLET.match(previous)):
            break
        cursor = previous_start - 1
    else:
        return None
    intro = _plain(previous).strip()
    if not intro:
        return None
    speaker = _intro_speaker(intro, words)
    if bullet:
        item_end = text.find("\n", start)
        item = text[line_start : len(text) if item_end < 0 else item_end]
        if len(_plain(item).split()) < 5:
            return None  # a topic list ("🔹 Ukrainian crisis"), not statements
        if intro.endswith(":") or speaker is not None or _HEADER_SPEECH.search(intro):
            return f"{intro[-40:]} / —", speaker
        return None
    # Not a list item: only an intro that is just a speaker label ("💬
    # #lavrov :") or names an interview, article or opinion carries over.
    if previous_start == 0 and (
        (intro.endswith(":") and speaker is not None and len(intro.split()) <= 4)
        or (_HEADER_SPEECH.search(intro) and re.search(r"\b(?:by|with|of)\b", intro))
    ):
        return f"{intro[-40:]} /", speaker
    return None


def _newline_inside(text: str, end: int) -> bool:
    """Whether ``text[:end].strip()`` holds a line break, without copying it."""
    first = 0
    while first < end and text[first].isspace():
        first += 1
    last = end
    while last > first and text[last - 1].isspace():
        last -= 1
    return text.find("\n", first, last) >= 0


def _intro_speaker(intro: str, words: frozenset[str]) -> str | None:
    """A speaker named in a list's introducing line, if any."""
    lower_case_text = intro == intro.lower()
    for index, raw in enumerate(intro.split()):
        # The regular expressions run only where they can change something:
        # intros can be whole paragraphs.
        edged = raw[0].isalnum() and raw[-1].isalnum()
        token = raw if edged else _EDGE_PUNCTUATION.sub("", raw)
        lower = token.lower()
        if lower[-2:] in ("’s", "'s"):
            lower = lower[:-2]
        if lower in words and (token[:1].isupper() or lower_case_text):
            return token
        if index and token[:1] in _RU_CAPITALS and _RU_SURNAME.match(token):
            return token
    return None


_RU_CAPITALS = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐ")


_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


_WORD_RUN = re.compile(r"(?:[\w'’.-]+\s+){1,3}$")


def _words_before(context: str, position: int) -> str | None:
    """Up to three words before a speech verb: its likely subject."""
    found = _WORD_RUN.search(context[max(0, position - 80) : position])
    return " ".join(found.group(0).split()).strip(" .,") or None if found else None


def _group_speaker(match: re.Match[str]) -> str | None:
    for name, value in match.groupdict().items():
        if name.startswith("speaker") and value:
            return " ".join(value.split()).strip(" .,:;!?")[:80] or None
    return None


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


def _is_title(inner: str, term: str, sentence_case: bool = False) -> bool:
    """A short quotation in title case other than the term: a name or title.

    With ``sentence_case`` (Russian and Ukrainian titles: «Звёздные войны»,
    «Война и мир») a capital on the first word is enough, for up to six
    words.
    """
    words = _plain(inner).split()
    if len(words) < 2 or len(words) == len(term.split()):
        return False
    if sentence_case:
        return len(words) <= 6 and words[0][:1].isupper() and not words[0].isupper()
    content = [w for w in words if len(w.strip(".,:;!?")) > 3]
    return bool(content) and all(w[:1].isupper() for w in content)
