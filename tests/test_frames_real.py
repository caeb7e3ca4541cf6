"""The war-naming detector on the three official sources (real data)."""

from __future__ import annotations

import pytest

from framing.frames.run import detect_corpus, load_detection

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def detections(real_corpus):
    return {
        name: detect_corpus(real_corpus(name), lexicon="war-naming")
        for name in ("kremlin-zelenskyy-2022", "us-gov-2022")
    }


def test_outputs_are_stored_next_to_the_corpus_and_reload(detections, real_corpus):
    for name, detection in detections.items():
        corpus = real_corpus(name)
        assert detection.path == corpus.path / "frames" / "war-naming"
        reloaded = load_detection(corpus, "war-naming")
        assert reloaded.manifest == detection.manifest


def test_features_cover_every_article_and_add_up_to_the_mentions(detections):
    for detection in detections.values():
        mentions, features = detection.mentions, detection.features
        assert features["doc_id"].is_unique
        assert len(features) == detection.manifest["counts"]["documents"]
        count_columns = [c for c in features.columns if c.startswith("n__")]
        # Features count the mentions of the event; the others stay listed.
        events = mentions[mentions["referent"] == "event"]
        assert int(features[count_columns].to_numpy().sum()) == len(events)
        assert set(mentions["doc_id"]) <= set(features["doc_id"])


def test_every_mention_has_a_referent_cue_and_layer(detections):
    for detection in detections.values():
        mentions = detection.mentions
        assert set(mentions["referent"]) <= {"event", "other", "undecided"}
        assert set(mentions["referent_layer"]) <= {
            "other-event",
            "context",
            "unambiguous",
            "classifier",
        }
        assert mentions["referent_cue"].str.len().gt(0).all()
        by_referent = detection.manifest["counts"]["by_frame_referent"]
        assert sum(sum(v.values()) for v in by_referent.values()) == len(mentions)
        # Most mentions in these war-time press releases name the war.
        assert (mentions["referent"] == "event").mean() > 0.8


def test_the_three_voices_name_the_war_differently(detections, real_corpus):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    outlets = corpus.articles(columns=["doc_id", "outlet"])
    own = detections["kremlin-zelenskyy-2022"].mentions.query("voice == 'own'")
    own = own.merge(outlets, on="doc_id")
    table = own.groupby(["outlet", "frame"]).size().unstack(fill_value=0)
    # The Kremlin's own word is the special military operation; the Ukrainian
    # presidency's is war and invasion. (Counts, not rates: a sanity check
    # on real data, not the analysis.)
    kremlin, kyiv = table.loc["kremlin"], table.loc["president.gov.ua"]
    assert kremlin["special-military-operation"] > kyiv["special-military-operation"]
    assert kyiv["invasion"] > kremlin["invasion"]
    us_gov = detections["us-gov-2022"].mentions
    assert (
        us_gov.query("frame == 'special-military-operation'")["voice"] != "own"
    ).all()
