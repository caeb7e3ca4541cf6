"""Scoring detected namings against coded gold: :func:`validate_mentions`.

Referent precision and recall, miss rate and voice accuracy per frame,
per outlet and overall (:data:`METRICS`), with Wilson or weighted
bootstrap intervals, in a :class:`NamingValidation`;
:func:`validate_corpus` runs the current detector on the gold documents of
a built corpus and scores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...evaluation import wilson_interval
from ..detect import LexiconDetector, counted_mentions
from ..voice import VOICES
from ._common import _NO_NAMING, _UNKNOWN_FRAME, REFERENTS, GoldError, _referents
from .gold import read_gold, select_gold
from .sampling import _corpus_documents

#: The scores of :func:`validate_mentions`, in report order.
METRICS = ("precision", "recall", "miss_rate", "voice_accuracy")


def _cell(estimate: float, low: float, high: float) -> str:
    if not np.isfinite(estimate):
        return "-"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{estimate:.2f}"
    return f"{estimate:.2f} [{low:.2f}, {high:.2f}]"


def _match(gold: pd.DataFrame, detected: pd.DataFrame) -> pd.DataFrame:
    """Each gold row's best-overlapping detected mention (or none)."""
    by_doc: dict[str, list[tuple[int, int, int]]] = {}
    for i, (doc_id, start, end) in enumerate(
        zip(
            detected["doc_id"].astype(str),
            detected["start"].astype(int),
            detected["end"].astype(int),
            strict=True,
        )
    ):
        by_doc.setdefault(doc_id, []).append((start, end, i))
    matched = np.full(len(gold), -1)
    for row, (doc_id, start, end, referent) in enumerate(
        zip(gold["doc_id"], gold["start"], gold["end"], gold["referent"], strict=True)
    ):
        best, overlap = -1, 0
        for s, e, i in by_doc.get(doc_id, []):
            # A no-mention unit is a whole sentence: any mention inside it
            # counts; a naming needs its own span to overlap.
            size = min(e, end) - max(s, start)
            if size > overlap or (size > 0 and referent == _NO_NAMING and best < 0):
                best, overlap = i, size
        matched[row] = best
    return pd.DataFrame({"matched": matched})


