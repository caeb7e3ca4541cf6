"""Helpers shared by the model modules: data preparation and result bundles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import FramingError
from .results import StatsResult

__all__ = [
    "ModelResults",
    "add_period",
    "cluster_codes",
    "feature_table",
    "normal_quantile",
    "resolve_cluster",
]


@dataclass
class ModelResults:
    """Several tidy results of one analysis, plus the data behind them.

    Attributes
    ----------
    results : dict of str to StatsResult
        Named tables (e.g. ``"coefficients"``, ``"predicted"``).
    frames : dict of str to DataFrame
        Supporting tidy data (e.g. fitted series for plotting).
    notes : list of str
        Notes that concern the whole analysis.
    """

    results: dict[str, StatsResult]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> StatsResult:
        return self.results[name]

    def summary(self, digits: int = 3) -> str:
        """Every table's summary, one after the other."""
        parts = []
        for name, result in self.results.items():
            parts.append(f"== {name} ==\n{result.summary(digits)}")
        if self.notes:
            parts.append("Notes:\n" + "\n".join(f"- {n}" for n in self.notes))
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        return self.summary()


def normal_quantile(ci_level: float) -> float:
    """The two-sided normal critical value of a confidence level."""
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be in (0, 1), got {ci_level}")
    return float(stats.norm.ppf(0.5 + ci_level / 2))


def add_period(
    data: pd.DataFrame,
    event: str | pd.Timestamp,
    *,
    date: str = "published",
    labels: tuple[str, str] = ("before", "after"),
    name: str = "period",
) -> pd.DataFrame:
    """Add a categorical ``before``/``after`` column split at ``event``.

    The event day itself counts as *after*. Time zones are respected: a naive
    event date is read in the time zone of the date column.

    Examples
    --------
    >>> days = pd.to_datetime(["2022-02-23", "2022-02-24"])
    >>> frame = pd.DataFrame({"published": days})
    >>> add_period(frame, "2022-02-24")["period"].tolist()
    ['before', 'after']
    """
    out = data.copy()
    when = _aligned_timestamp(event, out[date])
    after = out[date] >= when
    out[name] = pd.Categorical(
        np.where(after, labels[1], labels[0]), categories=list(labels)
    )
    return out


def _aligned_timestamp(event: str | pd.Timestamp, dates: pd.Series) -> pd.Timestamp:
    when = pd.Timestamp(event)
    tz = getattr(dates.dt, "tz", None)
    if tz is not None and when.tzinfo is None:
        when = when.tz_localize(tz)
    elif tz is None and when.tzinfo is not None:
        when = when.tz_convert(None)
    return when


def cluster_codes(data: pd.DataFrame, cluster: str | Sequence[str]) -> np.ndarray:
    """Integer cluster ids from one or more columns (e.g. outlet and day).

    Examples
    --------
    >>> frame = pd.DataFrame({"outlet": ["a", "a", "b"], "day": [1, 2, 1]})
    >>> cluster_codes(frame, ["outlet", "day"]).tolist()
    [0, 1, 2]
    """
    columns = [cluster] if isinstance(cluster, str) else list(cluster)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise FramingError(f"cluster columns {missing} are not in the data")
    keys = data[columns].astype(str).agg("\x1f".join, axis=1)
    return pd.factorize(keys, sort=True)[0]


#: What ``cluster="auto"`` clusters by, when the data have these columns.
AUTO_CLUSTER = ("outlet", "day")


def resolve_cluster(
    data: pd.DataFrame,
    cluster: str | Sequence[str] | None,
    notes: list[str],
) -> str | list[str] | None:
    """The cluster columns to use; ``"auto"`` means outlet-day when present.

    Documents of one outlet on one day share news events, so their frame
    use is correlated; the project's coverage study found unclustered
    95% intervals covering 0.79-0.82 under such clustering (0.50 for
    the exact token-level test). Turning clustering
    off (``None``) where outlet-day columns exist adds a note and a
    :class:`UserWarning`.

    Examples
    --------
    >>> frame = pd.DataFrame({"outlet": ["a"], "day": ["2022-01-01"]})
    >>> resolve_cluster(frame, "auto", [])
    ['outlet', 'day']
    >>> resolve_cluster(frame.drop(columns="day"), "auto", [])
    """
    import warnings

    available = [c for c in AUTO_CLUSTER if c in data.columns]
    if isinstance(cluster, str) and cluster == "auto":
        return available if len(available) == len(AUTO_CLUSTER) else None
    if cluster is None and len(available) == len(AUTO_CLUSTER):
        message = (
            "clustering is off although documents cluster by outlet-day: "
            "model-based intervals are too narrow when frame use is correlated "
            "within an outlet's day (95% intervals covered 0.79-0.82 in the "
            "project's coverage study, benchmarks/README.md); pass "
            "cluster='auto' or cluster=['outlet', 'day']"
        )
        warnings.warn(message, UserWarning, stacklevel=3)
        notes.append("WARNING: " + message + ".")
    return cluster if cluster is None or isinstance(cluster, str) else list(cluster)


def check_clusters(n_clusters: int, notes: list[str], label: str) -> None:
    """Warn (in the notes) when too few clusters make sandwich SEs unreliable."""
    if n_clusters < 20:
        notes.append(
            f"Only {n_clusters} clusters ({label}): cluster-robust standard errors "
            "are biased downward with fewer than about 20-50 clusters; treat "
            "intervals as approximate."
        )


def feature_table(
    corpus: Any,
    *,
    lexicon: str = "war-naming",
    detect: bool = True,
) -> pd.DataFrame:
    """The feature table of a built corpus joined with outlet and dates.

    Reads ``<corpus store>/frames/<lexicon>/features.parquet`` (running
    :func:`framing.frames.run.detect_corpus` first if it is missing and
    ``detect``) and adds ``outlet``, ``published`` and ``day`` (the UTC
    calendar day, a convenient cluster).

    Parameters
    ----------
    corpus : framing.store.Corpus
        A built corpus (``framing.datasets.build.load_corpus(name)``).
    lexicon : str
        Name of the lexicon whose features to read.
    detect : bool
        Run detection when no stored features exist.
    """
    from ..frames.run import detect_corpus, load_detection

    try:
        detection = load_detection(corpus, lexicon)
    except FramingError:
        if not detect:
            raise
        detection = detect_corpus(corpus, lexicon=lexicon)
    features = detection.features
    meta = corpus.articles(columns=["doc_id", "outlet", "published"])
    table = features.merge(meta, on="doc_id", how="left", validate="one_to_one")
    table["day"] = table["published"].dt.strftime("%Y-%m-%d")
    return table
