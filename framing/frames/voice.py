"""Whose voice names the event: the text's own, reported, quoted,
scare-quoted, attributed or negated.

Every lexicon match (a *mention*) gets one ``voice``:

``own``
    the text's own voice (or, in a transcript, the current speaker's);
``reported``
    indirect or paraphrased speech of someone other than the outlet, without
    quotation marks: the agency-headline conventions "X — Speaker",
    "X – Speaker", "X - Speaker", "X: Former Official" and "Speaker: X";
    "X, says Speaker", "Speaker says (that) X", "…, said Peskov",
    "according to …"; Russian and Ukrainian "…, заявил Песков",
    "по словам Пескова, …", "как заявил …", "Песков заявил, что …",
    "…, — МИД РФ", "за словами …", "заявив", and a following "Об этом
    заявил …". The speaker, where the cue names one, is recorded in
    ``speaker`` (with ``speaker_role == "reported"``), so an agency's own
    naming can be told apart from the officials it reports;
``quoted``
    inside a direct quotation: a quoted passage longer than the term
    itself (straight, curly, guillemet « » and „ “ quotes; a quotation may
    span sentences, and paragraphs when the next paragraph reopens it),
    Russian dash dialogue ("— …, — сказал он. — …"), and a short quotation
    that a speech verb introduces or follows ("«Война», — сказал он");
``scare``
    the term itself is set in quotation marks (the quotation holds at most
    two words beyond the term), or is preceded by "so-called", "так
    называемая", "т.н.", "так звана";
``attributed``
    reported naming: the sentence reports that someone names it so —
    "what Moscow calls", "calls it", "casts the war as", "described it as",
    "referred to as", "(as the Kremlin calls it)", "что в Кремле называют
    …ой" (in Russian and Ukrainian only a name in the instrumental case, or
    in quotation marks, is the name given: in "так власти называют войну"
    the accusative "войну" is the object, the outlet's own word);
``negated``
    naming refused or denied: "refrained from calling it", "does not call
    it", "not a war", and negation after the verb ("…ой не называют",
    "назвать …ой нельзя").

The rules are applied in this order, and the first that fires wins:
``quoted`` (a long quotation is someone else's voice whatever it says),
then ``negated``, ``attributed``, ``scare``, ``reported``, and otherwise
``own``. The cue that decided is recorded with the mention, so every label
can be checked.

Cues are regular expressions matched against the *left context*: the
sentence from its start up to the mention (for a scare-quoted term, up to
the opening quotation mark), or, for the cues that follow a mention
(``negation_after``, ``attribution_after``, ``reported_after``), against the
*right context* up to the end of the sentence or line. Reported-speech cues
look only within the mention's line, so a headline's speaker does not
spill into the body. They are listed per language in :class:`VoiceRules`,
which can be replaced or extended (for example from a TOML file with
:meth:`VoiceRules.from_toml`). Telegram markup (``**``, ``__``) is ignored
when the cues are matched.

Transcripts and headline labels
-------------------------------
Press releases often contain transcripts with speaker turns
("President of Russia Vladimir Putin: Colleagues, ..."; "Question: ...").
A turn starts at a label of capitalised words followed by a colon, where the
label either follows the end of a sentence or contains a title word
("President", "Minister", "Question", ...). Each mention records the
``speaker`` of the turn it falls in (``None`` in narration) and a
``speaker_role``: ``"narrator"``, ``"question"`` (a journalist's question or
a moderator) or ``"speaker"``. A mention in a journalist's question is thus
not the president's voice, and a president's own words in a transcript are
``own`` (of that speaker).

The same "Name: …" form at the start of a line of a text that is *not* a
transcript (fewer than two speaker turns) is the news convention for
reporting what someone said ("Peskov: …", "Лавров: …", "Минобороны: …"):
there the mention is ``reported`` and the label is its speaker. The label
must look like a speaker (a title or institution word, a known name, or a
Russian or Ukrainian surname), so topic labels ("Strait of Hormuz: …",
"Главное: …") stay ``own``.

Preposition features
--------------------
Russian "на Украине" (the older, Moscow-preferred usage) and "в Украине" (the
usage Kyiv asks for) are themselves a framing choice. :func:`preposition_counts`
counts them per document (locative, directional and "from" forms: на/в
Украине, на/в Украину, с/из Украины; Ukrainian на/в/у Україні, Україну),
outside direct quotations, as the columns of :data:`PREPOSITION_COLUMNS`.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import FramingError
from ._prefilter import PrefixSearch

__all__ = [
    "VOICES",
    "PREPOSITION_COLUMNS",
    "VoiceRules",
    "TextStructure",
    "analyse_structure",
    "classify_voice",
    "classify_spans",
    "gold_voice_accuracy",
    "preposition_counts",
    "sentence_spans",
    "quote_spans",
    "dialogue_spans",
    "speaker_turns",
]

VOICES = ("own", "reported", "quoted", "scare", "attributed", "negated")

# --- cue vocabularies --------------------------------------------------------

_EN_NAMING_VERB = (
    r"(?:call(?:s|ed|ing)?|cast(?:s|ing)?|describ(?:e|es|ed|ing)|"
    r"refer(?:s|red|ring)?\s+to|term(?:s|ed|ing)?|dub(?:s|bed|bing)?|"
    r"label(?:s|led|ed|ling|ing)?|brand(?:s|ed|ing)?|characteri[sz](?:e|es|ed|ing)|"
    r"portray(?:s|ed|ing)?|depict(?:s|ed|ing)?|present(?:s|ed|ing)?|"
    r"fram(?:e|es|ed|ing)|nam(?:e|es|ed|ing)|recogni[sz](?:e|es|ed|ing)|"
    r"designat(?:e|es|ed|ing))"
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
# "так называемая" is a so-called marker, not someone naming the event.
_RU_UK_ATTRIBUTING_VERB = rf"(?<![Тт]ак\s)(?<![Тт]ак\xa0){_RU_UK_NAMING_VERB}"


def _word_trie(words: list[str]) -> str:
    """A regular expression matching exactly ``words``, as a prefix tree.

    Python's ``re`` tries the branches of an alternation one by one; a tree
    of shared prefixes is several times faster on long contexts.

    Examples
    --------
    >>> _word_trie(["said", "says", "say"])
    'sa(?:id|y(?:s)?)'
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + emit(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return emit(tree)


# A word list reads better as text.
_EN_SPEECH_WORDS = (  # noqa: SIM905
    "say says said tell tells told adds added stated notes noted warn warns warned "
    "claims claimed argue argues argued insist insists insisted stresses stressed "
    "emphasise emphasises emphasised emphasize emphasizes emphasized believe "
    "believes believed admit admits admitted suggest suggests suggested predict "
    "predicts predicted explain explains explained assert asserts asserted declare "
    "declares declared threaten threatens threatened urge urges urged vow vows "
    "vowed accuse accuses accused confirm confirms confirmed write writes wrote "
    "recall recalls recalled reiterate reiterates reiterated slams slammed"
).split() + [
    "point out",
    "points out",
    "pointed out",
    "rule out",
    "rules out",
    "ruled out",
]
# Case-sensitive (lower, Capitalised, UPPER): a case-insensitive alternation
# of this size dominated the voice stage.
_EN_SPEECH_VERB = (
    "(?-i:"
    + _word_trie(
        sorted(
            {
                form
                for word in _EN_SPEECH_WORDS
                for form in (word, word.capitalize(), word.title(), word.upper())
            }
        )
    )
    + ")"
)
_RU_SPEECH_VERB = (
    r"(?:заяв(?:ил|ила|ило|или|ляет|ляют|лял|ляла|ляло|ляли)|сказал[аио]?|"
    r"сообщ(?:ил|ила|ило|или|ал|ала|ало|али|ает|ают|ается)|отметил\w*|"
    r"подчеркнул\w*|добавил\w*|указал\w*|указыва(?:ет|ют)|уточнил\w*|пояснил\w*|напомнил\w*|предупредил\w*|"
    r"счита(?:ет|ют)|уверен\w*|полага(?:ет|ют)|убежд[её]н\w*|признал\w*|"
    r"признает|признаёт|пообещал\w*|пригрозил\w*|призвал\w*|рассказал\w*|"
    r"объяснил\w*|написал\w*|пишет|пишут|говор(?:ит|ят|ится|ил|ила|или)|"
    r"утвержда(?:ет|ют|л|ла|ли)|заверил\w*|констатировал\w*|переда[её]т|"
    r"обвинил\w*|ответил[аи]?|спросил[аи]?|воскликнул\w*|прокомментировал\w*|"
    r"анонсировал\w*|опроверг\w*|настаива\w*|потребовал\w*|"
    r"требу(?:ет|ют)|резюмир\w*|подытожил\w*|высказал\w*|"
    r"пожаловал\w*|посетовал\w*|усомнил\w*|намекнул\w*)"
)
_UK_SPEECH_VERB = (
    r"(?:заяв(?:ив|ила|или|ляє|ляють)|сказав|сказала|сказали|"
    r"повідоми(?:в|ла|ли)|повідомля(?:є|ють)|зазначи(?:в|ла|ли)|"
    r"наголоси(?:в|ла|ли)|дода(?:в|ла|ли)|вважа(?:є|ють)|пише|пишуть|"
    r"каже|кажуть|розпові(?:в|ла|ли)|поясни(?:в|ла|ли)|нагада(?:в|ла|ли)|"
    r"попереди(?:в|ла|ли)|відповів|відповіла)"
)
_SPEECH_VERB = {"en": _EN_SPEECH_VERB, "ru": _RU_SPEECH_VERB, "uk": _UK_SPEECH_VERB}
# An author's remark in dash dialogue may use any verb of speaking.
_DIALOGUE_VERB = (
    rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB}|продолжил\w*|заключил\w*|"
    r"поделил\w*|признал\w*|добавил\w*|улыбнул\w*|вздохнул\w*)"
)

