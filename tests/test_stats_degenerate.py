"""Degenerate inputs: empty cells, separation, zero counts, missing values.

Each case named in issue 14 returns a result with a note, or a
FramingError that says what to do; never a raw traceback or a fabricated
estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
