"""Build a corpus store from raw files: read, normalise, deduplicate, write.

The builder streams every source record once (pass 1): it maps the record
onto the canonical schema, normalises text and dates, and either stages the
article or writes a reject with its reason. Fingerprints for deduplication
are kept in compact arrays. After the stream the duplicate clusters are
resolved, and pass 2 re-reads the staged articles to split them into
canonical articles (the store's parts, each written by a worker from its
own range of staged rows) and duplicates. Memory therefore does not grow with
the size of the texts, only with the number of documents: about 300 bytes
each for fingerprints and ids, plus the pages of the on-disk MinHash
signatures (512 bytes each) that resolving the clusters touches; measured
about 600 bytes per document at 100,000 documents (``benchmarks/ingest.py``).

Every row read ends up in exactly one of ``articles``, ``duplicates`` and
``rejects``; the manifest records the counts and the build checks that they
reconcile before the store is moved into place.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
import platform
import re
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from .._progress import progress_bar, track
from ..compute import Compute, kept_workers, ordered_map
from ..dedupe import (
    MODES,
    SCOPES,
    Deduplicator,
    MinHashSigner,
    format_window,
    lsh_band_keys,
    parse_window,
)
from ..errors import CacheDamageWarning, FramingError, SourceError
from ..normalize import (
    DateParseError,
    LanguageDetector,
    OutletResolver,
    clean_text,
    count_words,
    parse_date_precision,
)
from ..paths import cache_dir
from ..schema import (
    ARTICLE_SCHEMA,
    ARTICLES_TABLE_SCHEMA,
    DUPLICATES_SCHEMA,
    REJECTS_SCHEMA,
)
from ..store import (
    ARTICLES_DIR,
    DUPLICATES_FILE,
    MANIFEST_FILE,
    PART_ROWS,
    REJECTS_FILE,
    Corpus,
    ParquetSink,
    atomic_directory,
    part_file_name,
    write_json_atomic,
)
from .cards import CorpusCard, FieldMapping, SourceFile, find_card, registry_clash
from .fetch import fetch_corpus, sha256_file
from .readers import RawRecord, iter_records, open_archive_member

__all__ = [
    "CorpusBuilder",
    "Reject",
    "build_corpus",
    "load_corpus",
    "store_path",
    "DEDUPE_DEFAULTS",
    "map_record",
]

DEDUPE_DEFAULTS: dict[str, Any] = {
    "mode": "near",
    "scope": "corpus",
    "window": "0",
    "threshold": 0.8,
    "num_perm": 128,
    "shingle_size": 5,
    "seed": 1,
}
"""The dedupe policy of a card without a ``[dedupe]`` table.

Exact and near duplicates across the whole corpus, with no time window: the
policy every store was built with before scope and window existed, kept as
the default so that the stores (and every figure computed from them) of
corpora that do not set a policy stay the same. Corpora of short, recurring
items set a window in their card (``ru-state-headlines``,
``ru-telegram-2024``); see :mod:`framing.datasets.cards`.
"""
MANIFEST_FORMAT = "framing-corpus/2"
_VERSIONED_PACKAGES = (
    "numpy",
    "pandas",
    "pyarrow",
    "duckdb",
    "ftfy",
    "dateparser",
    "datasketch",
    "lingua-language-detector",
    "openpyxl",
    "trafilatura",
    "feedparser",
    "warcio",
)


class _FileYield:
    """What one declared file gave: rows, accepted rows, fields, reject reasons.

    A declared file that yields no document, or whose mapping names a field
    that none of its records has, stops the build with the reason: an empty
    corpus (or an empty column) must never look like a successful build.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.accepted = 0
        self.fields: set[str] = set()
        self.reasons: Counter[str] = Counter()

    def add(self, record: RawRecord, result: Any) -> None:
        self.rows += 1
        self.fields.update(record.fields)
        if isinstance(result, Reject):
            self.reasons[result.reason] += 1
        else:
            self.accepted += 1

    def check(self, path: Path, source: SourceFile) -> None:
        mapped = sorted(
            {name for spec in source.mapping.specs.values() for name in spec.fields}
        )
        missing = [name for name in mapped if name not in self.fields]
        if self.rows == 0:
            raise SourceError(
                source.name,
                "yields no records (an empty or header-only file"
                + _other_sheets(path, source)
                + ")",
                "check that this is the intended file, or remove it from the card",
            )
        if self.accepted == 0:
            reasons = ", ".join(f"{r} {n}" for r, n in self.reasons.most_common())
            absent = (
                f"; the card maps field(s) {missing} that no record has (its "
                f"fields: {sorted(self.fields)[:30]})"
                if missing
                else ""
            )
            raise SourceError(
                source.name,
                f"every one of its {self.rows} records was rejected ({reasons})"
                + absent,
                "check the card's [files.mapping], date formats and encoding "
                "against the file",
            )
        if missing:
            warnings.warn(
                f"{source.name}: the card maps field(s) {missing} that no record "
                "of this file has; those canonical fields stay empty",
                stacklevel=3,
            )


