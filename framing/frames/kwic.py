"""Keyword-in-context views of mentions, with their voice.

In JupyterLab a :class:`KWIC` renders as an HTML table (context aligned on
the mention, the mention coloured by voice); in a terminal it prints as
aligned plain text. Mentions found in a title (``field == "title"``) are
shown in the title's context, and the view then says for every row which
field it is from (a column ``field``; in plain text a ``title``/``text``
tag).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["KWIC", "kwic", "VOICE_COLOURS"]

#: Colour-blind-safe colours (Okabe-Ito) for the five voices.
VOICE_COLOURS = {
    "own": "#0072B2",
    "quoted": "#E69F00",
    "scare": "#CC79A7",
    "attributed": "#009E73",
    "negated": "#D55E00",
}


class KWIC:
    """Mentions in context: a table with ``left``, ``match``, ``right`` columns.

    Examples
    --------
    >>> text = 'Moscow calls it a "special operation". It is a war.'
    >>> from framing.frames import LexiconDetector
    >>> mentions = LexiconDetector().fit().detect([("d1", text)])
    >>> print(kwic(mentions, {"d1": text}, width=12))
    attributed special-military-operation calls it a "[special operation]". It is a w
    own        war                        n". It is a [war].
    """

    def __init__(self, rows: pd.DataFrame, *, width: int = 60) -> None:
        self.rows = rows.reset_index(drop=True)
        self.width = width

    def to_frame(self) -> pd.DataFrame:
        """The underlying table."""
        return self.rows.copy()

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def shows_field(self) -> bool:
        """Whether any row is from a title (then every row names its field)."""
        return "field" in self.rows and bool((self.rows["field"] == "title").any())

    def __str__(self) -> str:
        if self.rows.empty:
            return "(no mentions)"
        lines = []
        tag = self.shows_field
        for row in self.rows.itertuples(index=False):
            left = str(row.left).replace("\n", " ")[-self.width :]
            right = str(row.right).replace("\n", " ")[: self.width]
            context = f"{left:>{self.width}}[{row.match}]{right}"
            field = f"{row.field:<6}" if tag else ""
            lines.append(f"{row.voice:<10} {row.frame:<26} {field}{context}")
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        cells = []
        tag = self.shows_field
        for row in self.rows.itertuples(index=False):
            field = f"<td>{html.escape(str(row.field))}</td>" if tag else ""
            colour = VOICE_COLOURS.get(str(row.voice), "#000000")
            cells.append(
                "<tr>"
                f"<td style='text-align:right;white-space:nowrap'>"
                f"{html.escape(str(row.left)[-self.width :])}</td>"
                f"<td style='white-space:nowrap'><b style='color:{colour}'>"
                f"{html.escape(str(row.match))}</b></td>"
                f"<td style='text-align:left;white-space:nowrap'>"
                f"{html.escape(str(row.right)[: self.width])}</td>"
                f"<td style='color:{colour}'>{html.escape(str(row.voice))}</td>"
                f"<td>{html.escape(str(row.frame))}</td>"
                f"<td><code>{html.escape(str(row.doc_id))}</code></td>"
                f"{field}</tr>"
            )
        header = (
            "<tr><th>left</th><th>mention</th><th>right</th><th>voice</th>"
            "<th>frame</th><th>doc_id</th>"
            f"{'<th>field</th>' if tag else ''}</tr>"
        )
        return (
            f"<table class='framing-kwic'>{header}{''.join(cells)}</table>"
            f"<p>{len(self.rows)} mentions</p>"
        )


def kwic(
    mentions: pd.DataFrame,
    texts: Any,
    *,
    width: int = 60,
    frames: Iterable[str] | None = None,
    voices: Iterable[str] | None = None,
    limit: int | None = 50,
    seed: int | None = None,
    titles: Mapping[str, str] | None = None,
) -> KWIC:
    """Build a KWIC view of ``mentions``.

    Parameters
    ----------
    mentions : DataFrame
        Output of :meth:`LexiconDetector.detect`.
    texts : Corpus, mapping or DataFrame
        Where the texts come from: a :class:`~framing.store.Corpus`, a
        mapping ``doc_id -> text`` or a DataFrame with ``doc_id`` and
        ``text``. Mentions with ``field == "title"`` need the titles: a
        Corpus, or a DataFrame with a ``title`` column (or a mapping
        ``doc_id -> title`` passed as ``titles``).
    width : int
        Characters of context on each side.
    frames, voices : iterable of str, optional
        Keep only these frames / voices.
    limit : int or None
        At most this many rows (a random sample when ``seed`` is given,
        else the first ones).
    """
    selected = mentions
    if frames is not None:
        selected = selected[selected["frame"].isin(list(frames))]
    if voices is not None:
        selected = selected[selected["voice"].isin(list(voices))]
    if limit is not None and len(selected) > limit:
        selected = (
            selected.sample(limit, random_state=seed)
            if seed is not None
            else selected.head(limit)
        )
    lookup = _texts_for(texts, selected["doc_id"].unique().tolist())
    fields = (
        selected["field"].astype(str).tolist()
        if "field" in selected
        else ["text"] * len(selected)
    )
    if "title" in fields and titles is None:
        titled = sorted(
            {
                str(d)
                for d, f in zip(selected["doc_id"], fields, strict=True)
                if f == "title"
            }
        )
        titles = _texts_for(texts, titled, column="title")
    rows = []
    for doc_id, start, end, voice, frame, field in zip(
        selected["doc_id"].astype(str).tolist(),
        selected["start"].astype(int).tolist(),
        selected["end"].astype(int).tolist(),
        selected["voice"].astype(str).tolist(),
        selected["frame"].astype(str).tolist(),
        fields,
        strict=True,
    ):
        text = lookup[doc_id] if field != "title" else (titles or {}).get(doc_id) or ""
        rows.append(
            {
                "doc_id": doc_id,
                "left": text[max(0, start - width) : start],
                "match": text[start:end],
                "right": text[end : end + width],
                "voice": voice,
                "frame": frame,
                "start": start,
                "field": field,
            }
        )
    columns = ["doc_id", "left", "match", "right", "voice", "frame", "start", "field"]
    return KWIC(pd.DataFrame(rows, columns=columns), width=width)


def _texts_for(
    texts: Any, doc_ids: list[str], column: str = "text"
) -> Mapping[str, str]:
    from ..store import Corpus

    if isinstance(texts, Corpus):
        if not doc_ids:
            return {}
        con = texts.connect()
        try:
            found = con.execute(
                f"SELECT doc_id, {column} FROM all_articles "
                "WHERE doc_id IN (SELECT unnest(?))",
                [doc_ids],
            ).fetchall()
        finally:
            con.close()
        return dict(found)
    if isinstance(texts, pd.DataFrame):
        if column not in texts:
            return {}
        subset = texts[texts["doc_id"].isin(doc_ids)]
        return dict(zip(subset["doc_id"], subset[column], strict=True))
    return dict(texts) if column == "text" else {}
