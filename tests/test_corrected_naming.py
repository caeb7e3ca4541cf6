"""Naming shares corrected for measured detection error (Rogan-Gladen).

Checked against hand computations (tolerance 1e-12) and on seeded
synthetic data whose true shares are known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing.frames.validation import validate_mentions
from framing.stats.prevalence import corrected_naming_shares, rogan_gladen

TOL = 1e-12


def feature_table(counts: dict[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    """Documents per (source, period) with ``k`` of ``n`` naming the war."""
    parts = []
    for (source, period), (k, n) in counts.items():
        parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "period": period,
                    "has__war__own": [True] * k + [False] * (n - k),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def se_sp(se: float, sp: float, n: int = 400) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "frame": ["war"],
            "sensitivity": [se],
            "n_sensitivity": [n],
            "specificity": [sp],
            "n_specificity": [n],
        }
    )


def test_rogan_gladen_matches_the_hand_computation():
    data = feature_table({("a", "before"): (31, 100), ("a", "after"): (62, 200)})
    data = pd.concat(
        [data, feature_table({("b", "after"): (9, 120)})], ignore_index=True
    )
    result = corrected_naming_shares(data, se_sp(0.85, 0.95), frames=["war"], n_boot=0)
    table = result.table.set_index(["group", "period"])
    # p = (q + sp - 1) / (se + sp - 1), by hand:
    assert table.loc[("a", "before"), "estimate"] == pytest.approx(
        (0.31 + 0.95 - 1) / (0.85 + 0.95 - 1), abs=TOL
    )
    assert table.loc[("a", "after"), "estimate"] == pytest.approx(
        (62 / 200 - 0.05) / 0.8, abs=TOL
    )
    # A share near the false-positive rate (1 - sp = 0.05) shrinks towards 0.
    assert table.loc[("b", "after"), "estimate"] == pytest.approx(
        (9 / 120 - 0.05) / 0.8, abs=TOL
    )
    assert table.loc[("a", "before"), "naive"] == pytest.approx(0.31, abs=TOL)
    assert float(rogan_gladen(0.02, 0.85, 0.95)) == 0.0  # clipped at 0
    assert float(rogan_gladen(0.99, 0.85, 0.95)) == 1.0  # clipped at 1


def test_precision_and_recall_give_the_documented_sensitivity_and_specificity():
    # N = 400 documents, D = 100 detected; precision 0.8, recall 0.9.
    data = feature_table({("a", "after"): (60, 250), ("b", "after"): (40, 150)})
    rates = pd.DataFrame(
        {
            "frame": ["war"],
            "precision": [0.8],
            "n_precision": [100],
            "recall": [0.9],
            "n_recall": [100],
        }
    )
    result = corrected_naming_shares(data, rates, frames=["war"], n_boot=0)
    table = result.table.set_index("group")
    positives = 100 * 0.8 / 0.9
    sp = 1 - 100 * 0.2 / (400 - positives)
    assert table.loc["a", "sensitivity"] == pytest.approx(0.9, abs=TOL)
    assert table.loc["a", "specificity"] == pytest.approx(sp, abs=TOL)
    assert table.loc["a", "estimate"] == pytest.approx(
        (60 / 250 + sp - 1) / (0.9 + sp - 1), abs=TOL
    )
    # Over the whole corpus the correction is q * precision / recall.
    pooled = corrected_naming_shares(
        data.assign(source="all"), rates, frames=["war"], n_boot=0
    ).table
    assert pooled["estimate"].iloc[0] == pytest.approx(0.25 * 0.8 / 0.9, abs=TOL)


def test_a_detector_no_better_than_chance_is_not_identifiable():
    data = feature_table({("a", "after"): (30, 100)})
    result = corrected_naming_shares(data, se_sp(0.5, 0.4), frames=["war"], n_boot=50)
    row = result.table.iloc[0]
    assert np.isnan(row["estimate"]) and not row["identifiable"]
    assert any("not identifiable" in note for note in result.notes)
    few = corrected_naming_shares(data, se_sp(0.9, 0.9, n=12), frames=["war"], n_boot=0)
    assert any("fewer than 30 gold items" in note for note in few.notes)
    # Too little gold is a note, never a number, unless the user lowers the bar.
    assert np.isnan(few.table.iloc[0]["estimate"])
    lowered = corrected_naming_shares(
        data, se_sp(0.9, 0.9, n=12), frames=["war"], n_boot=0, min_gold=10
    )
    assert lowered.table.iloc[0]["estimate"] == pytest.approx(
        (0.3 + 0.9 - 1) / (0.9 + 0.9 - 1), abs=TOL
    )


def test_a_correction_outside_zero_one_is_truncated_with_a_note():
    data = feature_table({("a", "after"): (2, 100), ("b", "after"): (30, 100)})
    result = corrected_naming_shares(data, se_sp(0.5, 0.95), frames=["war"], n_boot=0)
    table = result.table.set_index("group")
    # (0.02 + 0.95 - 1) / 0.45 < 0: truncated to 0.
    assert table.loc["a", "estimate"] == 0.0
    assert any("truncated in 1 group(s) (a / after)" in note for note in result.notes)


def test_simulation_recovers_the_true_shares_and_intervals_cover_them():
    rng = np.random.default_rng(20240301)
    se, sp = 0.8, 0.9
    truth = {("a", "before"): 0.15, ("a", "after"): 0.45, ("b", "after"): 0.3}
    parts = []
    for (source, period), p in truth.items():
        present = rng.random(3000) < p
        detected = np.where(present, rng.random(3000) < se, rng.random(3000) > sp)
        parts.append(
            pd.DataFrame(
                {"source": source, "period": period, "has__war__own": detected}
            )
        )
    data = pd.concat(parts, ignore_index=True)
    # Gold: 300 true positives and 300 true negatives, coded against the detector.
    se_hat = (rng.random(300) < se).mean()
    sp_hat = (rng.random(300) > 1 - sp).mean()
    result = corrected_naming_shares(
        data, se_sp(se_hat, sp_hat, n=300), frames=["war"], n_boot=1000, seed=1
    )
    table = result.table.set_index(["group", "period"])
    for key, p in truth.items():
        row = table.loc[key]
        assert abs(row["estimate"] - p) < 0.05
        assert row["ci_low"] < p < row["ci_high"]
        # The naive share is biased towards 0.5 by the errors.
        assert abs(row["naive"] - p) > abs(row["estimate"] - p) - 0.01
    # Intervals include the error-rate uncertainty: wider than binomial alone.
    row = table.loc[("a", "after")]
    binomial_half = 1.96 * np.sqrt(0.45 * 0.55 / 3000) / (se + sp - 1)
    assert (row["ci_high"] - row["ci_low"]) / 2 > binomial_half


def test_validation_rates_feed_the_correction():
    detected = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(40)],
            "start": 0,
            "end": 3,
            "frame": "war",
            "voice": "own",
            "referent": "event",
        }
    )
    gold = pd.DataFrame(
        {
            "item": [f"g{i}" for i in range(40)],
            "corpus": "",
            "outlet": "x",
            "doc_id": [f"d{i}" for i in range(40)],
            "start": 0,
            "end": 3,
            "frame": "war",
            "referent": ["event"] * 36 + ["other"] * 4,
            "voice": "own",
            "source": "candidate",
            "split": "",
            "weight": 1.0,
        }
    )
    rates = validate_mentions(detected, gold, n_boot=0).detection_rates(voice="own")
    row = rates.set_index("frame").loc["war"]
    assert row["precision"] == pytest.approx(0.9) and row["recall"] == 1.0
    assert row["n_precision"] == pytest.approx(40)
    data = feature_table({("a", "after"): (50, 500)})
    result = corrected_naming_shares(data, rates, frames=["war"], n_boot=200)
    assert result.table["estimate"].iloc[0] == pytest.approx(0.1 * 0.9, abs=TOL)


def test_a_perfect_score_on_little_gold_still_widens_the_interval():
    data = feature_table({("a", "after"): (300, 1000)})
    widths = {}
    for how in ("jeffreys", "binomial"):
        table = corrected_naming_shares(
            data, se_sp(1.0, 1.0, n=30), frames=["war"], n_boot=2000, rate_draws=how
        ).table
        widths[how] = float(table["ci_high"].iloc[0] - table["ci_low"].iloc[0])
    # Binomial redraws of a rate of 1 are always 1: only the counts vary.
    assert widths["jeffreys"] > 1.2 * widths["binomial"]
    with pytest.raises(ValueError, match="rate_draws"):
        corrected_naming_shares(data, se_sp(1, 1), frames=["war"], rate_draws="x")


def test_a_group_without_detected_naming_keeps_an_upper_bound():
    data = feature_table({("a", "after"): (0, 1000), ("b", "after"): (200, 1000)})
    table = corrected_naming_shares(
        data, se_sp(0.95, 0.999, n=200), frames=["war"], n_boot=2000
    ).table.set_index("group")
    assert table.loc["a", "estimate"] == 0.0
    assert table.loc["a", "ci_high"] > 0
