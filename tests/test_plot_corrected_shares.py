"""plot_corrected_shares: raw and corrected naming shares per group and frame."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from framing.plots.naming import plot_corrected_shares
from framing.stats import corrected_naming_shares


def _result():
    data = pd.DataFrame(
        {
            "source": ["a"] * 200 + ["b"] * 200,
            "has__war": [True] * 40 + [False] * 160 + [True] * 10 + [False] * 190,
            "has__conflict": [True] * 5 + [False] * 395,
        }
    )
    rates = pd.DataFrame(
        {
            "frame": ["war"],
            "precision": [0.8],
            "n_precision": [50],
            "recall": [0.9],
            "n_recall": [50],
        }
    )
    return corrected_naming_shares(
        data, rates, frames=["war", "conflict"], voice=None, period=None, n_boot=200
    )


def test_one_panel_per_frame_with_raw_and_corrected_points():
    result = _result()
    fig = plot_corrected_shares(result)
    assert [a.get_title() for a in fig.axes] == ["war", "conflict"]
    war = fig.axes[0]
    # raw and corrected: two errorbar containers, two groups each
    points = [c for c in war.containers]
    assert len(points) == 2
    assert [len(c.lines[0].get_xdata()) for c in points] == [2, 2]
    # conflict has no gold: raw shares only, no corrected point
    conflict = fig.axes[1]
    assert [len(c.lines[0].get_xdata()) for c in conflict.containers] == [2, 0]
    raw = np.asarray(points[0].lines[0].get_xdata(), dtype=float)
    assert raw == pytest.approx([0.2, 0.05])
    plt.close(fig)


def test_given_axes_and_subsets():
    fig, axes = plt.subplots(1, 1)
    out = plot_corrected_shares(
        _result(), axes, frames=["war"], groups=["b"], frame_labels={"war": "War"}
    )
    assert out is fig
    assert axes.get_title() == "War"
    assert [t.get_text() for t in axes.get_yticklabels()] == ["b"]
    with pytest.raises(ValueError, match="one per frame"):
        plot_corrected_shares(_result(), [axes], frames=["war", "conflict"])
    plt.close(fig)


def test_rejects_a_table_with_periods():
    table = _result().table.assign(period="2022")
    with pytest.raises(ValueError, match="one period"):
        plot_corrected_shares(table)
