"""How each source names the event, by voice: shares over time and voice mix.

Two tidy tables feed the study's naming figures:

* :func:`naming_shares` -- per group, period, frame and voice, the share of
  documents that use the frame in that voice at least once, with a Wilson
  score interval (a document is the unit a reader meets; a few long
  releases should not dominate a period);
* :func:`voice_composition` -- per group and frame, how the mentions divide
  between voices (own, reported speech, quoted, scare quotes, attributed,
  negated), with a Wilson interval for each share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FramingError
from ..evaluation import wilson_interval
from ..frames.detect import feature_column
from ..frames.voice import VOICES

__all__ = ["naming_shares", "naming_shares_from_store", "voice_composition"]


def _check_columns(data: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise FramingError(
            f"{what}: the feature table has no column(s) {missing}; "
            "check the frame and voice names against the lexicon"
        )


def _wilson_columns(
    successes: np.ndarray, totals: np.ndarray, ci_level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    share = np.full(len(totals), np.nan)
    low = np.full(len(totals), np.nan)
    high = np.full(len(totals), np.nan)
    for i, (k, n) in enumerate(zip(successes, totals, strict=True)):
        if n > 0:
            share[i] = k / n
            low[i], high[i] = wilson_interval(float(k), float(n), ci=ci_level)
    return share, low, high


def naming_shares(
    data: pd.DataFrame,
    *,
    frames: Sequence[str],
    voices: Sequence[str] = ("own",),
    by: str = "outlet",
    freq: str = "W",
    date: str = "published",
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Share of documents naming the event with each frame, per period.

    Parameters
    ----------
    data : DataFrame
        A feature table (:func:`framing.stats.feature_table`): one row per
        document with ``n__<frame>__<voice>`` mention counts, ``by`` and
        ``date``.
    frames, voices : sequence of str
        Frames of the lexicon and voices (:data:`framing.frames.VOICES`).
    by : str
        Group column (outlet, or a source grouping outlets).
    freq : str
        Pandas period: ``"W"`` (Monday-Sunday weeks), ``"M"`` (months), ``"D"``.
    date : str
        Datetime column.
    ci_level : float
        Level of the Wilson intervals.

    Returns
    -------
    DataFrame
        ``group, period, frame, voice, n_docs, n_present, share, ci_low,
        ci_high``: one row per combination, empty periods included (with
        ``n_docs`` 0 and missing share), sorted.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "outlet": ["a", "a", "a", "b"],
    ...     "published": pd.to_datetime(
    ...         ["2022-01-03", "2022-01-05", "2022-01-12", "2022-01-04"]),
    ...     "n__invasion__own": [2, 0, 1, 0]})
    >>> table = naming_shares(data, frames=["invasion"])
    >>> print(table[["group", "period", "n_docs", "n_present", "share"]]
    ...       .to_string(index=False))
    group     period  n_docs  n_present  share
        a 2022-01-03       2          1    0.5
        a 2022-01-10       1          1    1.0
        b 2022-01-03       1          0    0.0
    """
    columns = _share_columns(frames, voices)
    _check_columns(data, [by, date, *columns], "naming_shares")
    dates = data[date]
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    periods = dates.dt.to_period(freq)
    # Undated documents belong to no period, as in the per-period counts.
    keep = (data[by].notna() & periods.notna()).to_numpy()
    present = (data.loc[keep, columns] > 0).astype(np.int64)
    present.insert(0, "n_docs", 1)
    counts = present.groupby(
        [data.loc[keep, by].to_numpy(), periods[keep].to_numpy()]
    ).sum()
    return _shares_table(counts, frames, voices, freq, ci_level)


def _share_columns(frames: Sequence[str], voices: Sequence[str]) -> list[str]:
    unknown = [v for v in voices if v not in VOICES]
    if unknown:
        raise FramingError(f"unknown voice(s) {unknown}; voices are {list(VOICES)}")
    return [feature_column("n", f, v) for f in frames for v in voices]


