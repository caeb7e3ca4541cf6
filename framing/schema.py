"""The canonical article schema shared by every corpus.

Every loader maps its source onto these columns; the store validates each
batch against :data:`ARTICLE_SCHEMA` before writing it.

==============  ==========================  ===================================
column          type                        meaning
==============  ==========================  ===================================
doc_id          string, required            stable id: same corpus, source file
                                            and record key give the same id
corpus          string, required            registry name of the corpus
outlet          string, required            canonical outlet name
published       timestamp (UTC), nullable   publication time, time-zone aware;
                                            a day-only date is 00:00 UTC of
                                            its calendar day
date_precision  string, nullable            ``"day"`` (no time of day in the
                                            source) or ``"time"``; null when
                                            ``published`` is
title           string, nullable            headline
text            string, required            normalised body text
url             string, nullable            canonical URL of the article
language        string, required            ISO 639-1 code, ``"und"`` if unknown
author          string, nullable            byline
section         string, nullable            section or rubric
n_words         int32, required             words in ``text`` (``count_words``)
text_sha256     string, required            sha256 of ``text`` (hex)
source_file     string, required            input file name the row came from
source_row      string, required            locator inside that file
meta            string (JSON), required     source fields with no canonical
                                            home, as a JSON object
==============  ==========================  ===================================

The duplicates table adds ``cluster_id``, ``canonical_doc_id``,
``duplicate_kind`` (``"exact"`` or ``"near"``) and ``similarity``; the
articles table adds ``cluster_id`` and ``n_duplicates`` for canonical
members of clusters. Rejects carry ``source_file``, ``source_row``,
``reason``, ``detail`` and ``record`` (the raw record as JSON).
"""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "ARTICLE_SCHEMA",
    "ARTICLES_TABLE_SCHEMA",
    "DUPLICATES_SCHEMA",
    "REJECTS_SCHEMA",
    "REQUIRED_COLUMNS",
    "REJECT_REASONS",
]

_UTC = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("corpus", pa.string(), nullable=False),
        pa.field("outlet", pa.string(), nullable=False),
        pa.field("published", _UTC),
        pa.field("date_precision", pa.string()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("language", pa.string(), nullable=False),
        pa.field("author", pa.string()),
        pa.field("section", pa.string()),
        pa.field("n_words", pa.int32(), nullable=False),
        pa.field("text_sha256", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_row", pa.string(), nullable=False),
        pa.field("meta", pa.string(), nullable=False),
    ]
)

REQUIRED_COLUMNS = tuple(f.name for f in ARTICLE_SCHEMA if not f.nullable)

ARTICLES_TABLE_SCHEMA = ARTICLE_SCHEMA.append(
    pa.field("cluster_id", pa.string())
).append(pa.field("n_duplicates", pa.int32(), nullable=False))

DUPLICATES_SCHEMA = (
    ARTICLE_SCHEMA.append(pa.field("cluster_id", pa.string(), nullable=False))
    .append(pa.field("canonical_doc_id", pa.string(), nullable=False))
    .append(pa.field("duplicate_kind", pa.string(), nullable=False))
    .append(pa.field("similarity", pa.float64(), nullable=False))
)

REJECTS_SCHEMA = pa.schema(
    [
        pa.field("corpus", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_row", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
        pa.field("record", pa.string(), nullable=False),
    ]
)

#: Reasons a row can be rejected, with the fix a user can apply.
REJECT_REASONS: dict[str, str] = {
    "empty_text": "the text field is empty after normalisation; check the mapping",
    "missing_field": "a required field is absent; map it or make it optional",
    "missing_date": "no date; map a date field or set required to exclude it",
    "unparseable_date": "the date could not be parsed; set date_formats",
    "implausible_date": "the date lies outside the plausible range",
    "ambiguous_date": "the day/month order of the date's column is not known; set "
    "date_order = 'DMY' or 'MDY' in the card's [files.mapping]",
    "incomplete_date": "the date has no day, month or year; fix the source",
    "too_large": "the record is over the size cap; raise max_record_bytes in the "
    "card if it is genuine",
    "broken_encoding": "the text could not be decoded; set the file's encoding",
    "duplicate_id": "another row has the same id; fix the source or the id field",
    "malformed_record": "the row could not be parsed in its format",
    "invalid_value": "a field has a value of the wrong type",
    "service_message": "a Telegram service message (a pin, a title change, a "
    "join), not a post; nothing to fix",
}