def _other_sheets(path: Path, source: SourceFile) -> str:
    if source.format != "excel":
        return ""
    try:
        from python_calamine import CalamineWorkbook

        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # the hint is optional: the error stands without it
        return ""
    used = source.sheet or (names[0] if names else None)
    others = [n for n in names if n != used]
    return f"; the workbook also has sheet(s) {others}: set `sheet`" if others else ""


@dataclass(frozen=True, slots=True)
class Reject:
    """Why a record was not kept."""

    reason: str
    detail: str
    outlet: str | None = None


@dataclass
class _Context:
    corpus: str
    resolve_outlet: OutletResolver
    detect_language: LanguageDetector
    timezone: str
    seen_ids: set[bytes] = field(default_factory=set)


def _as_text(value: Any, target: str) -> str | None:
    """Source value -> string, ``None`` when absent; raises on wrong types."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{target} is a {type(value).__name__}, not text")


def map_record(
    record: RawRecord, mapping: FieldMapping, context: _Context
) -> dict[str, Any] | Reject:
    """Map one raw record onto the canonical schema, or say why not."""
    return _claim_id(_map_fields(record, mapping, context), context)


@dataclass(frozen=True, slots=True)
class _Mapped:
    """A mapped record whose source id (if any) is not yet checked as new."""

    row: dict[str, Any]
    source_id: str
    outlet: str | None


def _claim_id(mapped: _Mapped | Reject, context: _Context) -> dict[str, Any] | Reject:
    """The row, or a ``duplicate_id`` reject when its source id came before.

    The check needs every earlier record, so it runs in read order in the
    building process; everything else of the mapping can run on workers.
    """
    if isinstance(mapped, Reject):
        return mapped
    repeated = _repeated_id(mapped.source_id, mapped.outlet, context)
    return mapped.row if repeated is None else repeated


def _repeated_id(
    source_id: str, outlet: str | None, context: _Context
) -> Reject | None:
    """A ``duplicate_id`` reject if ``source_id`` came before (then remembered)."""
    if not source_id:
        return None
    key = hashlib.blake2b(source_id.encode(), digest_size=12).digest()
    if key in context.seen_ids:
        return Reject("duplicate_id", f"id {source_id!r} already seen", outlet)
    context.seen_ids.add(key)
    return None


def _map_fields(
    record: RawRecord, mapping: FieldMapping, context: _Context
) -> _Mapped | Reject:
    """Everything of :func:`map_record` but the check for repeated ids."""
    if record.error is not None:
        return Reject(record.error_code, record.error)
    fields = record.fields
    broken = _surrogate_field(fields)
    if broken is not None:
        return Reject("broken_encoding", f"field {broken!r} has undecodable characters")
    specs = mapping.specs
    try:
        raw = {
            target: _as_text(spec.extract(fields), target)
            for target, spec in specs.items()
            if target != "published"
        }
    except TypeError as exc:
        return Reject("invalid_value", str(exc))

    outlet_value = raw.get("outlet") or raw.get("url")
    outlet = (
        context.resolve_outlet(outlet_value)
        if outlet_value and outlet_value.strip()
        else None
    )
    if outlet is None and "outlet" in mapping.required:
        return Reject("missing_field", "no outlet (map `outlet` or `url`)")

    missing = [
        t
        for t in mapping.required
        if t not in ("text", "published", "outlet") and not (raw.get(t) or "").strip()
    ]
    if missing:
        return Reject(
            "missing_field", f"required field(s) {missing} empty or absent", outlet
        )

    text_raw = raw.get("text")
    if text_raw is None:
        present = [name for name in specs["text"].fields if name in fields]
        reason = "empty_text" if present else "missing_field"
        return Reject(
            reason, f"text field {list(specs['text'].fields)} empty or absent", outlet
        )
    text = clean_text(text_raw)
    if not text:
        return Reject("empty_text", "text is empty after normalisation", outlet)

    published = precision = None
    if "published" in specs:
        try:
            published, precision = parse_date_precision(
                specs["published"].extract(fields),
                default_timezone=context.timezone,
                formats=mapping.date_formats,
                languages=mapping.date_languages or None,
            )
        except DateParseError as exc:
            return Reject(exc.code, str(exc), outlet)
    if published is None and "published" in mapping.required:
        return Reject(
            "missing_date",
            "no date (map `published` or drop it from `required`)",
            outlet,
        )

    source_id = (raw.get("id") or "").strip()
    if source_id:
        identity = f"{context.corpus}\x1fid\x1f{source_id}"
    else:
        identity = f"{context.corpus}\x1f{record.source_file}\x1f{record.locator}"
    doc_id = hashlib.blake2b(identity.encode(), digest_size=8).hexdigest()

    title = _clean_optional(raw.get("title"))
    language = (raw.get("language") or "").strip().lower() or context.detect_language(
        text
    )
    used = mapping.used_fields()
    meta_keys = (
        mapping.meta
        if mapping.meta is not None
        else [k for k in fields if k not in used]
    )
    meta = {key: fields[key] for key in meta_keys if key in fields}
    row = {
        "doc_id": doc_id,
        "corpus": context.corpus,
        "outlet": outlet or context.corpus,
        "published": published,
        "date_precision": precision,
        "title": title or None,
        "text": text,
        "url": (raw.get("url") or "").strip() or None,
        "language": language,
        "author": _clean_optional(raw.get("author")),
        "section": _clean_optional(raw.get("section")),
        "n_words": count_words(text),
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "source_file": record.source_file,
        "source_row": record.locator,
        "meta": _to_json(meta),
    }
    return _Mapped(row, source_id, outlet)


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    return clean_text(value) or None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_field(fields: dict[str, Any]) -> str | None:
    """The first field whose name or text holds a lone surrogate, if any."""
    for key, value in fields.items():
        # No surrogate is ASCII: most fields are told apart without a scan.
        if (not key.isascii() and _SURROGATE.search(key)) or (
            isinstance(value, str) and not value.isascii() and _SURROGATE.search(value)
        ):
            return _SURROGATE.sub("\ufffd", key)
    return None


def _to_json(fields: dict[str, Any]) -> str:
    """Fields as strict JSON: NaN and infinities become null, surrogates U+FFFD."""
    finite = {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in fields.items()
    }
    text = json.dumps(finite, sort_keys=True, ensure_ascii=False, default=_json_default)
    return _SURROGATE.sub("\ufffd", text)


def _record_json(record: RawRecord) -> str:
    return _to_json(record.fields)[:20000]


class CorpusBuilder:
    """Turn source files into a corpus store.

    Parameters
    ----------
    corpus : str
        Corpus name written into every row.
    outlets : dict, optional
        Canonical outlet -> aliases (see :class:`~framing.normalize.OutletResolver`).
    timezone : str
        Zone assumed for dates without one.
    languages : tuple of str
        Candidate languages for detection.
    dedupe : dict, optional
        Overrides of :data:`DEDUPE_DEFAULTS` (``mode``, ``scope``,
        ``window``, ``threshold``, ``num_perm``, ``shingle_size``, ``seed``;
        ``near_duplicates`` is a deprecated spelling of ``mode``).
    progress : bool
        Show rich progress bars.
    part_rows : int
        Canonical articles per part of the store (the last part may be
        shorter). Parts are what parallel stages read, each worker its own
        range; the articles and their order do not depend on it.

    Attributes
    ----------
    stage_seconds_ : dict
        Wall time per stage of the last build (load, normalise, exact
        dedupe, near dedupe, write); not written to the manifest.
    """

    def __init__(
        self,
        corpus: str,
        *,
        outlets: dict[str, tuple[str, ...]] | None = None,
        timezone: str = "UTC",
        languages: tuple[str, ...] = ("en",),
        dedupe: dict[str, Any] | None = None,
        progress: bool = False,
        part_rows: int = PART_ROWS,
    ) -> None:
        self.corpus = corpus
        self.outlets = outlets
        self.timezone = timezone
        self.languages = languages
        self.dedupe = dedupe
        self.progress = progress
        self.part_rows = part_rows

    def dedupe_parameters(self) -> dict[str, Any]:
        """The dedupe policy in effect: defaults, then ``dedupe``, checked.

        ``window`` is given back in its shortest spelling (``"72h"`` ->
        ``"3d"``) so that one policy has one spelling in the manifest and
        the store's cache key.
        """
        given = dict(self.dedupe or {})
        if "near_duplicates" in given:
            alias = given.pop("near_duplicates")
            if "mode" not in given:
                warnings.warn(
                    "dedupe near_duplicates is deprecated; use mode "
                    '("near", "exact" or "off")',
                    DeprecationWarning,
                    stacklevel=3,
                )
                given["mode"] = "near" if alias else "exact"
        unknown = set(given) - set(DEDUPE_DEFAULTS)
        if unknown:
            raise FramingError(
                f"unknown dedupe parameters {sorted(unknown)}; "
                f"allowed: {sorted(DEDUPE_DEFAULTS)}"
            )
        params = {**DEDUPE_DEFAULTS, **given}
        if params["mode"] not in MODES:
            raise FramingError(
                f"dedupe mode {params['mode']!r}: use one of {', '.join(MODES)}"
            )
        if params["scope"] not in SCOPES:
            raise FramingError(
                f"dedupe scope {params['scope']!r}: use one of {', '.join(SCOPES)}"
            )
        try:
            params["window"] = format_window(parse_window(params["window"]))
        except ValueError as error:
            raise FramingError(f"dedupe {error}") from None
        return params

    def build(
        self,
        sources: Iterable[tuple[Path, SourceFile]],
        target: Path,
        *,
        manifest_extra: dict[str, Any] | None = None,
        compute: Compute | None = None,
    ) -> Corpus:
        """Build the store at ``target`` (atomically) and return it.

        ``compute`` (:class:`framing.compute.Compute`) maps the records --
        normalisation, dates, language, near-duplicate signatures and band
        keys -- on local processes or a Dask cluster, in parts of
        :data:`PART_RECORDS` records, and then writes the store's parts
        there, one worker per part (so a cluster's workers must share the
        cache folder); the store is byte-identical to the serial build's.
        """
        sources = list(sources)
        params = self.dedupe_parameters()
        if self.part_rows < 1:
            raise FramingError(f"part_rows must be at least 1, not {self.part_rows}")
        self.stage_seconds_ = dict.fromkeys(
            ("load", "normalise", "exact_dedupe", "near_dedupe", "write"), 0.0
        )
        timer = self.stage_seconds_
        context = _Context(
            corpus=self.corpus,
            resolve_outlet=OutletResolver(aliases=self.outlets),
            detect_language=LanguageDetector(languages=self.languages),
            timezone=self.timezone,
        )
        near = params["mode"] == "near"
        stage = "near_dedupe" if near else "exact_dedupe"
        # One set of workers maps the records and then writes the parts.
        with (
            kept_workers(compute),
            atomic_directory(target) as staging,
            progress_bar(self.progress) as bar,
        ):
            dedupe = (
                Deduplicator(
                    threshold=params["threshold"],
                    num_perm=params["num_perm"],
                    shingle_size=params["shingle_size"],
                    seed=params["seed"],
                    near_duplicates=near,
                    scope=params["scope"],
                    window=params["window"],
                    workdir=staging,
                )
                if params["mode"] != "off"
                else None
            )
            read = Counter[str]()
            read_by_outlet = Counter[str]()
            rejected = Counter[str]()
            rejected_by_outlet = Counter[str]()
            staged_path = staging / "staged.parquet"
            signer = (
                (
                    params["num_perm"],
                    params["seed"],
                    params["shingle_size"],
                    dedupe.bands_,
                    dedupe.rows_,
                )
                if near and dedupe is not None
                else None
            )
            key_bytes = 8 * dedupe.bands_ if near and dedupe is not None else 0
            # Parts are mapped (and near-duplicate signatures computed) where
            # the compute setting says; everything that depends on earlier
            # records -- repeated ids, duplicate clusters, counts, the staged
            # rows -- is done here, in read order, so every setting builds
            # the same store.
            submitted: deque[_Part] = deque()
            mapped_parts = ordered_map(
                _map_part,
                _remember(self._parts(sources, timer), submitted),
                compute,
                setup=_part_state,
                setup_args=(
                    self.corpus,
                    self.outlets,
                    self.languages,
                    self.timezone,
                    [source.mapping for _, source in sources],
                    signer,
                ),
            )
            file_yield = _FileYield()
            task = None
            with (
                ParquetSink(staged_path, ARTICLE_SCHEMA, scratch=True) as staged,
                ParquetSink(staging / REJECTS_FILE, REJECTS_SCHEMA) as rejects,
            ):
                for mapped in mapped_parts:
                    part = submitted.popleft()
                    seconds = mapped.seconds
                    path, source = sources[part.source]
                    if part.first:
                        file_yield = _FileYield()
                        task = _progress_task(bar, f"{self.corpus}: {source.name}")
                    timer["normalise"] += seconds["normalise"]
                    timer[stage] += seconds["signature"]
                    # Rows of the part that pass the repeated-id check, in order.
                    keep: list[int] = []
                    row = -1
                    for record, outcome in zip(
                        part.records, mapped.outcomes, strict=True
                    ):
                        read[source.name] += 1
                        result: _Accepted | Reject = outcome
                        if not isinstance(outcome, Reject):
                            row += 1
                            result = (
                                _repeated_id(outcome.source_id, outcome.outlet, context)
                                or outcome
                            )
                        file_yield.add(record, result)
                        if isinstance(result, Reject):
                            started = time.perf_counter()
                            read_by_outlet[result.outlet or "(unattributed)"] += 1
                            rejected[result.reason] += 1
                            rejected_by_outlet[result.outlet or "(unattributed)"] += 1
                            rejects.append(
                                {
                                    "corpus": self.corpus,
                                    "source_file": record.source_file,
                                    "source_row": record.locator,
                                    "reason": result.reason,
                                    "detail": result.detail,
                                    "record": _record_json(record),
                                }
                            )
                            timer["write"] += time.perf_counter() - started
                            continue
                        read_by_outlet[result.row_outlet] += 1
                        keep.append(row)
                        if dedupe is None:
                            continue
                        started = time.perf_counter()
                        dedupe.add(
                            "",
                            published_us=result.published_us,
                            text_sha256=result.text_sha256,
                            outlet=result.row_outlet,
                            signature=(
                                mapped.signatures[row]
                                if mapped.signatures is not None
                                else None
                            ),
                            keys=(
                                mapped.keys[row * key_bytes : (row + 1) * key_bytes]
                                if mapped.keys is not None
                                else None
                            ),
                        )
                        timer[stage] += time.perf_counter() - started
                    started = time.perf_counter()
                    staged.write_table(
                        mapped.rows
                        if len(keep) == mapped.rows.num_rows
                        else mapped.rows.take(keep)
                    )
                    timer["write"] += time.perf_counter() - started
                    if bar is not None and task is not None:
                        bar.advance(task, len(part.records))
                    if part.error is not None:
                        raise part.error
                    if part.last:
                        if bar is not None and task is not None:
                            bar.update(task, total=bar.tasks[task].completed)
                        file_yield.check(path, source)
            started = time.perf_counter()
            assignments = dedupe.resolve() if dedupe is not None else {}
            timer[stage] += time.perf_counter() - started
            if dedupe is not None:
                dedupe.close()
            started = time.perf_counter()
            kept, duplicates, by_outlet, parts = self._split(
                staged_path, staging, assignments, bar, compute
            )
            staged_path.unlink()
            counts = {
                "read": sum(read.values()),
                "read_by_file": dict(sorted(read.items())),
                "kept": kept,
                "duplicates": duplicates,
                "rejected": sum(rejected.values()),
                "rejected_by_reason": dict(sorted(rejected.items())),
                "rejected_by_outlet": dict(sorted(rejected_by_outlet.items())),
                "by_outlet": by_outlet,
            }
            if sum(read.values()) != kept + duplicates + sum(rejected.values()):
                raise FramingError(f"{self.corpus}: counts do not reconcile: {counts}")
            for outlet, n_read in read_by_outlet.items():
                split = {
                    "kept": 0,
                    "duplicates": 0,
                    "exact_duplicates": 0,
                    "near_duplicates": 0,
                    **by_outlet.get(outlet, {}),
                }
                split["read"] = n_read
                split["rejected"] = rejected_by_outlet.get(outlet, 0)
                if n_read != split["kept"] + split["duplicates"] + split["rejected"]:
                    raise FramingError(
                        f"{self.corpus}: counts of outlet {outlet!r} do not "
                        f"reconcile: {split}"
                    )
                by_outlet[outlet] = split
            counts["by_outlet"] = dict(sorted(by_outlet.items()))
            manifest = {
                "format": MANIFEST_FORMAT,
                "corpus": self.corpus,
                "counts": counts,
                "parameters": {
                    "dedupe": params,
                    "timezone": self.timezone,
                    "languages": list(self.languages),
                    "cleaning": "framing.normalize.clean_text",
                },
                "versions": _versions(),
                "store": {
                    "part_rows": self.part_rows,
                    "article_parts": parts,
                },
                "outputs": {
                    name: {"sha256": sha256_file(staging / name)}
                    for name in [
                        *(part["file"] for part in parts),
                        DUPLICATES_FILE,
                        REJECTS_FILE,
                    ]
                },
                **(manifest_extra or {}),
            }
            write_json_atomic(staging / MANIFEST_FILE, manifest)
            timer["write"] += time.perf_counter() - started
        return Corpus(target)

    def _parts(
        self, sources: list[tuple[Path, SourceFile]], timer: dict[str, float]
    ) -> Iterator[_Part]:
        """The records of every file, in read order, in parts.

        A file gives at least one part (an empty file an empty one), so
        that its yield is checked. A reader error ends the stream with a
        part that carries it: the records before it are counted first, as
        in a record-by-record build.
        """
        for index, (path, source) in enumerate(sources):
            records = _timed(self._records(path, source), timer, "load")
            part: list[RawRecord] = []
            first = True
            while True:
                try:
                    record = next(records)
                except StopIteration:
                    yield _Part(index, part, first=first, last=True)
                    break
                except Exception as error:  # raised by the parent, in order
                    yield _Part(index, part, first=first, last=False, error=error)
                    return
                part.append(record)
                if len(part) == PART_RECORDS:
                    yield _Part(index, part, first=first, last=False)
                    part, first = [], False

    def _records(self, path: Path, source: SourceFile) -> Iterator[RawRecord]:
        options: dict[str, Any] = {
            "encoding": source.encoding,
            "source_name": source.name,
        }
        if source.sheet:
            options["sheet"] = source.sheet
        if source.delimiter:
            options["delimiter"] = source.delimiter
        # The card's size caps (readers default them per format otherwise).
        if source.max_bytes is not None:
            options["max_bytes"] = source.max_bytes
        if source.max_record_bytes is not None:
            options["max_record_bytes"] = source.max_record_bytes
        if source.member:
            member_cap = {"max_bytes": source.max_bytes} if source.max_bytes else {}
            with open_archive_member(path, source.member, **member_cap) as member_path:
                yield from iter_records(member_path, format=source.format, **options)
        else:
            yield from iter_records(path, format=source.format, **options)

    def _split(
        self,
        staged_path: Path,
        staging: Path,
        assignments: dict[int, Any],
        bar: Any,
        compute: Compute | None,
    ) -> tuple[int, int, dict[str, dict[str, int]], list[dict[str, Any]]]:
        """Write the canonical rows to the parts and the others to duplicates.

        Each part is written by a worker from its own range of staged rows
        (the ranges tile the staged file, so every duplicate falls in one);
        the duplicates come back to this process and are written in order.
        """
        staged_rows = pq.ParquetFile(staged_path).metadata.num_rows
        canonical_ids = _ids_at(
            staged_path, {a.canonical for a in assignments.values()}
        )
        duplicate = np.zeros(staged_rows, dtype=bool)
        for index, assignment in assignments.items():
            if assignment.kind:
                duplicate[index] = True
        kept_at = np.flatnonzero(~duplicate)
        # A part starts at the staged row of its first canonical article.
        starts = [0] + [
            int(kept_at[first])
            for first in range(self.part_rows, len(kept_at), self.part_rows)
        ]
        stops = [*starts[1:], staged_rows]
        members: list[dict[int, tuple[str, str, float, int]]] = [{} for _ in starts]
        for index, assignment in sorted(assignments.items()):
            number = bisect.bisect_right(starts, index) - 1
            members[number][index - starts[number]] = (
                canonical_ids[assignment.canonical],
                assignment.kind,
                round(assignment.similarity, 6),
                assignment.size,
            )
        (staging / ARTICLES_DIR).mkdir()
        tasks = [
            _SplitTask(
                staged=str(staged_path),
                part=str(staging / ARTICLES_DIR / part_file_name(number)),
                start=start,
                stop=stop,
                members=members[number],
            )
            for number, (start, stop) in enumerate(zip(starts, stops, strict=True))
        ]
        kept = 0
        by_outlet: dict[str, Counter[str]] = {}
        parts: list[dict[str, Any]] = []
        with ParquetSink(staging / DUPLICATES_FILE, DUPLICATES_SCHEMA) as dups:
            for task, (rows, dup_table, counts) in zip(
                tasks,
                track(
                    ordered_map(_write_part, tasks, compute),
                    bar,
                    f"{self.corpus}: write",
                    total=len(tasks),
                    every=1,
                ),
                strict=True,
            ):
                if dup_table is not None:
                    dups.write_table(dup_table)
                kept += rows
                parts.append(
                    {
                        "file": Path(task.part).relative_to(staging).as_posix(),
                        "rows": rows,
                    }
                )
                for outlet, counted in counts.items():
                    by_outlet.setdefault(outlet, Counter()).update(counted)
        return (
            kept,
            int(duplicate.sum()),
            {
                o: {
                    "kept": c["kept"],
                    "duplicates": c["duplicates"],
                    "exact_duplicates": c["exact_duplicates"],
                    "near_duplicates": c["near_duplicates"],
                }
                for o, c in sorted(by_outlet.items())
            },
            parts,
        )


@dataclass(frozen=True, slots=True)
class _SplitTask:
    """One part of the store: staged rows ``start``..``stop`` and their clusters.

    ``members`` maps a row (counted from ``start``) in a cluster to its
    cluster's canonical doc_id, its duplicate kind (``""`` for the
    canonical member), similarity and cluster size.
    """

    staged: str
    part: str
    start: int
    stop: int
    members: dict[int, tuple[str, str, float, int]]


def _write_part(
    task: _SplitTask,
) -> tuple[int, pa.Table | None, dict[str, Counter[str]]]:
    """Write one part of the store (runs on a worker).

    Returns the part's rows, its range's duplicates (with their cluster
    columns) and the range's counts per outlet.
    """
    if not os.path.isfile(task.staged):
        raise FramingError(
            f"{task.staged}: this process cannot see the store being built. "
            "Workers write the store's parts themselves, so the cache folder "
            "(FRAMING_CACHE_DIR) must be on a file system that every worker "
            "shares, at the same path"
        )
    parquet = pq.ParquetFile(task.staged, pre_buffer=False)
    metadata = parquet.metadata
    counts: dict[str, Counter[str]] = {}
    dup_tables: list[pa.Table] = []
    offset = 0
    with ParquetSink(Path(task.part), ARTICLES_TABLE_SCHEMA) as articles:
        for group in range(metadata.num_row_groups):
            group_rows = metadata.row_group(group).num_rows
            first, last = max(task.start, offset), min(task.stop, offset + group_rows)
            offset += group_rows
            if first >= last:
                continue
            table = parquet.read_row_group(group, use_threads=False).slice(
                first - (offset - group_rows), last - first
            )
            base = first - task.start
            size = table.num_rows
            is_dup = np.zeros(size, dtype=bool)
            cluster: list[str | None] = [None] * size
            n_dups = np.zeros(size, dtype=np.int32)
            canonical_ids: list[str] = []
            kinds: list[str] = []
            sims: list[float] = []
            for position in range(size):
                member = task.members.get(base + position)
                if member is None:
                    continue
                canonical_id, kind, similarity, cluster_size = member
                cluster[position] = canonical_id
                if kind:
                    is_dup[position] = True
                    canonical_ids.append(canonical_id)
                    kinds.append(kind)
                    sims.append(similarity)
                else:
                    n_dups[position] = cluster_size - 1
            kept_table = (
                table.filter(pa.array(~is_dup))
                .append_column(
                    "cluster_id",
                    pa.array(
                        [c for c, d in zip(cluster, is_dup, strict=True) if not d],
                        pa.string(),
                    ),
                )
                .append_column("n_duplicates", pa.array(n_dups[~is_dup]))
            )
            articles.write_table(kept_table)
            if is_dup.any():
                dup_tables.append(
                    table.filter(pa.array(is_dup))
                    .append_column("cluster_id", pa.array(canonical_ids, pa.string()))
                    .append_column(
                        "canonical_doc_id", pa.array(canonical_ids, pa.string())
                    )
                    .append_column("duplicate_kind", pa.array(kinds, pa.string()))
                    .append_column("similarity", pa.array(sims, pa.float64()))
                )
            kind_at = iter(kinds)
            for outlet, flag in zip(
                table.column("outlet").to_pylist(), is_dup, strict=True
            ):
                counter = counts.setdefault(outlet, Counter())
                counter["duplicates" if flag else "kept"] += 1
                if flag:
                    counter[f"{next(kind_at)}_duplicates"] += 1
    # Read after closing: the sink writes its last row group then.
    rows = articles.rows_written
    duplicates = pa.concat_tables(dup_tables) if dup_tables else None
    return rows, duplicates, counts


PART_RECORDS = 1000
"""Records per part of a build (the unit sent to a worker)."""


@dataclass(slots=True)
class _Part:
    """Consecutive records of one source file."""

    source: int
    records: list[RawRecord]
    first: bool
    last: bool
    error: Exception | None = None


def _remember(parts: Iterable[_Part], submitted: deque[_Part]) -> Iterator[Any]:
    """Send a part's source and records; keep the part to pair its result."""
    for part in parts:
        submitted.append(part)
        yield part.source, part.records