# Words that make a short phrase a speaker ("— Kremlin", "Russia's MFA:",
# "— глава МИД Турции"), and well-known names; extend with
# ``[speaker_words]`` in a rules file.
_EN_SPEAKER_WORDS = (
    "president",
    "minister",
    "ministry",
    "mfa",
    "mod",
    "kremlin",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "official",
    "officials",
    "expert",
    "experts",
    "analyst",
    "analysts",
    "insider",
    "envoy",
    "ambassador",
    "embassy",
    "diplomat",
    "diplomats",
    "source",
    "sources",
    "report",
    "reports",
    "media",
    "lawmaker",
    "lawmakers",
    "senator",
    "mp",
    "deputy",
    "chief",
    "head",
    "leader",
    "commander",
    "general",
    "captain",
    "colonel",
    "officer",
    "veteran",
    "politician",
    "politicians",
    "journal",
    "newspaper",
    "magazine",
    "daily",
    "tabloid",
    "broadcaster",
    "document",
    "forecast",
    "brass",
    "adviser",
    "advisor",
    "professor",
    "scholar",
    "economist",
    "journalist",
    "observer",
    "pundit",
    "aide",
    "secretary",
    "chairman",
    "speaker",
    "mayor",
    "governor",
    "premier",
    "pm",
    "fm",
    "chancellor",
    "pentagon",
    "nato",
    "un",
    "eu",
    "cia",
    "irgc",
    "idf",
    "centcom",
    "agency",
    "study",
    "survey",
    "poll",
    "pollster",
    "pollsters",
    "ombudsman",
    "ombudswoman",
    "pope",
    "pontiff",
    "commissioner",
    "researcher",
    "researchers",
    "sociologist",
    "historian",
    "scientist",
    "scientists",
    "prosecutor",
    "court",
    "parliament",
    "duma",
    "council",
    "government",
    "office",
    "department",
    "ceo",
    "founder",
    "director",
    "representative",
    "intelligence",
    "putin",
    "lavrov",
    "peskov",
    "zakharova",
    "shoigu",
    "medvedev",
    "ushakov",
    "nebenzya",
    "ryabkov",
    "belousov",
    "gerasimov",
    "konashenkov",
    "polyansky",
    "galuzin",
    "grushko",
    "rudenko",
    "dmitriev",
    "lukashenko",
    "kadyrov",
    "trump",
    "zelensky",
    "zelenskyy",
    "biden",
    "rubio",
    "witkoff",
    "vance",
    "hegseth",
    "netanyahu",
    "erdogan",
    "macron",
    "scholz",
    "merz",
    "starmer",
    "orban",
    "fico",
    "xi",
    "wang",
    "modi",
    "guterres",
    "stoltenberg",
    "rutte",
    "kallas",
    "borrell",
    "blinken",
    "sullivan",
    "kirby",
    "araghchi",
    "khamenei",
    "pezeshkian",
    "ritter",
    "mearsheimer",
    "sachs",
    "macgregor",
    "musk",
    "kellogg",
    "yermak",
    "podolyak",
    "kuleba",
    "sybiha",
    "budanov",
    "syrsky",
    "naryshkin",
    "volodin",
    "matviyenko",
    "kiriyenko",
)
_RU_SPEAKER_WORDS = (
    "глава",
    "главы",
    "замглавы",
    "министр",
    "министра",
    "мид",
    "минобороны",
    "минфин",
    "минюст",
    "минздрав",
    "кремль",
    "кремле",
    "кремля",
    "госдума",
    "госдуме",
    "совфед",
    "сми",
    "эксперт",
    "эксперты",
    "источник",
    "источники",
    "посол",
    "посольство",
    "пресс-секретарь",
    "представитель",
    "генсек",
    "президент",
    "премьер",
    "вице-премьер",
    "депутат",
    "сенатор",
    "губернатор",
    "мэр",
    "военкор",
    "военкоры",
    "политолог",
    "аналитик",
    "аналитики",
    "командующий",
    "командир",
    "спикер",
    "пентагон",
    "госдеп",
    "нато",
    "оон",
    "ес",
    "цру",
    "фсб",
    "мвд",
    "ск",
    "генштаб",
    "генпрокуратура",
    "прокуратура",
    "суд",
    "исследование",
    "опрос",
    "издание",
    "газета",
    "агентство",
    "телеканал",
    "журнал",
    "документ",
    "политик",
    "вциом",
    "фом",
    "тасс",
    "риа",
    "интерфакс",
    "всу",
    "офис",
    "кабмин",
    "правительство",
    "песков",
    "захарова",
    "лавров",
    "шойгу",
    "путин",
    "медведев",
    "зеленский",
    "трамп",
    "байден",
    "ушаков",
    "небензя",
    "рябков",
    "белоусов",
    "герасимов",
    "кадыров",
    "лукашенко",
    "эрдоган",
    "макрон",
    "шольц",
    "орбан",
    "нарышкин",
    "володин",
    "матвиенко",
    "буданов",
    "сырский",
    "подоляк",
    "ермак",
    "кулеба",
    "сибига",
    "блинкен",
    "столтенберг",
    "рютте",
    "маск",
    "уиткофф",
    "рубио",
    "вэнс",
    "нетаньяху",
    "си",
    "моди",
    "фидан",
    "пашинян",
    "алиев",
    "речник",
    "міністр",
    "міністерство",
    "мзс",
    "генштаб",
    "офіс",
    "зеленський",
    "експерт",
    "джерело",
    "джерела",
    "посол",
    "президент",
    "речниця",
)
# A Russian or Ukrainian surname standing alone as a label ("Песков:").
_RU_SURNAME = re.compile(
    r"^[А-ЯЁІЇЄҐ][а-яёіїєґ'-]+(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|"
    r"цкий|цкая|ской|енко|ук|юк|ич|ян|дзе|швили)$"
)
_NOT_SPEAKER_WORDS = frozenset(
    {
        "live",
        "update",
        "updates",
        "video",
        "videos",
        "photo",
        "photos",
        "watch",
        "opinion",
        "analysis",
        "explainer",
        "timeline",
        "day",
        "part",
        "episode",
        "podcast",
        "interview",
        "op-ed",
        "editorial",
        "exclusive",
        "breaking",
        "главное",
        "подробности",
        "итоги",
        "итог",
        "видео",
        "фото",
        "срочно",
        "важно",
        "внимание",
        "напомним",
        "цитата",
        "кстати",
        "причина",
        "результат",
        "подписаться",
        "подписывайтесь",
        "это",
        "что",
        "как",
        "где",
        "когда",
    }
)


