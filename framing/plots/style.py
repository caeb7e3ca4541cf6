"""Journal style for matplotlib figures.

Widths follow common journal columns (single 3.5 in, double 7.2 in); fonts
are embedded as TrueType (Type 42) so that PDFs pass journal checks; the
palette is Okabe-Ito, distinguishable with the common colour-vision
deficiencies and in greyscale by lightness.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "SINGLE_COLUMN",
    "DOUBLE_COLUMN",
    "OKABE_ITO",
    "STYLE",
    "journal_style",
    "new_figure",
    "figure_and_axes",
    "save_figure",
]

SINGLE_COLUMN = 3.5  # inches
DOUBLE_COLUMN = 7.2

#: Okabe & Ito (2008) colour-blind-safe palette, black last.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",
)

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "lines.linewidth": 1.2,
    "savefig.dpi": 300,
    "figure.dpi": 100,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.hashsalt": "framing",
    "path.simplify": True,
}


@contextmanager
def journal_style(**overrides: Any) -> Iterator[None]:
    """Apply the journal style (plus ``overrides``) inside a ``with`` block."""
    settings: Any = {**STYLE, **overrides}
    with plt.rc_context(settings):
        yield


def new_figure(
    width: float = SINGLE_COLUMN, aspect: float = 0.75
) -> tuple[Figure, Axes]:
    """A figure of a journal width (inches) and height ``width * aspect``."""
    with journal_style():
        fig, ax = plt.subplots(figsize=(width, width * aspect), layout="constrained")
    return fig, ax


def figure_and_axes(
    ax: Axes | None, width: float = SINGLE_COLUMN, aspect: float = 0.75
) -> tuple[Figure, Axes]:
    """The figure of ``ax``, or a new journal-sized figure and axes."""
    if ax is None:
        return new_figure(width, aspect)
    figure = ax.get_figure()
    if not isinstance(figure, Figure):
        raise TypeError("ax must belong to a matplotlib Figure")
    return figure, ax


def save_figure(
    figure: Figure, path: str | Path, *, formats: tuple[str, ...] = ("pdf", "png")
) -> list[Path]:
    """Save ``figure`` as ``path`` with each suffix in ``formats``.

    PDF metadata carries no creation date and a fixed producer, so the same
    figure gives the same bytes on every run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> first = [p.read_bytes() for p in save_figure(fig, folder / "a")]
    >>> second = [p.read_bytes() for p in save_figure(fig, folder / "a")]
    >>> first == second
    True
    """
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        metadata: dict[str, Any] | None
        if fmt == "pdf":
            metadata = {
                "CreationDate": None,
                "ModDate": None,
                "Producer": "framing",
                "Creator": "framing",
            }
        elif fmt == "png":
            metadata = {"Software": "framing"}
        else:
            metadata = None
        with journal_style():
            figure.savefig(target, format=fmt, metadata=metadata)
        written.append(target)
    return written
