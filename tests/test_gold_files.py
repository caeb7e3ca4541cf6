"""The shipped gold files point at real text and keep their held-out design."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from framing.frames.validation import GOLD_COLUMNS, read_gold

pytestmark = pytest.mark.realdata

GOLD = Path(__file__).resolve().parents[1] / "framing" / "frames" / "gold"
NEWS_GOLD = {
    "war-naming-headlines.csv": "ru-state-headlines",
    "war-naming-headlines-2.csv": "ru-state-headlines",
    "war-naming-headlines-3a.csv": "ru-state-headlines",
    "war-naming-headlines-3b.csv": "ru-state-headlines",
    "war-naming-headlines-4a.csv": "ru-state-headlines",
    "war-naming-headlines-4b.csv": "ru-state-headlines",
    "war-naming-telegram.csv": "ru-telegram-2024",
    "war-naming-telegram-2.csv": "ru-telegram-2024",
}
HEADLINE_TEST_OUTLETS = {"tass", "mod"}


def _raw(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLD / name, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("name", sorted(NEWS_GOLD))
def test_every_gold_row_points_at_its_term_in_the_stored_text(name, real_corpus):
    raw = _raw(name)
    assert list(raw.columns) == list(GOLD_COLUMNS)
    assert raw["item"].is_unique
    read_gold(GOLD / name)  # the toolkit's reader accepts it
    corpus = real_corpus(NEWS_GOLD[name])
    texts = corpus.articles(columns=["doc_id", "text"]).set_index("doc_id")["text"]
    for row in raw.itertuples(index=False):
        text = texts[row.doc_id]
        start, end = int(row.start), int(row.end)
        if row.frame == "none":
            assert row.term == "" and 0 <= start < end <= len(text), row.item
        else:
            assert text[start:end] == row.term, row.item


HEADLINE_ROUNDS = {
    1: "war-naming-headlines.csv",
    2: "war-naming-headlines-2.csv",
    3: "war-naming-headlines-3a.csv",
    4: "war-naming-headlines-4a.csv",
}


@pytest.mark.parametrize("round_", [3, 4])
def test_later_rounds_are_two_codings_of_documents_no_earlier_round_holds(round_):
    first, second = (
        _raw(f"war-naming-headlines-{round_}a.csv"),
        _raw(f"war-naming-headlines-{round_}b.csv"),
    )
    unit = ["item", "outlet", "doc_id", "start", "end", "term", "source", "split"]
    # The two coders coded the same units; only their labels may differ.
    pd.testing.assert_frame_equal(first[unit], second[unit])
    assert set(first["outlet"]) <= HEADLINE_TEST_OUTLETS
    assert set(first["split"]) == {"test"}
    earlier: set[str] = set()
    for before in range(1, round_):
        earlier |= set(_raw(HEADLINE_ROUNDS[before])["doc_id"])
    assert not set(first["doc_id"]) & earlier


PRESS_CORPORA = {
    "kremlin-zelenskyy": "kremlin-zelenskyy-2022",
    "us-gov": "us-gov-2022",
}


# Round 4 has no US sheet: rounds 2 and 3 had coded every US mention.
PRESS_ROUNDS = [
    (round_, short)
    for round_ in (2, 3, 4)
    for short in sorted(PRESS_CORPORA)
    if not (round_ == 4 and short == "us-gov")
]


@pytest.mark.parametrize(("round_", "short"), PRESS_ROUNDS)
def test_press_rounds_are_two_codings_of_unseen_documents(round_, short, real_corpus):
    """Both coders coded the units of one blind sheet, none from a document
    of an earlier press-release round; mention units sit on a lexicon term."""
    from framing.frames import LexiconDetector

    first = _raw(f"war-naming-press-{round_}a-{short}.csv")
    second = _raw(f"war-naming-press-{round_}b-{short}.csv")
    key = _raw(f"war-naming-press-{round_}-{short}.key.csv")
    unit = ["unit_id", "kind", "corpus", "outlet", "doc_id", "start", "end", "frame"]
    pd.testing.assert_frame_equal(first[unit], second[unit])
    assert first["unit_id"].tolist() == key["unit_id"].tolist()
    assert not {"left", "target", "right"} & set(first.columns)  # no source text
    earlier = set(_raw("war-naming-voice.csv")["doc_id"])
    for before in range(2, round_):
        earlier |= set(_raw(f"war-naming-press-{before}a-{short}.csv")["doc_id"])
    assert not set(first["doc_id"]) & earlier
    for coder in "ab":
        read_gold(
            GOLD / f"war-naming-press-{round_}{coder}-{short}.csv",
            key=GOLD / f"war-naming-press-{round_}-{short}.key.csv",
        )
    corpus = real_corpus(PRESS_CORPORA[short])
    texts = corpus.articles(columns=["doc_id", "text"]).set_index("doc_id")["text"]
    frames = set(LexiconDetector().fit().frames_)
    for row in first.itertuples(index=False):
        text = texts[row.doc_id]
        start, end = int(row.start), int(row.end)
        assert 0 <= start < end <= len(text), row.unit_id
        if row.kind == "mention":
            assert text[start:end].strip() and row.frame in frames, row.unit_id