@dataclass(frozen=True)
class VoiceRules:
    """Cue patterns per language, matched at the end of the left context.

    Attributes
    ----------
    negation : dict
        Language -> patterns that make a mention ``negated``.
    negation_after : dict
        Language -> patterns matched at the start of the right context that
        make a mention ``negated`` ("…ой не называют"). Applied in Russian
        and Ukrainian only to a name in the instrumental case or in quotes.
    attribution : dict
        Language -> patterns that make a mention ``attributed``.
    attribution_after : dict
        Language -> patterns matched at the start of the right context that
        make a mention ``attributed`` ("(as Moscow calls it)", "(так в
        Кремле называют войну)").
    so_called : dict
        Language -> patterns that make a mention ``scare``.
    claims : dict
        Language -> patterns found anywhere in the left context that turn a
        scare-quoted or "so-called" term into an ``attributed`` one: the
        sentence reports someone's claim ("announced a Russian 'invasion'",
        "hysteria about the 'invasion'", "their so-called").
    quote_speech : dict
        Language -> patterns at the start of the text after a short
        quotation (or, for ``quote_intro``, at the end of the text before
        it) that make it a direct quotation, not a scare quote
        ("«Война», — сказал он"; '"War," he said').
    quote_intro : dict
        Language -> patterns at the end of the left context before a short
        quotation ("заявил: «…»").
    reported_before : dict
        Language -> patterns anywhere in the left context (same sentence and
        line) that make a mention ``reported`` ("Peskov said (that)",
        "по словам", "как заявил"). A group named ``speaker`` is recorded.
    reported_after : dict
        Language -> patterns anywhere in the right context (same sentence and
        line) that make a mention ``reported`` ("…, said Peskov", "…,
        заявил Песков").
    reported_next : dict
        Language -> patterns at the start of the next sentence that make the
        mention's sentence ``reported`` ("Об этом заявил …").
    speaker_words : dict
        Language -> lower-case words that make a short phrase a speaker (a
        title, an institution, a well-known name), for the headline
        conventions "X — Speaker", "X: Speaker" and "Speaker: X".
    titles_are_own : bool
        A short quotation in title case ("Children of War", a conference or
        portal name) is a title, not a scare quote: ``own``.
    max_scare_extra_words : int
        A quotation with at most this many words beyond the term is a
        scare quote, not a direct quotation.
    scare_extra_words : dict
        Language -> the same limit for that language (Russian and Ukrainian
        news set a quoted phrase such as «горячей фазе войны» in quotation
        marks as a direct quotation; only the term alone is a scare quote).
    question_speakers : tuple of str
        Lower-case speaker labels (or their first word) that mark a
        journalist's question or a moderator.

    Examples
    --------
    >>> rules = VoiceRules.default()
    >>> sorted(rules.negation)
    ['en', 'ru', 'uk']
    >>> "reported" in VOICES
    True
    """

    negation: dict[str, tuple[str, ...]] = field(default_factory=dict)
    negation_after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attribution: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attribution_after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    so_called: dict[str, tuple[str, ...]] = field(default_factory=dict)
    claims: dict[str, tuple[str, ...]] = field(default_factory=dict)
    quote_speech: dict[str, tuple[str, ...]] = field(default_factory=dict)
    quote_intro: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reported_before: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reported_after: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reported_next: dict[str, tuple[str, ...]] = field(default_factory=dict)
    speaker_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    titles_are_own: bool = True
    max_scare_extra_words: int = 2
    scare_extra_words: dict[str, int] = field(
        default_factory=lambda: {"ru": 0, "uk": 0}
    )
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
        # "refusal to designate Russia as an aggressor"
        en_negated_as = (
            rf"\b{_EN_NEGATION}\b(?:[\s,]+[\w'’-]+){{0,6}}?\s+{_EN_NAMING_VERB}\b"
            rf"(?:\s+[\w'’-]+){{1,4}}?\s+as\s+{_EN_DETERMINER}$"
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
        # "…ой здесь не называют", "…ою не називають"
        ru_uk_negated_after = (
            rf"^[\s»\"”’]*(?:[\w-]+\s+)?(?:не|ни|ні)\s+(?:[\w-]+\s+)?"
            rf"{_RU_UK_NAMING_VERB}"
        )
        # "назвать …ой нельзя", "назвати …ою не можна"
        ru_attributed_after = (
            rf"^[\s»\"”’]*[(,—–-]?\s*\(?\s*(?:как|так|що|як)\s+(?:[\w-]+\s+){{0,4}}?"
            rf"{_RU_UK_NAMING_VERB}"
        )
        en_attributed_after = (
            r"^[\s\"”’']*[(,—–-]?\s*\(?\s*(?:as|what)\s+(?:[\w'’-]+\s+){0,4}?"
            r"(?:call|calls|called|term|terms|termed|describes?|described|"
            r"dub|dubs|dubbed|refers?\s+to|referred\s+to)\s+it\b"
        )
        en_quote_speech = (
            r"^[\s,.!?…]*[—–-]{0,2}\s*(?:[\w'’.-]+\s+){0,3}?"
            rf"{_EN_SPEECH_VERB}\b"
        )
        ru_quote_speech = (
            r"^[\s,.!?…]*[—–-]{0,2}\s*(?:[\w'’.-]+\s+){0,3}?"
            rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB})"
        )
        # "Peskov said (that) X", "Putin Says X": the mention follows the verb
        # closely, or after "that"; "according to X, …".
        en_reported_before = (
            r"(?:\baccording\s+to\s+(?P<speaker>[\w'’.-]+(?:\s+[\w'’.-]+){0,4}?)"
            r"\s*[,:]|"
            # The speaker is read from the words before the verb (a leading
            # word group here would make every position a match attempt).
            rf"(?<=\w\s){_EN_SPEECH_VERB}\b"
            r"(?:[^.!?;\n]{0,80}?\bthat\b[^.!?;\n]{0,160}|"
            r"(?:[\s,:“”\"]+[\w'’.-]+){0,6}[\s,:“”\"]*)$)"
        )
        # "…, Peskov said.", "…, said Peskov", "…, according to the MFA": a
        # closing clause (not a relative clause such as ", where he said").
        en_reported_after = (
            r",\s*(?!(?:where|which|who|whom|whose|when|while|as|if|because|and|"
            r"but|although|though|after|before|since)\b)"
            r"(?:(?P<speaker>[\w'’.-]+(?:\s+[\w'’.-]+){0,4}?)\s+"
            rf"{_EN_SPEECH_VERB}\b|{_EN_SPEECH_VERB}\s+"
            r"(?P<speaker2>[\w'’.-]+(?:\s+[\w'’.-]+){0,4})|according\s+to\s+"
            r"(?P<speaker3>[\w'’.-]+(?:\s+[\w'’.-]+){0,4}?))"
            r"(?:[\s,]+[\w'’.-]+){0,6}?[\s.!?\"”’]*$"
        )
        # "по словам Пескова, …", "как заявил …, …", and a speech verb earlier
        # in the same sentence ("Песков заявил, что …", "Зеленский потребовал
        # …", "Запад, указал Нарышкин, …").
        ru_reported_before = (
            r"(?:(?:^|\s)(?:по\s+(?:его|её|ее|их|моим|нашим)?\s*словам|"
            r"по\s+мнению|по\s+данным|по\s+информации|по\s+версии|по\s+оценке|"
            r"по\s+оценкам|по\s+сообщени(?:ю|ям)|по\s+слухам|со\s+слов|"
            r"за\s+словами|на\s+думку|за\s+даними|"
            r"за\s+інформацією|за\s+версією)(?P<speaker>(?:\s+[\w'’.-]+){0,10}?)"
            r"\s*,|"
            rf"(?:^|\s)(?:как|як)\s+(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB}|"
            r"выяснил\w*|установил\w*|стало\s+известно|з'ясува\w*)"
            r"(?P<speaker2>(?:\s+[\w'’.-]+){0,10}?)\s*,|"
            rf"(?<!\w)(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB})(?!\w)"
            r"(?!\s+заявлени)[^.!?\n]{0,140}$|"
            # Hearsay: "Ходят слухи, что …", "появилась информация, что …".
            r"(?:^|\s)(?:ходят\s+слухи|появил\w*\s+информаци\w*)[^.!?\n]{0,140}$)"
        )
        # "…, сообщил Песков", "…, об этом заявила Захарова", "…, на это
        # указывают данные Maxar".
        ru_reported_after = (
            r",\s*[—–-]?\s*(?:(?:об\s+этом|о\s+чём|о\s+чем|на\s+это|про\s+це)\s+"
            r"(?:[\w-]+\s+){0,3}?)?"
            rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB})"
            r"(?P<speaker>(?:\s+[\w'’.-]+){1,5})"
        )
        ru_reported_next = (
            rf"^\W*(?:об\s+этом|о\s+том|про\s+це|такое\s+заявление|"
            rf"такие\s+данные|такое\s+мнение|такую\s+оценку|такой\s+вывод|"
            rf"такие\s+выводы)\s+(?:[\w-]+\s+){{0,4}}?"
            rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB}|привод(?:ит|ят|ится|ятся)|"
            r"высказ\w*|выраз\w*|сдела\w*)"
            r"(?P<speaker>(?:\s+[\w'’.-]+){0,5})"
        )
        return cls(
            negation={
                "en": (
                    en_negated_naming,
                    en_negated_as,
                    en_negated_direct,
                    en_negated_list,
                ),
                "ru": (
                    ru_uk_negated,
                    # "не (секретная) спецоперация", "не было внешней агрессии"
                    # ("если бы не было этой войны" is a hypothetical)
                    r"(?:^|\s)(?<!бы\s)(?:не|ни|нет|не\s+было|не\s+будет|"
                    r"не\s+является)\s+(?:(?!(?:эт|т|так)(?:ой|ого|ая|ую|ие|их)\s)"
                    r"[\w-]+(?:ая|ой|ый|ий|ое|ые|ую|ых|ым|ей|его|ого)\s+){0,2}$",
                ),
                "uk": (ru_uk_negated, r"(?:^|\s)(?:не|ні)\s+$"),
            },
            negation_after={
                "en": (
                    r"^[\s\"”’']*,?\s*(?:is|was)\s+(?:not|no\s+longer)\s+(?:the\s+)?"
                    r"(?:right|correct|proper|appropriate)\s+(?:word|term|name)",
                ),
                "ru": (ru_uk_negated_after,),
                "uk": (ru_uk_negated_after,),
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
                    rf"(?:^|\s)(?:как|что)\s+(?:[\w-]+\s+){{0,4}}?"
                    rf"{_RU_UK_ATTRIBUTING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                    rf"{_RU_UK_ATTRIBUTING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                ),
                "uk": (
                    rf"(?:^|\s)(?:як|що)\s+(?:[\w-]+\s+){{0,4}}?"
                    rf"{_RU_UK_ATTRIBUTING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                    rf"{_RU_UK_ATTRIBUTING_VERB}(?:\s+[\w-]+){{0,2}}\s*$",
                ),
            },
            attribution_after={
                "en": (en_attributed_after,),
                "ru": (ru_attributed_after,),
                "uk": (ru_attributed_after,),
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
            quote_speech={
                "en": (en_quote_speech,),
                "ru": (ru_quote_speech,),
                "uk": (ru_quote_speech,),
            },
            quote_intro={
                "en": (rf"\b{_EN_SPEECH_VERB}\b[^:\n]{{0,40}}:\s*$",),
                "ru": (rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB})[^:\n]{{0,40}}:\s*$",),
                "uk": (rf"(?:{_RU_SPEECH_VERB}|{_UK_SPEECH_VERB})[^:\n]{{0,40}}:\s*$",),
            },
            reported_before={
                "en": (en_reported_before,),
                "ru": (ru_reported_before,),
                "uk": (ru_reported_before,),
            },
            reported_after={
                "en": (en_reported_after,),
                "ru": (ru_reported_after,),
                "uk": (ru_reported_after,),
            },
            reported_next={
                "en": (
                    rf"^\W*(?:this\s+was\s+(?:{_EN_SPEECH_VERB})\s+by"
                    r"(?P<speaker>(?:\s+[\w'’.-]+){1,5}))",
                ),
                "ru": (ru_reported_next,),
                "uk": (ru_reported_next,),
            },
            speaker_words={
                "en": _EN_SPEAKER_WORDS,
                "ru": _RU_SPEAKER_WORDS,
                "uk": _RU_SPEAKER_WORDS,
            },
        )

    @classmethod
    def from_toml(cls, path: str | Path, *, extend: bool = True) -> VoiceRules:
        """Read cue patterns from TOML (``[negation] en = ["..."]`` etc.).

        Every pattern table of the class (``negation``, ``negation_after``,
        ``attribution``, ``attribution_after``, ``so_called``, ``claims``,
        ``quote_speech``, ``quote_intro``, ``reported_before``,
        ``reported_after``, ``reported_next``) and ``speaker_words`` can be
        given. With ``extend`` the patterns are added to the defaults;
        otherwise they replace them.
        """
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        base = cls.default() if extend else cls()
        updates: dict[str, Any] = {}
        for key in (*_PATTERN_TABLES, "speaker_words"):
            table = data.get(key, {})
            merged = dict(getattr(base, key))
            for language, patterns in table.items():
                if key != "speaker_words":
                    for pattern in patterns:
                        _check_pattern(path, key, language, pattern)
                merged[language] = (
                    (*merged.get(language, ()), *patterns)
                    if extend
                    else tuple(patterns)
                )
            updates[key] = merged
        for key in ("max_scare_extra_words",):
            if key in data:
                updates[key] = int(data[key])
        if "scare_extra_words" in data:
            updates["scare_extra_words"] = {
                **(base.scare_extra_words if extend else {}),
                **{lang: int(n) for lang, n in data["scare_extra_words"].items()},
            }
        if "question_speakers" in data:
            updates["question_speakers"] = tuple(
                s.lower() for s in data["question_speakers"]
            )
        return replace(base, **updates)

    def compiled(self) -> _CompiledRules:
        def build(table: dict[str, tuple[str, ...]]) -> dict[str, PrefixSearch]:
            return {
                lang: PrefixSearch(
                    re.compile(
                        "|".join(
                            f"(?:{_number_groups(p, i)})"
                            for i, p in enumerate(patterns)
                        ),
                        re.IGNORECASE,
                    )
                )
                for lang, patterns in table.items()
                if patterns
            }

        return _CompiledRules(
            negation=build(self.negation),
            negation_after=build(self.negation_after),
            attribution=build(self.attribution),
            attribution_after=build(self.attribution_after),
            so_called=build(self.so_called),
            claims=build(self.claims),
            quote_speech=build(self.quote_speech),
            quote_intro=build(self.quote_intro),
            reported_before=build(self.reported_before),
            reported_after=build(self.reported_after),
            reported_next=build(self.reported_next),
            speaker_words={
                lang: frozenset(w.lower() for w in words)
                for lang, words in self.speaker_words.items()
            },
            rules=self,
        )