def _part_state(
    corpus: str,
    outlets: dict[str, tuple[str, ...]] | None,
    languages: tuple[str, ...],
    timezone: str,
    mappings: list[FieldMapping],
    signer: tuple[int, int, int, int, int] | None,
) -> tuple[_Context, list[FieldMapping], _Fingerprinter | None]:
    """A worker's state for mapping records: built once per worker."""
    context = _Context(
        corpus=corpus,
        resolve_outlet=OutletResolver(aliases=outlets),
        detect_language=LanguageDetector(languages=languages),
        timezone=timezone,
    )
    fingerprint = None
    if signer is not None:
        num_perm, seed, shingle_size, bands, rows = signer
        fingerprint = _Fingerprinter(
            MinHashSigner(num_perm=num_perm, seed=seed, shingle_size=shingle_size),
            bands,
            rows,
        )
    return context, mappings, fingerprint


@dataclass(frozen=True, slots=True)
class _Fingerprinter:
    """A text's MinHash signature and its LSH band keys (computed on workers)."""

    sign: MinHashSigner
    bands: int
    rows: int

    def __call__(self, text: str) -> tuple[np.ndarray, bytes]:
        signature = self.sign(text)
        return signature, lsh_band_keys(signature, self.bands, self.rows)


class _Accepted(NamedTuple):
    """What the building process needs of a mapped row, besides the row."""

    source_id: str
    outlet: str | None
    row_outlet: str
    published_us: int | None
    text_sha256: str


