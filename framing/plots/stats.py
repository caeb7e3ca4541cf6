"""Figures of statistical results: forest plots, ITS, Fightin' Words.

Each function takes a result from :mod:`framing.stats` and ``ax=None``
and returns the :class:`~matplotlib.figure.Figure`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import OKABE_ITO, figure_and_axes, journal_style

__all__ = ["plot_forest", "plot_its", "plot_fightin_words"]

_RATIO_SCALES = ("ratio",)


def plot_forest(
    result: Any,
    ax: Axes | None = None,
    *,
    label: str = "term",
    log: bool | None = None,
) -> Figure:
    """Estimates with CIs, one row per term (log axis for ratios).

    Rows with a ``method`` column (e.g. :func:`framing.stats.compare_rates`)
    are drawn once per term with the methods side by side (one label per
    row, colour = method). A row without an estimate reads "no estimate"
    instead of being left blank; an interval open to infinity ends in an
    arrow at the axis edge. Log axes carry plain-number ticks (0.01, 0.1,
    1, 10, 100).

    Parameters
    ----------
    result : StatsResult
        Any tidy result; rows with a ``method`` column are coloured by it.
    ax : Axes, optional
        Draw here instead of a new figure.
    label : str
        Column used for the row labels.
    log : bool, optional
        Log x axis; default when ``estimate_scale`` names a ratio.

    Examples
    --------
    >>> from framing.stats.rates import poisson_rate_test
    >>> fig = plot_forest(poisson_rate_test(11, 800, 21, 3011))
    >>> fig.axes[0].get_xscale()
    'log'
    """
    table = result.table.reset_index(drop=True)
    ratio = any(word in result.estimate_scale for word in _RATIO_SCALES)
    log = ratio if log is None else log
    labels = list(dict.fromkeys(str(v) for v in table[label]))
    methods = list(dict.fromkeys(table["method"])) if "method" in table else [None]
    position = {name: len(labels) - 1 - i for i, name in enumerate(labels)}
    width = 0.7 / max(len(methods), 1)
    with journal_style():
        fig, ax = figure_and_axes(
            ax, width=5.0, aspect=min(1.6, max(0.4, 0.07 * len(table) + 0.25))
        )
        finite_values = []
        for column in ("estimate", "ci_low", "ci_high"):
            values = table[column].to_numpy(dtype=float)
            keep = np.isfinite(values) & ((values > 0) if log else True)
            finite_values.extend(values[keep].tolist())
        if finite_values:
            lo, hi = min(finite_values), max(finite_values)
        else:
            lo, hi = (0.5, 2.0) if log else (-1.0, 1.0)
        edge_low = lo / 1.5 if log else lo - 0.05 * (hi - lo + 1e-12)
        edge_high = hi * 1.5 if log else hi + 0.05 * (hi - lo + 1e-12)
        missing: list[tuple[float, str]] = []
        for k, method in enumerate(methods):
            colour = OKABE_ITO[k % len(OKABE_ITO)]
            part = table if method is None else table[table["method"] == method]
            offset = (k - (len(methods) - 1) / 2) * width
            y = np.array([position[str(v)] for v in part[label]], dtype=float)
            y = y - offset  # first method on top
            est = part["estimate"].to_numpy(dtype=float)
            low = part["ci_low"].to_numpy(dtype=float)
            high = part["ci_high"].to_numpy(dtype=float)
            has = np.isfinite(est) & ((est > 0) if log else True)
            ax.errorbar(
                est[has],
                y[has],
                xerr=[
                    est[has] - np.clip(low[has], edge_low, None),
                    np.clip(high[has], None, edge_high) - est[has],
                ],
                fmt="o",
                ms=3,
                capsize=2,
                color=colour,
                label=method,
            )
            for yy, h in zip(y[has], high[has], strict=True):
                if not np.isfinite(h) or h > edge_high:
                    ax.annotate(
                        "",
                        xy=(edge_high, yy),
                        xytext=(edge_high / 1.25 if log else edge_high, yy),
                        arrowprops={"arrowstyle": "->", "color": colour, "lw": 0.8},
                    )
            # A ratio estimated as 0 (no events in the group) with a finite
            # upper bound: an interval open to the left, not a missing row.
            zero = log & (est == 0) & np.isfinite(high) & (high > 0)
            for yy, h in zip(y[zero], high[zero], strict=True):
                ax.annotate(
                    "",
                    xy=(edge_low, yy),
                    xytext=(h, yy),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 0.8},
                )
                ax.text(h, yy, " estimate 0", color=colour, fontsize=6, va="center")
            for yy in y[~has & ~zero]:
                missing.append((yy, colour))
        centre = np.sqrt(edge_low * edge_high) if log else (edge_low + edge_high) / 2
        for yy, colour in missing:
            ax.text(
                centre,
                yy,
                "no estimate",
                color=colour,
                fontsize=6,
                ha="center",
                va="center",
                style="italic",
            )
        ax.set_yticks(list(position.values()), list(position.keys()))
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.axvline(1.0 if ratio else 0.0, color="0.5", lw=0.8, ls="--")
        if log:
            ax.set_xscale("log")
            ax.set_xlim(edge_low, edge_high)
            _plain_log_ticks(ax)
        else:
            ax.set_xlim(edge_low, edge_high)
        level = int(round(result.ci_level * 100))
        ax.set_xlabel(f"{result.estimate_scale} ({level}% CI)")
        if methods != [None]:
            ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), fontsize=6)
    return fig


def _plain_log_ticks(ax: Axes) -> None:
    """Log-axis ticks at powers of ten written as plain numbers (0.01, 1, 100)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    low, high = ax.get_xlim()
    span = np.log10(high) - np.log10(low)
    subs: tuple[float, ...] = (1.0,) if span > 1.5 else (1.0, 2.0, 5.0)
    # numticks high enough that no decade is skipped (0.01, 0.1, 1, 10, 100).
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=30))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _plain_number(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _plain_number(value: float) -> str:
    """0.01 -> "0.01", 100 -> "100", 1e6 -> "1,000,000" (no powers of ten)."""
    if value <= 0 or not np.isfinite(value):
        return ""
    if value >= 1:
        return f"{value:,.0f}"
    decimals = max(0, int(-np.floor(np.log10(value) + 1e-9)))
    return f"{value:.{decimals}f}"


def plot_its(its_result: Any, ax: Axes | None = None, *, ylabel: str = "") -> Figure:
    """Observed series, fitted segments, counterfactual and the event line.

    Parameters
    ----------
    its_result : ModelResults
        From :func:`framing.stats.timeseries.fit_its`.
    ax : Axes, optional
        Draw here instead of a new figure.
    ylabel : str
        Label of the y axis (default: the outcome name).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from framing.stats.timeseries import fit_its
    >>> dates = pd.date_range("2022-01-03", periods=20, freq="W-MON")
    >>> s = pd.DataFrame({"date": dates, "rate": np.r_[np.ones(10), np.ones(10) * 3]})
    >>> fig = plot_its(fit_its(s, event="2022-03-14"))
    >>> len(fig.axes)
    1
    """
    frame = its_result.frames["fitted"]
    event = its_result.frames["event"]["event"].iloc[0]
    with journal_style():
        fig, ax = figure_and_axes(ax, aspect=0.6)
        ax.plot(
            frame["date"],
            frame["observed"],
            "o",
            ms=2.5,
            color=OKABE_ITO[5],
            label="observed",
        )
        for post, part in frame.groupby("post"):
            ax.plot(
                part["date"],
                part["fitted"],
                color=OKABE_ITO[0],
                label="fitted" if not post else None,
            )
        after = frame[frame["post"]]
        ax.plot(
            after["date"],
            after["counterfactual"],
            ls="--",
            color=OKABE_ITO[1],
            label="counterfactual (pre-event trend)",
        )
        ax.axvline(event, color="0.3", lw=0.8, ls=":")
        ax.annotate(
            str(getattr(event, "date", lambda: event)()),
            (event, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=6,
            ha="left",
            va="bottom",
        )
        ax.set_ylabel(ylabel or its_result["its"].estimate_scale.split(" (")[0])
        # Above the axes: the series fills the plot area on both sides of the event.
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.06), fontsize=6, ncols=2)
        fig.autofmt_xdate()
    return fig


