"""Topic prevalence regression (method of composition) against references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as sps

from framing.stats.composition import _draw_theta, estimate_effect
from framing.stats.simulate import simulate_topic_shares


def _ols_reference(gamma: np.ndarray, covariates: pd.DataFrame, topic: int):
    data = covariates.assign(share=gamma[:, topic] / gamma.sum(axis=1))
    return smf.ols("share ~ group + x", data).fit()


def test_dirichlet_draws_have_the_dirichlet_moments() -> None:
    gamma = np.tile([2.0, 3.0, 5.0], (20000, 1))
    draws = _draw_theta(gamma, np.random.default_rng(0))
    # Dirichlet(a): mean a / a0, variance a (a0 - a) / (a0^2 (a0 + 1)), a0 = 10.
    np.testing.assert_allclose(draws.mean(axis=0), [0.2, 0.3, 0.5], atol=0.005)
    expected_var = np.array([2, 3, 5]) * (10 - np.array([2, 3, 5])) / (100 * 11)
    np.testing.assert_allclose(draws.var(axis=0), expected_var, rtol=0.05)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)


def test_near_deterministic_gamma_equals_plain_ols() -> None:
    sim = simulate_topic_shares(n_docs=200, seed=1)
    sharp = sim.gamma * 1e6  # theta draws ~ posterior mean
    res = estimate_effect(
        sharp, sim.covariates, "~ group + x", n_sims=40, n_draws=100, seed=0
    )
    for topic in range(4):
        fit = _ols_reference(sim.gamma, sim.covariates, topic)
        rows = res.table[res.table["topic"] == topic].set_index("term")
        # Monte Carlo error of the pooled mean: se / sqrt(40 * 100) = 0.016 se.
        assert (np.abs(rows["estimate"] - fit.params) < 0.06 * fit.bse).all()
        np.testing.assert_allclose(rows["se"], fit.bse, rtol=0.03)
        # Normal-quantile vs t-quantile (196 df) intervals: close, not identical.
        ci = fit.conf_int()
        np.testing.assert_allclose(rows["ci_low"], ci[0], atol=0.15 * fit.bse.max())
        np.testing.assert_allclose(rows["ci_high"], ci[1], atol=0.15 * fit.bse.max())


def test_uncertainty_none_is_exactly_ols() -> None:
    sim = simulate_topic_shares(n_docs=120, seed=2)
    res = estimate_effect(sim.gamma, sim.covariates, "~ group + x", uncertainty="none")
    for topic in range(4):
        fit = _ols_reference(sim.gamma, sim.covariates, topic)
        rows = res.table[res.table["topic"] == topic].set_index("term")
        np.testing.assert_allclose(rows["estimate"], fit.params, rtol=1e-10)
        np.testing.assert_allclose(rows["se"], fit.bse, rtol=1e-10)
        np.testing.assert_allclose(rows["p"], fit.pvalues, rtol=1e-8)
        np.testing.assert_allclose(rows["ci_low"], fit.conf_int()[0], rtol=1e-10)
    assert res.table["p_adj"].notna().all()
    assert res.family == "12 topic x term coefficients"


def test_composition_widens_intervals_for_diffuse_posteriors() -> None:
    sim = simulate_topic_shares(n_docs=200, doc_length=20, seed=3)
    plain = estimate_effect(
        sim.gamma, sim.covariates, "~ group + x", uncertainty="none"
    )
    moc = estimate_effect(sim.gamma, sim.covariates, "~ group + x", n_sims=50, seed=0)
    assert (moc.table["se"] > plain.table["se"]).all()


def test_p_value_is_t_on_pooled_mean_and_sd() -> None:
    sim = simulate_topic_shares(n_docs=100, seed=4)
    res = estimate_effect(sim.gamma, sim.covariates, "~ group + x", n_sims=10, seed=0)
    t = res.table["estimate"] / res.table["se"]
    np.testing.assert_allclose(res.table["p"], 2 * sps.t.sf(np.abs(t), 100 - 3))


def test_dataframe_gamma_joins_on_doc_id_and_selects_topics() -> None:
    sim = simulate_topic_shares(n_docs=80, seed=5)
    frame = pd.DataFrame(sim.gamma, columns=["war", "peace", "economy", "other"])
    frame.insert(0, "doc_id", sim.covariates["doc_id"])
    shuffled = sim.covariates.sample(frac=1, random_state=0)
    by_frame = estimate_effect(
        frame.iloc[::-1], shuffled, "~ group", topics=["peace"], n_sims=5, seed=1
    )
    assert set(by_frame.table["topic"]) == {"peace"}
    reference = estimate_effect(
        sim.gamma, sim.covariates, "~ group", uncertainty="none", topics=[1]
    )
    # Same data in another order: same estimate up to the simulation noise.
    np.testing.assert_allclose(
        by_frame.table["estimate"], reference.table["estimate"], atol=0.02
    )


def test_doc_ids_gamma_pair_is_joined_like_a_frame() -> None:
    sim = simulate_topic_shares(n_docs=60, seed=7)
    ids = sim.covariates["doc_id"].tolist()[::-1]
    pair = estimate_effect(
        (ids, sim.gamma[::-1]), sim.covariates, "~ x", uncertainty="none"
    )
    plain = estimate_effect(sim.gamma, sim.covariates, "~ x", uncertainty="none")
    np.testing.assert_allclose(pair.table["estimate"], plain.table["estimate"])


def test_seed_determinism() -> None:
    sim = simulate_topic_shares(n_docs=60, seed=6)
    a = estimate_effect(sim.gamma, sim.covariates, "~ x", n_sims=5, seed=9)
    b = estimate_effect(sim.gamma, sim.covariates, "~ x", n_sims=5, seed=9)
    pd.testing.assert_frame_equal(a.table, b.table)


@pytest.mark.parametrize(
    ("gamma", "covariates", "message"),
    [
        (np.ones((5, 2)), pd.DataFrame({"x": range(4)}), "covariates 4"),
        (-np.ones((5, 2)), pd.DataFrame({"x": range(5)}), "positive"),
        (np.ones((5, 1)), pd.DataFrame({"x": range(5)}), ">= 2 topics"),
        (np.ones((3, 2)), pd.DataFrame({"x": [1.0, np.nan, 2.0]}), "missing"),
    ],
)
def test_bad_input(gamma: np.ndarray, covariates: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimate_effect(gamma, covariates, "~ x")


def test_small_simulation_bias_and_coverage() -> None:
    truth = simulate_topic_shares(seed=0).truth["coefficients"]
    hits, errors = 0, []
    for rep in range(30):
        sim = simulate_topic_shares(n_docs=200, seed=1000 + rep)
        res = estimate_effect(
            sim.gamma, sim.covariates, "~ group + x", n_sims=20, n_draws=20, seed=rep
        )
        row = res.table[(res.table["topic"] == 0) & (res.table["term"] == "x")]
        est, low, high = row[["estimate", "ci_low", "ci_high"]].iloc[0]
        target = truth.loc[0, "x"] * sim.truth["shrinkage"]
        errors.append(est - target)
        hits += low <= target <= high
    assert abs(np.mean(errors)) < 0.015  # truth -0.1, se about 0.03 / sqrt(30)
    assert hits >= 25
