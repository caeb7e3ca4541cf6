"""Voice labels and cue rules: :data:`VOICES` and :class:`VoiceRules`.

:class:`VoiceRules` holds the cue patterns per language (the built-in
English, Russian and Ukrainian ones from :meth:`VoiceRules.default`, or
patterns read from a TOML file with :meth:`VoiceRules.from_toml`, which are
checked and refused with :class:`VoiceRulesError` if unusable), and compiles
them into the prefix searches that :func:`classify_voice` applies.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...errors import FramingError
from .._prefilter import PrefixSearch
from ._vocabulary import (
    _EN_DETERMINER,
    _EN_NAMING_VERB,
    _EN_NEGATION,
    _EN_OBJECT_THEN_NAME,
    _EN_SPEAKER_WORDS,
    _EN_SPEECH_VERB,
    _RU_SPEAKER_WORDS,
    _RU_SPEECH_VERB,
    _RU_UK_ATTRIBUTING_VERB,
    _RU_UK_NAMING_VERB,
    _UK_SPEECH_VERB,
)

VOICES = ("own", "reported", "quoted", "scare", "attributed", "negated")


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
            r"\b[Ii]n\s+(?:his|her|their)\s+(?:opinion|view|words)\s*,|"
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