@dataclass(slots=True)
class _MappedPart:
    """A part's records mapped on a worker.

    ``outcomes`` has one entry per record (its reject, or what the building
    process needs of it); the accepted records' rows are one Arrow table,
    their signatures one array and their band keys one string of bytes, so
    that a part travels back as a few large objects, not many small ones.
    """

    outcomes: list[_Accepted | Reject]
    rows: pa.Table
    signatures: np.ndarray | None
    keys: bytes | None
    seconds: dict[str, float]


def _map_part(
    state: tuple[_Context, list[FieldMapping], _Fingerprinter | None],
    item: tuple[int, list[RawRecord]],
) -> _MappedPart:
    """Map one part's records and fingerprint their texts (runs on a worker)."""
    context, mappings, fingerprint = state
    source, records = item
    mapping = mappings[source]
    outcomes: list[_Accepted | Reject] = []
    rows: list[dict[str, Any]] = []
    signatures: list[np.ndarray] = []
    keys: list[bytes] = []
    seconds = {"normalise": 0.0, "signature": 0.0}
    for record in records:
        started = time.perf_counter()
        result = _map_fields(record, mapping, context)
        mapped_at = time.perf_counter()
        seconds["normalise"] += mapped_at - started
        if isinstance(result, Reject):
            outcomes.append(result)
            continue
        row = result.row
        published = row["published"]
        outcomes.append(
            _Accepted(
                result.source_id,
                result.outlet,
                row["outlet"],
                # The deduplicator's clock, as it has always been computed.
                int(published.timestamp() * 1_000_000)
                if published is not None
                else None,
                row["text_sha256"],
            )
        )
        rows.append(row)
        if fingerprint is not None:
            signature, band_keys = fingerprint(row["text"])
            signatures.append(signature)
            keys.append(band_keys)
            seconds["signature"] += time.perf_counter() - mapped_at
    return _MappedPart(
        outcomes,
        pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA),
        np.vstack(signatures) if signatures else None,
        b"".join(keys) if fingerprint is not None else None,
        seconds,
    )


