"""Misclassification-corrected prevalence against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from framing.evaluation import classification_report
from framing.stats.prevalence import corrected_prevalence, solve_prevalence
from framing.stats.simulate import simulate_classifier

# Validation table (rows true, columns predicted):
#            no  yes
#   no       90   10     fpr = 10 / 100 = 0.1
#   yes      10   40     tpr = 40 / 50  = 0.8
CONFUSION = pd.DataFrame(
    [[90, 10], [10, 40]],
    index=pd.Index(["no", "yes"], name="true"),
    columns=pd.Index(["no", "yes"], name="predicted"),
)


def test_binary_matches_forman_formula() -> None:
    # Two groups: q = 0.31 -> (0.31 - 0.1) / 0.7 = 0.3;
    #             q = 0.52 -> (0.52 - 0.1) / 0.7 = 0.6.
    labels = ["yes"] * 31 + ["no"] * 69 + ["yes"] * 52 + ["no"] * 48
    groups = ["a"] * 100 + ["b"] * 100
    res = corrected_prevalence(labels, CONFUSION, groups=groups, n_boot=0)
    table = res.table.set_index(["group", "term"])
    assert table.loc[("a", "yes"), "estimate"] == pytest.approx(0.3, abs=1e-12)
    assert table.loc[("a", "no"), "estimate"] == pytest.approx(0.7, abs=1e-12)
    assert table.loc[("b", "yes"), "estimate"] == pytest.approx(0.6, abs=1e-12)
    assert table.loc[("b", "yes"), "naive"] == pytest.approx(0.52)
    assert table.loc[("a", "yes"), "n"] == 100
    assert np.isnan(res.table["ci_low"]).all()  # n_boot=0
    assert res.table["p"].isna().all() and res.table["p_adj"].isna().all()


def test_binary_estimate_is_clipped() -> None:
    # q = 0.05 < fpr: (0.05 - 0.1) / 0.7 < 0 -> 0.
    res = corrected_prevalence({"no": 95, "yes": 5}, CONFUSION, n_boot=0)
    table = res.table.set_index("term")
    assert table.loc["yes", "estimate"] == 0.0
    assert table.loc["no", "estimate"] == 1.0


def test_inputs_labels_counts_and_classification_result_agree() -> None:
    gold = ["no"] * 100 + ["yes"] * 50
    pred = ["no"] * 90 + ["yes"] * 10 + ["no"] * 10 + ["yes"] * 40
    report = classification_report(gold, pred, n_boot=0)
    from_labels = corrected_prevalence(["yes"] * 31 + ["no"] * 69, report, n_boot=0)
    from_counts = corrected_prevalence({"no": 69, "yes": 31}, CONFUSION, n_boot=0)
    from_frame = corrected_prevalence(
        pd.DataFrame({"yes": [31], "no": [69]}, index=["all"]), CONFUSION, n_boot=0
    )
    array = corrected_prevalence(
        {"no": 69, "yes": 31}, CONFUSION.to_numpy(), labels=["no", "yes"], n_boot=0
    )
    for other in (from_counts, from_frame, array):
        np.testing.assert_allclose(
            other.table["estimate"], from_labels.table["estimate"]
        )


def test_multiclass_exact_solution_by_hand() -> None:
    # M (rows true): choose pi = (0.5, 0.3, 0.2); q = M' pi by hand:
    #   q0 = 0.5*0.8 + 0.3*0.1 + 0.2*0.1 = 0.45
    #   q1 = 0.5*0.1 + 0.3*0.8 + 0.2*0.2 = 0.33
    #   q2 = 0.5*0.1 + 0.3*0.1 + 0.2*0.7 = 0.22
    confusion = pd.DataFrame(
        [[80, 10, 10], [10, 80, 10], [10, 20, 70]],
        index=["a", "b", "c"],
        columns=["a", "b", "c"],
    )
    res = corrected_prevalence({"a": 45, "b": 33, "c": 22}, confusion, n_boot=0)
    np.testing.assert_allclose(res.table["estimate"], [0.5, 0.3, 0.2], atol=1e-12)


def test_multiclass_constrained_solution_matches_slsqp() -> None:
    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(60):
        rates = rng.dirichlet(np.ones(3), size=3) + 2 * np.eye(3)
        rates /= rates.sum(axis=1, keepdims=True)
        shares = rng.dirichlet(np.ones(3) * 0.5)
        ours = solve_prevalence(rates, shares)
        reference = minimize(
            lambda p, r=rates, q=shares: float(((r.T @ p - q) ** 2).sum()),
            np.full(3, 1 / 3),
            bounds=[(0, 1)] * 3,
            constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1}],
            method="SLSQP",
            options={"ftol": 1e-15, "maxiter": 500},
        )
        assert ours.min() >= 0 and ours.sum() == pytest.approx(1)
        objective = float(((rates.T @ ours - shares) ** 2).sum())
        assert objective <= reference.fun + 1e-9
        checked += int((np.linalg.solve(rates.T, shares) < 0).any())
    assert checked > 5  # the constrained branch was exercised


def test_binary_closed_form_equals_constrained_least_squares() -> None:
    rates = np.array([[0.85, 0.15], [0.3, 0.7]])
    for q1 in np.linspace(0, 1, 21):
        ours = solve_prevalence(rates, np.array([1 - q1, q1]))
        reference = minimize(
            lambda p, q=q1: float((0.15 + p[0] * (0.7 - 0.15) - q) ** 2),
            [0.5],
            bounds=[(0, 1)],
        ).x[0]
        assert ours[1] == pytest.approx(reference, abs=1e-5)


def test_bootstrap_is_seeded_and_interval_brackets_estimate() -> None:
    a = corrected_prevalence({"no": 69, "yes": 31}, CONFUSION, n_boot=400, seed=3)
    b = corrected_prevalence({"no": 69, "yes": 31}, CONFUSION, n_boot=400, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    row = a.table.set_index("term").loc["yes"]
    assert row.ci_low < row.estimate < row.ci_high
    # The interval is wider than a binomial interval for the naive share alone,
    # because it also carries the uncertainty of tpr and fpr.
    naive_half_width = 1.96 * np.sqrt(0.31 * 0.69 / 100) / 0.7
    assert row.ci_high - row.ci_low > 2 * naive_half_width
    c = corrected_prevalence(
        {"no": 69, "yes": 31}, CONFUSION, n_boot=400, seed=3, rates="dirichlet"
    )
    assert c.table.loc[1, "ci_low"] < 0.3 < c.table.loc[1, "ci_high"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"predicted": ["maybe"]}, "not in the confusion"),
        ({"predicted": ["yes", "no"], "groups": ["a"]}, "group values"),
        ({"predicted": ["yes"], "rates": "beta"}, "rates must be"),
        ({"predicted": ["yes"], "n_boot": -1}, "n_boot"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        corrected_prevalence(confusion=CONFUSION, **kwargs)


def test_unvalidated_class_is_rejected() -> None:
    confusion = CONFUSION.copy()
    confusion.loc["yes"] = 0
    with pytest.raises(ValueError, match="no validation documents"):
        corrected_prevalence(["yes"], confusion)


def test_small_simulation_bias_and_coverage() -> None:
    truth = 0.3
    hits, estimates, naive = 0, [], []
    for rep in range(30):
        sim = simulate_classifier(n_docs=400, n_validation=300, seed=100 + rep)
        confusion = pd.crosstab(sim.validation["true"], sim.validation["predicted"])
        res = corrected_prevalence(
            sim.predictions["predicted"], confusion, n_boot=300, seed=rep
        ).table.set_index("term")
        estimates.append(res.loc["present", "estimate"])
        naive.append(res.loc["present", "naive"])
        hits += res.loc["present", "ci_low"] <= truth <= res.loc["present", "ci_high"]
    # Naive counting is biased: E[q] = 0.7 * fpr + 0.3 * tpr = 0.07 + 0.24 = 0.31.
    assert np.mean(naive) == pytest.approx(0.31, abs=0.01)
    assert np.mean(estimates) == pytest.approx(truth, abs=0.02)
    assert hits >= 25  # 30 x 0.95 = 28.5 expected; 25 is a loose lower bound


def test_never_predicted_class_in_validation_is_a_zero_column() -> None:
    # pd.crosstab drops a predicted class that never occurs; it means zeros,
    # and then the error rates cannot separate the classes: no estimate.
    validation = pd.DataFrame(
        {
            "true": ["a"] * 10 + ["b"] * 10 + ["c"] * 10,
            "predicted": ["a"] * 9 + ["b"] * 11 + ["a"] * 5 + ["b"] * 5,
        }
    )
    confusion = pd.crosstab(validation["true"], validation["predicted"])
    assert "c" not in confusion.columns
    res = corrected_prevalence({"a": 5, "b": 5}, confusion, n_boot=0)
    assert list(res.table["term"]) == ["a", "b", "c"]
    assert res.table["estimate"].isna().all()
    assert any("singular" in note for note in res.notes)


def test_predicted_label_without_true_row_is_rejected() -> None:
    confusion = pd.DataFrame([[5, 1], [2, 6]], index=["a", "b"], columns=["a", "c"])
    with pytest.raises(ValueError, match="no validation documents"):
        corrected_prevalence({"a": 3}, confusion)
