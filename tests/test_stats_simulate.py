"""Synthetic generators: stated truth, determinism, and recoverable effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from framing.stats import simulate as sim_mod
from framing.stats.simulate import (
    simulate_classifier,
    simulate_counts,
    simulate_outlets,
    simulate_presence,
    simulate_series,
    simulate_topic_shares,
)

TABLE_GENERATORS = [
    simulate_presence,
    simulate_counts,
    simulate_series,
    simulate_outlets,
]


@pytest.mark.parametrize("generator", TABLE_GENERATORS)
def test_tables_are_deterministic_and_labelled(generator) -> None:
    a, truth_a = generator(seed=11)
    b, _ = generator(seed=11)
    c, _ = generator(seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert a["synthetic"].all() and a.attrs["synthetic"] and truth_a["synthetic"]
    assert all(o.startswith("synthetic-outlet-") for o in a["outlet"].unique())


def test_topic_and_classifier_generators_are_deterministic() -> None:
    a, b = simulate_topic_shares(seed=3), simulate_topic_shares(seed=3)
    np.testing.assert_array_equal(a.gamma, b.gamma)
    pd.testing.assert_frame_equal(a.covariates, b.covariates)
    c, d = simulate_classifier(seed=3), simulate_classifier(seed=3)
    pd.testing.assert_frame_equal(c.predictions, d.predictions)
    pd.testing.assert_frame_equal(c.validation, d.validation)


def test_presence_truth_is_the_stated_parameters() -> None:
    data, truth = simulate_presence(
        n_outlets=3,
        intercept=-0.5,
        outlet_effects=[0.2, -0.4],
        period_effect=0.7,
        interaction=[0.1, 0.3],
        cluster_sd=0.0,
    )
    assert truth["intercept"] == -0.5
    assert truth["outlet_effects"] == pytest.approx(
        {"synthetic-outlet-1": 0.2, "synthetic-outlet-2": -0.4}
    )
    assert truth["period_effect"] == 0.7
    assert truth["interaction"]["synthetic-outlet-2"] == pytest.approx(0.3)
    # Without shocks the population-averaged and conditional scales agree.
    assert truth["marginal"]["period_effect"] == pytest.approx(0.7)
    cells = truth["cell_log_odds"]
    assert cells.loc["synthetic-outlet-2", "after"] == pytest.approx(
        -0.5 - 0.4 + 0.7 + 0.3
    )
    assert len(data) == 3 * 20 * 5
    assert data.groupby("cluster")["after"].nunique().max() == 1


def test_presence_marginal_log_odds_by_independent_integration() -> None:
    _, truth = simulate_presence(intercept=-1.0, period_effect=0.5, cluster_sd=1.0)
    # Population-averaged cell probability by brute-force Monte Carlo.
    u = np.random.default_rng(0).normal(0, 1.0, 2_000_000)

    def pa_logit(eta: float) -> float:
        p = np.mean(1 / (1 + np.exp(-(eta + u))))
        return float(np.log(p / (1 - p)))

    assert truth["marginal"]["intercept"] == pytest.approx(pa_logit(-1.0), abs=3e-3)
    expected = pa_logit(-0.5) - pa_logit(-1.0)
    assert truth["marginal"]["period_effect"] == pytest.approx(expected, abs=3e-3)
    assert truth["marginal"]["period_effect"] < 0.5  # attenuation


def test_presence_effect_is_recovered_in_a_large_sample() -> None:
    data, truth = simulate_presence(
        n_outlets=2, n_days=40, docs_per_day=100, cluster_sd=0.0, seed=1
    )
    fit = smf.logit("present ~ outlet * period", data).fit(disp=0)
    # "period[T.before]" is before vs after, so its sign is flipped.
    assert -fit.params["period[T.before]"] == pytest.approx(
        truth["period_effect"], abs=3 * fit.bse["period[T.before]"]
    )


def test_counts_rate_ratio_and_overdispersion() -> None:
    data, truth = simulate_counts(
        n_outlets=1, n_docs=4000, alpha=0.5, period_rate_ratio=2.0, seed=2
    )
    assert truth["period_rate_ratio"] == 2.0 and truth["alpha"] == 0.5
    model = smf.negativebinomial(
        "count ~ after", data, offset=np.log(data["n_words"])
    ).fit(disp=0)
    assert np.exp(model.params["after"]) == pytest.approx(2.0, rel=0.1)
    assert model.params["alpha"] == pytest.approx(0.5, rel=0.25)
    assert np.exp(model.params["Intercept"]) == pytest.approx(0.005, rel=0.1)


def test_poisson_counts_when_alpha_is_zero() -> None:
    data, _ = simulate_counts(
        n_outlets=1, n_docs=3000, alpha=0.0, mean_words=200, seed=3
    )
    before = data[data["after"] == 0]
    mu = before["n_words"] * 0.005
    # Pearson dispersion of Poisson data is about 1.
    dispersion = (((before["count"] - mu) ** 2) / mu).mean()
    assert dispersion == pytest.approx(1.0, abs=0.1)


def test_series_level_and_slope_change_and_ar1() -> None:
    data, truth = simulate_series(n_weeks=2000, event_week=1000, phi=0.6, seed=4)
    assert str(truth["event_date"].date()) == str(
        (pd.Timestamp("2021-01-04") + pd.Timedelta(weeks=1000)).date()
    )
    fit = smf.ols("value ~ t + post + time_since", data).fit()
    assert fit.params["post"] == pytest.approx(truth["level_change"], abs=0.5)
    assert fit.params["time_since"] == pytest.approx(truth["slope_change"], abs=2e-3)
    resid = fit.resid.to_numpy()
    lag1 = np.corrcoef(resid[1:], resid[:-1])[0, 1]
    assert lag1 == pytest.approx(0.6, abs=0.05)


def test_outlets_random_effect_variance_is_recovered() -> None:
    data, truth = simulate_outlets(
        n_outlets=200, docs_per_outlet=20, outlet_sd=0.8, seed=5
    )
    fit = smf.mixedlm("value ~ after", data, groups=data["outlet"]).fit()
    assert fit.params["after"] == pytest.approx(truth["effect"], abs=0.1)
    assert np.sqrt(fit.cov_re.iloc[0, 0]) == pytest.approx(0.8, abs=0.12)
    drawn = np.array(list(truth["outlet_effects"].values()))
    assert drawn.std() == pytest.approx(0.8, abs=0.12)


def test_topic_shares_gamma_is_the_dirichlet_posterior_of_the_counts() -> None:
    covariates, gamma, truth = simulate_topic_shares(
        n_docs=4000, doc_length=500, prior=0.1, seed=6
    )
    assert truth["coefficients"].loc[0, "Intercept"] == 0.4
    assert truth["coefficients"]["group[T.treated]"].sum() == pytest.approx(0)
    np.testing.assert_allclose(truth["theta"].sum(axis=1), 1.0)
    np.testing.assert_allclose(gamma.sum(axis=1), 500 + 4 * 0.1)
    treated = (covariates["group"] == "treated").to_numpy().astype(float)
    X = sm.add_constant(np.column_stack([treated, covariates["x"]]))
    fit = sm.OLS(truth["theta"][:, 2], X).fit()
    np.testing.assert_allclose(
        fit.params, truth["coefficients"].loc[2].to_numpy(), atol=4 * fit.bse.max()
    )


def test_topic_shares_rejects_negative_means() -> None:
    with pytest.raises(ValueError, match="positive"):
        simulate_topic_shares(x_effect=(-0.5, 0.0, 0.25, 0.25))


def test_classifier_confusion_and_prevalence() -> None:
    predictions, validation, truth = simulate_classifier(
        prevalence={"a": [0.8, 0.2], "b": [0.4, 0.6]},
        confusion=[[0.95, 0.05], [0.25, 0.75]],
        n_docs=20000,
        n_validation=20000,
        seed=7,
    )
    assert truth["prevalence"].loc["b", "present"] == 0.6
    share = predictions.groupby("group")["true"].apply(
        lambda s: (s == "present").mean()
    )
    assert share["a"] == pytest.approx(0.2, abs=0.01)
    rates = pd.crosstab(validation["true"], validation["predicted"], normalize="index")
    np.testing.assert_allclose(rates.to_numpy(), truth["confusion"], atol=0.02)
    np.testing.assert_allclose(truth["validation_prevalence"], [0.6, 0.4])
    assert list(truth["labels"]) == ["absent", "present"]


def test_outlet_names_sort_numerically() -> None:
    names = sim_mod.outlet_names(12)
    assert names == sorted(names)


def test_outlets_presence_shares_the_linear_predictor() -> None:
    data, truth = simulate_outlets(
        n_outlets=100, docs_per_outlet=200, outlet_sd=0.0, effect=1.0, seed=8
    )
    share = data.groupby("after")["present"].mean()
    assert share[0] == pytest.approx(0.5, abs=0.01)  # expit(0)
    assert share[1] == pytest.approx(1 / (1 + np.exp(-1.0)), abs=0.01)
