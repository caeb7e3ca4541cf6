"""The on-disk corpus store and its reader.

A built corpus is a folder::

    <cache>/corpora/<name>/
        articles/            canonical articles (one per duplicate cluster),
            part-00000.parquet   in fixed-size parts of ``part_rows`` rows
            part-00001.parquet   (default 100,000), in build order
            ...
        duplicates.parquet   the other members of duplicate clusters
        rejects.parquet      every rejected row, with file, row and reason
        manifest.json        inputs with sha256, versions, parameters, counts

Counts reconcile exactly: ``read = kept + duplicates + rejected`` where
``kept`` is the number of rows of the article parts. The parts are one
Parquet dataset: DuckDB and the batch stream read them in order as one
table, and a worker of a parallel stage reads only its own range of rows
(:meth:`Corpus.ranges`), so no process has to read the corpus and pass it
on. Stores built before parts existed have one ``articles.parquet``; they
are read the same way. The folder is written under a temporary name and
renamed into place at the end, so a killed build never leaves a
half-written corpus.

:class:`Corpus` reads a store: as pandas DataFrames, as a re-iterable
stream of Arrow batches whose memory does not depend on corpus size, or
through SQL with DuckDB.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import FramingError

__all__ = [
    "ArticleRange",
    "Corpus",
    "CorpusQueryError",
    "ParquetSink",
    "view_suffix",
    "atomic_directory",
    "leftover_staging",
    "part_file_name",
    "write_json_atomic",
    "ARTICLES_FILE",
    "ARTICLES_DIR",
    "PART_ROWS",
    "DUPLICATES_FILE",
    "REJECTS_FILE",
    "MANIFEST_FILE",
]

#: The lexicon whose detection results the ``mentions`` and ``features``
#: views show when several have been run.
DEFAULT_LEXICON = "war-naming"
#: The articles of stores built before parts existed (one file).
ARTICLES_FILE = "articles.parquet"
#: The folder of the article parts.
ARTICLES_DIR = "articles"
#: Canonical articles per part of a new store.
PART_ROWS = 100_000
DUPLICATES_FILE = "duplicates.parquet"
REJECTS_FILE = "rejects.parquet"
MANIFEST_FILE = "manifest.json"


class CorpusQueryError(FramingError):
    """A query over a corpus store names a view that does not exist."""


def view_suffix(lexicon: str) -> str:
    """The SQL name part of a lexicon (``war-naming`` -> ``war_naming``).

    Examples
    --------
    >>> view_suffix("war-naming")
    'war_naming'
    """
    return re.sub(r"\W", "_", lexicon)


def part_file_name(number: int) -> str:
    """The file name of part ``number`` (from 0) of a partitioned table."""
    return f"part-{number:05d}.parquet"


class ParquetSink:
    """Append rows or tables to Parquet in row groups of ``batch_rows``.

    Input is gathered until a full row group is ready, so row groups depend
    only on the rows written (never on how they arrived or on timing) and the
    same rows give byte-identical files. Full row groups also keep the
    writer's per-group metadata, which it holds until closing, small.

    With ``part_rows``, ``path`` is a folder and the rows go to fixed-size
    parts ``part-00000.parquet``, ``part-00001.parquet``, ... of
    ``part_rows`` rows each (the last may be shorter; no row group crosses a
    part). At least one part is written, so an empty table is still a
    readable file. :attr:`parts` lists the files and their rows.

    ``scratch=True`` writes a file that only this toolkit reads back once
    (a build's staged rows): no compression, dictionaries or statistics,
    which cost the writing process most of its time on long texts.
    """

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        *,
        batch_rows: int = 2000,
        part_rows: int | None = None,
        scratch: bool = False,
    ) -> None:
        if part_rows is not None and part_rows < 1:
            raise ValueError(f"part_rows must be at least 1, not {part_rows}")
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self.part_rows = part_rows
        self.scratch = scratch
        self.rows_written = 0
        self.parts: list[tuple[Path, int]] = []
        self._rows: list[dict[str, Any]] = []
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer: pq.ParquetWriter | None = None
        if part_rows is None:
            self._open(path)
        else:
            path.mkdir(parents=True, exist_ok=True)

    def _open(self, path: Path) -> None:
        self._writer = pq.ParquetWriter(
            path,
            self.schema,
            compression="none" if self.scratch else "zstd",
            use_dictionary=not self.scratch,
            write_statistics=not self.scratch,
        )
        self.parts.append((path, 0))

    def _room(self) -> int:
        """Rows the next row group may hold (it never crosses a part)."""
        if self.part_rows is None:
            return self.batch_rows
        filled = self.parts[-1][1] if self.parts else 0
        if filled >= self.part_rows:
            filled = 0
        return min(self.batch_rows, self.part_rows - filled)

    def _current_writer(self) -> pq.ParquetWriter:
        if self.part_rows is not None and (
            not self.parts or self.parts[-1][1] >= self.part_rows
        ):
            if self._writer is not None:
                self._writer.close()
            self._open(self.path / part_file_name(len(self.parts)))
        assert self._writer is not None
        return self._writer

    def append(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch_rows:
            self._stage_rows()
            self._write_full_groups()

    def write_table(self, table: pa.Table) -> None:
        self._stage_rows()
        if table.num_rows:
            self._pending.append(table.cast(self.schema))
            self._pending_rows += table.num_rows
            self._write_full_groups()

    def _stage_rows(self) -> None:
        if self._rows:
            self._pending.append(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._pending_rows += len(self._rows)
            self._rows = []

    def _write_full_groups(self, *, everything: bool = False) -> None:
        if self._pending_rows < self.batch_rows and not everything:
            return
        if not self._pending_rows:
            return
        table = pa.concat_tables(self._pending)
        start = 0
        while start < table.num_rows:
            size = min(self._room(), table.num_rows - start)
            if size < self._room() and not everything:
                break
            self._current_writer().write_table(
                table.slice(start, size), row_group_size=size
            )
            path, rows = self.parts[-1]
            self.parts[-1] = (path, rows + size)
            self.rows_written += size
            start += size
        rest = table.slice(start)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows
        # Arrow's default allocator keeps freed blocks for reuse; written row
        # groups are never needed again, so hand their memory back, or a long
        # build's process grows with the corpus.
        pa.default_memory_pool().release_unused()

    def flush(self) -> None:
        """Write everything gathered so far (the last row group may be short)."""
        self._stage_rows()
        self._write_full_groups(everything=True)

    def close(self) -> None:
        self.flush()
        if not self.parts:
            self._current_writer()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _staging_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(target.name)}\.(?:building|old)-[0-9a-f]{{8}}$")


def leftover_staging(target: Path) -> list[Path]:
    """Staging folders that an interrupted write of ``target`` left behind.

    Only names this module creates (``.<name>.building-<8 hex>`` and
    ``.<name>.old-<8 hex>`` beside ``target``) are listed.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".store.building-0123abcd").mkdir()
    >>> (root / ".store.notes").mkdir()
    >>> [p.name for p in leftover_staging(root / "store")]
    ['.store.building-0123abcd']
    """
    parent = target.parent
    if not parent.is_dir():
        return []
    pattern = _staging_pattern(target)
    return sorted(p for p in parent.iterdir() if pattern.match(p.name))


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Build a folder under a temporary name; move it into place on success.

    On an exception the temporary folder is removed and ``target`` is left
    as it was. Writers of the same ``target`` are serialised by a lock file
    beside it (``.<name>.lock``), so two builds never interleave; holding
    the lock, the writer removes the staging folders that a killed earlier
    write left behind (see :func:`leftover_staging`).
    """
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        for leftover in leftover_staging(target):
            shutil.rmtree(leftover, ignore_errors=True)
        staging = target.parent / f".{target.name}.building-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        retired = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON (sorted keys, fixed indent) via a temporary file and rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)


