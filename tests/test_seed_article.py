"""The project's model case: the Reuters article the toolkit started from.

In its own voice the article writes "full-scale invasion" and "the
invasion"; it reports that China refrains from "calling it an invasion"; and
it reports the Kremlin's "special military operation". Every war-naming
mention is asserted here. The article is read from the mirror and never
copied into the project.
"""

from __future__ import annotations

import os

import pytest

from framing.datasets.fetch import load_seed_article
from framing.errors import DataUnavailableError
from framing.frames import LexiconDetector


@pytest.fixture(scope="module")
def seed_text() -> str:
    try:
        return load_seed_article()
    except DataUnavailableError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def test_every_war_naming_mention_has_the_right_voice(seed_text):
    mentions = LexiconDetector(lexicon="war-naming").fit().detect([("seed", seed_text)])
    mentions = mentions[mentions["referent"] == "event"]
    observed = [
        (row.matched, row.frame, row.voice) for row in mentions.itertuples(index=False)
    ]
    assert observed == [
        ("full-scale invasion", "invasion", "own"),
        ("conflicts", "conflict", "own"),
        ("invasion", "invasion", "own"),
        ("invasion", "invasion", "own"),
        ("invasion", "invasion", "negated"),
        ("war", "war", "own"),
        ("special military operation", "special-military-operation", "attributed"),
    ]


def test_world_war_two_is_not_this_war(seed_text):
    mentions = LexiconDetector().fit().detect([("seed", seed_text)])
    start = seed_text.index("World War Two")
    inside = mentions[(mentions.start >= start) & (mentions.start < start + 13)]
    # Kept for audit, marked as another event, and not counted.
    assert inside["referent"].tolist() == ["other"]
    assert inside["referent_layer"].tolist() == ["other-event"]
    assert inside["referent_cue"].tolist() == ["exclude: world war two"]


def test_every_mention_of_the_war_is_decided_event(seed_text):
    mentions = LexiconDetector().fit().detect([("seed", seed_text)])
    assert (mentions["referent"] != "undecided").all()
    assert (mentions["referent"] == "event").sum() == 7


def test_a_plain_count_would_conflate_the_voices(seed_text):
    # What the toolkit exists to avoid: a substring count treats all three alike.
    assert seed_text.lower().count("invasion") == 4
    features = LexiconDetector().fit().transform([("seed", seed_text)])
    assert features.loc[0, "n__invasion__own"] == 3
    assert features.loc[0, "n__invasion__negated"] == 1
    assert features.loc[0, "n__special_military_operation__attributed"] == 1
    assert features.loc[0, "dominant_own"] == "invasion"
