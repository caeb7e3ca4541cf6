"""Voice rules on constructed sentences (each a case from the codebook)."""

from __future__ import annotations

import pytest

from framing.frames import LexiconDetector, VoiceRules
from framing.frames.voice import analyse_structure, quote_spans, speaker_turns


@pytest.fixture(scope="module")
def detector():
    return LexiconDetector().fit()


def voices(detector, text):
    mentions = detector.detect([("d", text)])
    return [(row.matched, row.voice) for row in mentions.itertuples(index=False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia's invasion of Ukraine continues.", [("invasion", "own")]),
        (
            '"This war must end," the President said.',
            [("war", "quoted")],
        ),
        (
            "«Это не война, а операция по защите людей», — сказал он.",
            [("война", "quoted")],
        ),
        (
            "The „special military operation“ continues, they say.",
            [("special military operation", "scare")],
        ),
        ("The so-called special operation failed.", [("special operation", "scare")]),
        (
            "Moscow calls it a special military operation.",
            [("special military operation", "attributed")],
        ),
        (
            "what the Kremlin calls its special operation",
            [("special operation", "attributed")],
        ),
        (
            "The Kremlin refers to it as a 'special military operation'.",
            [("special military operation", "attributed")],
        ),
        ("Beijing refrained from calling it an invasion.", [("invasion", "negated")]),
        ("He does not call it a war.", [("war", "negated")]),
        ("This is not a war, they insist.", [("war", "negated")]),
        ("There is no war, officials say.", [("war", "negated")]),
        (
            "No aggression, however brutal, will succeed.",
            [("aggression", "own")],
        ),
    ],
)
def test_voice_cases(detector, text, expected):
    assert voices(detector, text) == expected


def test_a_quotation_over_two_paragraphs(detector):
    text = (
        "He said: “The first paragraph of the statement goes here.\n\n"
        "“And the war is in its second paragraph.”\n\nThen the war was discussed."
    )
    assert voices(detector, text) == [("war", "quoted"), ("war", "own")]


def test_an_unclosed_quotation_stops_at_the_paragraph(detector):
    text = "He said: “Stop the war now.\n\nLater the war went on."
    assert voices(detector, text) == [("war", "quoted"), ("war", "own")]


def test_apostrophes_are_not_quotation_marks():
    text = "Russia’s war and Ukraine’s defence; the ‘special operation’."
    spans = quote_spans(text)
    assert [text[a:b] for a, b in spans] == ["‘special operation’"]


def test_speakers_in_a_transcript(detector):
    text = (
        "The President met journalists. Question: Is this a war? "
        "President of Russia Vladimir Putin: It is a special military operation."
    )
    mentions = detector.detect([("d", text)])
    assert mentions[["matched", "speaker", "speaker_role"]].values.tolist() == [
        ["war", "Question", "question"],
        ["special military operation", "Vladimir Putin", "speaker"],
    ]
    turns = speaker_turns(text)
    assert [t.speaker for t in turns] == ["Question", "Vladimir Putin"]


def test_narration_has_no_speaker(detector):
    mentions = detector.detect([("d", "The war began in February.")])
    assert mentions.loc[0, "speaker_role"] == "narrator"
    assert mentions.loc[0, "speaker"] is None


def test_sentences_are_indexed():
    structure = analyse_structure("Mr. Smith left. The U.S. envoy stayed. War came.")
    assert len(structure.sentences) == 3


def test_rules_can_be_extended_from_toml(tmp_path, detector):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        '[attribution]\nen = ["\\\\bin Moscow\'s parlance,\\\\s*$"]\n'
    )
    extended = LexiconDetector(voice_rules=rules_file).fit()
    text = "In Moscow's parlance, special operation is the word."
    assert voices(detector, text) == [("special operation", "own")]
    assert voices(extended, text) == [("special operation", "attributed")]
    assert "en" in VoiceRules.from_toml(rules_file).attribution