class _BatchStream:
    """A re-iterable stream of record batches over Parquet files."""

    def __init__(
        self, files: Sequence[Path], batch_size: int, columns: list[str] | None
    ):
        self.files = files
        self.batch_size = batch_size
        self.columns = columns

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for path in self.files:
            # Without pre_buffer=False pyarrow keeps the buffers of row groups
            # already read until the file closes: memory would grow with size.
            parquet = pq.ParquetFile(path, pre_buffer=False)
            columns = self.columns
            if columns is not None:
                # Duplicates carry extra columns; ask each file only for what it has.
                columns = [c for c in columns if c in parquet.schema_arrow.names]
            yield from parquet.iter_batches(batch_size=self.batch_size, columns=columns)


@dataclass(frozen=True)
class ArticleRange:
    """A range of article rows that a worker reads by itself.

    ``pieces`` are ``(file, start, stop)`` row ranges of the article parts,
    in order (a range may continue into the next part). Only the row groups
    a piece overlaps are read.

    Examples
    --------
    >>> from framing.synthetic import write_synthetic_corpus
    >>> import tempfile
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=30, seed=3)
    >>> ranges = corpus.ranges(8)
    >>> [r.rows for r in ranges] == [8, 8, 8, corpus.counts["kept"] - 24]
    True
    >>> ranges[1].read(["doc_id"]).column(0).to_pylist() == (
    ...     corpus.articles(columns=["doc_id"])["doc_id"][8:16].tolist())
    True
    """

    pieces: tuple[tuple[str, int, int], ...]

    @property
    def rows(self) -> int:
        return sum(stop - start for _, start, stop in self.pieces)

    def read(self, columns: Sequence[str] | None = None) -> pa.Table:
        """The rows of the range as one Arrow table (``columns`` only)."""
        tables = []
        for file, start, stop in self.pieces:
            if not os.path.isfile(file):
                raise FramingError(
                    f"{file}: this process cannot see the corpus store. Workers "
                    "read their part of the store themselves, so the cache "
                    "folder (FRAMING_CACHE_DIR) must be on a file system that "
                    "every worker shares, at the same path"
                )
            parquet = pq.ParquetFile(file, pre_buffer=False)
            metadata = parquet.metadata
            groups, first, offset = [], None, 0
            for index in range(metadata.num_row_groups):
                size = metadata.row_group(index).num_rows
                if offset < stop and offset + size > start:
                    groups.append(index)
                    first = offset if first is None else first
                offset += size
            # One thread: a worker is already one of several processes.
            table = parquet.read_row_groups(
                groups,
                columns=list(columns) if columns is not None else None,
                use_threads=False,
            )
            tables.append(table.slice(start - (first or 0), stop - start))
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)

    def documents(self) -> list[tuple[str, str]]:
        """``(doc_id, text)`` of the range (a missing text as ``""``).

        The Arrow memory of the read is handed back to the system at once,
        so a worker that reads range after range does not keep it.
        """
        table = self.read(["doc_id", "text"])
        pairs = [
            (doc_id, text or "")
            for doc_id, text in zip(
                table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True
            )
        ]
        del table
        pa.default_memory_pool().release_unused()
        return pairs