def plot_fightin_words(
    result: Any, ax: Axes | None = None, *, group: Any = None, top: int = 10
) -> Figure:
    """Fightin' Words: z-score against total frequency, top words labelled.

    Parameters
    ----------
    result : StatsResult
        From :func:`framing.stats.vocab.fightin_words`.
    ax : Axes, optional
        Draw here instead of a new figure.
    group : optional
        Which group's comparison to show (default: the first).
    top : int
        Label this many words at each end.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.stats.vocab import fightin_words
    >>> df = pd.DataFrame({"text": ["war war peace", "peace talks"] * 4,
    ...                    "outlet": ["a", "b"] * 4})
    >>> fig = plot_fightin_words(fightin_words(df, min_count=1))
    >>> fig.axes[0].get_xscale()
    'log'
    """
    table = result.table
    group = table["group"].iloc[0] if group is None else group
    part = table[table["group"] == group]
    with journal_style():
        fig, ax = figure_and_axes(ax, aspect=0.75)
        z = part["z"].to_numpy(dtype=float)
        n = part["n"].to_numpy(dtype=float)
        significant = (part["p_adj"] < 0.05).to_numpy()
        colours = np.where(z > 0, OKABE_ITO[0], OKABE_ITO[4])
        ax.scatter(n[~significant], z[~significant], s=2, color="0.75", lw=0)
        ax.scatter(n[significant], z[significant], s=4, c=colours[significant], lw=0)
        order = np.argsort(z)
        for i in list(order[:top]) + list(order[-top:]):
            ax.annotate(
                str(part["term"].iloc[i]),
                (n[i], z[i]),
                fontsize=5,
                color=colours[i],
                xytext=(2, 0),
                textcoords="offset points",
                va="center",
            )
        ax.set_xscale("log")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_xlabel("total frequency")
        ax.set_ylabel(f"z: more typical of {group} (+) / other (-)")
        ax.set_title(f"coloured: {result.p_adjust} p_adj < 0.05", fontsize=6)
    return fig
