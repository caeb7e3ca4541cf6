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


def test_round_three_is_two_codings_of_documents_no_earlier_round_holds():
    first, second = (
        _raw("war-naming-headlines-3a.csv"),
        _raw("war-naming-headlines-3b.csv"),
    )
    unit = ["item", "outlet", "doc_id", "start", "end", "term", "source", "split"]
    # The two coders coded the same units; only their labels may differ.
    pd.testing.assert_frame_equal(first[unit], second[unit])
    assert set(first["outlet"]) <= HEADLINE_TEST_OUTLETS
    assert set(first["split"]) == {"test"}
    earlier = set(_raw("war-naming-headlines.csv")["doc_id"]) | set(
        _raw("war-naming-headlines-2.csv")["doc_id"]
    )
    assert not set(first["doc_id"]) & earlier