_PATTERN_TABLES = (
    "negation",
    "negation_after",
    "attribution",
    "attribution_after",
    "so_called",
    "claims",
    "quote_speech",
    "quote_intro",
    "reported_before",
    "reported_after",
    "reported_next",
)


class VoiceRulesError(FramingError):
    """A voice-rule file has a pattern that cannot be used."""


def _check_pattern(path: str | Path, table: str, language: str, pattern: Any) -> None:
    if not isinstance(pattern, str):
        raise VoiceRulesError(
            f"{path}: [{table}] {language}: {pattern!r} is not a string. "
            "Fix: write each pattern as a quoted TOML string"
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise VoiceRulesError(
            f"{path}: [{table}] {language}: pattern {pattern!r} is not a valid "
            f"regular expression ({exc}). Fix: correct the pattern (TOML "
            "basic strings need doubled backslashes, or use '...' literal strings)"
        ) from None


_GROUP_NAME = re.compile(r"\(\?P<(\w+)>")


def _number_groups(pattern: str, index: int) -> str:
    # Patterns are joined into one alternation; named groups must stay unique.
    return _GROUP_NAME.sub(lambda m: f"(?P<{m.group(1)}_{index}>", pattern)


@dataclass(frozen=True)
class _CompiledRules:
    negation: dict[str, PrefixSearch]
    negation_after: dict[str, PrefixSearch]
    attribution: dict[str, PrefixSearch]
    attribution_after: dict[str, PrefixSearch]
    so_called: dict[str, PrefixSearch]
    claims: dict[str, PrefixSearch]
    quote_speech: dict[str, PrefixSearch]
    quote_intro: dict[str, PrefixSearch]
    reported_before: dict[str, PrefixSearch]
    reported_after: dict[str, PrefixSearch]
    reported_next: dict[str, PrefixSearch]
    speaker_words: dict[str, frozenset[str]]
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
    "confident convinced"
).split() + ["points to", "pointed to", "rules out", "ruled out", "is confident"]
_EN_SUBJECT_STANCE = re.compile(
    r"^[^\w\n]*(?P<speaker>(?:[\w'’.&-]+\s+){0,5}?[\w'’.&-]+)\s+"
    rf"(?P<verb>{_word_trie(_EN_STANCE_WORDS)})\b",
    re.IGNORECASE,
)


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
        lead = _EN_SUBJECT_STANCE.match(_plain(context))
        if lead is not None and _subject_is_speaker(lead.group("speaker"), words):
            return lead.group(0).strip(" \t*_"), lead.group("speaker")
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


