"""Subsets of a corpus: date windows, outlet filters, outlet groups, periods.

A :class:`Subset` says which documents an analysis looks at and how their
outlets are labelled:

* ``start`` / ``end``: a date window, inclusive start and exclusive end,
  ISO dates or date-times read in UTC (``"2022-02-24"``,
  ``"2022-02-24T06:00"``). A document whose date has day precision (the
  card gave no time) is compared by its calendar day with the calendar
  day of each bound, so a day-only date is never moved across a bound by
  a time of day it does not have.
* ``outlets`` keeps only these outlets; ``exclude_outlets`` drops these.
* ``groups`` relabels outlets as sources (``{"Russian state": ["tass",
  "mod"]}``): tables gain a ``source`` column holding the group of each
  outlet, or the outlet itself when no group lists it. An outlet in two
  groups is an error.

The same subset filters articles, duplicates, detection mentions and
features: as a DuckDB ``WHERE`` clause (:meth:`Subset.sql_where`, used by
:meth:`framing.store.Corpus.connect`), as a pyarrow expression
(:meth:`Subset.expression`) or on a DataFrame already in memory
(:meth:`Subset.apply`). DuckDB and pyarrow stream the Parquet files, so a
subset never loads the whole store.

Periods: :data:`FREQUENCIES` are the period codes every time axis accepts
(days, Monday-Sunday weeks, months, quarters, years).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import FramingError

__all__ = [
    "FREQUENCIES",
    "Subset",
    "SubsetError",
    "check_freq",
    "corpus_outlets",
    "subset_articles",
    "subset_feature_table",
    "subset_mentions",
]

#: Period codes: days, Monday-Sunday weeks, months, quarters, years.
FREQUENCIES = ("D", "W", "M", "Q", "Y")
_FREQ_NAMES = {
    "D": "days",
    "W": "weeks",
    "M": "months",
    "Q": "quarters",
    "Y": "years",
}


class SubsetError(FramingError):
    """A subset is invalid (a bad date, an unknown or doubly grouped outlet)."""


def check_freq(freq: str, *, key: str = "freq") -> str:
    """Return ``freq`` upper-cased if it is a period code, else raise.

    Examples
    --------
    >>> check_freq("q")
    'Q'
    >>> check_freq("fortnight")
    Traceback (most recent call last):
    ...
    framing.subsets.SubsetError: freq: 'fortnight' is not a period; use D (days), W (weeks), M (months), Q (quarters) or Y (years)
    """  # noqa: E501
    code = str(freq).strip().upper()
    if code not in FREQUENCIES:
        listed = ", ".join(f"{c} ({_FREQ_NAMES[c]})" for c in FREQUENCIES[:-1])
        raise SubsetError(f"{key}: {freq!r} is not a period; use {listed} or Y (years)")
    return code


def _timestamp(value: Any, key: str) -> pd.Timestamp:
    try:
        # ISO only: pandas would also read 01/02/2022, in an order of its choosing.
        when: Any = pd.Timestamp(dt.datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        when = pd.NaT
    if pd.isna(when):
        raise SubsetError(
            f"{key}: {value!r} is not a date; write YYYY-MM-DD (or an ISO "
            "date-time, read in UTC)"
        )
    return when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")


def _names(value: Iterable[str] | str | None, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(n, str) and n for n in names):
        raise SubsetError(f"{key}: must be outlet names (non-empty strings)")
    return tuple(dict.fromkeys(names))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_time(when: pd.Timestamp) -> str:
    return f"TIMESTAMPTZ '{when.strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


@dataclass(frozen=True, init=False)
class Subset:
    """Which documents to analyse and how to label their outlets.

    Parameters
    ----------
    start, end : str, optional
        Inclusive start and exclusive end (ISO date or date-time, UTC).
    outlets : list of str, optional
        Keep only these outlets.
    exclude_outlets : list of str, optional
        Drop these outlets.
    groups : dict of str to list of str, optional
        Source label -> outlets; each outlet in at most one group.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "outlet": ["tass", "mod", "tass", "kremlin"],
    ...     "published": pd.to_datetime(
    ...         ["2022-02-23", "2022-02-24", "2022-03-01", "2022-02-25"], utc=True),
    ... })
    >>> subset = Subset(start="2022-02-24", end="2022-03-01",
    ...                 groups={"Russian state": ["tass", "mod"]})
    >>> print(subset.apply(frame)[["outlet", "source"]].to_string(index=False))
     outlet        source
        mod Russian state
    kremlin       kremlin
    >>> Subset(groups={"A": ["tass"], "B": ["tass", "mod"]})
    Traceback (most recent call last):
    ...
    framing.subsets.SubsetError: groups: outlet 'tass' is in two groups ('A' and 'B'); put each outlet in one group
    """  # noqa: E501

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    outlets: tuple[str, ...] | None
    exclude_outlets: tuple[str, ...] | None
    groups: dict[str, tuple[str, ...]] | None

    def __init__(
        self,
        start: Any = None,
        end: Any = None,
        outlets: Iterable[str] | None = None,
        exclude_outlets: Iterable[str] | None = None,
        groups: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        begin = None if start is None else _timestamp(start, "start")
        stop = None if end is None else _timestamp(end, "end")
        if begin is not None and stop is not None and stop <= begin:
            raise SubsetError(
                f"end: {end!r} is not after start {start!r}; the window is "
                "[start, end), so end must be later"
            )
        keep = _names(outlets, "outlets")
        drop = _names(exclude_outlets, "exclude_outlets")
        if keep is not None and drop is not None:
            both = sorted(set(keep) & set(drop))
            if both:
                raise SubsetError(
                    f"exclude_outlets: {both} are also kept by outlets; list "
                    "each outlet in one of them"
                )
        grouped: dict[str, tuple[str, ...]] | None = None
        if groups is not None:
            grouped = {}
            seen: dict[str, str] = {}
            for label, members in groups.items():
                names = _names(members, f"groups {label!r}") or ()
                if not label or not names:
                    raise SubsetError(
                        f"groups: group {label!r} needs a name and at least one "
                        "outlet (NAME=outlet1,outlet2)"
                    )
                for outlet in names:
                    if outlet in seen:
                        raise SubsetError(
                            f"groups: outlet {outlet!r} is in two groups "
                            f"({seen[outlet]!r} and {label!r}); put each outlet "
                            "in one group"
                        )
                    seen[outlet] = label
                grouped[str(label)] = names
        object.__setattr__(self, "start", begin)
        object.__setattr__(self, "end", stop)
        object.__setattr__(self, "outlets", keep)
        object.__setattr__(self, "exclude_outlets", drop)
        object.__setattr__(self, "groups", grouped or None)

    # -- what it selects -----------------------------------------------------

    @property
    def is_everything(self) -> bool:
        """True when the subset neither filters nor relabels anything."""
        return (
            self.start is None
            and self.end is None
            and self.outlets is None
            and self.exclude_outlets is None
            and not self.groups
        )

    @property
    def filters_dates(self) -> bool:
        return self.start is not None or self.end is not None

    def source_map(self) -> dict[str, str]:
        """Outlet -> group label (outlets in no group are not listed)."""
        return {o: label for label, outs in (self.groups or {}).items() for o in outs}

    def named_outlets(self) -> list[str]:
        """Every outlet the subset names (to check against a corpus)."""
        names = [*(self.outlets or ()), *(self.exclude_outlets or ())]
        for outs in (self.groups or {}).values():
            names.extend(outs)
        return list(dict.fromkeys(names))

    def check_outlets(self, existing: Iterable[str], *, where: str = "") -> None:
        """Raise naming every outlet the subset names that does not exist.

        Examples
        --------
        >>> Subset(outlets=["tass", "rt"]).check_outlets(["mod", "tass"], where="x")
        Traceback (most recent call last):
        ...
        framing.subsets.SubsetError: x: no outlet 'rt'; the outlets are 'mod', 'tass'
        """
        have = set(existing)
        missing = [o for o in self.named_outlets() if o not in have]
        if missing:
            listed = ", ".join(repr(o) for o in missing)
            known = ", ".join(repr(o) for o in sorted(have)) or "none"
            prefix = f"{where}: " if where else ""
            raise SubsetError(f"{prefix}no outlet {listed}; the outlets are {known}")

    def as_dict(self) -> dict[str, Any]:
        """The settings, JSON-ready (dates as ISO strings); empty ones left out."""
        data: dict[str, Any] = {}
        if self.start is not None:
            data["start"] = self.start.isoformat()
        if self.end is not None:
            data["end"] = self.end.isoformat()
        if self.outlets is not None:
            data["outlets"] = list(self.outlets)
        if self.exclude_outlets is not None:
            data["exclude_outlets"] = list(self.exclude_outlets)
        if self.groups:
            data["groups"] = {k: list(v) for k, v in self.groups.items()}
        return data

    # -- as filters ----------------------------------------------------------

    def sql_where(
        self,
        columns: Iterable[str],
        *,
        outlet: str = "outlet",
        date: str = "published",
        precision: str = "date_precision",
    ) -> str:
        """A DuckDB condition over a table with these ``columns``.

        Conditions on columns the table lacks are left out (rejected rows
        have no outlet column). ``'TRUE'`` when nothing filters.

        Examples
        --------
        >>> Subset(outlets=["tass"]).sql_where(["outlet", "published"])
        "outlet IN ('tass')"
        """
        have = set(columns)
        parts: list[str] = []
        if outlet in have:
            if self.outlets is not None:
                listed = ", ".join(_sql_text(o) for o in self.outlets)
                parts.append(f"{outlet} IN ({listed})")
            if self.exclude_outlets is not None:
                listed = ", ".join(_sql_text(o) for o in self.exclude_outlets)
                parts.append(f"{outlet} NOT IN ({listed})")
        if date in have and self.filters_dates:
            day_rows = f"{precision} = 'day'" if precision in have else None
            for bound, op in ((self.start, ">="), (self.end, "<")):
                if bound is None:
                    continue
                exact = f"{date} {op} {_sql_time(bound)}"
                if day_rows is None:
                    parts.append(exact)
                    continue
                day = f"{date} {op} {_sql_time(bound.floor('D'))}"
                parts.append(f"(CASE WHEN {day_rows} THEN {day} ELSE {exact} END)")
        return " AND ".join(parts) if parts else "TRUE"

    def sql_source(self, outlet: str = "outlet") -> str | None:
        """The SQL expression of the ``source`` column, or None without groups."""
        mapping = self.source_map()
        if not mapping:
            return None
        cases = " ".join(
            f"WHEN {_sql_text(o)} THEN {_sql_text(label)}"
            for o, label in mapping.items()
        )
        return f"CASE {outlet} {cases} ELSE {outlet} END"

    def expression(self, columns: Iterable[str]) -> Any:
        """The subset as a pyarrow compute expression (None: keep everything).

        For ``pyarrow.dataset.Dataset.to_batches(filter=...)``, which reads
        only what passes, batch by batch.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        have = set(columns)
        conditions = []
        if "outlet" in have:
            if self.outlets is not None:
                conditions.append(pc.field("outlet").isin(list(self.outlets)))
            if self.exclude_outlets is not None:
                conditions.append(~pc.field("outlet").isin(list(self.exclude_outlets)))
        if "published" in have and self.filters_dates:
            kind = pa.timestamp("us", tz="UTC")
            day_rows = (
                pc.coalesce(pc.field("date_precision") == "day", pa.scalar(False))
                if "date_precision" in have
                else None
            )
            for bound, forward in ((self.start, True), (self.end, False)):
                if bound is None:
                    continue

                def compare(when: pd.Timestamp, forward: bool = forward) -> Any:
                    value = pa.scalar(when.to_pydatetime(), type=kind)
                    field = pc.field("published")
                    return field >= value if forward else field < value

                if day_rows is None:
                    conditions.append(compare(bound))
                else:
                    day = compare(bound.floor("D"))
                    exact = compare(bound)
                    conditions.append((day_rows & day) | (~day_rows & exact))
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = combined & condition
        return combined

    def apply(
        self,
        data: pd.DataFrame,
        *,
        outlet: str = "outlet",
        date: str = "published",
        precision: str = "date_precision",
    ) -> pd.DataFrame:
        """Filter a DataFrame already in memory; add ``source`` with groups.

        The same rules as :meth:`sql_where`; rows without a date are left
        out when a window is given.
        """
        keep = np.ones(len(data), dtype=bool)
        if outlet in data.columns:
            names = data[outlet].astype(str)
            if self.outlets is not None:
                keep &= names.isin(self.outlets).to_numpy()
            if self.exclude_outlets is not None:
                keep &= ~names.isin(self.exclude_outlets).to_numpy()
        if date in data.columns and self.filters_dates:
            dates = pd.to_datetime(data[date], utc=True)
            day_rows = (
                (data[precision] == "day").fillna(False).to_numpy(dtype=bool)
                if precision in data.columns
                else np.zeros(len(data), dtype=bool)
            )
            known = dates.notna().to_numpy()
            keep &= known
            for bound, forward in ((self.start, True), (self.end, False)):
                if bound is None:
                    continue
                values = []
                for when in (bound, bound.floor("D")):
                    hit = dates >= when if forward else dates < when
                    values.append(hit.fillna(False).to_numpy(dtype=bool))
                keep &= np.where(day_rows, values[1], values[0])
        out = data.loc[keep].copy()
        mapping = self.source_map()
        if mapping and outlet in out.columns:
            names = out[outlet].astype(str)
            out["source"] = names.map(mapping).fillna(names)
        return out.reset_index(drop=True)


