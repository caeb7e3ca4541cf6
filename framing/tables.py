"""Plain-text, Markdown and LaTeX tables for results objects.

Shared by :mod:`framing.evaluation`, :mod:`framing.annotation` and
:mod:`framing.stats`, so that every results object exports the same way.
LaTeX tables use booktabs (``\\usepackage{booktabs}``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "fmt",
    "fmt_ci",
    "text_table",
    "markdown_table",
    "latex_escape",
    "latex_table",
]


def fmt(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def fmt_ci(estimate: float, low: float, high: float, digits: int = 3) -> str:
    if not math.isfinite(low) or not math.isfinite(high):
        return fmt(estimate, digits)
    return f"{fmt(estimate, digits)} [{fmt(low, digits)}, {fmt(high, digits)}]"


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1
) -> str:
    """A fixed-width plain-text table: ``left`` text columns, then numbers."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(w) if i < left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1
) -> str:
    """A GitHub-flavoured Markdown table (no optional dependency needed)."""

    def escape(cell: str) -> str:
        return cell.replace("|", r"\|").replace("\n", " ")

    align = [":--" if i < left else "--:" for i in range(len(header))]
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def latex_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    label: str | None = None,
    extra: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
    left: int = 1,
) -> str:
    """A booktabs ``table`` environment (needs ``\\usepackage{booktabs}``).

    ``extra`` is a second (header, rows) block set as its own tabular below.
    """
    body = [r"\begin{table}[htbp]", r"\centering"]
    blocks = [(header, rows)] if extra is None else [(header, rows), extra]
    for i, (head, lines) in enumerate(blocks):
        if i:
            body.append(r"\par\medskip")
        # Only the first block has the extra text columns.
        text_columns = left if i == 0 else 1
        spec = "l" * text_columns + "r" * (len(head) - text_columns)
        body += [
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            " & ".join(latex_escape(h) for h in head) + r" \\",
            r"\midrule",
            *(" & ".join(latex_escape(c) for c in row) + r" \\" for row in lines),
            r"\bottomrule",
            r"\end{tabular}",
        ]
    if caption:
        body.append(rf"\caption{{{latex_escape(caption)}}}")
    if label:
        body.append(rf"\label{{{label}}}")
    body.append(r"\end{table}")
    return "\n".join(body) + "\n"