@dataclass
class NamingValidation:
    """Detected mentions scored against coded gold on one corpus.

    Attributes
    ----------
    scores : DataFrame
        Tidy: ``by`` (``all``, ``frame`` or ``outlet``), ``group``,
        ``metric`` (``precision``, ``recall``, ``miss_rate``,
        ``voice_accuracy``), ``estimate``, ``ci_low``, ``ci_high``, ``n``
        (gold items in the denominator), ``ci_method``, ``gold`` (coded
        namings in the group) and ``few_gold`` (``gold < min_gold``).
    confusion : DataFrame
        Coded voice (rows) by detected voice (columns), over coded event
        namings with a detected mention.
    items : DataFrame
        Every scored gold row with the matched mention's referent and voice.
    notes : list of str
    weighted : bool
        Whether sampling weights entered the scores.
    """

    scores: pd.DataFrame
    confusion: pd.DataFrame
    items: pd.DataFrame
    notes: list[str]
    weighted: bool
    ci_level: float = 0.95

    def table(self, by: str = "frame", *, cells: bool = False) -> pd.DataFrame:
        """One row per group (wide): each metric with its interval and n.

        ``cells=True`` gives printable cells instead, ``"0.91 [0.84, 0.95]"``
        per metric, with the gold namings per group in ``gold``.
        """
        part = self.scores[self.scores["by"] == by]
        rows = []
        for group, block in part.groupby("group", sort=False):
            row: dict[str, Any] = {by: group}
            records = {r["metric"]: r for r in block.to_dict("records")}
            for metric in METRICS:
                record = records.get(metric)
                if cells:
                    row[metric] = (
                        "-"
                        if record is None
                        else _cell(
                            record["estimate"], record["ci_low"], record["ci_high"]
                        )
                        + f" n={record['n']}"
                    )
                    continue
                for suffix, column in (
                    ("", "estimate"),
                    ("_low", "ci_low"),
                    ("_high", "ci_high"),
                    ("_n", "n"),
                ):
                    row[metric + suffix] = np.nan if record is None else record[column]
            row["gold"] = int(block["gold"].iloc[0])
            row["few_gold"] = bool(block["few_gold"].iloc[0])
            rows.append(row)
        return pd.DataFrame(rows)

    def detection_rates(self, voice: str | None = None) -> pd.DataFrame:
        """Per frame, detection precision and recall of event namings.

        With ``voice``, a unit is positive only in that voice (coded and
        detected alike), which is what a naming share in one voice counts.
        ``n_precision`` and ``n_recall`` are effective sample sizes (Kish)
        when weighted. Feed the table to
        :func:`framing.stats.prevalence.corrected_naming_shares`.
        """
        items = self.items[self.items["referent"] != _NO_NAMING]
        coded = items["referent"].eq("event")
        detected = items["detected_referent"].eq("event")
        if voice is not None:
            coded &= items["voice"].eq(voice)
            detected &= items["detected_voice"].eq(voice)
        rows = []
        for frame in sorted(set(items["frame"])):
            in_frame = items["frame"].eq(frame)
            w = items["weight"].to_numpy(dtype=float)
            row: dict[str, Any] = {"frame": frame}
            for name, den, num in (
                ("precision", detected & in_frame, coded),
                ("recall", coded & in_frame, detected),
            ):
                mask = den.to_numpy()
                weights = w[mask]
                total = weights.sum()
                row[name] = (
                    float((weights * num.to_numpy()[mask]).sum() / total)
                    if total > 0
                    else np.nan
                )
                row[f"n_{name}"] = (
                    float(total**2 / (weights**2).sum()) if total > 0 else 0.0
                )
            row["n_gold"] = int(in_frame.sum())
            rows.append(row)
        return pd.DataFrame(
            rows,
            columns=[
                "frame",
                "precision",
                "n_precision",
                "recall",
                "n_recall",
                "n_gold",
            ],
        )

    def summary(self, digits: int = 3) -> str:
        """Per-frame and per-outlet tables, the voice confusion and notes."""
        level = int(round(self.ci_level * 100))
        lines = [
            "Naming validation: detector versus coders "
            f"({'weighted by sampling weights' if self.weighted else 'unweighted'}; "
            f"{level}% intervals)",
        ]
        for by in ("all", "frame", "outlet"):
            wide = self.table(by, cells=True)
            if wide.empty:
                continue
            lines += ["", f"By {by}:" if by != "all" else "Overall:"]
            lines.append(wide.to_string(index=False))
        if not self.confusion.empty:
            lines += ["", "Voice: coded (rows) by detected (columns)"]
            lines.append(self.confusion.to_string())
        if self.notes:
            lines += ["", "Notes:", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _ratio_scores(
    items: pd.DataFrame,
    metrics: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    weighted: bool,
    n_boot: int,
    seed: int,
    ci: float,
    min_gold: int,
) -> pd.DataFrame:
    """Every metric per group, with Wilson or bootstrap intervals."""
    weights = items["weight"].to_numpy(dtype=float) if weighted else None
    groupings: list[tuple[str, np.ndarray]] = [
        ("all", np.array(["all"] * len(items), dtype=object))
    ]
    groupings.append(("frame", items["frame"].astype(str).to_numpy()))
    groupings.append(("outlet", items["outlet"].astype(str).to_numpy()))
    counts = None
    if weighted and n_boot > 0 and len(items):
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(items), size=(n_boot, len(items)))
        offsets = (np.arange(n_boot)[:, None] * len(items) + draws).ravel()
        counts = np.bincount(offsets, minlength=n_boot * len(items)).reshape(
            n_boot, len(items)
        )
    rows = []
    tail = (1 - ci) / 2
    for by, labels in groupings:
        for group in sorted(set(labels), key=str):
            if by == "outlet" and group == "":
                continue
            in_group = labels == group
            gold = int(in_group.sum())
            for metric, (den, num) in metrics.items():
                mask = in_group & den
                n = int(mask.sum())
                if n == 0:
                    continue
                if weights is None:
                    k = int((num & mask).sum())
                    estimate = k / n
                    low, high = wilson_interval(k, n, ci=ci)
                    method = "wilson"
                else:
                    w = weights * mask
                    estimate = float((w * num).sum() / w.sum())
                    low = high = np.nan
                    method = "bootstrap"
                    if counts is not None:
                        with np.errstate(invalid="ignore", divide="ignore"):
                            boot = (counts @ (w * num)) / (counts @ w)
                        boot = boot[np.isfinite(boot)]
                        if len(boot):
                            low, high = np.quantile(boot, [tail, 1 - tail])
                rows.append(
                    {
                        "by": by,
                        "group": group,
                        "metric": metric,
                        "estimate": float(estimate),
                        "ci_low": float(low),
                        "ci_high": float(high),
                        "n": n,
                        "ci_method": method,
                        "gold": gold,
                        "few_gold": gold < min_gold,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "by",
            "group",
            "metric",
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "ci_method",
            "gold",
            "few_gold",
        ],
    )


