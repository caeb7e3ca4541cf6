"""Reported speech and the Russian/Ukrainian voice rules (issue 12).

Every sentence here is invented for the test; none is copied from a corpus.
The voice is asked for at the offsets of a marked term, so these tests check
the voice rules alone, whatever the lexicon matches.
"""

from __future__ import annotations

import pandas as pd
import pytest

from framing.frames import VOICES, LexiconDetector, VoiceRules
from framing.frames.voice import (
    PREPOSITION_COLUMNS,
    analyse_structure,
    classify_spans,
    dialogue_spans,
    gold_voice_accuracy,
    preposition_counts,
    sentence_spans,
)


def voice_of(text: str, term: str, occurrence: int = 0, language: str | None = None):
    """Voice, cue and speaker of the ``occurrence``-th ``term`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(term, start + 1)
    spans = pd.DataFrame(
        {"doc_id": ["d"], "start": [start], "end": [start + len(term)]}
    )
    if language:
        spans["language"] = language
    row = classify_spans({"d": text}, spans).iloc[0]
    return row["voice_detected"], row["cue"], row["speaker"]


# --- reported speech ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "speaker"),
    [
        (
            "Special Operation Goals Will Be Reached — Kremlin",
            "Special Operation",
            "Kremlin",
        ),
        (
            "Conflict in Europe Could Last for Years – Zakharova",
            "Conflict",
            "Zakharova",
        ),
        ("West Prolongs the Ukraine Conflict - Russian MFA", "Conflict", "Russian MFA"),
        ("War Will Not End Soon - Expert", "War", "Expert"),
        (
            "Peace Talks Could Halt the Crisis: Former Pentagon Official",
            "Crisis",
            "Former Pentagon Official",
        ),
        (
            "Peskov: the special operation continues as planned",
            "special operation",
            "Peskov",
        ),
        ("The war will end with talks, Lavrov said.", "war", "Lavrov"),
        (
            "The conflict must stop, said the Chinese envoy.",
            "conflict",
            "the Chinese envoy",
        ),
        ("Lavrov Says Special Operation Will Go On", "Special Operation", "Lavrov"),
        ("Peskov said that the war was not over.", "war", "Peskov"),
        ("According to the ministry, the invasion failed.", "invasion", "the ministry"),
    ],
)
def test_english_reported_speech(text, term, speaker):
    voice, cue, found = voice_of(text, term)
    assert voice == "reported", cue
    assert found == speaker


@pytest.mark.parametrize(
    ("text", "term"),
    [
        # A press release reporting an official: the verb of stance opens the
        # sentence and the naming comes many words later.
        (
            "The minister reaffirmed the government's support for the farmers of "
            "the region in the face of the long war.",
            "war",
        ),
        ("She also underscored that sanctions answer the aggression.", "aggression"),
        ("They conveyed their concern about the invasion of the north.", "invasion"),
        (
            "The head of the delegation is convinced that the war changed Europe.",
            "war",
        ),
        (
            "The envoy spoke briefly. In his opinion, the conflict will last.",
            "conflict",
        ),
        # Readouts of calls and meetings, in the past tense.
        (
            "The minister informed his counterpart about the resistance to the "
            "invasion of the north.",
            "invasion",
        ),
        ("In addition, the envoy spoke about the families who fled the war.", "war"),
        (
            "The leaders agreed on the need to keep the conflict from spreading.",
            "conflict",
        ),
        (
            "The chief of staff also thanked the volunteers who stayed in the war.",
            "war",
        ),
        ("Attention was drawn to the costs of the war for the region.", "war"),
        ("It was noted that the aggression has not stopped.", "aggression"),
        (
            "Noting the role of partners in stopping the aggression, the President "
            "said no decision could be taken without them.",
            "aggression",
        ),
    ],
)
def test_reported_words_of_an_official_in_running_text(text, term):
    voice, cue, _ = voice_of(text, term)
    assert voice == "reported", cue


@pytest.mark.parametrize(
    "text",
    [
        "We reaffirmed our support against the war.",
        "It is convinced that the war will end.",
        "The war goes on, and the region waits.",
        # A headline's present tense: the troops are described in the
        # outlet's words.
        "Leader thanks the troops serving in the war zone",
        "The ministers discussed the consequences of the war.",
        "Noting the cost of the war, we decided to act.",
    ],
)
def test_the_texts_own_or_first_person_words_stay_own(text):
    voice, cue, _ = voice_of(text, "war")
    assert voice == "own", cue


@pytest.mark.parametrize(
    ("text", "term", "speaker"),
    [
        (
            "Спецоперация продолжится до конца года, заявил Песков.",
            "Спецоперация",
            "Песков",
        ),
        ("Конфликт можно решить за столом, сказал министр.", "Конфликт", "министр"),
        ("Лавров: конфликт затянулся по вине Запада", "конфликт", "Лавров"),
        ("Минобороны: цели СВО будут достигнуты", "СВО", "Минобороны"),
        ("По словам Пескова, СВО идёт по плану.", "СВО", "Пескова"),
        ("Как заявил Песков, конфликт скоро закончится.", "конфликт", "Песков"),
        ("Песков заявил, что СВО будет продолжена.", "СВО", None),
        (
            "Украинский конфликт затягивается, — глава МИД Турции.",
            "конфликт",
            "глава МИД Турции",
        ),
        ("Війна триватиме довго, заявив речник.", "Війна", "речник"),
        ("За словами міністра, війна триває.", "війна", "міністра"),
    ],
)
def test_russian_and_ukrainian_reported_speech(text, term, speaker):
    voice, cue, found = voice_of(text, term)
    assert voice == "reported", cue
    if speaker is not None:
        assert found == speaker


def test_the_speaker_of_a_statement_in_the_next_sentence():
    text = "Конфликт продлится ещё год. Об этом заявил министр обороны."
    assert voice_of(text, "Конфликт")[0] == "reported"


def test_a_list_of_statements_under_a_speaker_is_reported():
    text = (
        "Главное из выступления Пескова:\n\n"
        "— Цели специальной операции остаются прежними и будут достигнуты;\n\n"
        "— Переговоры пока не начинались."
    )
    voice, _, speaker = voice_of(text, "специальной операции")
    assert voice == "reported"
    assert speaker == "Пескова"


def test_a_topic_list_is_not_a_statement():
    text = "briefing by the spokeswoman (march 3)\n\n🔹 ukrainian crisis\n🔹 visas"
    assert voice_of(text, "crisis", language="en")[0] == "own"


def test_topic_labels_are_not_speakers():
    assert voice_of("Strait of Hormuz: a war zone again", "war")[0] == "own"
    assert voice_of("Главное: конфликт продолжается", "конфликт")[0] == "own"


@pytest.mark.parametrize(
    ("text", "term", "speaker"),
    [
        (
            "Minister Sees Little Chance of Ending the Conflict Soon",
            "Conflict",
            "Minister",
        ),
        (
            "Regional leader Ivanov points to the cost of the war in Ukraine",
            "war",
            "Regional leader Ivanov",
        ),
        (
            "Smith slams allies for prolonging the Ukrainian conflict",
            "conflict",
            "Smith",
        ),
        ("Allies are tired of the Ukrainian crisis — newspaper", "crisis", "newspaper"),
        ("Support for the Ukraine conflict fades — pollster", "conflict", "pollster"),
        (
            "Governor Ivanov stated the conflict will end soon",
            "conflict",
            "Governor Ivanov",
        ),
        ("Chancellor highlights cost of the war in Ukraine", "war", "Chancellor"),
        ("Mayor confident the Ukraine conflict will end", "conflict", "Mayor"),
    ],
)
def test_a_headline_that_opens_with_its_speaker_is_reported(text, term, speaker):
    voice, _, found = voice_of(text, term)
    assert (voice, found) == ("reported", speaker)


def test_a_headline_subject_must_be_a_speaker_to_report():
    assert voice_of("Shelling sees the war return to the city", "war")[0] == "own"
    assert voice_of("the war goes on, officials gather", "war")[0] == "own"
    # The current speaker's own words, and a relative clause.
    assert voice_of("I urged them not to support this war.", "war")[0] == "own"
    assert voice_of("We’ve said the war must end.", "war")[0] == "own"
    assert voice_of("A city which saw so many wars.", "wars")[0] == "own"
    # "States" is a country here, not a verb of saying.
    text = "The United States will aid Ukraine as long as the war goes on."
    assert voice_of(text, "war")[0] == "own"


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Поставки продлят конфликт на Украине, об этом заявила Иванова.", "конфликт"),
        (
            "Переговоры по конфликту продолжатся, сообщило агентство Рейтер.",
            "конфликту",
        ),
        ("Иванов заявил, что удары [не изменят](https://t.me/x/1) ход СВО", "СВО"),
        ("Ходят слухи, что проект закрыли с началом СВО.", "СВО"),
        ("Запад устал от конфликта. Такое мнение приводится в журнале X.", "конфликта"),
    ],
)
def test_more_russian_reported_speech(text, term):
    assert voice_of(text, term)[0] == "reported"


def test_a_parenthetical_dash_is_not_a_speaker():
    text = "on this day the invaders — and their allies — burned the village"
    assert voice_of(text, "invaders", language="en")[0] == "own"


def test_a_copula_dash_is_not_a_speaker():
    assert voice_of("Главная цель СВО — защита Донбасса", "СВО")[0] == "own"


def test_an_agency_names_its_own_war():
    text = "The special military operation enters its third year"
    assert voice_of(text, "special military operation")[0] == "own"


def test_a_transcript_turn_is_the_speakers_own_voice():
    text = (
        "The meeting began. Question: Will the conflict end? "
        "Vladimir Putin: The special military operation will reach its goals."
    )
    voice, _, speaker = voice_of(text, "special military operation")
    assert voice == "own"
    assert speaker == "Vladimir Putin"


# --- precedence ---------------------------------------------------------------


def test_quoted_beats_reported():
    text = '"This war must end now, and soon," Peskov said.'
    assert voice_of(text, "war")[0] == "quoted"


def test_a_short_phrase_in_marks_within_reported_words_is_quoted():
    # The speaker's phrase, not the writer's distance from the term.
    text = "Allies fund Kiev's 'war machine' to the end — ministry"
    assert voice_of(text, "war")[0] == "quoted"
    text = "Minister says the bloc's 'war party' wants more sanctions on Ukraine"
    assert voice_of(text, "war")[0] == "quoted"
    # The bare term in marks still distances the writer.
    assert (
        voice_of("Allies back Kiev's 'war' to the end — ministry", "war")[0] == "scare"
    )


def test_negated_beats_reported():
    assert voice_of("This is not a war, Peskov said.", "war")[0] == "negated"


def test_scare_beats_reported():
    text = "The so-called special operation drags on, Reuters said."
    assert voice_of(text, "special operation")[0] == "scare"


def test_reported_is_a_voice_everywhere():
    assert "reported" in VOICES
    assert VOICES.index("reported") == 1
    detector = LexiconDetector().fit()
    features = detector.transform([("a", "The war goes on, Lavrov said.")])
    assert "n__war__reported" in features.columns
    assert "rate__war__reported" in features.columns


# --- Russian and Ukrainian rules ----------------------------------------------


def test_dash_dialogue_is_direct_speech():
    text = "Встреча прошла в Кремле.\n— Мы не хотим этой войны, — сказал Песков."
    assert voice_of(text, "войны")[0] == "quoted"
    assert dialogue_spans(text) == [(text.index("—"), text.index(", —") + 1)]


def test_a_dash_list_item_is_not_dialogue():
    text = "Итоги дня:\n— в зоне СВО идут бои;\n— погода ухудшится."
    assert dialogue_spans(text) == []


def test_the_part_after_the_authors_remark_is_also_direct_speech():
    text = "— Ничего не решено, — сказал он. — Война ещё идёт."
    assert voice_of(text, "Война")[0] == "quoted"


@pytest.mark.parametrize(
    "text",
    [
        "Депутат сказал: «Это война».",
        "«Война», — сказал депутат.",
        '"War," the deputy said.',
    ],
)
def test_a_short_quote_with_a_speech_verb_is_quoted(text):
    term = "War" if "War" in text else "война" if "война" in text else "Война"
    assert voice_of(text, term)[0] == "quoted"


def test_a_short_quote_alone_is_scare():
    assert voice_of("Началась «спецоперация» на юге.", "спецоперация")[0] == "scare"


@pytest.mark.parametrize(
    "text",
    [
        "Так называемая «СВО» продолжается.",
        "Так называемая СВО продолжается.",
        "Т.н. СВО продолжается.",
        "Т. н. СВО продолжается.",
    ],
)
def test_so_called_in_russian_is_scare_not_attributed(text):
    assert voice_of(text, "СВО")[0] == "scare"


def test_t_n_does_not_end_a_sentence():
    text = "Начало т.н. СВО. Другое предложение."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Начало т.н. СВО.",
        "Другое предложение.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Он жил на ул. Ленина, т.е. в центре.",
        "Это было в 2022 г. Затем всё изменилось.",
        "Школа им. Пушкина и т.д. Всё закрыто.",
    ],
)
def test_russian_abbreviations_do_not_end_sentences(text):
    ends = [text[b - 1] for _, b in sentence_spans(text)]
    assert len(ends) <= 2
    assert not any(
        text[a:b].endswith(("ул.", "т.е.", "г.", "им."))
        for a, b in sentence_spans(text)
    )


def test_english_abbreviations_do_not_end_sentences():
    text = "Gen. Smith and Sen. Jones met. The war was discussed."
    assert len(sentence_spans(text)) == 2


def test_negation_after_the_verb():
    text = "Войну здесь войной не называют."
    assert voice_of(text, "войной")[0] == "negated"
    assert voice_of(text, "Войну")[0] == "own"


def test_a_modal_negation_after_the_name():
    assert voice_of("Назвать это войной нельзя.", "войной")[0] == "negated"


def test_the_object_of_a_naming_verb_is_the_outlets_own_word():
    text = "Идёт СВО (так российские власти называют войну в Украине)."
    assert voice_of(text, "войну")[0] == "own"
    assert voice_of(text, "СВО")[0] == "attributed"


def test_the_name_in_the_instrumental_is_attributed():
    assert (
        voice_of(
            "В Кремле это называют специальной операцией.", "специальной операцией"
        )[0]
        == "attributed"
    )


def test_an_english_name_followed_by_as_they_call_it():
    text = "The special operation (as Moscow calls it) went on."
    assert voice_of(text, "special operation")[0] == "attributed"


def test_russian_sentence_case_titles_are_own():
    assert voice_of("Вышла новая часть «Звёздных войн» в кино.", "войн")[0] == "own"


def test_telegram_markup_is_ignored():
    text = "**Конфликт затянулся надолго**, — заявил **Песков**."
    assert voice_of(text, "Конфликт")[0] == "reported"


# --- на Украине / в Украине -----------------------------------------------------


def test_preposition_counts():
    text = (
        "Бои на Украине идут. Гуманитарная помощь в Украину пришла. Беженцы "
        "из Украины и с Украины. У Украины нет флота. «Мы живём в Украине "
        "уже давно», — сказал он."
    )
    counts = preposition_counts(text)
    assert counts == {
        "n__preposition__na": 2,
        "n__preposition__v": 2,
        "has__preposition__na": True,
        "has__preposition__v": True,
    }
    assert set(counts) == set(PREPOSITION_COLUMNS)


def test_ukrainian_prepositions():
    counts = preposition_counts("Війна в Україні. Вибори у Україні. Діти з України.")
    assert counts["n__preposition__v"] == 2
    assert counts["n__preposition__na"] == 0


def test_no_ukraine_no_counts():
    assert preposition_counts("The war goes on.")["n__preposition__na"] == 0


# --- scoring at coded offsets ---------------------------------------------------


def test_gold_voice_accuracy_with_merged_voices():
    texts = {"a": "Конфликт продолжится, заявил Песков.", "b": "Идёт война."}
    gold = pd.DataFrame(
        {
            "corpus": "x",
            "outlet": ["o1", "o2"],
            "doc_id": ["a", "b"],
            "start": [0, 5],
            "end": [8, 10],
            "referent": "event",
            "voice": ["own", "own"],
            "split": "dev",
        }
    )
    plain = gold_voice_accuracy(gold, texts=texts)
    assert plain.accuracy == pytest.approx(0.5)
    merged = gold_voice_accuracy(gold, texts=texts, merge_voices={"reported": "own"})
    assert merged.accuracy == 1.0
    assert "Voice accuracy" in merged.summary()
    assert len(plain.errors) == 1


def test_speaker_words_can_be_extended(tmp_path):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text('[speaker_words]\nen = ["oracle"]\n', encoding="utf-8")
    rules = VoiceRules.from_toml(rules_file)
    text = "Peace Will Not End the War: Oracle"
    spans = pd.DataFrame(
        {"doc_id": ["d"], "start": [text.index("War")], "end": [text.index("War") + 3]}
    )
    assert classify_spans({"d": text}, spans, rules=rules)["voice_detected"][0] == (
        "reported"
    )
    assert classify_spans({"d": text}, spans)["voice_detected"][0] == "own"


def test_a_bad_rule_pattern_is_a_clear_error(tmp_path):
    from framing.frames.voice import VoiceRulesError

    rules_file = tmp_path / "rules.toml"
    rules_file.write_text("[reported_after]\nen = ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(VoiceRulesError, match="reported_after"):
        VoiceRules.from_toml(rules_file)


def test_structure_records_labels_only_outside_transcripts():
    single = analyse_structure("Peskov: the war goes on")
    assert [label.speaker for label in single.labels] == ["Peskov"]
    transcript = analyse_structure(
        "Talks began. Vladimir Putin: Hello. Question: Is it a war? Putin: No."
    )
    assert transcript.labels == []


def test_low_high_quotes_nested_in_guillemets():
    text = "Он написал: «Депутат назвал это „настоящей войной“ вчера вечером»."
    assert voice_of(text, "войной")[0] == "quoted"
    assert voice_of("Началась „спецоперация“ на юге.", "спецоперация")[0] == "scare"


def test_press_release_gold_folds_reported_into_own():
    import inspect

    from framing.frames.validation import evaluate_gold

    assert "merge_voices" in inspect.signature(evaluate_gold).parameters