class Corpus:
    """A built corpus store.

    Parameters
    ----------
    path : str or Path
        The store folder.

    Examples
    --------
    >>> from framing.synthetic import write_synthetic_corpus
    >>> import tempfile
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=30, seed=3)
    >>> counts = corpus.counts
    >>> counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    True
    >>> n = corpus.sql("SELECT count(*) AS n FROM articles")["n"][0]
    >>> int(n) == counts["kept"]
    True
    >>> batches = corpus.iter_batches(batch_size=8)
    >>> sum(batch.num_rows for batch in batches) == counts["kept"]
    True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        manifest_path = self.path / MANIFEST_FILE
        if not manifest_path.is_file():
            raise FramingError(
                f"{self.path}: not a built corpus (no {MANIFEST_FILE}); "
                "build it with `framing corpus build`"
            )
        self.manifest: dict[str, Any] = json.loads(
            manifest_path.read_text(encoding="utf-8")
        )

    @property
    def name(self) -> str:
        return str(self.manifest["corpus"])

    def damage(self) -> list[str]:
        """How the store's files differ from the sha256s its manifest records.

        Empty when intact. A truncated, edited, missing or unrecorded file
        is listed, so a damaged store is rebuilt instead of read.
        """
        recorded = self.manifest.get("outputs")
        if not isinstance(recorded, dict) or not recorded:
            return [f"{MANIFEST_FILE}: records no output sha256s"]
        from .datasets.fetch import sha256_file

        problems = []
        for file, entry in sorted(recorded.items()):
            path = self.path / file
            digest = entry.get("sha256") if isinstance(entry, dict) else None
            if not path.is_file():
                problems.append(f"{file}: missing")
            elif sha256_file(path) != digest:
                problems.append(f"{file}: sha256 differs from the manifest")
        return problems

    @property
    def counts(self) -> dict[str, Any]:
        return dict(self.manifest["counts"])

    @property
    def dedupe_policy(self) -> dict[str, Any]:
        """The dedupe policy the store was built with (mode, scope, window, ...).

        Stores built before ``mode``, ``scope`` and ``window`` existed
        recorded ``near_duplicates``: they used the whole corpus as scope
        and no window.
        """
        params = dict(self.manifest.get("parameters", {}).get("dedupe", {}))
        if "mode" not in params:
            near = params.pop("near_duplicates", True)
            params = {
                "mode": "near" if near else "exact",
                "scope": "corpus",
                "window": "0",
                **params,
            }
        return params

    @property
    def dedupe_policy_text(self) -> str:
        """:attr:`dedupe_policy` in a few words, such as ``near, corpus, 12h``."""
        policy = self.dedupe_policy
        if policy.get("mode") == "off":
            return "off"
        window = policy.get("window", "0")
        return (
            f"{policy.get('mode')}, {policy.get('scope')}, "
            f"{'no window' if window == '0' else window}"
        )

    def __repr__(self) -> str:
        counts = self.counts
        return (
            f"<Corpus {self.name!r}: {counts['kept']} articles, {counts['duplicates']} "
            f"duplicates, {counts['rejected']} rejects at {self.path}>"
        )

    @property
    def article_files(self) -> list[Path]:
        """The Parquet files of the canonical articles, in order."""
        parts = self.manifest.get("store", {}).get("article_parts")
        if parts is None:
            return [self.path / ARTICLES_FILE]
        return [self.path / part["file"] for part in parts]

    def articles_sha256(self) -> str:
        """One sha256 of the article files' recorded sha256s (no reading)."""
        import hashlib

        outputs = self.manifest.get("outputs", {})
        digests = []
        for path in self.article_files:
            name = path.relative_to(self.path).as_posix()
            digest = outputs.get(name, {}).get("sha256")
            if not digest:
                raise FramingError(
                    f"{self.path}: the store manifest has no sha256 for {name}; "
                    f"rebuild the corpus with `framing corpus build {self.name}`"
                )
            digests.append(digest)
        if len(digests) == 1 and self.article_files[0].name == ARTICLES_FILE:
            return str(digests[0])
        return hashlib.sha256("\n".join(digests).encode()).hexdigest()

    def ranges(self, rows: int) -> list[ArticleRange]:
        """The canonical articles cut into ranges of ``rows`` rows, in order.

        Only the files' footers are read. Every range but the last has
        ``rows`` rows, whatever the part size, so work cut this way does not
        depend on how the store is split into files.
        """
        if rows < 1:
            raise ValueError(f"rows must be at least 1, not {rows}")
        ranges: list[ArticleRange] = []
        pieces: list[tuple[str, int, int]] = []
        wanted = rows
        for path in self.article_files:
            total = pq.ParquetFile(path).metadata.num_rows
            start = 0
            while start < total:
                stop = min(total, start + wanted)
                pieces.append((str(path), start, stop))
                wanted -= stop - start
                start = stop
                if wanted == 0:
                    ranges.append(ArticleRange(tuple(pieces)))
                    pieces, wanted = [], rows
        if pieces:
            ranges.append(ArticleRange(tuple(pieces)))
        return ranges

    def _files(self, include_duplicates: bool) -> list[Path]:
        files = list(self.article_files)
        if include_duplicates:
            files.append(self.path / DUPLICATES_FILE)
        return files

    def iter_batches(
        self,
        *,
        batch_size: int = 1000,
        columns: Iterable[str] | None = None,
        include_duplicates: bool = False,
    ) -> _BatchStream:
        """A re-iterable stream of Arrow record batches of the articles.

        Memory use is bounded by ``batch_size``, not by the corpus size.
        Non-canonical duplicates are left out unless ``include_duplicates``.
        """
        return _BatchStream(
            self._files(include_duplicates),
            batch_size,
            list(columns) if columns is not None else None,
        )

    def iter_texts(self, *, batch_size: int = 1000) -> Iterator[tuple[str, str]]:
        """Yield ``(doc_id, text)`` pairs of the canonical articles."""
        for batch in self.iter_batches(
            batch_size=batch_size, columns=["doc_id", "text"]
        ):
            yield from zip(
                batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
            )

    def articles(
        self, *, columns: Iterable[str] | None = None, include_duplicates: bool = False
    ) -> pd.DataFrame:
        """The articles as a DataFrame (canonical members only by default)."""
        cols = list(columns) if columns is not None else None
        parts = self.article_files
        names = pq.read_schema(parts[0]).names
        if cols:
            cols = [c for c in cols if c in names]
        tables = [pq.read_table(p, columns=cols) for p in parts]
        frames = [pa.concat_tables(tables).to_pandas()]
        if include_duplicates:
            path = self.path / DUPLICATES_FILE
            frames.append(
                pq.read_table(
                    path,
                    columns=[c for c in cols if c in pq.read_schema(path).names]
                    if cols
                    else None,
                ).to_pandas()
            )
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def duplicates(self) -> pd.DataFrame:
        """Non-canonical members of duplicate clusters, with their cluster."""
        return pq.read_table(self.path / DUPLICATES_FILE).to_pandas()

    def rejects(self) -> pd.DataFrame:
        """Every rejected source row with file, row, reason and detail."""
        return pq.read_table(self.path / REJECTS_FILE).to_pandas()

    def detections(self) -> dict[str, Path]:
        """Lexicon name -> folder of the stored detection results (if any)."""
        root = self.path / "frames"
        if not root.is_dir():
            return {}
        return {
            folder.name: folder
            for folder in sorted(root.iterdir())
            if (folder / "mentions.parquet").is_file()
            and (folder / "features.parquet").is_file()
        }

    def connect(self, subset: Any = None) -> Any:
        """A DuckDB connection with views over the store.

        ``articles``, ``duplicates``, ``rejects`` and ``all_articles``
        (articles plus duplicates); where ``framing frames detect`` has been
        run, ``mentions`` and ``features`` of the default lexicon
        (``war-naming``, or the only one detected) and
        ``mentions_<lexicon>`` / ``features_<lexicon>`` of every lexicon
        (``-`` in the name becomes ``_``).

        With a :class:`~framing.subsets.Subset`, ``articles`` and
        ``duplicates`` hold only its documents (with a ``source`` column when
        it groups outlets), and mentions and features only theirs; rejected
        rows never reached an outlet or a date and are not filtered.

        Examples
        --------
        >>> from framing.synthetic import write_synthetic_corpus
        >>> from framing.subsets import Subset
        >>> import tempfile
        >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=40, seed=1)
        >>> corpus.sql("SELECT count(*) AS n FROM mentions")
        Traceback (most recent call last):
        ...
        framing.store.CorpusQueryError: the query names the view 'mentions', but no detection results exist for corpus 'synthetic'; run `framing frames detect synthetic` first
        >>> from framing.frames.run import detect_corpus
        >>> _ = detect_corpus(corpus)
        >>> query = "SELECT count(DISTINCT doc_id) AS n FROM features"
        >>> int(corpus.sql(query)["n"][0]) == corpus.counts["kept"]
        True
        >>> first = Subset(outlets=["synthetic-outlet-1"])
        >>> inside = int(corpus.sql(query, subset=first)["n"][0])
        >>> per_outlet = corpus.sql("SELECT outlet, count(*) AS n FROM articles "
        ...                         "GROUP BY outlet").set_index("outlet")["n"]
        >>> inside == int(per_outlet["synthetic-outlet-1"])
        True
        """  # noqa: E501
        import duckdb

        con = duckdb.connect()
        # Timestamps are stored in UTC; show them so whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        filtered = subset is not None and not subset.is_everything
        for view, files in (
            ("articles", self.article_files),
            ("duplicates", [self.path / DUPLICATES_FILE]),
            ("rejects", [self.path / REJECTS_FILE]),
        ):
            paths = ", ".join(
                "'{}'".format(str(file).replace("'", "''")) for file in files
            )
            select = "*"
            where = ""
            if filtered and view != "rejects":
                names = pq.read_schema(files[0]).names
                source = subset.sql_source()
                if source is not None:
                    select = f"*, {source} AS source"
                where = f" WHERE {subset.sql_where(names)}"
            con.execute(
                f"CREATE VIEW {view} AS SELECT {select} "
                f"FROM read_parquet([{paths}]){where}"
            )
        con.execute(
            "CREATE VIEW all_articles AS "
            "SELECT * EXCLUDE (n_duplicates) FROM articles UNION ALL BY NAME "
            "SELECT * EXCLUDE (canonical_doc_id, duplicate_kind, similarity) "
            "FROM duplicates"
        )
        detections = self.detections()
        default = (
            DEFAULT_LEXICON
            if DEFAULT_LEXICON in detections or len(detections) != 1
            else next(iter(detections))
        )
        only = " WHERE doc_id IN (SELECT doc_id FROM articles)" if filtered else ""
        for lexicon, folder in detections.items():
            names = [f"_{view_suffix(lexicon)}"]
            if lexicon == default:
                names.append("")
            for table in ("mentions", "features"):
                path = str(folder / f"{table}.parquet").replace("'", "''")
                for suffix in names:
                    con.execute(
                        f"CREATE VIEW {table}{suffix} AS SELECT * "
                        f"FROM read_parquet('{path}'){only}"
                    )
        return con

    def sql(self, query: str, *, subset: Any = None) -> pd.DataFrame:
        """Run a DuckDB SQL query over the store and return a DataFrame.

        The views are those of :meth:`connect` (restricted to ``subset``
        when given). A query naming a detection view that does not exist
        raises :class:`CorpusQueryError` saying how to create it.
        """
        import duckdb

        con = self.connect(subset)
        try:
            return con.execute(query).df()
        except duckdb.CatalogException as exc:
            missing = re.search(r"Table with name (\w+) does not exist", str(exc))
            name = missing.group(1) if missing else ""
            if name.startswith(("mentions", "features")):
                have = ", ".join(
                    f"{t}_{view_suffix(lexicon)}"
                    for lexicon in self.detections()
                    for t in ("mentions", "features")
                )
                also = f" (the detection views are: {have})" if have else ""
                raise CorpusQueryError(
                    f"the query names the view {name!r}, but no detection results "
                    f"exist for corpus {self.name!r}{also}; run `framing frames "
                    f"detect {self.name}` first"
                ) from None
            raise
        finally:
            con.close()

    def summary(self, subset: Any = None) -> pd.DataFrame:
        """Per-outlet table: documents, words, date range, duplicates, rejects.

        Rejects are attributed to an outlet where the row got far enough to
        have one, and otherwise listed under ``(unattributed)``. Duplicates
        are split by kind (``exact_duplicates``, ``near_duplicates``);
        ``read = documents + duplicates + rejected`` on every row; ``dedupe``
        is the policy the store was built with (:attr:`dedupe_policy`).

        With a :class:`~framing.subsets.Subset`, only its documents and
        duplicates are counted; rejects are filtered by outlet only (a
        rejected row has no trusted date). When the subset groups outlets,
        the rows are its sources (column ``source`` instead of ``outlet``).
        """
        if subset is not None:
            from .subsets import corpus_outlets

            subset.check_outlets(corpus_outlets(self), where=self.name)
        kept = self.sql(
            "SELECT outlet, count(*) AS documents, sum(n_words) AS words, "
            "min(published) AS first, max(published) AS last "
            "FROM articles GROUP BY outlet",
            subset=subset,
        )
        dups = self.sql(
            "SELECT outlet, count(*) AS duplicates, "
            "count(*) FILTER (WHERE duplicate_kind = 'exact') AS exact_duplicates, "
            "count(*) FILTER (WHERE duplicate_kind = 'near') AS near_duplicates "
            "FROM duplicates GROUP BY outlet",
            subset=subset,
        )
        rejects = pd.DataFrame(
            [
                {"outlet": outlet, "rejected": n}
                for outlet, n in self.counts.get("rejected_by_outlet", {}).items()
            ],
            columns=["outlet", "rejected"],
        )
        table = kept.merge(dups, on="outlet", how="outer").merge(
            rejects, on="outlet", how="outer"
        )
        for column in (
            "documents",
            "words",
            "duplicates",
            "exact_duplicates",
            "near_duplicates",
            "rejected",
        ):
            table[column] = table[column].fillna(0).astype("int64")
        if subset is not None and not subset.is_everything:
            table = _summary_of_subset(table, subset)
        table.insert(0, "corpus", self.name)
        # Every row read is kept, a duplicate or rejected, per outlet too.
        table["read"] = table["documents"] + table["duplicates"] + table["rejected"]
        table["dedupe"] = self.dedupe_policy_text
        key = "source" if "source" in table.columns else "outlet"
        return table.sort_values(key).reset_index(drop=True)


def _summary_of_subset(table: pd.DataFrame, subset: Any) -> pd.DataFrame:
    """Rejects of the subset's outlets only; one row per source with groups."""
    kept = subset.apply(table[["outlet"]].astype(str))
    names = set(kept["outlet"])
    if subset.outlets is None:
        names.add("(unattributed)")
    table = table[table["outlet"].astype(str).isin(names)]
    table = table[(table["documents"] + table["duplicates"] + table["rejected"]) > 0]
    mapping = subset.source_map()
    if not mapping:
        return table.reset_index(drop=True)
    outlets = table["outlet"].astype(str)
    table = table.assign(source=outlets.map(mapping).fillna(outlets))
    # Counts add up over a source's outlets; the dates span them.
    how: dict[str, Any] = {}
    for column in table.columns:
        if column in ("outlet", "source"):
            continue
        if column == "first":
            how[column] = "min"
        elif column == "last":
            how[column] = "max"
        elif pd.api.types.is_numeric_dtype(table[column]):
            how[column] = "sum"
        else:
            how[column] = "first"
    return table.groupby("source", as_index=False).agg(how).reset_index(drop=True)