def validate_mentions(
    detected: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    documents: Any = None,
    weights: str | bool = "auto",
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    min_gold: int = 30,
    merge_voices: dict[str, str] | None = None,
) -> NamingValidation:
    """Score detected mentions against coded gold of the same corpus.

    A gold naming and a detected mention match when they are in the same
    document and their character spans overlap (the largest overlap wins);
    a gold sentence that names nothing (``referent == "none"``) matches any
    mention inside it. A detected mention counts as naming the event when
    its ``referent`` is ``event`` (a detector without referents: every
    mention). Gold offsets are text offsets: mentions found in a title
    (``field == "title"``) are never matched.

    Metrics, each per frame (the gold frame), per outlet and overall:

    * ``precision`` -- among gold namings with a detected *event* mention,
      the share coded ``event``;
    * ``recall`` -- among namings coded ``event``, the share detected as an
      event mention;
    * ``miss_rate`` -- among namings coded ``event``, the share with no
      detected mention at all (of any referent): the lexicon missed the
      words (``1 - recall - miss_rate`` is the share found but given
      another referent);
    * ``voice_accuracy`` -- among namings coded ``event`` with a detected
      mention, the share whose detected voice equals the coded voice.

    Candidate namings and namings found in no-mention samples are pooled.
    With sampling weights (a :func:`draw_coding_sample` sheet) the scores
    are weighted ratio estimates of the whole corpus with percentile
    bootstrap intervals over gold items (seeded); without, they are shares
    of the gold items with Wilson intervals. Frames with fewer than
    ``min_gold`` gold namings (and groups with fewer than ``min_gold`` items
    in a denominator) are flagged ``few_gold``.

    Parameters
    ----------
    detected : DataFrame
        The detector's mentions of (at least) the gold documents.
    gold : DataFrame
        From :func:`read_gold`.
    documents : collection of str, optional
        The corpus's doc_ids; gold rows naming other documents are an
        error (listed by item).
    weights : "auto", True or False
        Use the ``weight`` column ("auto": when the weights differ).
    merge_voices : dict, optional
        Voices scored as others, on both sides (``{"reported": "own"}``
        scores reported speech as the outlet's own). Whatever it says, on
        gold rows with ``folds_reported`` (coded without a ``reported``
        voice) a detected ``reported`` is scored as ``own``, with a note.

    Examples
    --------
    >>> detected = pd.DataFrame({"doc_id": ["a", "b"], "start": [4, 0],
    ...     "end": [7, 8], "frame": ["war", "war"], "voice": ["own", "own"],
    ...     "referent": ["event", "event"]})
    >>> gold = pd.DataFrame({"item": ["g1", "g2", "g3"], "corpus": "",
    ...     "outlet": ["x", "x", "y"], "doc_id": ["a", "b", "c"],
    ...     "start": [4, 0, 0], "end": [7, 8, 5], "frame": "war",
    ...     "referent": ["event", "other", "event"],
    ...     "voice": ["own", "own", "own"], "source": "candidate",
    ...     "split": "", "weight": 1.0})
    >>> result = validate_mentions(detected, gold, n_boot=0)
    >>> overall = result.table("all").iloc[0]
    >>> float(overall["precision"]), float(overall["recall"])
    (0.5, 0.5)
    """
    gold = gold.copy()
    if documents is not None:
        known = set(map(str, documents))
        unknown = gold[~gold["doc_id"].astype(str).isin(known)]
        if len(unknown):
            listed = ", ".join(
                f"{row['item']} ({row['doc_id']})"
                for row in unknown.head(10).to_dict("records")
            )
            raise GoldError(
                f"{len(unknown)} gold row(s) name documents that are not in the "
                f"corpus: {listed}; check the corpus name and that the store was "
                "built from the same files"
            )
    coded = gold[gold["referent"].isin(REFERENTS)].reset_index(drop=True)
    none_rows = gold[gold["referent"] == _NO_NAMING].reset_index(drop=True)
    if coded.empty:
        raise GoldError(
            "the gold has no coded naming (referent event/other/undecided): "
            "nothing to score"
        )
    # Gold offsets are text offsets: a title mention never matches gold.
    detected = counted_mentions(detected, ("text",)).reset_index(drop=True)
    referent = _referents(detected).to_numpy()
    matched = _match(coded, detected)["matched"].to_numpy()
    hit = matched >= 0
    safe = np.where(hit, matched, 0)
    items = coded.copy()
    items["detected_frame"] = np.where(
        hit, detected["frame"].astype(str).to_numpy()[safe] if len(detected) else "", ""
    )
    items["detected_voice"] = np.where(
        hit, detected["voice"].astype(str).to_numpy()[safe] if len(detected) else "", ""
    )
    folded = (
        items["folds_reported"].fillna(False).astype(bool)
        if "folds_reported" in items
        else pd.Series(False, index=items.index)
    )
    folded_hits = int((folded & items["detected_voice"].eq("reported")).sum())
    items.loc[folded & items["detected_voice"].eq("reported"), "detected_voice"] = "own"
    if merge_voices:
        items["voice"] = items["voice"].replace(merge_voices)
        items["detected_voice"] = items["detected_voice"].replace(merge_voices)
    items["detected_referent"] = np.where(
        hit, referent[safe] if len(detected) else "", ""
    )
    items["frame"] = np.where(
        items["frame"].isin(["", _UNKNOWN_FRAME]) & hit,
        items["detected_frame"],
        items["frame"],
    )
    is_event = items["referent"].eq("event").to_numpy()
    det_event = items["detected_referent"].eq("event").to_numpy()
    unvoiced = items["voice"].isin(["", _NO_NAMING]).to_numpy()
    metrics = {
        "precision": (det_event, is_event),
        "recall": (is_event, det_event),
        "miss_rate": (is_event, ~hit),
        "voice_accuracy": (
            is_event & hit & ~unvoiced,
            (items["voice"] == items["detected_voice"]).to_numpy(),
        ),
    }
    distinct = items["weight"].nunique() > 1
    use_weights = distinct if weights == "auto" else bool(weights)
    scores = _ratio_scores(
        items,
        metrics,
        weighted=use_weights,
        n_boot=n_boot,
        seed=seed,
        ci=ci,
        min_gold=min_gold,
    )
    voice_mask = metrics["voice_accuracy"][0]
    confusion = pd.crosstab(
        items.loc[voice_mask, "voice"].rename("coded"),
        items.loc[voice_mask, "detected_voice"].rename("detected"),
    )
    notes = []
    if use_weights:
        notes.append(
            "weighted by sampling weights: ratio estimates of the corpus, "
            f"percentile bootstrap intervals ({n_boot} replicates over gold items)"
        )
    else:
        notes.append("unweighted: shares of the gold items, Wilson score intervals")
    few = sorted(
        str(frame)
        for frame, size in items.groupby("frame").size().items()
        if size < min_gold
    )
    if few:
        notes.append(f"fewer than {min_gold} gold namings (flagged few_gold): {few}")
    if len(none_rows):
        inside = _match(none_rows, detected)["matched"].to_numpy() >= 0
        notes.append(
            f"{len(none_rows)} sampled sentence(s) coded as naming nothing"
            + (
                f"; {int(inside.sum())} of them now hold a detected mention"
                if inside.any()
                else ""
            )
        )
    if folded.any():
        notes.append(
            f"{int(folded.sum())} gold row(s) were coded without a 'reported' "
            "voice (reported speech coded as 'own'): a detected 'reported' is "
            f"scored as 'own' there ({folded_hits} mention(s))"
        )
    if merge_voices:
        merged = ", ".join(f"{a} as {b}" for a, b in sorted(merge_voices.items()))
        notes.append(f"voices merged before scoring: {merged}")
    if "reported" in set(items["voice"]) and "reported" not in VOICES:
        notes.append(
            "the gold codes a 'reported' voice that this detector does not have"
        )
    return NamingValidation(
        scores=scores,
        confusion=confusion,
        items=items,
        notes=notes,
        weighted=use_weights,
        ci_level=ci,
    )