# --- "на Украине" / "в Украине" --------------------------------------------

#: Per-document preposition columns that :func:`preposition_counts` returns.
PREPOSITION_COLUMNS = (
    "n__preposition__na",
    "n__preposition__v",
    "has__preposition__na",
    "has__preposition__v",
)
_PREPOSITION = re.compile(
    r"(?<![\w-])(?P<prep>на|во|в|у|со|с|из|із)[^\S\n]+[*_]*"
    r"(?P<noun>украин[еуы]|україн[іуи])(?!\w)",
    re.IGNORECASE,
)


def preposition_counts(
    text: str, structure: TextStructure | None = None
) -> dict[str, int | bool]:
    """Count "на Украине"-type and "в Украине"-type phrases outside quotations.

    ``na`` counts Russian на Украине / на Украину / с Украины and Ukrainian
    на Україні / на Україну; ``v`` counts в (во) Украине / в Украину /
    из Украины and Ukrainian в (у) Україні / Україну. Occurrences inside a
    direct quotation (longer than three words) or dash dialogue are
    someone else's usage and are not counted. Russian "у Украины" (Ukraine
    has) and Ukrainian "з України" (both senses) are not counted.

    Examples
    --------
    >>> preposition_counts("Бои на Украине. Он уехал в Украину. «Мы живем в "
    ...                    "Украине давно», сказал он.")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'n__preposition__na': 1, 'n__preposition__v': 1,
     'has__preposition__na': True, 'has__preposition__v': True}
    """
    counts = {"na": 0, "v": 0}
    if "краин" in text or "країн" in text or "КРАИН" in text:
        found = list(_PREPOSITION.finditer(text))
        if found:
            structure = structure or TextStructure(
                sentences=[],
                quotes=quote_spans(text),
                turns=[],
                dialogues=dialogue_spans(text),
            )
            for match in found:
                start, end = match.span()
                quote = structure.quote_around(start, end)
                if quote is not None and len(text[quote[0] : quote[1]].split()) > 3:
                    continue
                if structure.in_dialogue(start, end):
                    continue
                kind = _preposition_kind(match.group("prep"), match.group("noun"))
                if kind is not None:
                    counts[kind] += 1
    return {
        "n__preposition__na": counts["na"],
        "n__preposition__v": counts["v"],
        "has__preposition__na": counts["na"] > 0,
        "has__preposition__v": counts["v"] > 0,
    }


