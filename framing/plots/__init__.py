"""Publication figures: a journal style and plot functions.

Every plot function takes ``ax=None`` (a new figure is made when omitted),
returns the :class:`matplotlib.figure.Figure`, and never calls
``plt.show()``. :func:`journal_style` sets fonts, sizes and a colour-blind
safe palette; :func:`save_figure` writes vector PDF (fonts embedded, no
creation date, so reruns are byte-identical) and PNG.
"""

from .style import (
    DOUBLE_COLUMN,
    OKABE_ITO,
    SINGLE_COLUMN,
    journal_style,
    new_figure,
    save_figure,
)

__all__ = [
    "DOUBLE_COLUMN",
    "OKABE_ITO",
    "SINGLE_COLUMN",
    "journal_style",
    "new_figure",
    "save_figure",
]