def validate_corpus(
    corpus: Any,
    gold: str | Path | pd.DataFrame,
    *,
    lexicon: str | Path = "war-naming",
    voice_rules: Any = None,
    split: str = "all",
    key: str | Path | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    min_gold: int = 30,
    merge_voices: dict[str, str] | None = None,
) -> NamingValidation:
    """Run the current detector on the gold documents of a corpus and score it.

    ``gold`` is a path (any format :func:`read_gold` reads) or its table;
    ``corpus`` a built :class:`~framing.store.Corpus`. See
    :func:`validate_mentions` for the scores.
    """
    detector = LexiconDetector(lexicon=lexicon, voice_rules=voice_rules).fit()
    where = str(gold) if not isinstance(gold, pd.DataFrame) else "the gold"
    table = (
        gold
        if isinstance(gold, pd.DataFrame)
        else read_gold(gold, key=key, frames=detector.frames_)
    )
    meta = corpus.articles(columns=["doc_id", "outlet"])
    rows = select_gold(table, meta, corpus=corpus.name, split=split, where=where)
    docs = _corpus_documents(corpus, set(rows["doc_id"].astype(str)))
    detected = detector.detect(docs)
    return validate_mentions(
        detected,
        rows,
        n_boot=n_boot,
        seed=seed,
        ci=ci,
        min_gold=min_gold,
        merge_voices=merge_voices,
    )
