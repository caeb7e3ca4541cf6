"""Cue vocabularies: the private word lists and pattern fragments of the voice rules.

Naming, negation and speech verbs per language (English, Russian,
Ukrainian), the verbs of an author's remark in dash dialogue, the words and
names that make a short phrase a speaker, the shape of a Russian or
Ukrainian surname, and words that are never speakers. :class:`VoiceRules`
builds its default cues from them, and the text-structure and
voice-classification code use them to recognise speakers. They are not
part of the public API: extend the cues through :class:`VoiceRules`
(for example :meth:`VoiceRules.from_toml`).
"""

from __future__ import annotations

import re
from typing import Any

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
    "recall recalls recalled reiterate reiterates reiterated slams slammed note"
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
    "leaders",
    "author",
    "authors",
    "participants",
    "parties",
    "sides",
    "interlocutor",
    "interlocutors",
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
