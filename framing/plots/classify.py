"""Figures of classifier validation: confusion, reliability, learning curve.

Each takes a :class:`~framing.frames.classify.ValidationResult`, an optional
``ax`` and returns the Figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import OKABE_ITO, figure_and_axes, journal_style

__all__ = ["plot_confusion", "plot_reliability", "plot_learning_curve"]


def plot_confusion(
    result: Any, ax: Axes | None = None, *, normalize: bool = True
) -> Figure:
    """Confusion matrix (rows gold, columns predicted), row-normalised by default.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> confusion = pd.DataFrame([[8, 2], [1, 9]], index=["a", "b"], columns=["a", "b"])
    >>> fig = plot_confusion(SimpleNamespace(confusion=confusion, scheme="demo"))
    >>> fig.axes[0].get_xlabel()
    'predicted'
    """
    confusion = result.confusion
    counts = confusion.to_numpy(dtype=float)
    values = (
        counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        if normalize
        else counts
    )
    size = max(3.5, 0.45 * len(confusion) + 1.5)
    fig, ax = figure_and_axes(ax, width=size, aspect=0.85)
    with journal_style():
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                text = f"{values[i, j]:.2f}" if normalize else f"{int(counts[i, j])}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white"
                    if values[i, j] > 0.6 * np.nanmax(values)
                    else "black",
                )
        ax.set_xticks(
            range(len(confusion.columns)),
            [str(c) for c in confusion.columns],
            rotation=45,
            ha="right",
        )
        ax.set_yticks(range(len(confusion.index)), [str(c) for c in confusion.index])
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(
            f"{result.scheme}: " + ("share of gold row" if normalize else "counts")
        )
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def plot_reliability(result: Any, ax: Axes | None = None) -> Figure:
    """Reliability curve: accuracy of the top frame against its confidence.

    Points are bins of the pooled outer-fold predictions with Wilson
    intervals; the diagonal is perfect calibration; point area shows the
    number of documents.
    """
    table = result.reliability
    fig, ax = figure_and_axes(ax)
    with journal_style():
        ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=0.8)
        x = table["mean_confidence"].to_numpy()
        y = table["accuracy"].to_numpy()
        err = np.vstack(
            [y - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - y]
        )
        ax.errorbar(x, y, yerr=err, fmt="none", ecolor=OKABE_ITO[1], linewidth=0.8)
        area = 8 + 60 * table["n"].to_numpy() / max(1, table["n"].max())
        ax.scatter(x, y, s=area, color=OKABE_ITO[1], zorder=3)
        brier = result.overall("brier")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("confidence of the top frame")
        ax.set_ylabel("share correct")
        ax.set_title(f"{result.scheme}: Brier {brier['estimate']:.3f}")
    return fig


def plot_learning_curve(result: Any, ax: Axes | None = None) -> Figure:
    """Accuracy and macro-F1 against training-set size, with CIs over folds."""
    table = result.learning_curve
    if table is None:
        raise ValueError(
            "the result has no learning curve; validate(learning_curve=...)"
        )
    fig, ax = figure_and_axes(ax)
    with journal_style():
        for colour, (metric, part) in zip(
            OKABE_ITO[1:], table.groupby("metric"), strict=False
        ):
            part = part.sort_values("train_size")
            ax.plot(
                part["train_size"],
                part["estimate"],
                marker="o",
                color=colour,
                label=str(metric).replace("_", "-"),
            )
            ax.fill_between(
                part["train_size"],
                part["ci_low"],
                part["ci_high"],
                color=colour,
                alpha=0.2,
                linewidth=0,
            )
        ax.set_xlabel("training documents")
        ax.set_ylabel("score on outer test folds")
        ax.set_ylim(0, 1)
        ax.legend(frameon=False)
        ax.set_title(f"{result.scheme}: learning curve")
    return fig