def _shares_table(
    counts: pd.DataFrame,
    frames: Sequence[str],
    voices: Sequence[str],
    freq: str,
    ci_level: float,
) -> pd.DataFrame:
    """The tidy shares from per (group, period) counts of documents.

    ``counts`` is indexed by group and period and holds ``n_docs`` and, per
    frame and voice, the documents with at least one such mention.
    """
    rows = []
    groups: Any = counts.index.get_level_values(0) if len(counts) else []
    for group in sorted(set(groups), key=str):
        part = counts.xs(group, level=0)
        full = pd.period_range(part.index.min(), part.index.max(), freq=freq)
        part = part.reindex(full, fill_value=0)
        n = part["n_docs"].to_numpy()
        for frame in frames:
            for voice in voices:
                k = part[feature_column("n", frame, voice)].to_numpy()
                share, low, high = _wilson_columns(k, n, ci_level)
                rows.append(
                    pd.DataFrame(
                        {
                            "group": group,
                            "period": full.start_time,
                            "frame": frame,
                            "voice": voice,
                            "n_docs": n.astype(int),
                            "n_present": k.astype(int),
                            "share": share,
                            "ci_low": low,
                            "ci_high": high,
                        }
                    )
                )
    if not rows:
        raise FramingError("naming_shares: no documents with a group value")
    return pd.concat(rows, ignore_index=True)


_SQL_PERIODS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def naming_shares_from_store(
    corpus: Any,
    *,
    frames: Sequence[str],
    voices: Sequence[str] = ("own",),
    lexicon: str = "war-naming",
    by: str = "outlet",
    freq: str = "W",
    ci_level: float = 0.95,
    subset: Any = None,
) -> pd.DataFrame:
    """:func:`naming_shares` counted in DuckDB from a corpus store.

    The same table as ``naming_shares(feature_table(corpus), ...)``, but the
    documents are counted per group and period inside DuckDB, over the
    stored features and articles, so memory depends on the number of
    groups and periods, not of documents.

    Parameters
    ----------
    corpus : framing.store.Corpus
        A built corpus on which ``lexicon`` has been detected.
    frames, voices, by, ci_level
        As in :func:`naming_shares`; ``by`` is a column of the
        ``articles`` view (``outlet``, or ``source`` with a grouping
        subset).
    lexicon : str
        Whose stored features to count.
    freq : {"D", "W", "M", "Q", "Y"}
        Days, Monday-Sunday weeks, months, quarters or years.
    subset : framing.subsets.Subset, optional
        Count only its documents (see :meth:`framing.store.Corpus.connect`).

    Examples
    --------
    >>> import tempfile
    >>> from framing.frames.run import detect_corpus
    >>> from framing.stats import feature_table
    >>> from framing.synthetic import write_synthetic_corpus
    >>> corpus = write_synthetic_corpus(tempfile.mkdtemp(), n_articles=60, seed=2)
    >>> frames = detect_corpus(corpus).manifest["lexicon"]["frames"]
    >>> counted = naming_shares_from_store(corpus, frames=frames, freq="M")
    >>> counted.equals(naming_shares(feature_table(corpus), frames=frames, freq="M"))
    True
    """
    from ..store import view_suffix

    columns = _share_columns(frames, voices)
    unit = _SQL_PERIODS.get(freq)
    if unit is None:
        raise FramingError(
            f"naming_shares_from_store: period {freq!r} is not one of "
            f"{', '.join(_SQL_PERIODS)}; use naming_shares on a feature table "
            "for other periods"
        )
    if lexicon not in corpus.detections():
        raise FramingError(
            f"corpus {corpus.name!r} has no stored features of lexicon "
            f"{lexicon!r}. Fix: run `framing frames detect {corpus.name} "
            f"--lexicon {lexicon}` first"
        )
    con = corpus.connect(subset)
    try:
        features = f"features_{view_suffix(lexicon)}"
        names = {row[0] for row in con.execute(f"DESCRIBE {features}").fetchall()}
        _check_columns(pd.DataFrame(columns=sorted(names)), columns, "naming_shares")
        article_columns = {
            row[0] for row in con.execute("DESCRIBE articles").fetchall()
        }
        if by not in article_columns:
            raise FramingError(
                f"naming_shares_from_store: the articles have no column {by!r}; "
                f"choose one of {sorted(article_columns)}"
            )
        present = ", ".join(
            f'sum(CAST(f."{c}" > 0 AS BIGINT)) AS "{c}"' for c in columns
        )
        table = con.execute(
            f"SELECT a.\"{by}\" AS grp, date_trunc('{unit}', a.published) AS period, "
            f"count(*) AS n_docs, {present} "
            f"FROM {features} AS f JOIN articles AS a USING (doc_id) "
            f'WHERE a."{by}" IS NOT NULL AND a.published IS NOT NULL '
            "GROUP BY ALL ORDER BY ALL"
        ).df()
    finally:
        con.close()
    period = pd.to_datetime(table.pop("period"), utc=True).dt.tz_localize(None)
    index = pd.MultiIndex.from_arrays(
        [table.pop("grp").to_numpy(), pd.PeriodIndex(period, freq=freq)]
    )
    counts = table.set_axis(index).astype(np.int64)
    return _shares_table(counts, frames, voices, freq, ci_level)


