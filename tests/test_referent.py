"""Which event a mention names: the referent layers, the guard, the classifier.

Every example sentence here is invented for the test; none is copied from a
corpus.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from sklearn.base import clone

from framing.frames import LexiconDetector
from framing.frames.lexicon import LexiconError, load_lexicon
from framing.frames.referent import (
    MentionReferentClassifier,
    load_referent_model,
    mention_contexts,
    save_referent_model,
    score_referents,
)


@pytest.fixture(scope="module")
def detector():
    return LexiconDetector().fit()


def decide(detector, text, term, nth=0):
    """(referent, layer, cue) of the nth mention whose matched text is ``term``."""
    mentions = detector.detect([("d", text)])
    rows = mentions[mentions["matched"].str.lower() == term.lower()]
    assert len(rows) > nth, (text, mentions[["matched", "referent"]].values.tolist())
    row = rows.iloc[nth]
    return row["referent"], row["referent_layer"], row["referent_cue"]


# Other events by kind ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Beijing and Washington escalate their trade war again.", "war"),
        ("The tariff war hurts farmers on both sides.", "war"),
        ("The war on terror began in 2001.", "war"),
        ("A new Star Wars series premieres on Friday.", "wars"),
        ("The Secretary of War met the generals on Monday.", "war"),
        ("Congress debates the War Powers Resolution again.", "war"),
        ("Police investigate a home invasion in the suburbs.", "invasion"),
        ("The minister denied any conflict of interest.", "conflict"),
        (
            "Officers end a special operation by the FSB in Dagestan.",
            "special operation",
        ),
        ("Ukraine's Special Operations Forces claimed the raid.", "special operations"),
        ("Kiev's invasion of Kursk region failed, the ministry said.", "invasion"),
        ("The Kursk invasion surprised Moscow in August.", "invasion"),
        ("Europe must prepare for war with Russia by 2030, he said.", "war"),
        ("Analysts fear a nuclear war between the powers.", "war"),
        ("Historians recall the Korean War armistice.", "war"),
        ("Voters worry about a direct conflict with NATO.", "conflict"),
        ("Moscow accuses Washington of an info war over Kiev talks", "war"),
        ("Bloc's plan for Ukraine would start war with Russia, he warns", "war"),
        ("Joining the bloc would lead to war with Russia — Ukrainian MP", "war"),
        ("We are not at war with the West over Ukraine, minister says", "war"),
        ("New Budapest-Kiev conflict over a Ukrainian pipeline", "conflict"),
    ],
)
def test_english_other_events_by_kind(detector, text, term):
    referent, layer, cue = decide(detector, text, term)
    assert (referent, layer) == ("other", "other-event"), cue
    assert cue


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Правительство обсуждает последствия торговой войны с США.", "войны"),
        ("Эксперт предупредил о риске ядерной войны в Европе.", "войны"),
        ("На трассе произошёл дорожный конфликт между водителями.", "конфликт"),
        ("Мужчина признался, что после конфликта с женой уехал из дома.", "конфликта"),
        ("Сотрудники ФСБ провели спецоперацию в Махачкале.", "спецоперацию"),
        ("В Дагестане завершилась спецоперация ФСБ против боевиков.", "спецоперация"),
        ("Вторжение ВСУ в Курскую область началось летом.", "вторжение"),
        ("Театр поставил «Войну и мир» в новой редакции.", "войну"),
        ("Бытовой конфликт соседей закончился вызовом полиции.", "конфликт"),
    ],
)
def test_russian_other_events_by_kind(detector, text, term):
    referent, layer, cue = decide(detector, text, term)
    assert (referent, layer) == ("other", "other-event"), cue


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Торгова війна між державами загострилася.", "війна"),
        ("Сімейний конфлікт закінчився в суді.", "конфлікт"),
        ("Поліція та СБУ провели спецоперацію у місті.", "спецоперацію"),
    ],
)
def test_ukrainian_other_events_by_kind(detector, text, term):
    referent, layer, _ = decide(detector, text, term)
    assert (referent, layer) == ("other", "other-event")


# Other events by place, and the event context ---------------------------------


@pytest.mark.parametrize(
    ("text", "term", "language"),
    [
        ("The war in Gaza enters its second year.", "war", "en"),
        ("Oil prices jump as the Iran war escalates.", "war", "en"),
        ("Новости о войне в секторе Газа обсуждают в ООН.", "войне", "ru"),
        ("Израиль готовится к войне с Хезболлой.", "войне", "ru"),
        ("Війна в Газі триває вже рік.", "війна", "uk"),
    ],
)
def test_other_theatres_near_the_mention(detector, text, term, language):
    mentions = detector.detect([("d", text)])
    row = mentions[mentions["matched"].str.lower() == term.lower()].iloc[0]
    assert row["language"] == language
    assert row["referent"] == "other"


def test_the_nearer_cue_wins_within_a_sentence(detector):
    text = "Moscow's war in Ukraine drags on while the conflict in Gaza widens."
    mentions = detector.detect([("d", text)])
    assert mentions["referent"].tolist() == ["event", "other"]


@pytest.mark.parametrize(
    ("text", "term", "scope"),
    [
        (
            "Officials met on Monday.\nKyiv braces for winter. The war cut power.",
            "war",
            "document",
        ),
        ("War in Donbas: shelling resumes near the front.", "war", "sentence"),
        ("Война в Донбассе продолжается.", "война", "sentence"),
        ("Війна Росії проти України триває.", "війна", "sentence"),
    ],
)
def test_event_context_in_sentence_headline_or_document(detector, text, term, scope):
    referent, layer, cue = decide(detector, text, term)
    assert (referent, layer) == ("event", "context")
    assert cue.startswith(f"{scope}:")


def test_headline_scope_is_the_title_or_first_line(detector):
    text = "Ukraine update\n\nThe war has entered a new phase, officials said."
    referent, layer, cue = decide(detector, text, "war")
    assert (referent, layer, cue) == ("event", "context", "headline: Ukraine")
    mentions = detector.mentions_in("d", "The war has entered a new phase.", "Kyiv")
    assert mentions[0]["referent_cue"] == "headline: Kyiv"


def test_abbreviations_are_event_cues_in_lower_case_headlines(detector):
    # Some agencies publish their headline index in lower case.
    text = "afu prisoner of war tells about shortages at the front"
    assert decide(detector, text, "war")[:2] == ("event", "context")


def test_no_context_anywhere_is_undecided_and_not_counted(detector):
    text = "The war has entered a new phase, officials said."
    referent, layer, cue = decide(detector, text, "war")
    assert (referent, layer, cue) == ("undecided", "context", "none")
    features = detector.transform([("d", text)])
    assert features.loc[0, "n__war__own"] == 0


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("The special military operation continues.", "special military operation"),
        ("Сегодня участник СВО вернулся домой.", "СВО"),
        ("в зоне сво продолжаются бои", "сво"),
        ("СВОшники получат новые льготы.", "СВОшники"),
        ("Russia's full-scale invasion began in 2022.", "full-scale invasion"),
        ("Officials say the denazification goal remains.", "denazification"),
    ],
)
def test_unambiguous_terms_name_the_event(detector, text, term):
    referent, layer, _ = decide(detector, text, term)
    assert (referent, layer) == ("event", "unambiguous")


def test_sv_o_never_matches_ordinary_words(detector):
    text = "Свой дом, своя семья и свобода слова важны для всех."
    assert detector.detect([("d", text)]).empty


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Putin: the special op will go on.", "special op"),
        ("The special military op is a year old.", "special military op"),
        ("Shelling in the SMO zone, ministry says.", "SMO"),
        ("Costs of the Ukraine operation rise.", "Ukraine operation"),
        ("Support for the operation in Ukraine is polled.", "operation in Ukraine"),
    ],
)
def test_english_shorthand_names_the_special_military_operation(
    detector, text, matched
):
    mentions = detector.detect([("d", text)])
    row = mentions[mentions["matched"] == matched].iloc[0]
    assert row["frame"] == "special-military-operation"
    assert row["referent"] == "event"


def test_special_ops_plural_is_not_the_shorthand(detector):
    assert detector.detect([("d", "US special ops trained in the desert.")]).empty


def test_sentence_case_titles_are_other(detector):
    referent, layer, cue = decide(
        detector, "Звёздные войны вернутся в кино в мае.", "войны"
    )
    assert (referent, layer) == ("other", "other-event")
    assert cue.startswith("titles-and-games")


# Features and the mentions table ---------------------------------------------


def test_mentions_keep_other_events_with_cue_and_layer_and_features_skip_them():
    text = "The trade war with China goes on. The war in Ukraine goes on."
    detector = LexiconDetector().fit()
    mentions = detector.detect([("d", text)])
    assert mentions["referent"].tolist() == ["other", "event"]
    assert mentions["referent_layer"].tolist() == ["other-event", "context"]
    assert mentions.loc[0, "referent_cue"] == "exclude: trade war"
    assert detector.transform([("d", text)]).loc[0, "n__war__own"] == 1
    both = LexiconDetector(referents=("event", "other")).fit()
    assert both.transform([("d", text)]).loc[0, "n__war__own"] == 2
    assert both.get_params()["referents"] == ("event", "other")


def test_exclusions_are_kept_as_other(detector):
    mentions = detector.detect([("d", "The Cold War ended in 1991.")])
    assert mentions[["matched", "referent", "referent_cue"]].values.tolist() == [
        ["War", "other", "exclude: cold war"]
    ]


def test_a_lexicon_without_referent_section_marks_matches_event(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(
        'name = "mini"\ndescription = "d"\n[[frames]]\nname = "war"\n'
        'terms.en = ["war"]\n[exclude]\nen = ["cold war"]\n',
        encoding="utf-8",
    )
    mentions = (
        LexiconDetector(lexicon=path).fit().detect([("d", "A war. The cold war.")])
    )
    assert mentions["referent"].tolist() == ["event", "other"]
    assert mentions["referent_layer"].tolist() == ["unambiguous", "other-event"]


def test_unknown_referents_setting_is_refused():
    with pytest.raises(ValueError, match="referents"):
        LexiconDetector(referents=("events",)).fit()


# The regex guard ---------------------------------------------------------------

LEXICON = """
name = "mini"
description = "A small test lexicon."
languages = ["en"]