def _preposition_kind(prep: str, noun: str) -> str | None:
    prep, noun = prep.lower(), noun.lower()
    ukrainian = noun.startswith("україн")
    genitive = noun[-1] in "ыи" and not (ukrainian and noun[-1] == "и")
    if ukrainian and noun.endswith("и"):
        return None  # "з України", "із України": no choice to make
    if genitive:
        return {"с": "na", "со": "na", "из": "v"}.get(prep)
    if prep == "на":
        return "na"
    if prep in ("в", "во") or (prep == "у" and ukrainian):
        return "v"
    return None


# --- scoring voices against coded spans --------------------------------------


def _guess_language(term: str) -> str:
    if re.search(r"[іїєґІЇЄҐ]", term):
        return "uk"
    return "ru" if re.search(r"[А-Яа-яЁё]", term) else "en"


def classify_spans(
    texts: Any,
    spans: Any,
    *,
    rules: VoiceRules | None = None,
) -> Any:
    """Voices of given spans (coded mentions) in given texts.

    Parameters
    ----------
    texts : mapping
        ``doc_id`` -> text.
    spans : DataFrame
        Columns ``doc_id``, ``start``, ``end`` and optionally ``language``
        (otherwise guessed from the span's script: Cyrillic with і/ї/є/ґ is
        Ukrainian, other Cyrillic Russian, the rest English).
    rules : VoiceRules, optional

    Returns
    -------
    DataFrame
        ``spans`` with ``voice_detected``, ``cue``, ``speaker``,
        ``speaker_role`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = {"a": "Война продолжится, заявил Песков."}
    >>> spans = pd.DataFrame({"doc_id": ["a"], "start": [0], "end": [5]})
    >>> classify_spans(texts, spans)[["voice_detected", "speaker"]].values.tolist()
    [['reported', 'Песков']]
    """
    import pandas as pd

    compiled = (rules or VoiceRules.default()).compiled()
    structures: dict[str, TextStructure] = {}
    rows = []
    for row in spans.itertuples(index=False):
        text = texts[row.doc_id]
        start, end = int(row.start), int(row.end)
        if row.doc_id not in structures:
            structures[row.doc_id] = analyse_structure(text, compiled.rules)
        language = getattr(row, "language", None) or _guess_language(text[start:end])
        decision = classify_voice(
            text, start, end, structures[row.doc_id], compiled, language
        )
        rows.append(
            (decision.voice, decision.cue, decision.speaker, decision.speaker_role)
        )
    result = spans.reset_index(drop=True).copy()
    detected = pd.DataFrame(
        rows, columns=["voice_detected", "cue", "speaker", "speaker_role"]
    )
    return pd.concat([result, detected], axis=1)