def _progress_task(bar: Any, description: str) -> Any:
    return None if bar is None else bar.add_task(description, total=None)


def _ids_at(staged_path: Path, indices: set[int]) -> dict[int, str]:
    """doc_id of the staged rows at ``indices`` (canonical cluster members)."""
    if not indices:
        return {}
    ids = pq.read_table(staged_path, columns=["doc_id"]).column("doc_id")
    return {index: str(ids[index].as_py()) for index in indices}


def _timed(
    items: Iterable[RawRecord], timer: dict[str, float], stage: str
) -> Iterator[RawRecord]:
    iterator = iter(items)
    while True:
        started = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            timer[stage] += time.perf_counter() - started
            return
        timer[stage] += time.perf_counter() - started
        yield item


def _versions() -> dict[str, str]:
    versions = {"framing": __version__, "python": platform.python_version()}
    for package in _VERSIONED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def store_path(name: str) -> Path:
    """Where the store of corpus ``name`` lives in the cache."""
    return cache_dir() / "corpora" / name


def _refuse_name_clash(card: CorpusCard) -> None:
    """A card file may not take the name of another card in the registry.

    Stores are kept by corpus name, so building it would replace the
    registered corpus's store with another corpus; so would two cards of
    one name in two registry folders (``FRAMING_REGISTRY``, the user's).
    """
    error = registry_clash(card)
    if error is not None:
        raise error


