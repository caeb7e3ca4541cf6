"""Figures of naming: frame shares over time per source, voice composition,
and naming shares corrected for the detector's measured error.

Each takes a tidy table or result of :mod:`framing.stats` and ``ax=None``,
and returns the :class:`~matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import DOUBLE_COLUMN, OKABE_ITO, journal_style

__all__ = [
    "plot_naming_over_time",
    "plot_voice_composition",
    "plot_corrected_shares",
    "VOICE_COLOURS",
]

#: One colour per voice; "own" is the darkest, so it survives greyscale print.
_EVENT_STYLES = (":", "--", "-.")

VOICE_COLOURS = {
    "own": OKABE_ITO[0],
    # A lighter blue than "own": the outlet reporting someone else's words.
    "reported": OKABE_ITO[5],
    "quoted": OKABE_ITO[1],
    "attributed": OKABE_ITO[2],
    "scare": OKABE_ITO[3],
    "negated": "0.6",
}


def _axes_grid(
    ax: Axes | Sequence[Axes] | None, nrows: int, ncols: int, *, height: float
) -> tuple[Figure, list[Axes]]:
    n = nrows * ncols
    if ax is None:
        import matplotlib.pyplot as plt

        fig, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(DOUBLE_COLUMN, height * nrows + 0.5),
            # Each group (column) keeps its own date range; each panel its
            # own share scale (ylim="auto"), so small shares are not flattened.
            sharex="col",
            sharey=False,
            layout="constrained",
            squeeze=False,
        )
        return fig, list(grid.ravel())
    axes = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes) != n:
        raise ValueError(f"need {n} axes (voices x groups); got {len(axes)}")
    figure = axes[0].get_figure()
    if not isinstance(figure, Figure):
        raise TypeError("ax must belong to a matplotlib Figure")
    return figure, axes


def plot_naming_over_time(
    shares: pd.DataFrame,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    frames: Sequence[str] | None = None,
    voices: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    events: Mapping[str, str] | None = None,
    frame_labels: Mapping[str, str] | None = None,
    min_docs: int = 1,
    ylim: tuple[float, float] | str | None = "auto",
) -> Figure:
    """Share of documents using each frame over time: a panel per group and voice.

    Columns are groups (outlets or sources), rows are voices; colour is
    the frame, shaded bands its interval; dotted lines mark events. Periods
    with fewer than ``min_docs`` documents are not drawn.

    Parameters
    ----------
    shares : DataFrame
        From :func:`framing.stats.naming_shares`.
    ax : Axes or sequence of Axes, optional
        ``len(voices) * len(groups)`` axes, row by row; by default a
        double-column figure.
    frames, voices, groups : sequence, optional
        Subsets and their order (default: all, in table order).
    events : mapping, optional
        ``{"2022-02-24": "full-scale invasion"}``: vertical lines, named in
        the legend.
    frame_labels : mapping, optional
        Legend labels of frames.
    min_docs : int
        Periods with fewer documents are left out (their shares are noise).
    ylim : "auto", (low, high) or None
        Share axis: ``"auto"`` (default) fits each panel to its largest
        share (rounded up to a round number; 1-5% shares are not
        flattened against a 0-1 axis; read the tick labels before comparing
        panels), a pair fixes it for every panel, ``None`` is 0-1. Ticks
        are percentages.

    Each group's panels span that group's own dates; date ticks are
    thinned to the panel width at any period (days to years).

    Examples
    --------
    >>> table = pd.DataFrame({"group": "a", "frame": "war", "voice": "own",
    ...     "period": pd.date_range("2022-01-03", periods=3, freq="W-MON"),
    ...     "n_docs": 4, "share": [0.0, 0.25, 0.5],
    ...     "ci_low": [0.0, 0.05, 0.15], "ci_high": [0.5, 0.7, 0.85]})
    >>> fig = plot_naming_over_time(table, events={"2022-01-10": "event"})
    >>> [a.get_title() for a in fig.axes]
    ['a']
    """
    frames = list(dict.fromkeys(shares["frame"])) if frames is None else list(frames)
    voices = list(dict.fromkeys(shares["voice"])) if voices is None else list(voices)
    groups = list(dict.fromkeys(shares["group"])) if groups is None else list(groups)
    labels = dict(frame_labels or {})
    with journal_style():
        fig, axes = _axes_grid(ax, len(voices), len(groups), height=1.55)
        for index, axis in enumerate(axes):
            voice, group = voices[index // len(groups)], groups[index % len(groups)]
            part = shares[
                (shares["group"] == group)
                & (shares["voice"] == voice)
                & (shares["n_docs"] >= min_docs)
            ]
            for i, frame in enumerate(frames):
                colour = OKABE_ITO[i % len(OKABE_ITO)]
                line = part[part["frame"] == frame]
                if line.empty:
                    continue
                x = line["period"].to_numpy()
                axis.fill_between(
                    x,
                    line["ci_low"].to_numpy(dtype=float),
                    line["ci_high"].to_numpy(dtype=float),
                    color=colour,
                    alpha=0.12,
                    lw=0,
                )
                axis.plot(
                    x,
                    line["share"].to_numpy(dtype=float),
                    color=colour,
                    marker="o",
                    ms=2,
                    lw=1.0,
                )
            for k, when in enumerate(events or {}):
                axis.axvline(
                    mdates.date2num(pd.Timestamp(when)),
                    color="0.3",
                    lw=0.7,
                    ls=_EVENT_STYLES[k % len(_EVENT_STYLES)],
                )
            if index < len(groups):
                axis.set_title(str(group))
            if index % len(groups) == 0:
                axis.set_ylabel(f"{voice} voice\nshare of documents")
            axis.yaxis.set_major_formatter(_percent_formatter())
        for axis in axes:
            _date_ticks(axis, len(groups))
        _share_limits(axes, shares, voices, groups, min_docs, ylim)
        handles: list[Any] = [
            Patch(color=OKABE_ITO[i % len(OKABE_ITO)], label=labels.get(f, f))
            for i, f in enumerate(frames)
        ]
        handles += [
            Line2D(
                [],
                [],
                color="0.3",
                lw=0.7,
                ls=_EVENT_STYLES[k % len(_EVENT_STYLES)],
                label=label,
            )
            for k, label in enumerate((events or {}).values())
        ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 6),
            fontsize=6.5,
        )
    return fig


def _percent_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _: Any) -> str:
        percent = 100 * value
        if abs(percent - round(percent)) < 1e-9:
            return f"{percent:.0f}%"
        return f"{percent:.1f}%".replace(".0%", "%")

    return FuncFormatter(label)


def _nice_ceiling(value: float) -> float:
    """The next round number (1, 1.5, 2 ... 8 x 10^k) at or above ``value``, <= 1."""
    if value <= 0 or not np.isfinite(value):
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * power >= value - 1e-12:
            return float(min(1.0, step * power))
    return 1.0


def _share_limits(
    axes: Sequence[Axes],
    shares: pd.DataFrame,
    voices: Sequence[str],
    groups: Sequence[Any],
    min_docs: int,
    ylim: tuple[float, float] | str | None,
) -> None:
    if ylim is None:
        for axis in axes:
            axis.set_ylim(0, 1)
        return
    if not isinstance(ylim, str):
        for axis in axes:
            axis.set_ylim(*ylim)
        return
    if ylim != "auto":
        raise ValueError(
            f"ylim must be 'auto', a (low, high) pair or None, got {ylim!r}"
        )
    for index, axis in enumerate(axes):
        voice, group = voices[index // len(groups)], groups[index % len(groups)]
        part = shares[
            (shares["voice"] == voice)
            & (shares["group"] == group)
            & (shares["n_docs"] >= min_docs)
        ]
        top = float(part["share"].max()) if len(part) else 0.0
        # Intervals of tiny periods can reach far up; let them be clipped
        # rather than flatten the shares themselves.
        upper = float(part["ci_high"].quantile(0.9)) if len(part) else 0.0
        axis.set_ylim(0, _nice_ceiling(1.08 * max(top, min(upper, 2 * top), 0.01)))


def _date_ticks(axis: Axes, n_columns: int) -> None:
    """Few enough date ticks for the panel width at any period, concise labels."""
    most = max(3, 8 // max(n_columns, 1))
    low, high = axis.get_xlim()
    span_days = high - low
    locator: Any
    if span_days > 62:
        months = span_days / 30.44
        step = next(
            (k for k in (1, 2, 3, 4, 6, 12) if months / k <= most),
            None,
        )
        if step is None:
            years = months / 12
            base = next(k for k in (1, 2, 5, 10, 20, 50, 100) if years / k <= most)
            locator = mdates.YearLocator(base=base)
        else:
            locator = mdates.MonthLocator(bymonth=range(1, 13, step))
    else:
        locator = mdates.AutoDateLocator(minticks=2, maxticks=most + 1)
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_voice_composition(
    composition: pd.DataFrame,
    ax: Axes | None = None,
    *,
    frames: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    voices: Sequence[str] | None = None,
    frame_labels: Mapping[str, str] | None = None,
    min_mentions: int = 1,
) -> Figure:
    """Stacked bars: how each group's mentions of each frame divide by voice.

    One bar per group and frame (grouped by frame), labelled with the
    number of mentions; frames a group never uses are left out.

    Parameters
    ----------
    composition : DataFrame
        From :func:`framing.stats.voice_composition` (without ``period``).
    ax : Axes, optional
        Draw here instead of a new double-column figure.
    frames, groups, voices : sequence, optional
        Subsets and their order.
    frame_labels : mapping, optional
        Display labels of frames.
    min_mentions : int
        Bars with fewer mentions are left out.

    Examples
    --------
    >>> table = pd.DataFrame({"group": "a", "frame": "war",
    ...     "voice": ["own", "quoted"], "mentions": [3, 1], "total": 4,
    ...     "share": [0.75, 0.25]})
    >>> fig = plot_voice_composition(table)
    >>> len(fig.axes[0].patches)
    2
    """
    if "period" in composition.columns:
        raise ValueError("plot one period at a time: filter the 'period' column")
    frames = (
        list(dict.fromkeys(composition["frame"])) if frames is None else list(frames)
    )
    groups = (
        list(dict.fromkeys(composition["group"])) if groups is None else list(groups)
    )
    voices = (
        list(dict.fromkeys(composition["voice"])) if voices is None else list(voices)
    )
    labels = dict(frame_labels or {})
    bars: list[tuple[str, pd.DataFrame, int]] = []
    for frame in frames:
        for group in groups:
            part = composition[
                (composition["frame"] == frame) & (composition["group"] == group)
            ].set_index("voice")
            total = int(part["total"].iloc[0]) if len(part) else 0
            if total >= min_mentions:
                bars.append((f"{group} · {labels.get(frame, frame)}", part, total))
    with journal_style():
        if ax is None:
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(
                figsize=(DOUBLE_COLUMN, 0.22 * max(len(bars), 2) + 0.9),
                layout="constrained",
            )
        else:
            figure = ax.get_figure()
            if not isinstance(figure, Figure):
                raise TypeError("ax must belong to a matplotlib Figure")
            fig = figure
        y = np.arange(len(bars))[::-1]
        left = np.zeros(len(bars))
        for voice in voices:
            widths = np.array(
                [
                    float(part["share"].get(voice, 0.0)) if total else 0.0
                    for _, part, total in bars
                ]
            )
            ax.barh(
                y,
                widths,
                left=left,
                color=VOICE_COLOURS.get(voice, "0.8"),
                height=0.75,
                label=voice,
                edgecolor="white",
                linewidth=0.3,
            )
            left += widths
        for k, (_, _, total) in enumerate(bars):
            ax.annotate(
                f"n={total}",
                (1.0, y[k]),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=6,
            )
        ax.set_yticks(y, [name for name, _, _ in bars])
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of mentions")
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(voices), fontsize=6.5
        )
    return fig


def plot_corrected_shares(
    result: Any,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    frames: Sequence[str] | None = None,
    groups: Sequence[Any] | None = None,
    frame_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Raw and error-corrected naming shares per group: a panel per frame.

    Each group has two points: the raw (detected) share of documents with
    its Wilson interval (hollow), and the share corrected for the
    detector's measured error with the interval that includes the error
    rates' uncertainty (filled). Groups whose correction is not
    identifiable show the raw share only.

    Parameters
    ----------
    result : StatsResult or DataFrame
        From :func:`framing.stats.corrected_naming_shares` with
        ``period=None`` (its ``table``: ``term``, ``group``, ``estimate``,
        ``ci_low``, ``ci_high``, ``naive``, ``n_present``, ``n``).
    ax : Axes or sequence of Axes, optional
        One axes per frame; by default a double-column figure.
    frames, groups : sequence, optional
        Subsets and their order (default: all, in table order).
    frame_labels : mapping, optional
        Panel titles of frames.

    Examples
    --------
    >>> table = pd.DataFrame({"term": "war", "group": ["a", "b"],
    ...     "estimate": [0.30, 0.10], "ci_low": [0.20, 0.05],
    ...     "ci_high": [0.40, 0.15], "naive": [0.31, 0.12],
    ...     "n_present": [31, 12], "n": [100, 100]})
    >>> fig = plot_corrected_shares(table)
    >>> [a.get_title() for a in fig.axes]
    ['war']
    """
    from ..evaluation import wilson_interval

    table = getattr(result, "table", result)
    if "period" in table.columns and table["period"].notna().any():
        raise ValueError("plot one period at a time: filter the 'period' column")
    frames = list(dict.fromkeys(table["term"])) if frames is None else list(frames)
    groups = list(dict.fromkeys(table["group"])) if groups is None else list(groups)
    labels = dict(frame_labels or {})
    with journal_style():
        if ax is None:
            import matplotlib.pyplot as plt

            fig, grid = plt.subplots(
                1,
                len(frames),
                figsize=(DOUBLE_COLUMN, 0.2 * max(len(groups), 3) + 0.9),
                sharey=True,
                layout="constrained",
                squeeze=False,
            )
            axes = list(grid.ravel())
        else:
            axes = [ax] if isinstance(ax, Axes) else list(ax)
            if len(axes) != len(frames):
                raise ValueError(f"need {len(frames)} axes (one per frame)")
            figure = axes[0].get_figure()
            if not isinstance(figure, Figure):
                raise TypeError("ax must belong to a matplotlib Figure")
            fig = figure
        y = np.arange(len(groups))[::-1].astype(float)
        for axis, frame in zip(axes, frames, strict=True):
            part = table[table["term"] == frame].set_index("group")
            part = part.reindex([g for g in groups if g in part.index])
            rows = y[[groups.index(g) for g in part.index]]
            raw = part["naive"].to_numpy(dtype=float)
            bounds = np.array(
                [
                    wilson_interval(float(k), float(n)) if n > 0 else (np.nan, np.nan)
                    for k, n in zip(part["n_present"], part["n"], strict=True)
                ],
                dtype=float,
            ).reshape(-1, 2)
            axis.errorbar(
                raw,
                rows + 0.15,
                xerr=[raw - bounds[:, 0], bounds[:, 1] - raw],
                fmt="o",
                ms=3,
                mfc="white",
                capsize=1.5,
                lw=0.8,
                color="0.45",
                label="raw (detected)",
            )
            corrected = part["estimate"].to_numpy(dtype=float)
            low = part["ci_low"].to_numpy(dtype=float)
            high = part["ci_high"].to_numpy(dtype=float)
            shown = np.isfinite(corrected)
            low = np.where(np.isfinite(low), low, corrected)
            high = np.where(np.isfinite(high), high, corrected)
            axis.errorbar(
                corrected[shown],
                rows[shown] - 0.15,
                xerr=[
                    corrected[shown] - low[shown],
                    high[shown] - corrected[shown],
                ],
                fmt="o",
                ms=3,
                capsize=1.5,
                lw=0.8,
                color=OKABE_ITO[0],
                label="corrected",
            )
            axis.set_title(labels.get(frame, frame))
            axis.set_xlim(left=0)
            axis.set_xlabel("share of documents")
        axes[0].set_yticks(y, [str(g) for g in groups])
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=2, fontsize=6.5)
    return fig
