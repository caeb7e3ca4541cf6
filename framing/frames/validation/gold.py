"""Reading gold: :func:`read_gold`, :func:`select_gold` and :data:`GOLD_COLUMNS`.

:func:`read_gold` reads a gold file in the corpus-validation format, a
coded :func:`~framing.frames.validation.write_coding_sample` sheet (with
the sampling weights of its key file) or the press-release gold into one
gold table; :func:`select_gold` keeps the rows of one corpus and split;
:func:`coded_documents` lists the documents coded sheets or gold files
name, to leave them out of a new round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...annotation import read_coding_sheet
from ._common import _NO_NAMING, _UNKNOWN_FRAME, REFERENTS, GoldError
from .sampling import key_path, naming_scheme

#: Columns of a gold file in the corpus-validation format.
GOLD_COLUMNS = (
    "item",
    "corpus",
    "outlet",
    "doc_id",
    "start",
    "end",
    "term",
    "frame",
    "referent",
    "voice",
    "source",
    "split",
    "note",
)


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx":
        return pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl").fillna(
            ""
        )
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _require(table: pd.DataFrame, columns: Any, path: Path, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise GoldError(
            f"{path}: a {what} needs the column(s) {missing}; it has "
            f"{list(table.columns)}"
        )


def _int_column(table: pd.DataFrame, column: str, path: Path, ids: pd.Series) -> Any:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        first = ids[bad].tolist()[:5]
        raise GoldError(
            f"{path}: column {column!r} is not a whole number in row(s) with "
            f"item {first}; write character offsets"
        )
    return values.astype(int)


def read_gold(
    path: str | Path,
    *,
    key: str | Path | None = None,
    frames: Any = (),
) -> pd.DataFrame:
    """Read a gold file or a coded sample sheet into one gold table.

    Three formats are recognised by their columns:

    * the corpus-validation gold format (:data:`GOLD_COLUMNS`; ``referent``
      event/other/undecided/none, ``source`` candidate/miss-check, rows with
      ``frame == "none"`` are sampled sentences that name nothing);
    * a sheet written by :func:`write_coding_sample`, after coding
      (``unit_id`` and ``code_referent``); its key file (default
      :func:`key_path`) supplies the sampling weights;
    * the press-release gold of :func:`load_gold` (``refers_to_war`` 1/0,
      read as ``event``/``other``).

    Returns
    -------
    DataFrame
        ``item, corpus, outlet, doc_id, start, end, frame, referent, voice,
        source, split, weight, folds_reported``: one row per coded naming
        (``referent`` in :data:`REFERENTS`) or per sampled sentence that
        names nothing (``referent == "none"``). ``weight`` is 1 without
        sampling weights; ``outlet`` and ``corpus`` may be empty (joined later
        from the corpus). ``folds_reported`` is true for rows coded in a
        scheme without the ``reported`` voice (the press-release gold, whose
        coders coded reported speech as ``own``).
    """
    path = Path(path)
    if not path.is_file():
        raise GoldError(f"{path}: no such gold file")
    table = _read_table(path)
    if "unit_id" in table.columns and "code_referent" in table.columns:
        gold = _read_sheet_gold(path, table, key, frames)
    elif "refers_to_war" in table.columns:
        _require(
            table,
            ("item", "doc_id", "start", "end", "frame", "voice"),
            path,
            "press-release gold file",
        )
        gold = table.copy()
        gold["referent"] = np.where(
            gold["refers_to_war"].astype(str).str.strip() == "0", "other", "event"
        )
        gold["source"] = "candidate"
        # These coders had no `reported` voice: they coded it as `own`.
        gold["folds_reported"] = True
    else:
        _require(
            table,
            ("item", "doc_id", "start", "end", "frame", "referent", "voice"),
            path,
            "gold file",
        )
        gold = table.copy()
        if "source" not in gold.columns:
            gold["source"] = "candidate"
    for column in ("corpus", "outlet", "split", "weight"):
        if column not in gold.columns:
            gold[column] = "" if column != "weight" else 1.0
    if "folds_reported" not in gold.columns:
        gold["folds_reported"] = False
    gold["item"] = gold["item"].astype(str)
    gold["doc_id"] = gold["doc_id"].astype(str)
    gold["start"] = _int_column(gold, "start", path, gold["item"])
    gold["end"] = _int_column(gold, "end", path, gold["item"])
    gold["weight"] = pd.to_numeric(gold["weight"], errors="coerce").fillna(1.0)
    for column in ("frame", "referent", "voice", "source", "split"):
        gold[column] = gold[column].astype(str).str.strip()
    gold.loc[gold["frame"] == "", "frame"] = _UNKNOWN_FRAME
    bad = ~gold["referent"].isin([*REFERENTS, _NO_NAMING])
    if bad.any():
        rows = gold.loc[bad, ["item", "referent"]].head(5).to_dict("records")
        raise GoldError(
            f"{path}: referent must be one of {[*REFERENTS, _NO_NAMING]}; got {rows}"
        )
    # A naming row needs its frame; a "none" row is a sentence naming nothing.
    gold.loc[gold["referent"] == _NO_NAMING, "frame"] = _NO_NAMING
    gold.loc[gold["frame"] == _NO_NAMING, "referent"] = _NO_NAMING
    columns = [
        "item",
        "corpus",
        "outlet",
        "doc_id",
        "start",
        "end",
        "frame",
        "referent",
        "voice",
        "source",
        "split",
        "weight",
        "folds_reported",
    ]
    return gold[columns].reset_index(drop=True)


def _read_sheet_gold(
    path: Path, table: pd.DataFrame, key: str | Path | None, frames: Any
) -> pd.DataFrame:
    _require(
        table,
        ("unit_id", "kind", "doc_id", "start", "end", "frame", "code_voice"),
        path,
        "coded sample sheet",
    )
    known = sorted(set(map(str, frames)) | (set(table["frame"]) - {""}))
    codes = read_coding_sheet(
        path, naming_scheme(known), id_column="unit_id", allow_blank=True
    )
    wide = codes.pivot_table(
        index="unit_id", columns="variable", values="value", aggfunc="first"
    )
    table = table.set_index("unit_id")
    coded = wide.reindex(table.index)
    referent = coded.get("referent", pd.Series(index=table.index, dtype=object))
    uncoded = referent.isna()
    # A detected mention coded as naming nothing does not name the event.
    referent = referent.where(
        ~((table["kind"] != "no-mention") & (referent == _NO_NAMING)), "other"
    )
    if uncoded.all():
        raise GoldError(f"{path}: no row has a code_referent yet; code the sheet first")
    key_file = Path(key) if key is not None else key_path(path)
    weights = pd.Series(1.0, index=table.index)
    if key_file.is_file():
        key_table = pd.read_csv(key_file, dtype={"unit_id": str})
        weights = (
            key_table.set_index("unit_id")["weight"].reindex(table.index).fillna(1.0)
        )
    gold = pd.DataFrame(
        {
            "item": table.index.astype(str),
            "corpus": table.get("corpus", ""),
            "outlet": table.get("outlet", ""),
            "doc_id": table["doc_id"],
            "start": table["start"],
            "end": table["end"],
            "frame": table["frame"],
            "referent": referent.fillna(""),
            "voice": coded.get("voice", pd.Series(index=table.index)).fillna("none"),
            "source": np.where(
                table["kind"] == "no-mention", "miss-check", "candidate"
            ),
            "split": "",
            "weight": weights.to_numpy(dtype=float),
        }
    ).reset_index(drop=True)
    gold = gold[~uncoded.to_numpy()]
    found = coded.get("frame", pd.Series(index=table.index)).reindex(
        gold["item"].to_numpy()
    )
    no_mention = (gold["source"] == "miss-check").to_numpy()
    gold.loc[no_mention, "frame"] = found.to_numpy()[no_mention].astype(object)
    gold["frame"] = gold["frame"].fillna("").astype(str)
    return gold


def select_gold(
    gold: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    corpus: str | None = None,
    split: str = "all",
    where: str = "the gold",
) -> pd.DataFrame:
    """The gold rows of one corpus and split, with outlets from the corpus.

    Rows whose ``corpus`` is set and differs from ``corpus`` are left out;
    ``split`` is ``"all"``, ``"dev"`` or ``"test"``. Raises
    :class:`GoldError` when no row is left or a row names a document that
    ``documents`` (``doc_id``, ``outlet``) lacks.

    Examples
    --------
    >>> gold = pd.DataFrame({"item": ["g1", "g2"], "corpus": ["c", "d"],
    ...     "outlet": ["", ""], "doc_id": ["a", "b"], "split": ["dev", "dev"]})
    >>> docs = pd.DataFrame({"doc_id": ["a"], "outlet": ["x"]})
    >>> select_gold(gold, docs, corpus="c")[["item", "outlet"]].values.tolist()
    [['g1', 'x']]
    """
    if split not in ("all", "dev", "test"):
        raise GoldError(f"split must be 'all', 'dev' or 'test', not {split!r}")
    rows = gold
    if corpus is not None and "corpus" in rows.columns:
        named = rows["corpus"].fillna("").astype(str)
        rows = rows[named.isin(["", corpus])]
        if rows.empty:
            present = sorted(set(named) - {""})
            raise GoldError(
                f"{where} has no rows for corpus {corpus!r}; it codes {present}"
            )
    if split != "all":
        splits = rows["split"].fillna("").astype(str)
        if not (splits != "").any():
            raise GoldError(
                f"{where} has no split column values; use --split all (or "
                'split = "all")'
            )
        rows = rows[splits == split]
        if rows.empty:
            raise GoldError(f"{where} has no rows of split {split!r}")
    rows = rows.copy()
    outlets = dict(
        zip(
            documents["doc_id"].astype(str),
            documents["outlet"].astype(str),
            strict=True,
        )
    )
    unknown = rows[~rows["doc_id"].astype(str).isin(outlets)]
    if len(unknown):
        listed = ", ".join(
            f"item {row['item']} (doc_id {row['doc_id']})"
            for row in unknown.head(10).to_dict("records")
        )
        raise GoldError(
            f"{where}: {len(unknown)} row(s) name documents not in "
            f"{corpus or 'the corpus'}: {listed}; check the corpus and that its "
            "store was built from the same files"
        )
    empty = rows["outlet"].fillna("").astype(str) == ""
    rows.loc[empty, "outlet"] = rows.loc[empty, "doc_id"].astype(str).map(outlets)
    return rows.reset_index(drop=True)


def coded_documents(paths: Any) -> set[str]:
    """Document ids of coded sheets or gold files (to exclude from a new round).

    Any table :func:`read_gold` reads, or any CSV/XLSX with a ``doc_id``
    column, works.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = pd.DataFrame({"doc_id": ["a", "b", "a"]}).to_csv(folder / "g.csv")
    >>> sorted(coded_documents([folder / "g.csv"]))
    ['a', 'b']
    """
    found: set[str] = set()
    for path in map(Path, paths):
        if not path.is_file():
            raise GoldError(f"{path}: no such coded sheet or gold file")
        table = _read_table(path)
        _require(table, ("doc_id",), path, "coded sheet or gold file")
        found.update(str(doc_id) for doc_id in table["doc_id"] if str(doc_id))
    return found
