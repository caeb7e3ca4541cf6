"""Reader for Media Cloud story lists (CSV downloads of a search).

Importing this module registers the ``mediacloud`` format with
:func:`~framing.datasets.readers.register_reader`; a card declares
``format = "mediacloud"`` (a ``.csv`` file is otherwise read as plain CSV).

Both generations of the download are read: the current one (``id``,
``indexed_date``, ``language``, ``media_name``, ``media_url``,
``publish_date``, ``title``, ``url``) and the older one (``stories_id``,
``publish_date``, ``title``, ``url``, ``language``, ``media_id``,
``media_name``, ``media_url``, ...). Each row is one record with the fields
of :mod:`~framing.datasets.exports`: ``title``, ``text``, ``date``
(``publish_date``), ``outlet`` (``media_name``, else ``media_url``),
``url``, ``language`` and ``id`` (``id`` or ``stories_id``); the other
columns (``indexed_date``, ``media_url``, ``media_id`` ...) go to ``meta``.

Media Cloud does not distribute article texts: a story list has headlines
only. A record's ``text`` is then its headline and ``text_is_title`` is
``True`` (kept in ``meta``), so a corpus built from it is a headline corpus;
say so in the card's description. When the file has a text column
(``text``, ``story_text`` or ``full_text``, e.g. added after fetching the
pages), that column is the text.

Rows keep the CSV reader's strictness: broken quoting, short rows and
undecodable bytes are rejects naming the row. A file without Media Cloud's
columns is refused.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "stories.csv"
>>> _ = path.write_text(
...     "stories_id,publish_date,title,url,language,media_id,media_name\\n"
...     "17,2022-03-03 10:00:00,Talks resume,https://example.org/a,en,4,Example\\n"
... )
>>> from framing.datasets.readers import iter_records
>>> [record] = iter_records(path, format="mediacloud")
>>> {k: record.fields[k] for k in ("id", "title", "text", "outlet", "text_is_title")}
... # doctest: +NORMALIZE_WHITESPACE
{'id': '17', 'title': 'Talks resume', 'text': 'Talks resume', 'outlet': 'Example',
 'text_is_title': True}
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import SourceError
from .readers import RawRecord, ReaderOptions, _open_text, read_csv, register_reader

__all__ = ["read_mediacloud", "TEXT_COLUMNS"]

#: Columns that hold a story's text, when a download has one.
TEXT_COLUMNS = ("text", "story_text", "full_text")
# Media Cloud column -> export field.
_RENAMES = {
    "publish_date": "date",
    "stories_id": "id",
    "media_name": "outlet",
}


def _header(path: Path, opts: ReaderOptions) -> list[str]:
    delimiter = opts.delimiter or (
        "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    )
    with _open_text(path, opts.encoding) as handle:
        try:
            header = next(csv.reader(handle, delimiter=delimiter), [])
        except csv.Error as exc:
            raise SourceError(
                path, f"unreadable header: {exc}", "check the delimiter"
            ) from exc
    return [column.strip().lstrip("\ufeff") for column in header]


@register_reader("mediacloud")
def read_mediacloud(path: Path, opts: ReaderOptions) -> Iterator[RawRecord]:
    """Read a Media Cloud story-list CSV, one record per story."""
    header = _header(path, opts)
    columns = set(header)
    missing = [c for c in ("title", "publish_date") if c not in columns]
    if missing or not ({"id", "stories_id", "media_name", "media_url"} & columns):
        raise SourceError(
            path,
            f"not a Media Cloud story list: columns {header[:12]} lack "
            + (f"{missing}" if missing else "a story id or media column"),
            "give the CSV downloaded from a Media Cloud search (with title, "
            "publish_date, url and media_name), or read it with format = 'csv'",
        )
    text_column = next((c for c in TEXT_COLUMNS if c in columns), None)
    for record in read_csv(path, opts):
        if record.error is not None:
            yield record
            continue
        fields = dict(record.fields)
        out: dict[str, object] = {}
        for key, value in fields.items():
            target = _RENAMES.get(key, key)
            if key == "id" and "stories_id" in fields:
                target = "mediacloud_id"
            if key == text_column:
                target = "text"
            elif key == "text":
                target = "text_column"
            out.setdefault(target, value)
        if not out.get("outlet") and fields.get("media_url"):
            out["outlet"] = fields["media_url"]
        title = out.get("title")
        has_text = isinstance(out.get("text"), str) and bool(str(out["text"]).strip())
        if not has_text:
            out["text"] = title if isinstance(title, str) else ""
        out["text_is_title"] = not has_text
        yield RawRecord(record.source_file, record.locator, out)
