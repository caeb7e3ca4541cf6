"""Figures for topic models: choosing K, prevalence, top words.

Every function takes the tables the topic module returns, draws on ``ax``
(or a new journal-sized figure) and returns the Figure without showing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import (
    DOUBLE_COLUMN,
    OKABE_ITO,
    SINGLE_COLUMN,
    figure_and_axes,
    journal_style,
)

__all__ = ["plot_k_selection", "plot_topic_prevalence", "plot_top_words"]

_MEASURE_LABELS = {"c_v": "C_V", "c_npmi": "NPMI"}


def plot_k_selection(grid: Any, ax: Axes | None = None) -> Figure:
    """Coherence (left axis) and stability across seeds (right axis) per K.

    ``grid`` is a :class:`~framing.frames.topics.KSelection` or its
    ``summary`` table. Error bars are one standard deviation over seeds
    (coherence) or seed pairs (stability).

    Examples
    --------
    >>> summary = pd.DataFrame({"k": [5, 10, 20], "c_v_mean": [.40, .45, .43],
    ...     "c_v_sd": [.01, .02, .01], "c_npmi_mean": [.02, .05, .04],
    ...     "c_npmi_sd": [.01, .01, .01], "stability": [.8, .7, .5],
    ...     "stability_sd": [.05, .05, .1]})
    >>> fig = plot_k_selection(summary)
    >>> len(fig.axes)
    2
    """
    summary = getattr(grid, "summary", grid).sort_values("k")
    with journal_style():
        fig, ax = figure_and_axes(ax, SINGLE_COLUMN, 0.7)
        ks = summary["k"].to_numpy()
        handles = []
        for i, (measure, label) in enumerate(_MEASURE_LABELS.items()):
            if f"{measure}_mean" not in summary:
                continue
            h = ax.errorbar(
                ks,
                summary[f"{measure}_mean"],
                yerr=summary.get(f"{measure}_sd"),
                marker="os"[i],
                color=OKABE_ITO[i],
                capsize=2,
                label=f"coherence {label}",
            )
            handles.append(h)
        ax.set_xlabel("number of topics K")
        ax.set_ylabel("coherence (higher is better)")
        ax.set_xticks(ks)
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        h = right.errorbar(
            ks,
            summary["stability"],
            yerr=summary.get("stability_sd"),
            marker="^",
            linestyle="--",
            color=OKABE_ITO[4],
            capsize=2,
            label="stability across seeds",
        )
        handles.append(h)
        right.set_ylabel("stability (top-word Jaccard)")
        right.set_ylim(0, 1.05)
        # Above the axes: inside, it hides whichever line runs low.
        ax.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.02),
            ncols=2,
            fontsize=6,
        )
    return fig


def plot_topic_prevalence(
    prevalence: pd.DataFrame,
    ax: Axes | None = None,
    *,
    topics: Sequence[str] | None = None,
    names: dict[str, str] | None = None,
) -> Figure:
    """Topic prevalence by outlet (bars) or over periods (lines).

    ``prevalence`` is the table of
    :func:`~framing.frames.topics.topic_prevalence`. With a ``period``
    column each topic is a line over periods (other groups pooled, weighted
    by documents); otherwise a horizontal bar per topic and outlet, with
    standard-error whiskers. ``names`` relabels topics (e.g. with top
    words).

    Examples
    --------
    >>> table = pd.DataFrame({"outlet": ["x", "x", "y", "y"],
    ...     "topic": ["topic_00", "topic_01"] * 2, "prevalence": [.7, .3, .2, .8],
    ...     "se": [.05] * 4, "n_docs": [10] * 4})
    >>> fig = plot_topic_prevalence(table)
    >>> len(fig.axes[0].patches)
    4
    """
    data = prevalence
    if topics is not None:
        data = data[data["topic"].isin(list(topics))]
    names = names or {}
    topic_order = sorted(data["topic"].unique())
    with journal_style():
        if "period" in data.columns:
            fig, ax = figure_and_axes(ax, DOUBLE_COLUMN, 0.4)
            weighted = data.assign(w=data["prevalence"] * data["n_docs"])
            pooled = weighted.groupby(["period", "topic"], sort=True)[
                ["w", "n_docs"]
            ].sum()
            pooled["share"] = pooled["w"] / pooled["n_docs"]
            table = pooled["share"].unstack("topic")
            periods = list(table.index)
            x = np.arange(len(periods))
            styles = ["-", "--", ":", "-."]
            for i, topic in enumerate(topic_order):
                ax.plot(
                    x,
                    table[topic].to_numpy(),
                    color=OKABE_ITO[i % len(OKABE_ITO)],
                    linestyle=styles[(i // len(OKABE_ITO)) % len(styles)],
                    marker="o",
                    markersize=2.5,
                    label=names.get(topic, topic),
                )
            ax.set_xticks(x, periods, rotation=45, ha="right")
            ax.set_xlabel("period")
            ax.set_ylabel("mean topic share")
            ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=6)
            return fig
        group = next((c for c in data.columns if c not in _VALUE_COLUMNS), None)
        groups = sorted(data[group].unique()) if group else ["all"]
        inches = 0.6 + 0.11 * len(topic_order) * len(groups)
        longest = max((len(names.get(t, t)) for t in topic_order), default=0)
        # Long topic names (top words) need room beside the bars.
        width = SINGLE_COLUMN if longest <= 20 else 0.75 * DOUBLE_COLUMN
        fig, ax = figure_and_axes(ax, width, inches / width)
        bar = 0.8 / len(groups)
        y = np.arange(len(topic_order))
        for j, g in enumerate(groups):
            part = data[data[group] == g] if group else data
            part = part.set_index("topic").reindex(topic_order)
            ax.barh(
                y + j * bar - 0.4 + bar / 2,
                part["prevalence"].to_numpy(),
                height=bar,
                xerr=part["se"].to_numpy() if "se" in part else None,
                color=OKABE_ITO[j % len(OKABE_ITO)],
                error_kw={"elinewidth": 0.6, "capsize": 1},
                label=str(g),
            )
        ax.set_yticks(y, [names.get(t, t) for t in topic_order])
        ax.invert_yaxis()
        ax.set_xlabel("mean topic share")
        if group:
            ax.legend(
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncols=min(len(groups), 3),
                fontsize=6,
            )
    return fig


_VALUE_COLUMNS = {"topic", "prevalence", "se", "n_docs"}
_MAX_WORD = 24


def _display_word(word: str) -> str:
    """Collocations read as words; very long ones are shortened."""
    text = str(word).replace("_", " ")
    return text if len(text) <= _MAX_WORD else text[: _MAX_WORD - 1] + "…"


def plot_top_words(
    labels: pd.DataFrame,
    *,
    kind: str = "frex",
    n: int = 8,
    topics: Sequence[int] | None = None,
    ncols: int = 4,
    width: float = DOUBLE_COLUMN,
) -> Figure:
    """One small panel per topic: its top words by FREX or probability.

    ``labels`` is the long table of
    :func:`~framing.frames.topics.top_word_table`. Bars show the word's
    probability in the topic; with ``kind="frex"`` the words are the FREX
    ranking (frequent *and* exclusive), so bar lengths need not be sorted.

    Examples
    --------
    >>> table = pd.DataFrame({"topic": [0, 0, 1, 1], "name": ["a", "a", "b", "b"],
    ...     "kind": ["frex"] * 4, "rank": [1, 2, 1, 2], "word": ["w", "x", "y", "z"],
    ...     "probability": [.2, .1, .3, .1], "frex": [.9, .8, .9, .7]})
    >>> fig = plot_top_words(table, ncols=2)
    >>> len(fig.axes)
    2
    """
    if kind not in ("frex", "prob"):
        raise ValueError(f"kind={kind!r}: use 'frex' or 'prob'")
    data = labels[(labels["kind"] == kind) & (labels["rank"] <= n)]
    wanted = sorted(data["topic"].unique()) if topics is None else list(topics)
    ncols = max(1, min(ncols, len(wanted)))
    nrows = -(-len(wanted) // ncols)
    import matplotlib.pyplot as plt

    with journal_style():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(width, max(1.2, 0.14 * n + 0.45) * nrows),
            layout="constrained",
            squeeze=False,
        )
        for index, ax in enumerate(axes.flat):
            if index >= len(wanted):
                ax.remove()
                continue
            t = wanted[index]
            part = data[data["topic"] == t].sort_values("rank")
            ax.barh(
                np.arange(len(part)),
                part["probability"].to_numpy(),
                color=OKABE_ITO[index % (len(OKABE_ITO) - 1)],
            )
            ax.set_yticks(
                np.arange(len(part)),
                [_display_word(w) for w in part["word"]],
                fontsize=6,
            )
            ax.invert_yaxis()
            ax.xaxis.set_major_locator(MaxNLocator(nbins=2))
            ax.tick_params(axis="x", labelsize=5)
            name = str(part["name"].iloc[0]) if len(part) else f"topic {t}"
            ax.set_title(name, fontsize=7)
        fig.supxlabel(
            "probability in topic"
            + (" (words ranked by FREX)" if kind == "frex" else ""),
            fontsize=7,
        )
    return fig
