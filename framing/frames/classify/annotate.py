"""Document-level annotation round trip on top of :mod:`framing.annotation`.

1. :func:`sample_documents` draws documents stratified by outlet, period
   and (optionally) a classifier's predicted frame;
2. :func:`write_sheets` writes one coding sheet per coder (XLSX with
   drop-downs and a codebook sheet, or CSV);
3. :func:`read_sheets` reads the filled sheets back, validated;
4. :func:`document_agreement` gives Krippendorff's alpha (nominal) overall
   and per frame with bootstrap CIs, and percent agreement;
5. :func:`write_adjudication` lists disagreements and :func:`gold_labels`
   merges agreed and adjudicated codes into a gold table keyed by ``doc_id``.

The frame scheme is a :class:`~framing.annotation.CodingScheme` (a TOML
file: codes, labels, ``multi`` for several frames per document).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...annotation import (
    AgreementResult,
    CodingScheme,
    adjudication_sheet,
    agreement,
    merge_adjudicated,
    read_coding_sheet,
    stratified_sample,
    write_coding_sheet,
)
from ...store import Corpus

__all__ = [
    "sample_documents",
    "write_sheets",
    "read_sheets",
    "document_agreement",
    "write_adjudication",
    "gold_labels",
]

ID = "doc_id"


def _population(source: Corpus | pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    wanted = [ID, "outlet", "published", *columns]
    if isinstance(source, Corpus):
        frame = source.articles(columns=list(dict.fromkeys(wanted)))
    else:
        frame = source.copy()
    missing = [c for c in (ID, *columns) if c not in frame]
    if missing:
        raise ValueError(f"documents lack column(s) {missing}")
    frame[ID] = frame[ID].astype(str)
    return frame.reset_index(drop=True)


def sample_documents(
    source: Corpus | pd.DataFrame,
    *,
    n: int,
    by: Sequence[str] = ("outlet", "period"),
    period: str = "Q",
    predictions: pd.DataFrame | None = None,
    seed: int = 0,
    min_per_stratum: int = 1,
    columns: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """Draw documents to code, stratified by outlet, period and predicted frame.

    Parameters
    ----------
    source : Corpus or pandas.DataFrame
        The documents (``doc_id``, ``outlet``, ``published`` and ``columns``).
    n : int
        Sample size.
    by : sequence of str
        Strata: any columns, plus ``"period"`` (``published`` truncated to
        ``period``) and ``"predicted"`` (needs ``predictions``).
    period : str
        A pandas period frequency: ``"M"``, ``"Q"`` or ``"Y"``. Undated
        documents form a period of their own.
    predictions : pandas.DataFrame, optional
        ``doc_id`` and ``predicted`` (e.g. ``PredictionRun.predictions``);
        stratifying on it over-samples rare predicted frames, which matters
        when the gold set is to measure per-frame precision.
    seed, min_per_stratum
        See :func:`framing.annotation.stratified_sample`.
    columns : sequence of str
        Context columns kept for the coders.

    Returns
    -------
    pandas.DataFrame
        The sample with ``stratum`` and ``weight`` (stratum size / sampled),
        which undoes the stratification in population estimates.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": list("abcdef"), "outlet": list("xxxxyy"),
    ...     "published": pd.to_datetime(["2022-01-05"] * 3 + ["2022-05-01"] * 3),
    ...     "text": list("uvwxyz")})
    >>> sample_documents(docs, n=3, columns=("text",), seed=1)["stratum"].tolist()
    ['x | 2022Q1', 'x | 2022Q2', 'y | 2022Q2']
    """
    frame = _population(source, columns)
    strata = list(by)
    if "period" in strata:
        if "published" not in frame:
            raise ValueError("stratifying by period needs a published column")
        dates = pd.to_datetime(frame["published"], utc=True).dt.tz_localize(None)
        frame["period"] = (
            dates.dt.to_period(period).astype(str).where(dates.notna(), "undated")
        )
    if "predicted" in strata:
        if predictions is None:
            raise ValueError("stratifying by predicted needs predictions=")
        lookup = predictions.assign(doc_id=predictions[ID].astype(str)).set_index(ID)
        frame["predicted"] = (
            lookup["predicted"].reindex(frame[ID]).to_numpy(dtype=object)
        )
    keep = list(dict.fromkeys([ID, *strata, *columns]))
    return stratified_sample(
        frame[keep], by=strata, n=n, seed=seed, min_per_stratum=min_per_stratum
    ).reset_index(drop=True)


def write_sheets(
    sample: pd.DataFrame,
    folder: str | Path,
    scheme: CodingScheme,
    *,
    coders: Sequence[str],
    suffix: str = ".xlsx",
    context_columns: Sequence[str] = ("title", "text"),
    shuffle_seed: int | None = 0,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write one coding sheet per coder (``<folder>/<coder><suffix>``).

    Strata, weights and predicted frames are left off the sheets so coders
    are not anchored by the classifier; each coder gets the documents in a
    different random order (``shuffle_seed``) so order effects do not line
    up between coders.

    Returns
    -------
    dict
        Coder name -> path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c for c in context_columns if c in sample]
    paths = {}
    for i, coder in enumerate(coders):
        units = sample[[ID, *columns]]
        if shuffle_seed is not None:
            units = units.sample(frac=1.0, random_state=shuffle_seed + i)
        paths[coder] = write_coding_sheet(
            units,
            folder / f"{coder}{suffix}",
            scheme,
            id_column=ID,
            context_columns=columns,
            coder=coder,
            overwrite=overwrite,
        )
    return paths


def read_sheets(
    sheets: Mapping[str, str | Path] | Sequence[str | Path],
    scheme: CodingScheme,
    *,
    allow_blank: bool = False,
) -> pd.DataFrame:
    """Read several coders' sheets into one tidy codings table.

    ``sheets`` maps coder -> path, or is a list of paths (coder from the
    sheet's ``coder`` column or the file name). Every problem in every
    sheet is reported (file, sheet, row and value) by
    :func:`framing.annotation.read_coding_sheet`.
    """
    items: list[tuple[str | None, str | Path]] = (
        list(sheets.items())
        if isinstance(sheets, Mapping)
        else [(None, p) for p in sheets]
    )
    tables = [
        read_coding_sheet(
            path, scheme, id_column=ID, coder=coder, allow_blank=allow_blank
        )
        for coder, path in items
    ]
    codings = pd.concat(tables, ignore_index=True)
    coders = codings["coder"].unique()
    if len(coders) != len(items):
        raise ValueError(
            f"{len(items)} sheets but {len(coders)} distinct coders {list(coders)}; "
            "give each sheet its own coder name"
        )
    return codings


def document_agreement(
    codings: pd.DataFrame,
    scheme: CodingScheme,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> AgreementResult:
    """Krippendorff's alpha (nominal) overall and per frame, with bootstrap CIs."""
    return agreement(codings, scheme=scheme, n_boot=n_boot, seed=seed, ci=ci)


def write_adjudication(
    codings: pd.DataFrame,
    path: str | Path,
    scheme: CodingScheme,
    *,
    sample: pd.DataFrame | None = None,
    context_columns: Sequence[str] = ("title", "text"),
    overwrite: bool = False,
) -> pd.DataFrame:
    """Write the disagreements for an adjudicator (with the documents' text)."""
    context = None
    if sample is not None:
        columns = [c for c in context_columns if c in sample]
        context = sample[[ID, *columns]].assign(doc_id=sample[ID].astype(str))
    return adjudication_sheet(
        codings,
        path,
        context=context,
        id_column=ID,
        scheme=scheme,
        overwrite=overwrite,
    )


def gold_labels(
    codings: pd.DataFrame, adjudicated: str | Path, scheme: CodingScheme
) -> pd.DataFrame:
    """The gold table: one row per document, one column per scheme variable.

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, each variable's gold value, and ``<variable>_source``
        (``agreed``, ``adjudicated`` or ``single``).
    """
    merged: Any = merge_adjudicated(codings, adjudicated, scheme=scheme, id_column=ID)
    values = merged.pivot(index="unit_id", columns="variable", values="value")
    sources = merged.pivot(index="unit_id", columns="variable", values="source")
    sources.columns = [f"{c}_source" for c in sources.columns]
    table = values.join(sources).reset_index().rename(columns={"unit_id": ID})
    table.columns.name = None
    return table
