"""Classification scores and intervals against hand-computed references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

from framing.evaluation import classification_report, wilson_interval

# Ten items, three labels. Confusion (rows = gold, columns = predicted):
#               conflict  smo  war
#   conflict        1      1    1
#   smo             0      2    1
#   war             0      1    3
GOLD = ["war"] * 4 + ["smo"] * 3 + ["conflict"] * 3
PRED = ["war", "war", "war", "smo", "smo", "smo", "war", "conflict", "war", "smo"]

# By hand: tp / predicted, tp / support, 2 tp / (predicted + support).
HAND = {
    "conflict": {"precision": 1 / 1, "recall": 1 / 3, "f1": 2 * 1 / (1 + 3)},
    "smo": {"precision": 2 / 4, "recall": 2 / 3, "f1": 2 * 2 / (4 + 3)},
    "war": {"precision": 3 / 5, "recall": 3 / 4, "f1": 2 * 3 / (5 + 4)},
}
SUPPORT = {"conflict": 3, "smo": 3, "war": 4}


def test_per_class_scores_match_hand_computation() -> None:
    result = classification_report(GOLD, PRED, n_boot=0)
    per_class = result.per_class.set_index("label")
    assert list(per_class.index) == ["conflict", "smo", "war"]
    for label, scores in HAND.items():
        for metric, expected in scores.items():
            assert per_class.loc[label, metric] == pytest.approx(expected, abs=1e-12)
        assert per_class.loc[label, "support"] == SUPPORT[label]
    overall = result.table[result.table["label"] == ""].set_index("metric")
    assert overall.loc["accuracy", "estimate"] == pytest.approx(6 / 10, abs=1e-12)
    assert overall.loc["micro_f1", "estimate"] == pytest.approx(6 / 10, abs=1e-12)
    macro = (1 / 2 + 4 / 7 + 2 / 3) / 3
    assert overall.loc["macro_f1", "estimate"] == pytest.approx(macro, abs=1e-12)
    assert (overall["n"] == 10).all()
    confusion = result.confusion
    assert confusion.index.name == "true" and confusion.columns.name == "predicted"
    assert confusion.to_numpy().tolist() == [[1, 1, 1], [0, 2, 1], [0, 1, 3]]


def test_per_class_scores_match_sklearn() -> None:
    result = classification_report(GOLD, PRED, n_boot=0)
    labels = list(result.labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        GOLD, PRED, labels=labels, zero_division=np.nan
    )
    np.testing.assert_allclose(result.per_class["precision"], precision, atol=1e-12)
    np.testing.assert_allclose(result.per_class["recall"], recall, atol=1e-12)
    np.testing.assert_allclose(result.per_class["f1"], f1, atol=1e-12)
    np.testing.assert_array_equal(result.per_class["support"], support)


def test_never_predicted_label_has_nan_precision() -> None:
    gold = ["a", "a", "b", "b"]
    pred = ["a", "a", "a", "a"]
    result = classification_report(gold, pred, labels=["a", "b", "c"], n_boot=100)
    per_class = result.per_class.set_index("label")
    assert math.isnan(per_class.loc["b", "precision"])  # never predicted: not 0
    assert per_class.loc["b", "recall"] == 0.0
    assert per_class.loc["b", "f1"] == 0.0
    assert per_class.loc["c"][["precision", "recall", "f1"]].isna().all()
    # sklearn, told to report undefined scores as NaN, agrees.
    precision, recall, f1, _ = precision_recall_fscore_support(
        gold, pred, labels=["a", "b", "c"], zero_division=np.nan
    )
    np.testing.assert_allclose(per_class["precision"], precision, atol=1e-12)
    np.testing.assert_allclose(per_class["recall"], recall, atol=1e-12)
    np.testing.assert_allclose(per_class["f1"], f1, atol=1e-12)
    # Macro-F1 averages the labels whose F1 is defined: a (2/3) and b (0).
    macro = result.table.set_index("metric").loc["macro_f1", "estimate"]
    assert macro == pytest.approx((2 / 3 + 0) / 2)
    assert "never predicted: b, c" in result.summary()
    precision_row = result.table[
        (result.table["label"] == "b") & (result.table["metric"] == "precision")
    ]
    assert precision_row["n"].item() == 0


def test_bootstrap_cis_contain_estimate_and_are_seeded() -> None:
    gold, pred = GOLD * 6, PRED * 6
    first = classification_report(gold, pred, n_boot=1000, seed=5).table
    again = classification_report(gold, pred, n_boot=1000, seed=5).table
    other = classification_report(gold, pred, n_boot=1000, seed=6).table
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    assert (first["ci_low"] <= first["estimate"]).all()
    assert (first["estimate"] <= first["ci_high"]).all()
    assert ((first["ci_low"] >= 0) & (first["ci_high"] <= 1)).all()
    # 'conflict' is predicted once, correctly, so its precision is 1 in every
    # resample; every other interval has width.
    degenerate = (first["label"] == "conflict") & (first["metric"] == "precision")
    assert (first.loc[degenerate, ["ci_low", "ci_high"]] == 1.0).all(axis=None)
    assert (first.loc[~degenerate, "ci_high"] > first.loc[~degenerate, "ci_low"]).all()
    assert list(first.columns) == [
        "label",
        "metric",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
    ]


def test_rare_class_ci_uses_replicates_where_it_is_defined() -> None:
    # 'b' occurs once in 40 items, so about e^-1 of the resamples lack it and
    # its recall is undefined there; the interval comes from the others.
    gold = ["a"] * 39 + ["b"]
    pred = ["a"] * 38 + ["b", "b"]
    row = classification_report(gold, pred, n_boot=500, seed=0).per_class
    b = row.set_index("label").loc["b"]
    assert b["recall"] == 1.0
    assert b["recall_ci_low"] == 1.0 and b["recall_ci_high"] == 1.0
    assert 0 <= b["precision_ci_low"] <= b["precision"] <= b["precision_ci_high"]


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="y_true has 2 items but y_pred has 1"):
        classification_report(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="missing value.*position"):
        classification_report(["a", None], ["a", "b"])
    with pytest.raises(
        ValueError, match=r"y_pred has value\(s\) not in labels: \['z'\]"
    ):
        classification_report(["a", "b"], ["a", "z"], labels=["a", "b"])
    with pytest.raises(ValueError, match="ci must be"):
        classification_report(["a"], ["a"], ci=95)


def test_accepts_pandas_arrow_strings_and_ints() -> None:
    gold = pd.Series(GOLD, dtype="string[pyarrow]")
    pred = pd.Series(PRED, dtype="string[pyarrow]")
    result = classification_report(gold, pred, n_boot=10)
    assert list(result.labels) == ["conflict", "smo", "war"]
    numeric = classification_report([1, 2, 2, 10], [1, 2, 10, 10], n_boot=10)
    assert list(numeric.labels) == [1, 2, 10]


def test_summary_markdown_latex() -> None:
    result = classification_report(GOLD, PRED, n_boot=200)
    summary = result.summary()
    assert isinstance(summary, str)
    assert "accuracy 6/10, Wilson 95% CI [0.313, 0.832]" in summary
    markdown = result.to_markdown()
    assert markdown.startswith("| label | precision | recall | F1 | support |")
    assert "| accuracy |" in markdown
    latex = result.to_latex(caption="Voice classifier", label="tab:voice")
    assert r"\toprule" in latex and r"\caption{Voice classifier}" in latex


# --- Wilson interval ----------------------------------------------------------------


def test_wilson_interval_8_of_10_by_hand() -> None:
    z = 1.959963984540054  # standard normal quantile at 0.975
    n, p = 10, 0.8
    centre = p + z**2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    denominator = 1 + z**2 / n
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx((centre - half) / denominator, abs=1e-12)
    assert high == pytest.approx((centre + half) / denominator, abs=1e-12)
    # To four decimals, the commonly tabulated 95% Wilson interval of 8/10.
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)


def test_wilson_interval_matches_statsmodels_and_edges() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for successes, n, ci in [(0, 10, 0.95), (3, 7, 0.9), (10, 10, 0.99), (41, 97, 0.8)]:
        expected = proportion_confint(successes, n, alpha=1 - ci, method="wilson")
        assert wilson_interval(successes, n, ci=ci) == pytest.approx(
            expected, abs=1e-12
        )
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0, 0)
