"""Statistics of framing: models of presence, rates, time, outlets and
vocabulary, returning tidy results with CIs and adjusted p-values."""

from ._common import ModelResults, add_period, feature_table
from .ar1 import ar1_regression
from .composition import estimate_effect
from .firth import firth_logit
from .mixed import fit_mixed_presence, fit_mixed_rates
from .naming import naming_shares, naming_shares_from_store, voice_composition
from .negbin import glm_nb
from .presence import fit_presence
from .prevalence import corrected_naming_shares, corrected_prevalence, rogan_gladen
from .rates import compare_rates, fit_rates, poisson_rate_test, rate_ratio_ci_exact
from .results import StatsResult, adjust_pvalues
from .timeseries import fit_did, fit_its, fit_trend, newey_west_lags, time_series
from .vocab import count_by_group, fightin_words, fightin_words_counts

__all__ = [
    "ModelResults",
    "StatsResult",
    "add_period",
    "adjust_pvalues",
    "ar1_regression",
    "compare_rates",
    "corrected_naming_shares",
    "corrected_prevalence",
    "estimate_effect",
    "count_by_group",
    "feature_table",
    "fightin_words",
    "fightin_words_counts",
    "firth_logit",
    "fit_did",
    "fit_its",
    "fit_mixed_presence",
    "fit_mixed_rates",
    "fit_presence",
    "fit_rates",
    "fit_trend",
    "glm_nb",
    "naming_shares",
    "naming_shares_from_store",
    "newey_west_lags",
    "poisson_rate_test",
    "rate_ratio_ci_exact",
    "rogan_gladen",
    "time_series",
    "voice_composition",
]