def subset_articles(
    corpus: Any, subset: Subset | None, *, columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """The canonical articles of ``subset`` (with ``source`` when it groups).

    pyarrow applies the filter while it reads the file batch by batch, so
    only the subset's rows of the asked ``columns`` are held in memory.

    Examples
    --------
    >>> from framing.synthetic import write_synthetic_corpus
    >>> import tempfile
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=60, seed=2)
    >>> window = Subset(start="2022-01-01", end="2022-04-01")
    >>> part = subset_articles(corpus, window, columns=["doc_id", "published"])
    >>> bool(part["published"].min() >= pd.Timestamp("2022-01-01", tz="UTC"))
    True
    >>> everything = corpus.articles(columns=["published"])["published"]
    >>> inside = (everything >= "2022-01-01") & (everything < "2022-04-01")
    >>> len(part) == int(inside.sum())
    True
    """
    import pyarrow.dataset as ds

    subset = subset or Subset()
    subset.check_outlets(corpus_outlets(corpus), where=corpus.name)
    dataset = ds.dataset([str(path) for path in corpus.article_files], format="parquet")
    names = dataset.schema.names
    wanted = list(columns) if columns is not None else list(names)
    needed = list(dict.fromkeys([*wanted, "outlet"] if subset.groups else wanted))
    table = dataset.to_table(
        columns=needed, filter=subset.expression(names), use_threads=False
    )
    frame = table.to_pandas()
    mapping = subset.source_map()
    if mapping:
        outlets = frame["outlet"].astype(str)
        frame["source"] = outlets.map(mapping).fillna(outlets)
        if "outlet" not in wanted:
            frame = frame.drop(columns="outlet")
    return frame


def subset_mentions(
    corpus: Any, subset: Subset | None, *, lexicon: str = "war-naming"
) -> pd.DataFrame:
    """The stored mentions of ``lexicon`` in the documents of ``subset``.

    In their stored order; raises naming ``framing frames detect`` when
    the corpus has no detection results of that lexicon.
    """
    from .frames.run import load_detection

    detection = load_detection(corpus, lexicon)
    subset = subset or Subset()
    subset.check_outlets(corpus_outlets(corpus), where=corpus.name)
    path = detection.path / "mentions.parquet"
    con = corpus.connect(subset=subset)
    try:
        return (
            con.sql(
                "SELECT * EXCLUDE (file_row_number) FROM read_parquet("
                f"{_sql_text(str(path))}, file_row_number = true) "
                "WHERE doc_id IN (SELECT doc_id FROM articles) ORDER BY file_row_number"
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        con.close()


def subset_feature_table(
    corpus: Any,
    subset: Subset | None,
    *,
    lexicon: str = "war-naming",
    detect: bool = True,
) -> pd.DataFrame:
    """The feature table of ``corpus`` restricted to ``subset``.

    Like :func:`framing.stats._common.feature_table` (features with
    ``outlet``, ``published`` and ``day``), but the rows are chosen by
    DuckDB while it reads the Parquet files, so only the subset is ever in
    memory; with groups it has a ``source`` column. Runs detection first
    when there is none and ``detect``.
    """
    from .frames.run import detect_corpus, load_detection

    try:
        load_detection(corpus, lexicon)
    except FramingError:
        if not detect:
            raise
        detect_corpus(corpus, lexicon=lexicon)
    subset = subset or Subset()
    subset.check_outlets(corpus_outlets(corpus), where=corpus.name)
    path = corpus.path / "frames" / lexicon / "features.parquet"
    source = ", a.source" if subset.groups else ""
    con = corpus.connect(subset=subset)
    try:
        # The stored row order (that of the articles) is kept, as without a subset.
        table = (
            con.sql(
                "SELECT f.* EXCLUDE (file_row_number), a.outlet, a.published"
                f"{source} FROM read_parquet({_sql_text(str(path))}, "
                "file_row_number = true) f JOIN articles a USING (doc_id) "
                "ORDER BY f.file_row_number"
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        con.close()
    table["day"] = table["published"].dt.strftime("%Y-%m-%d")
    return table


def corpus_outlets(corpus: Any) -> list[str]:
    """The outlets of a built corpus (from its manifest, else its articles)."""
    by_outlet = corpus.counts.get("by_outlet")
    if isinstance(by_outlet, dict) and by_outlet:
        return sorted(str(k) for k in by_outlet)
    frame = corpus.sql("SELECT DISTINCT outlet FROM articles")
    return sorted(str(o) for o in frame["outlet"])