def voice_composition(
    data: pd.DataFrame,
    *,
    frames: Sequence[str],
    by: str = "outlet",
    voices: Sequence[str] = VOICES,
    period: str | None = None,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """How the mentions of each frame divide between voices, per group.

    Parameters
    ----------
    data : DataFrame
        A feature table with ``n__<frame>__<voice>`` mention counts.
    frames : sequence of str
        Frames to report.
    by : str
        Group column.
    voices : sequence of str
        Voices, in the order to report them.
    period : str, optional
        A further grouping column (e.g. ``"period"`` from
        :func:`framing.stats.add_period`).
    ci_level : float
        Level of the Wilson intervals of each share (mentions treated as
        independent, so the intervals are optimistic when one document
        repeats a term).

    Returns
    -------
    DataFrame
        ``group, [period,] frame, voice, mentions, total, share, ci_low,
        ci_high``; ``share`` sums to 1 over voices within a group and frame
        that has mentions.

    Examples
    --------
    >>> data = pd.DataFrame({"outlet": ["a", "a"],
    ...     "n__war__own": [3, 1], "n__war__quoted": [0, 4]})
    >>> table = voice_composition(data, frames=["war"], voices=["own", "quoted"])
    >>> print(table[["voice", "mentions", "total", "share"]].to_string(index=False))
     voice  mentions  total  share
       own         4      8    0.5
    quoted         4      8    0.5
    """
    columns = [feature_column("n", f, v) for f in frames for v in voices]
    keys = [by] if period is None else [by, period]
    _check_columns(data, [*keys, *columns], "voice_composition")
    sums = data.groupby(keys, observed=True, sort=True)[columns].sum()
    rows = []
    for index, row in sums.iterrows():
        key = index if isinstance(index, tuple) else (index,)
        for frame in frames:
            counts = np.array(
                [row[feature_column("n", frame, v)] for v in voices], dtype=float
            )
            total = counts.sum()
            share, low, high = _wilson_columns(
                counts, np.full(len(counts), total), ci_level
            )
            for i, voice in enumerate(voices):
                entry = {"group": key[0]}
                if period is not None:
                    entry["period"] = key[1]
                entry.update(
                    frame=frame,
                    voice=voice,
                    mentions=int(counts[i]),
                    total=int(total),
                    share=share[i],
                    ci_low=low[i],
                    ci_high=high[i],
                )
                rows.append(entry)
    return pd.DataFrame(rows)