@dataclass
class VoiceGoldResult:
    """Voice accuracy of the rules on coded mentions.

    Attributes
    ----------
    rows : DataFrame
        The scored gold rows with ``voice_detected``, ``cue`` and ``speaker``.
    table : DataFrame
        Accuracy with a Wilson interval overall, per outlet, per coded voice
        (that is, recall per voice) and for the ``event`` referent only.
    confusion : DataFrame
        Coded voice (rows) by detected voice (columns).
    """

    rows: Any
    table: Any
    confusion: Any

    @property
    def accuracy(self) -> float:
        return float(self.table.iloc[0]["accuracy"])

    @property
    def errors(self) -> Any:
        return self.rows[self.rows["voice"] != self.rows["voice_detected"]]

    def summary(self) -> str:
        return "\n".join(
            [
                "Voice accuracy (Wilson 95% CI)",
                self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                "",
                "Coded (rows) x detected (columns)",
                self.confusion.to_string(),
            ]
        )


def gold_voice_accuracy(
    gold: Any,
    *,
    split: str | None = "dev",
    texts: Any = None,
    merge_voices: dict[str, str] | None = None,
    rules: VoiceRules | None = None,
) -> VoiceGoldResult:
    """Score the voice rules on a coded gold file at its offsets.

    Reads a gold CSV in the coders' format (``corpus, outlet, doc_id, start,
    end, term, frame, referent, voice, split``; see ``CODEBOOK.md``), keeps
    the rows of ``split`` (``None`` for all) that carry a voice, reads the
    documents from the built corpora (unless ``texts`` maps ``doc_id`` to
    text), and compares :func:`classify_voice` at the coded offsets with
    the coded voice. The lexicon is not involved, so this measures the
    voice rules alone, also on coded mentions the lexicon misses.

    ``merge_voices`` maps voices onto others before scoring, on both sides
    (e.g. ``{"reported": "own"}`` for a gold set whose coders folded
    reported speech into ``own``).

    To score held-out outlets::

        from framing.frames.voice import gold_voice_accuracy
        print(gold_voice_accuracy(
            "framing/frames/gold/war-naming-telegram.csv", split="test"
        ).summary())
    """
    import pandas as pd

    from ..evaluation import wilson_interval

    frame = (
        gold
        if isinstance(gold, pd.DataFrame)
        else pd.read_csv(gold, dtype={"doc_id": str, "item": str, "note": str})
    )
    if split is not None:
        frame = frame[frame["split"] == split]
    frame = frame[frame["voice"].isin(VOICES)].reset_index(drop=True)
    if texts is None:
        from ..datasets.build import load_corpus

        texts = {}
        if (frame["corpus"] == "seed").any():
            from ..datasets.fetch import SEED_DOC_ID, load_seed_article

            texts[SEED_DOC_ID] = load_seed_article()
        for corpus_name in sorted(set(frame["corpus"]) - {"seed"}):
            wanted = set(frame.loc[frame["corpus"] == corpus_name, "doc_id"])
            for doc_id, text in load_corpus(corpus_name).iter_texts():
                if doc_id in wanted:
                    texts[doc_id] = text
    missing = sorted(set(frame["doc_id"]) - set(texts))
    if missing:
        raise FramingError(
            f"gold rows name {len(missing)} document(s) not in the corpus, e.g. "
            f"{missing[0]!r}. Fix: rebuild the corpus the gold was coded on"
        )
    rows = classify_spans(texts, frame, rules=rules)
    if merge_voices:
        rows["voice"] = rows["voice"].replace(merge_voices)
        rows["voice_detected"] = rows["voice_detected"].replace(merge_voices)
    rows["correct"] = rows["voice"] == rows["voice_detected"]
    records = []

    def add(group: str, level: str, part: Any) -> None:
        n, k = len(part), int(part["correct"].sum())
        low, high = wilson_interval(k, n) if n else (float("nan"), float("nan"))
        records.append(
            {
                "group": group,
                "level": level,
                "n": n,
                "accuracy": k / n if n else float("nan"),
                "ci_low": low,
                "ci_high": high,
            }
        )

    add("all", "", rows)
    if "referent" in rows:
        add("referent", "event", rows[rows["referent"] == "event"])
    for column in ("outlet", "voice"):
        if column in rows:
            for level, part in rows.groupby(column, sort=True):
                add(column, str(level), part)
    confusion = pd.crosstab(rows["voice"], rows["voice_detected"])
    return VoiceGoldResult(rows, pd.DataFrame(records), confusion)
