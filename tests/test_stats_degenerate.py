"""Degenerate inputs: empty cells, separation, zero counts, missing values.

Each case named in issue 14 returns a result with a note, or a
FramingError that says what to do; never a raw traceback or a fabricated
estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framing.errors import FramingError
from framing.stats import fit_presence


def _presence_docs(seed: int = 0) -> pd.DataFrame:
    """kremlin and sputnik in both periods, tass after only, zero never."""
    rng = np.random.default_rng(seed)
    rows = []
    plan = {
        "kremlin": ["before", "after"],
        "sputnik": ["before", "after"],
        "tass": ["after"],
        "zero": ["before", "after"],
    }
    for outlet, periods in plan.items():
        for period in periods:
            for i in range(80):
                p = 0.0 if outlet == "zero" else (0.3 if period == "after" else 0.1)
                rows.append(
                    {
                        "outlet": outlet,
                        "period": period,
                        "day": i % 25,
                        "y": float(rng.random() < p),
                    }
                )
    frame = pd.DataFrame(rows)
    frame["period"] = pd.Categorical(frame["period"], ["before", "after"])
    return frame


def test_presence_empty_cell_is_not_estimated_and_leaves_the_family():
    res = fit_presence(_presence_docs(), "y", cluster=["outlet", "day"])
    contrasts = res["contrasts"].table.set_index("outlet")
    tass = contrasts.loc["tass"]
    assert np.isnan(tass.estimate) and np.isnan(tass.p) and np.isnan(tass.p_adj)
    assert tass.status.startswith("not estimable")
    assert res["contrasts"].family.startswith("the 3 estimable")
    assert any("tass" in note for note in res["contrasts"].notes)
    predicted = res["predicted"].table.set_index("term")
    assert np.isnan(predicted.loc["tass: before", "estimate"])
    assert predicted.loc["tass: before", "n"] == 0
    coefficients = res["coefficients"].table.set_index("term")
    aliased = [t for t in coefficients.index if "tass" in t]
    assert aliased and coefficients.loc[aliased, "estimate"].isna().all()
    assert coefficients.loc[aliased, "p_adj"].isna().all()


def test_presence_separation_gets_firth_and_is_labelled():
    res = fit_presence(_presence_docs(), "y", cluster=["outlet", "day"])
    coefficients = res["coefficients"]
    assert coefficients.model.startswith("Firth penalised logit")
    assert any("Separation in zero/before" in note for note in res.notes)
    zero = coefficients.table.set_index("term").loc["C(outlet)[T.zero]"]
    # Not the ML artefact (odds ratio ~1e-14, p = 0): finite, wide, honest.
    assert 1e-5 < zero.estimate < 1 and zero.ci_low > 0 and zero.p > 1e-10


def test_presence_zero_group_as_reference_does_not_raise():
    frame = _presence_docs()
    frame = frame[frame["outlet"] != "tass"].copy()
    frame["outlet"] = frame["outlet"].replace({"zero": "aaa"})  # first level
    res = fit_presence(frame, "y", period=None, cluster=["outlet", "day"])
    table = res["coefficients"].table
    assert table["estimate"].between(1, 1e6).all()
    assert "Firth" in res["coefficients"].model


def test_presence_method_ml_on_separated_data_says_what_to_do():
    frame = _presence_docs()
    frame = frame[frame["outlet"].isin(["zero", "kremlin"])]
    frame = frame.assign(outlet=frame["outlet"].replace({"zero": "aaa"}))
    try:
        res = fit_presence(frame, "y", period=None, method="ml")
    except FramingError as error:
        assert "method='firth'" in str(error)
    else:  # statsmodels may converge to a huge finite estimate
        assert "logit (binomial GLM" in res["coefficients"].model


def test_presence_cluster_with_missing_rows():
    frame = _presence_docs()
    frame = frame[frame["outlet"].isin(["kremlin", "sputnik"])].copy()
    frame["n_words"] = 100.0
    frame.loc[frame.index[:7], "n_words"] = np.nan
    res = fit_presence(
        frame, "y", covariates="np.log(n_words)", cluster=["outlet", "day"]
    )
    assert res["coefficients"].table["n"].iloc[0] == len(frame) - 7


# --- rates ---------------------------------------------------------------------


def _count_docs(seed: int = 1, zero: tuple[str, ...] = ("zero",)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    outlets = ["kremlin", "mfa", "tass", *zero]
    rows = []
    for outlet in outlets:
        for i in range(120):
            mean = 0.0 if outlet in zero else 2.0 if outlet == "tass" else 1.0
            rows.append(
                {
                    "outlet": outlet,
                    "day": f"2022-03-{1 + i % 20:02d}",
                    "n_words": 400,
                    "n": int(rng.negative_binomial(1, 1 / (1 + mean))),
                }
            )
    return pd.DataFrame(rows)


def test_compare_rates_clustered_with_a_zero_outlet_does_not_abort():
    from framing.stats import compare_rates

    res = compare_rates(_count_docs(), "n", cluster=["outlet", "day"])
    table = res.table
    doc = table[
        table["method"].str.contains("document") & (table["term"] == "zero / kremlin")
    ]
    assert len(doc) == 2 and doc["estimate"].isna().all() and doc["p_adj"].isna().all()
    exact = table[
        table["method"].str.startswith("exact") & (table["term"] == "zero / kremlin")
    ]
    assert exact["estimate"].iloc[0] == 0 and exact["ci_high"].iloc[0] > 0
    assert any("No mentions at all in zero" in n for n in res.notes)
    others = table[table["term"] != "zero / kremlin"]
    assert others["estimate"].notna().all()


def test_compare_rates_zero_reference_and_zero_group():
    from framing.stats import compare_rates

    data = _count_docs(zero=("aaa", "zz"))
    res = compare_rates(data, "n", cluster=None)
    table = res.table.set_index(["term", "method"])
    both_zero = table.xs("zz / aaa", level="term")
    assert both_zero["estimate"].isna().all()  # exact too: nothing to compare
    exact = table.xs("exact conditional (token level)", level="method")
    assert np.isinf(exact.loc["tass / aaa", "estimate"])
    assert exact.loc["tass / aaa", "ci_low"] > 0
    assert any("Choose a reference with mentions" in n for n in res.notes)


def test_poisson_rate_test_zero_zero():
    from framing.stats import poisson_rate_test

    row = poisson_rate_test(0, 1000, 0, 1000).table.iloc[0]
    assert np.isnan(row.estimate) and np.isnan(row.p)
    assert row.ci_low == 0 and np.isinf(row.ci_high)


def test_compare_rates_negbin_failure_falls_back(monkeypatch):
    from framing.stats import compare_rates, rates

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(rates, "glm_nb", broken)
    data = _count_docs(zero=())
    res = compare_rates(data, "n", families=["negbin"], cluster=None)
    nb = res.table[res.table["method"].str.startswith("negbin")]
    assert nb["estimate"].notna().all()
    assert nb["fallback"].str.startswith("quasipoisson").all()
    assert any("fell back" in n for n in res.notes)


def test_negbin_non_convergence_hint_names_the_right_argument(monkeypatch):
    from framing.stats import fit_rates, negbin, rates

    real = negbin.glm_nb

    def unconverged(*args, **kwargs):
        fit = real(*args, **kwargs)
        fit.converged = False
        return fit

    monkeypatch.setattr(rates, "glm_nb", unconverged)
    with pytest.raises(FramingError, match=r"families=\['quasipoisson'\]"):
        fit_rates(_count_docs(zero=()), "n", family="negbin", cluster=None)


def test_fit_rates_cluster_with_missing_values():
    from framing.stats import fit_rates

    data = _count_docs(zero=())
    data["n"] = data["n"].astype(float)
    data.loc[data.index[:5], "n"] = np.nan
    res = fit_rates(data, "n", family="quasipoisson", cluster=["outlet", "day"])
    assert res.table["n"].iloc[0] == len(data) - 5


def test_fit_rates_one_outlet_says_why_it_is_empty():
    from framing.stats import fit_rates

    data = _count_docs(zero=())
    res = fit_rates(data[data["outlet"] == "tass"], "n", cluster=None)
    assert res.table.empty
    assert any("no rate ratio to estimate" in n for n in res.notes)


def test_turning_clustering_off_warns():
    from framing.stats import fit_rates

    with pytest.warns(UserWarning, match="clustering is off"):
        res = fit_rates(_count_docs(zero=()), "n", family="quasipoisson", cluster=None)
    assert any(n.startswith("WARNING: clustering is off") for n in res.notes)
    auto = fit_rates(_count_docs(zero=()), "n", family="quasipoisson")
    assert "cluster-robust (sandwich) SEs by outlet-day" in auto.model


# --- DiD, vocabulary, mixed models, ITS ------------------------------------------


def test_fit_did_cluster_with_missing_values():
    from framing.stats import fit_did

    rng = np.random.default_rng(5)
    n = 400
    data = pd.DataFrame(
        {
            "outlet": rng.choice(["a", "b"], n),
            "published": pd.to_datetime("2022-01-01")
            + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
            "y": rng.random(n),
        }
    )
    data["day"] = data["published"].dt.strftime("%Y-%m-%d")
    data.loc[data.index[:9], "y"] = np.nan
    res = fit_did(data, "y", group="outlet", treated="a", event="2022-02-24")
    assert res.table["n"].iloc[0] == n - 9
    assert "cluster-robust SEs by outlet-day" in res.model


def test_fightin_words_on_empty_texts_says_what_to_do():
    from framing.stats import fightin_words

    data = pd.DataFrame({"text": ["", " ", ""], "outlet": ["a", "b", "a"]})
    with pytest.raises(FramingError, match="no words to count"):
        fightin_words(data)


def test_mixed_models_without_events_raise_a_framing_error():
    from framing.stats import fit_mixed_presence, fit_mixed_rates

    data = pd.DataFrame(
        {
            "outlet": np.repeat([f"o{i}" for i in range(6)], 20),
            "period": np.tile(["before", "after"], 60),
            "y": 0.0,
            "n": 0,
            "n_words": 300,
        }
    )
    with pytest.raises(FramingError, match="no events"):
        fit_mixed_presence(data, "y")
    with pytest.raises(FramingError, match="no events"):
        fit_mixed_rates(data, "n")


def test_mixed_rates_are_not_adjusted_and_flag_prior_driven_terms():
    from framing.stats import fit_mixed_rates

    rng = np.random.default_rng(8)
    data = pd.DataFrame(
        {
            "outlet": np.repeat([f"o{i}" for i in range(8)], 40),
            "period": np.tile(["before", "after"], 160),
            "n_words": 500,
        }
    )
    data["n"] = np.where(data["period"] == "after", rng.poisson(1.0, 320), 0)
    res = fit_mixed_rates(data, "n", fixed="C(period, Treatment('after'))")
    row = res.table.iloc[0]
    assert np.isnan(row.p) and np.isnan(row.p_adj) and res.p_adjust == "none"
    assert row.status.startswith("prior-driven")
    assert any("driven by the prior" in n for n in res.notes)


def test_its_on_a_constant_series_raises():
    from framing.stats import fit_its

    dates = pd.date_range("2022-01-03", periods=20, freq="W-MON")
    series = pd.DataFrame({"date": dates, "rate": 0.0})
    with pytest.raises(FramingError, match="constant"):
        fit_its(series, event="2022-02-14")


# --- figures -------------------------------------------------------------------


def test_forest_plot_labels_each_row_once_and_shows_missing_rows():
    import matplotlib

    matplotlib.use("Agg")
    from framing.plots.stats import plot_forest
    from framing.stats import compare_rates

    res = compare_rates(_count_docs(), "n", cluster=["outlet", "day"])
    fig = plot_forest(res)
    axis = fig.axes[0]
    labels = [t.get_text() for t in axis.get_yticklabels()]
    assert sorted(labels) == sorted(set(res.table["term"]))
    texts = [t.get_text() for t in axis.texts]
    assert "no estimate" in texts
    ticks = [t.get_text() for t in axis.get_xticklabels() if t.get_text()]
    assert ticks and all("10^" not in t and "times" not in t for t in ticks)
    assert set(ticks) & {"0.1", "1", "10"}


def test_naming_over_time_fits_small_shares():
    import matplotlib

    matplotlib.use("Agg")
    from framing.plots.naming import plot_naming_over_time

    periods = pd.date_range("2021-01-01", periods=8, freq="QS")
    table = pd.DataFrame(
        {
            "group": "a",
            "frame": "war",
            "voice": "own",
            "period": periods,
            "n_docs": 200,
            "share": np.linspace(0.01, 0.04, 8),
            "ci_low": np.linspace(0.005, 0.03, 8),
            "ci_high": np.linspace(0.02, 0.05, 8),
        }
    )
    fig = plot_naming_over_time(table)
    assert fig.axes[0].get_ylim()[1] <= 0.06
    fixed = plot_naming_over_time(table, ylim=(0, 1))
    assert fixed.axes[0].get_ylim() == (0, 1)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert 2 <= len(labels) <= 8 and not any("00:00" in t for t in labels)


# --- CLI -----------------------------------------------------------------------


def test_cli_rates_family_and_cluster_options(monkeypatch):
    from typer.testing import CliRunner

    from framing.stats import cli

    data = _count_docs(zero=()).rename(columns={"n": "n__invasion__own"})
    data["published"] = pd.to_datetime(data["day"]).dt.tz_localize("UTC")
    monkeypatch.setattr(cli, "_features", lambda corpus, lexicon, subset=None: data)
    runner = CliRunner()
    result = runner.invoke(
        cli.stats_app,
        ["rates", "x", "--family", "negbin", "--cluster", "outlet,day"],
    )
    assert result.exit_code == 0, result.output
    assert "negbin, cluster-robust" in result.output
    assert "quasipoisson" not in result.output.split("Notes:")[0]
    off = runner.invoke(cli.stats_app, ["rates", "x", "--cluster", "none"])
    assert off.exit_code == 0 and "clustering is off" in off.output
    bad = runner.invoke(cli.stats_app, ["rates", "x", "--family", "bogus"])
    assert bad.exit_code != 0 and "use negbin, quasipoisson or poisson" in bad.output


def test_firth_contrasts_with_clusters_are_never_narrower_than_model_based():
    data = _presence_docs()
    clustered = fit_presence(data, "y", cluster=["outlet", "day"])
    with pytest.warns(UserWarning, match="clustering is off"):
        plain = fit_presence(data, "y", cluster=None)
    a = clustered["contrasts"].table.set_index("term")["se"].dropna()
    b = plain["contrasts"].table.set_index("term")["se"].dropna()
    assert (a >= b - 1e-12).all()
    assert any("larger of the model-based" in n for n in clustered.notes)