[[frames]]
name = "war"
terms.en = ["war"]
{frame_extra}

[referent]
ambiguous = ["war"]
context.en = [{context}]

[[referent.other]]
name = "gaza"
en = [{other}]
"""


def write(tmp_path, frame_extra="", context="'Ukrain'", other="'Gaza'"):
    path = tmp_path / "lexicon.toml"
    path.write_text(
        LEXICON.format(frame_extra=frame_extra, context=context, other=other),
        encoding="utf-8",
    )
    return path


CATASTROPHIC = [r"(a+)+$", r"(a*)*b", r"(a|a)*c", r"(\w+\s?)+$", r"(x+x+)+y"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_frame_patterns_are_refused_quickly(tmp_path, pattern):
    path = write(tmp_path, frame_extra=f"patterns.en = ['{pattern}']")
    started = time.perf_counter()
    with pytest.raises(LexiconError) as error:
        load_lexicon(path)
    assert time.perf_counter() - started < 1.0
    message = str(error.value)
    assert str(path) in message
    assert "frame 'war'" in message
    assert repr(pattern) in message
    assert "backtrack catastrophically" in message


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_referent_patterns_are_refused_quickly(tmp_path, pattern):
    for kwargs, where in (
        ({"context": f"'{pattern}'"}, "[referent] context.en"),
        ({"other": f"'{pattern}'"}, "[[referent.other]] 'gaza'"),
    ):
        started = time.perf_counter()
        with pytest.raises(LexiconError) as error:
            load_lexicon(write(tmp_path, **kwargs))
        assert time.perf_counter() - started < 1.0
        assert where in str(error.value)
        assert repr(pattern) in str(error.value)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(war", "not a valid regular expression"),
        ("w" * 1200, "characters long"),
    ],
)
def test_invalid_and_overlong_patterns_are_refused(tmp_path, pattern, problem):
    with pytest.raises(LexiconError, match=problem):
        load_lexicon(write(tmp_path, other=f"'{pattern}'"))


def test_safe_patterns_with_bounded_repeats_load(tmp_path):
    safe = r"'\bwar\s+(?:\w+\s+){0,3}in\s+Gaza'"
    lexicon = load_lexicon(write(tmp_path, other=safe))
    assert lexicon.referent is not None
    assert lexicon.referent.other[0].name == "gaza"


def test_referent_section_errors_name_the_setting(tmp_path):
    path = write(tmp_path).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(path.replace('ambiguous = ["war"]', 'ambiguous = ["peace"]'))
    with pytest.raises(LexiconError, match="ambiguous"):
        load_lexicon(bad)
    bad.write_text(path.replace('ambiguous = ["war"]', "window = 0"))
    with pytest.raises(LexiconError, match="window"):
        load_lexicon(bad)


# The classifier layer -----------------------------------------------------------

TRAIN = pd.DataFrame(
    {
        "context": [
            "the [[war]] against Ukraine goes on",
            "soldiers return from the [[war]] zone near Donetsk",
            "the [[war]] of nerves in the office",
            "a [[war]] of prices between supermarkets",
            "shelling as the [[war]] reaches Kharkiv",
            "supermarkets wage a price [[war]] again",
        ],
        "frame": ["war"] * 6,
    }
)
LABELS = ["event", "event", "other", "other", "event", "other"]


def test_classifier_follows_the_estimator_contract():
    clf = MentionReferentClassifier(C=2.0)
    assert clone(clf).get_params() == clf.get_params()
    before = set(vars(clf))
    assert clf.fit(TRAIN, LABELS) is clf
    learned = set(vars(clf)) - before
    assert learned and all(name.endswith("_") for name in learned)
    assert sorted(clf.classes_) == ["event", "other"]
    predicted = clf.predict(TRAIN)
    assert list(predicted) == LABELS
    assert clf.predict_proba(TRAIN).shape == (6, 2)


def test_classifier_needs_two_referents_and_a_context_column():
    with pytest.raises(ValueError, match="two"):
        MentionReferentClassifier().fit(TRAIN, ["event"] * 6)
    with pytest.raises(ValueError, match="context"):
        MentionReferentClassifier().fit(TRAIN[["frame"]], LABELS)


def test_detector_uses_the_classifier_for_undecided_mentions(tmp_path):
    clf = MentionReferentClassifier().fit(TRAIN, LABELS)
    text = "Supermarkets wage a war of prices. The war reaches the zone."
    rules_only = LexiconDetector().fit().detect([("d", text)])
    assert rules_only["referent"].tolist() == ["undecided", "undecided"]
    with_model = LexiconDetector(referent_model=clf).fit().detect([("d", text)])
    assert (with_model["referent_layer"] == "classifier").all()
    assert with_model["referent"].tolist() == ["other", "event"]
    assert with_model["referent_cue"].str.startswith("p=").all()
    path = save_referent_model(clf, tmp_path / "referent.skops")
    assert isinstance(load_referent_model(path), MentionReferentClassifier)
    from_path = LexiconDetector(referent_model=path).fit().detect([("d", text)])
    assert from_path["referent"].tolist() == with_model["referent"].tolist()


def test_an_unfitted_classifier_is_refused():
    with pytest.raises(ValueError, match="not fitted"):
        LexiconDetector(referent_model=MentionReferentClassifier()).fit()


def test_mention_contexts_mark_the_term_within_its_sentence():
    text = "First sentence here. The war goes on and on. Next one."
    start = text.index("war")
    mentions = pd.DataFrame({"doc_id": ["a"], "start": [start], "end": [start + 3]})
    assert mention_contexts(mentions, {"a": text}, window=2).tolist() == [
        "The [[war]] goes on"
    ]


def test_score_referents_counts_misses_and_false_alarms():
    gold = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "c"],
            "start": [0, 10, 0, 0],
            "end": [3, 13, 3, 20],
            "frame": ["war", "war", "war", "none"],
            "referent": ["event", "other", "event", "none"],
        }
    )
    detected = pd.DataFrame(
        {
            "doc_id": ["a", "a", "c"],
            "start": [0, 10, 5],
            "end": [3, 13, 8],
            "frame": ["war", "war", "war"],
            "referent": ["event", "other", "event"],
        }
    )
    table = score_referents(gold, detected).set_index("frame")
    # a:0 is a hit, b:0 a miss, the mention in the no-mention row c a false alarm.
    assert table.loc[
        "war", ["true_positive", "gold_event", "detected_event"]
    ].tolist() == [
        1,
        2,
        2,
    ]


def test_a_historical_year_next_to_the_mention_is_another_war(detector):
    referent, layer, cue = decide(
        detector, "In 1939 the conflict spread across Europe.", "conflict"
    )
    assert (referent, layer) == ("other", "other-event")
    assert cue == "historical-date: 1939"


def test_sentence_scope_rules_do_not_count_in_the_document(detector):
    # A year far from the mention says nothing about the document's topic.
    text = "Founded in 1991, the agency reports. The conflict goes on."
    referent, _, cue = decide(detector, text, "conflict")
    assert (referent, cue) == ("undecided", "none")


def test_everyday_rows_in_russian_crime_news(detector):
    text = "Между соседями произошёл конфликт, один ударил другого ножом."
    referent, layer, _ = decide(detector, text, "конфликт")
    assert (referent, layer) == ("other", "other-event")


def test_rule_scope_must_be_sentence_or_document(tmp_path):
    path = write(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        'name = "gaza"', 'name = "gaza"\ncontext = true\nscope = "paragraph"'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match="scope"):
        load_lexicon(path)
