"""Statistics of framing: models of presence, rates, time, outlets and
vocabulary, returning tidy results with CIs and adjusted p-values."""

from .results import StatsResult, adjust_pvalues

__all__ = ["StatsResult", "adjust_pvalues"]
