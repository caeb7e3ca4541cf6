"""Stratified sampling of the units to code: :func:`stratified_sample`.

Rows are allocated proportionally over strata, with a floor per stratum so
rare strata are represented, and each sampled row carries a ``weight``
(stratum size / rows sampled) that undoes the stratification in estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .sheets import _cell_text, _is_missing


def _allocate(sizes: np.ndarray, n: int, minimums: np.ndarray) -> np.ndarray:
    """Proportional allocation with per-stratum floors and caps, summing to n.

    Strata whose proportional share falls below their floor are fixed at the
    floor and the rest is re-shared among the others; the final integer
    rounding gives the leftover units to the largest fractional shares.
    """
    fixed = np.zeros(sizes.size, dtype=bool)
    allocation = np.zeros(sizes.size, dtype=float)
    while True:
        free = ~fixed
        budget = n - allocation[fixed].sum()
        share = np.zeros(sizes.size)
        total = sizes[free].sum()
        if total > 0:
            share[free] = budget * sizes[free] / total
        low = free & (share < minimums)
        if low.any():
            allocation[low] = minimums[low]
            fixed |= low
            continue
        high = free & (share > sizes)
        if high.any():
            allocation[high] = sizes[high]
            fixed |= high
            continue
        allocation[free] = share[free]
        break
    counts = np.floor(allocation + 1e-9).astype(np.int64)
    leftover = int(n - counts.sum())
    if leftover > 0:
        fraction = np.where(counts < sizes, allocation - counts, -np.inf)
        # Stable sort: ties go to the earlier stratum, so the result is fixed.
        order = np.argsort(-fraction, kind="stable")
        counts[order[:leftover]] += 1
    return counts


def _stratum_text(value: Any) -> str:
    if _is_missing(value):
        return "<NA>"
    return _cell_text(value)


def stratified_sample(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str],
    n: int,
    seed: int = 0,
    min_per_stratum: int = 1,
) -> pd.DataFrame:
    """Draw ``n`` rows, allocated proportionally over strata.

    Parameters
    ----------
    frame : pandas.DataFrame
        The population of units (e.g. sentences with a mention).
    by : str or sequence of str
        Column(s) whose value combinations define the strata (missing values
        form a stratum of their own).
    n : int
        Sample size, at most ``len(frame)``.
    seed : int, default 0
        The same seed and frame give the same sample.
    min_per_stratum : int, default 1
        Every non-empty stratum gets at least this many rows (or all of its
        rows if it is smaller), so rare strata are represented.

    Returns
    -------
    pandas.DataFrame
        The sampled rows in their original order (index kept), with a
        ``stratum`` column (the ``by`` values joined by ``" | "``) and a
        ``weight`` column: stratum size / rows sampled from the stratum.
        Weighting each sampled unit by ``weight`` estimates population
        totals; the weights sum to ``len(frame)`` whenever every stratum is
        sampled (always, unless ``min_per_stratum=0``).

    Raises
    ------
    ValueError
        ``n`` is out of range, a ``by`` column is missing, or the minimums
        alone need more than ``n`` rows.

    Examples
    --------
    >>> population = pd.DataFrame(
    ...     {"outlet": ["a"] * 90 + ["b"] * 8 + ["c"] * 2, "x": range(100)}
    ... )
    >>> sample = stratified_sample(population, by="outlet", n=10, seed=1)
    >>> sample["stratum"].value_counts().sort_index().to_dict()
    {'a': 8, 'b': 1, 'c': 1}
    >>> float(sample["weight"].sum())
    100.0
    """
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise ValueError("by is empty; name at least one column to stratify on")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"stratum column(s) {missing} not in the frame; columns: "
            f"{list(frame.columns)}"
        )
    clash = [c for c in ("stratum", "weight") if c in frame.columns]
    if clash:
        raise ValueError(
            f"the frame already has column(s) {clash}, which the sample adds; "
            "rename or drop them first"
        )
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    if n > len(frame):
        raise ValueError(
            f"n={n} is larger than the population ({len(frame)} rows); "
            "lower n or sample with a larger frame"
        )
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int | np.integer)
        or min_per_stratum < 0
    ):
        raise ValueError(
            f"min_per_stratum must be a non-negative integer; got {min_per_stratum!r}"
        )
    labels = np.array(
        [
            " | ".join(_stratum_text(v) for v in row)
            for row in frame[columns].itertuples(index=False, name=None)
        ],
        dtype=object,
    )
    codes, strata = pd.factorize(labels, sort=True)
    sizes = np.bincount(codes, minlength=len(strata))
    minimums = np.minimum(sizes, min_per_stratum)
    if minimums.sum() > n:
        raise ValueError(
            f"min_per_stratum={min_per_stratum} over {len(strata)} strata of "
            f"{columns} needs {int(minimums.sum())} rows, more than n={n}; raise n "
            "or lower min_per_stratum"
        )
    counts = _allocate(sizes.astype(float), int(n), minimums.astype(float))
    rng = np.random.default_rng(seed)
    chosen: list[np.ndarray] = []
    weights = np.zeros(len(frame))
    for h in range(len(strata)):
        if counts[h] == 0:
            continue
        members = np.flatnonzero(codes == h)
        picked = rng.choice(members, size=int(counts[h]), replace=False)
        chosen.append(picked)
        weights[picked] = sizes[h] / counts[h]
    positions = np.sort(np.concatenate(chosen))
    sample = frame.iloc[positions].copy()
    sample["stratum"] = labels[positions].tolist()
    sample["weight"] = weights[positions]
    return sample
