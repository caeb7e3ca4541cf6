"""Mention validation: blind coding sheets, scores, and the shipped gold set."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.frames import LexiconDetector
from framing.frames.validation import (
    load_gold,
    read_mention_codes,
    sample_mentions,
    score_mentions,
    write_mention_sheet,
)

TEXTS = {
    "a": 'The Kremlin calls it a "special military operation". The war goes on.',
    "b": "This is not a war, they say. The invasion began in February.",
    "c": '"We will end this war," the President said. So-called denazification.',
}


@pytest.fixture(scope="module")
def mentions():
    detected = LexiconDetector().fit().detect(sorted(TEXTS.items()))
    detected["outlet"] = detected["doc_id"].map({"a": "x", "b": "y", "c": "y"})
    return detected


def test_the_coding_sheet_hides_the_detectors_voice(mentions, tmp_path):
    sample = sample_mentions(mentions, n=len(mentions), seed=1)
    path = write_mention_sheet(sample, TEXTS, tmp_path / "sheet.csv", context=30)
    sheet = pd.read_csv(path, encoding="utf-8-sig")
    assert "voice" not in sheet.columns
    assert {"code_voice", "code_refers_to_war", "left", "term", "right"} <= set(
        sheet.columns
    )
    assert sorted(sheet["mention_id"]) == sorted(mentions["mention_id"])


def test_round_trip_and_scores(mentions, tmp_path):
    sample = sample_mentions(mentions, n=len(mentions), seed=1)
    path = write_mention_sheet(sample, TEXTS, tmp_path / "sheet.csv")
    sheet = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    truth = dict(zip(mentions["mention_id"], mentions["voice"], strict=True))
    # A coder who agrees with the detector except on one mention.
    first = sheet["mention_id"].iloc[0]
    sheet["code_voice"] = [
        "own" if mid == first and truth[mid] != "own" else truth[mid]
        for mid in sheet["mention_id"]
    ]
    if truth[first] == "own":
        sheet.loc[0, "code_voice"] = "quoted"
    sheet["code_refers_to_war"] = "1"
    sheet.to_csv(path, index=False)
    codes = read_mention_codes(path, coder="A")
    coded_voice = codes.query("variable == 'voice'").set_index("unit_id")["value"]
    coded = mentions[["doc_id", "start", "frame", "mention_id"]].copy()
    coded["voice"] = coded["mention_id"].map(coded_voice)
    coded["refers_to_war"] = 1
    result = score_mentions(coded, mentions, n_boot=200)
    assert len(result.errors) == 1
    accuracy = result.voice.table.query("label == '' and metric == 'accuracy'")
    assert accuracy["estimate"].iloc[0] == pytest.approx(1 - 1 / len(mentions))
    assert "Voice" in result.summary()


def test_the_gold_set_holds_offsets_not_text():
    gold = load_gold()
    assert len(gold) >= 300
    assert set(gold["voice"]) == {"own", "quoted", "scare", "attributed", "negated"}
    assert {"text", "left", "right", "matched"}.isdisjoint(gold.columns)
    assert (gold["end"] > gold["start"]).all()
    notes = gold["note"].dropna()
    assert (notes.str.split().str.len() <= 14).all()


@pytest.mark.realdata
def test_the_detector_on_the_gold_set(real_corpus):
    from framing.frames.validation import evaluate_gold

    real_corpus("kremlin-zelenskyy-2022")
    real_corpus("us-gov-2022")
    result = evaluate_gold(split="test", n_boot=200)
    table = result.voice.table
    accuracy = table.query("label == '' and metric == 'accuracy'")["estimate"].iloc[0]
    # Documented in README ("Validation"): held-out accuracy 0.879. A drop
    # below 0.85 is a regression of the voice rules.
    assert accuracy >= 0.85
    # Coded not-the-war mentions are not scored when the detector drops them
    # or keeps them with another referent (features count only the event):
    # two unit names (Special Operations Forces, an Azov detachment) and
    # whatever else the referent layers assign to other events.
    assert result.excluded >= 2