def _file_hashes(card: CorpusCard) -> dict[str, str]:
    """sha256 of every file: the card's, or computed for local files without."""
    hashes = {}
    for f in card.files:
        if f.sha256 is not None:
            hashes[f.name] = f.sha256
        elif f.local is not None and f.local.is_file():
            hashes[f.name] = sha256_file(f.local)
    return hashes


def _build_key(
    card: CorpusCard, params: dict[str, Any], hashes: dict[str, str], part_rows: int
) -> str:
    payload = json.dumps(
        {
            "card": card.sha256,
            # The policy exactly as the manifest records it: a store is
            # never reused under parameters spelled differently from its own.
            "params": params,
            "framing": __version__,
            # A new column or a changed date rule means a new store.
            "schema": ARTICLES_TABLE_SCHEMA.names,
            "dates": "calendar-day/1",
            "store": {"part_rows": part_rows},
            "files": [[f.name, hashes.get(f.name)] for f in card.files],
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def build_corpus(
    card: CorpusCard | str | Path,
    *,
    force: bool = False,
    progress: bool = False,
    dedupe: dict[str, Any] | None = None,
    on_fetch: Callable[[str, Path], None] | None = None,
    compute: Compute | None = None,
    part_rows: int = PART_ROWS,
) -> Corpus:
    """Fetch a registered corpus and build its store in the cache.

    An up-to-date store (same card, files, parameters and toolkit version)
    is reused unless ``force``. ``dedupe`` overrides keys of the card's
    ``[dedupe]`` table for this build (``mode``, ``scope``, ``window``, ...);
    the store manifest records the policy in effect under
    ``parameters.dedupe`` and the overrides under ``dedupe_override``, and a
    store built with another policy is never reused. ``part_rows`` is the
    number of canonical articles per part of the store
    (:class:`CorpusBuilder`); a store cut otherwise is rebuilt.
    """
    card = card if isinstance(card, CorpusCard) else find_card(card)
    _refuse_name_clash(card)
    builder = CorpusBuilder(
        card.name,
        outlets=card.outlets,
        timezone=card.timezone,
        languages=card.languages,
        dedupe={**card.dedupe, **(dedupe or {})},
        progress=progress,
        part_rows=part_rows,
    )
    params = builder.dedupe_parameters()
    hashes = _file_hashes(card)
    key = _build_key(card, params, hashes, part_rows)
    target = store_path(card.name)
    if not force and (target / MANIFEST_FILE).is_file():
        existing = Corpus(target)
        if existing.manifest.get("build_key") == key:
            damage = existing.damage()
            if not damage:
                return existing
            warnings.warn(
                f"{target}: the cached store differs from its manifest "
                f"({'; '.join(damage)}); rebuilding it from the raw files",
                CacheDamageWarning,
                stacklevel=2,
            )
    paths = fetch_corpus(card)
    if on_fetch is not None:
        for name, path in paths.items():
            on_fetch(name, path)
    inputs = [
        {
            "name": f.name,
            "url": f.url,
            **({"path": str(f.local)} if f.local is not None else {}),
            "sha256": f.sha256 or hashes.get(f.name) or sha256_file(paths[f.name]),
            "sha256_from": "card" if f.sha256 else "computed",
            "format": f.format,
            "member": f.member,
            "bytes": paths[f.name].stat().st_size,
        }
        for f in card.files
    ]
    extra = {
        "build_key": key,
        "card": {
            "file": card.path.name,
            "sha256": card.sha256,
            "title": card.title,
            "licence": card.licence,
            "attribution": card.attribution,
            "citation": card.citation,
            "evaluation_only": card.evaluation_only,
        },
        "inputs": inputs,
        **({"dedupe_override": dict(dedupe)} if dedupe else {}),
    }
    return builder.build(
        [(paths[f.name], f) for f in card.files],
        target,
        manifest_extra=extra,
        compute=compute,
    )


def load_corpus(
    name: str | CorpusCard | Path, *, build: bool = True, progress: bool = False
) -> Corpus:
    """Return a built corpus by registry name, building it first if needed.

    With ``build=False`` the existing store is opened as it is (an error if
    it was never built, or if its files differ from the sha256s its manifest
    records). See :class:`~framing.store.Corpus` for how to read it.
    """
    card = name if isinstance(name, CorpusCard) else find_card(name)
    if build:
        return build_corpus(card, progress=progress)
    corpus = Corpus(store_path(card.name))
    damage = corpus.damage()
    if damage:
        raise FramingError(
            f"{corpus.path}: the store differs from its manifest "
            f"({'; '.join(damage)}); rebuild it with `framing corpus build "
            f"{card.name} --force`"
        )
    return corpus
