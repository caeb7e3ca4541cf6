"""Voice validation of detected mentions, and the shipped press-release gold.

The sample-code-score round trip for voices: :func:`sample_mentions`,
:func:`write_mention_sheet` (a blind sheet of :data:`VOICE_SCHEME`),
:func:`read_mention_codes` and :func:`score_mentions` (a
:class:`MentionValidation`); and the gold set shipped for the built-in
``war-naming`` lexicon, :func:`load_gold`, with :func:`gold_texts` and
:func:`evaluate_gold`, which scores the current detector on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ...annotation import (
    CodingScheme,
    read_coding_sheet,
    stratified_sample,
    write_coding_sheet,
)
from ...evaluation import ClassificationResult, classification_report, wilson_interval
from ..detect import LexiconDetector, counted_mentions
from ..voice import VOICES
from ._common import _referents

VOICE_SCHEME = CodingScheme.from_dict(
    {
        "name": "voice",
        "description": "Whose voice names the event; see CODEBOOK.md.",
        "variables": [
            {
                "name": "voice",
                "codes": list(VOICES),
                "labels": {
                    "own": "The text's own voice (or the current speaker's)",
                    "reported": "Reported speech without quotation marks "
                    "('…, said Peskov'; 'X — Kremlin')",
                    "quoted": "Inside a direct quotation",
                    "scare": "The term itself in quotation marks, or 'so-called'",
                    "attributed": "Reported naming ('what Moscow calls')",
                    "negated": "Naming refused or denied ('not a war')",
                },
                "description": "Whose voice uses this name for the event?",
            },
            {
                "name": "refers_to_war",
                "codes": ["1", "0"],
                "labels": {"1": "Refers to the event", "0": "Refers to something else"},
                "description": "Does this occurrence refer to the event studied?",
            },
        ],
    }
)


def sample_mentions(
    mentions: pd.DataFrame,
    *,
    n: int = 300,
    by: tuple[str, ...] = ("frame", "voice", "outlet"),
    seed: int = 0,
    min_per_stratum: int = 1,
) -> pd.DataFrame:
    """A stratified sample of mentions, with sampling weights.

    ``mentions`` needs the ``by`` columns (join ``outlet`` from the corpus
    first). Returns the sampled rows in a random order (seeded) with
    ``stratum`` and ``weight`` columns.
    """
    missing = [column for column in by if column not in mentions.columns]
    if missing:
        raise ValueError(f"mentions lack the stratification columns {missing}")
    sample = stratified_sample(
        mentions, by=list(by), n=n, seed=seed, min_per_stratum=min_per_stratum
    )
    return sample.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def write_mention_sheet(
    sample: pd.DataFrame,
    texts: Any,
    path: str | Path,
    *,
    context: int = 250,
    coder: str | None = None,
) -> Path:
    """Write a blind coding sheet for sampled mentions.

    Each row shows ``left``, ``term`` and ``right`` context (``context``
    characters each side) and the frame of the matched term; the detector's
    voice is left out.
    """
    from ..kwic import kwic

    view = kwic(sample, texts, width=context, limit=None).to_frame()
    units = pd.DataFrame(
        {
            "mention_id": sample["mention_id"].astype(str).to_numpy(),
            "left": view["left"].to_numpy(),
            "term": view["match"].to_numpy(),
            "right": view["right"].to_numpy(),
            "frame": sample["frame"].astype(str).to_numpy(),
        }
    )
    return write_coding_sheet(
        units,
        path,
        VOICE_SCHEME,
        id_column="mention_id",
        context_columns=["left", "term", "right", "frame"],
        coder=coder,
    )


def read_mention_codes(path: str | Path, *, coder: str | None = None) -> pd.DataFrame:
    """Read a filled mention sheet back (long format; see
    :func:`framing.annotation.read_coding_sheet`)."""
    return read_coding_sheet(path, VOICE_SCHEME, id_column="mention_id", coder=coder)


@dataclass
class MentionValidation:
    """Scores of detected voices against coded voices.

    Attributes
    ----------
    voice : ClassificationResult
        Per-voice precision, recall and F1 (with CIs), accuracy, macro-F1.
    by_frame : DataFrame
        Per frame: mentions, voice accuracy with a Wilson interval, and the
        share of matches that refer to the event (frame precision).
    errors : DataFrame
        Coded mentions whose detected voice differs, with the cue.
    excluded : int
        Coded mentions judged not to name the event that the lexicon has
        since excluded (not scored: the exclusion did its job).
    """

    voice: ClassificationResult
    by_frame: pd.DataFrame
    errors: pd.DataFrame
    excluded: int = 0

    def summary(self) -> str:
        lines = [
            "Voice: detector versus coders",
            self.voice.summary(),
            "",
            "By frame (voice accuracy; share referring to the event)",
        ]
        lines.append(
            self.by_frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")
        )
        if self.excluded:
            lines.append(
                f"{self.excluded} coded mention(s) that do not name the event are "
                "now excluded by the lexicon and not scored."
            )
        return "\n".join(lines)

    def to_markdown(self) -> str:
        return self.voice.to_markdown()


def score_mentions(
    coded: pd.DataFrame,
    detected: pd.DataFrame,
    *,
    on: tuple[str, ...] = ("doc_id", "start"),
    n_boot: int = 2000,
    seed: int = 0,
) -> MentionValidation:
    """Compare coded voices with detected ones.

    Parameters
    ----------
    coded : DataFrame
        One row per coded mention with the ``on`` columns, ``frame``,
        ``voice`` and optionally ``refers_to_war`` (0/1).
    detected : DataFrame
        The detector's mentions (:data:`~framing.frames.detect.MENTION_COLUMNS`).
        Coded offsets are text offsets: mentions found in a title
        (``field == "title"``) are left out.
    """
    keys = list(on)
    detected = counted_mentions(detected, ("text",))
    detected = detected.assign(referent=_referents(detected))
    merged = coded.merge(
        detected[[*keys, "voice", "cue", "referent"]].rename(
            columns={"referent": "referent_detected"}
        ),
        on=keys,
        how="left",
        suffixes=("", "_detected"),
    )
    absent = merged["voice_detected"].isna()
    coded_other = (
        merged["refers_to_war"].fillna(1).astype(int).eq(0)
        if "refers_to_war" in merged
        else pd.Series(False, index=merged.index)
    )
    # A coded mention the coder judged not to name this war may since have
    # been excluded by the lexicon, or kept with another referent (features
    # count only the event): that is the exclusion working, not drift.
    excluded = (absent | merged["referent_detected"].ne("event")) & coded_other
    unmatched = int((absent & ~coded_other).sum())
    if unmatched:
        raise ValueError(
            f"{unmatched} coded mentions (that name the war) have no detected "
            "mention at the same offsets; the lexicon or the texts changed "
            "since coding"
        )
    n_excluded = int(excluded.sum())
    merged = merged[~excluded].reset_index(drop=True)
    report = classification_report(
        merged["voice"].tolist(),
        merged["voice_detected"].tolist(),
        labels=list(VOICES),
        n_boot=n_boot,
        seed=seed,
    )
    rows = []
    for frame, group in merged.groupby("frame", sort=True):
        correct = int((group["voice"] == group["voice_detected"]).sum())
        low, high = wilson_interval(correct, len(group))
        row: dict[str, Any] = {
            "frame": frame,
            "mentions": len(group),
            "voice_accuracy": correct / len(group),
            "ci_low": low,
            "ci_high": high,
        }
        if "refers_to_war" in group:
            refers = int(group["refers_to_war"].astype(int).sum())
            r_low, r_high = wilson_interval(refers, len(group))
            row.update(
                {
                    "refers_share": refers / len(group),
                    "refers_ci_low": r_low,
                    "refers_ci_high": r_high,
                }
            )
        rows.append(row)
    errors = merged[merged["voice"] != merged["voice_detected"]]
    return MentionValidation(
        report, pd.DataFrame(rows), errors.reset_index(drop=True), n_excluded
    )


def load_gold(name: str = "war-naming-voice") -> pd.DataFrame:
    """The hand-coded gold set shipped with the toolkit.

    Columns: ``item``, ``corpus``, ``doc_id``, ``start``, ``end`` (offsets into
    the stored, normalised article text; for the seed article into
    :func:`~framing.normalize.clean_text` of the raw file), ``frame``,
    ``voice``, ``refers_to_war``, ``note`` and ``split`` (``dev``: used to
    tune the voice rules; ``test``: held out).

    Examples
    --------
    >>> gold = load_gold()
    >>> len(gold) >= 300, sorted(gold["split"].unique())
    (True, ['dev', 'test'])
    """
    resource = resources.files("framing.frames") / "gold" / f"{name}.csv"
    with resource.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype={"doc_id": str, "item": str, "note": str})


def gold_texts(gold: pd.DataFrame) -> dict[str, str]:
    """The texts a gold table's offsets point into, by ``doc_id``.

    Read from the built corpora its ``corpus`` column names (the seed
    article from the mirror).
    """
    from ...datasets.build import load_corpus
    from ...datasets.fetch import SEED_DOC_ID, load_seed_article

    texts: dict[str, str] = {}
    for corpus_name in sorted(set(gold["corpus"]) - {"seed"}):
        corpus = load_corpus(corpus_name)
        wanted = set(gold.loc[gold["corpus"] == corpus_name, "doc_id"].astype(str))
        for doc_id, text in corpus.iter_texts():
            if doc_id in wanted:
                texts[doc_id] = text
    if (gold["corpus"] == "seed").any():
        texts[SEED_DOC_ID] = load_seed_article()
    return texts


def evaluate_gold(
    *,
    detector: LexiconDetector | None = None,
    split: str | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    merge_voices: dict[str, str] | None = None,
) -> MentionValidation:
    """Score the detector on the shipped gold set.

    Reads the gold documents from the built corpora (building them if
    needed) and the seed article from ``FRAMING_DATA_MIRROR``.

    The press-release coders folded reported speech into ``own`` (see
    ``CODEBOOK.md``), so by default (``merge_voices=None``) a detected
    ``reported`` is scored as ``own``; pass another mapping, or ``{}`` to
    score the detector's voices unchanged.
    """
    if merge_voices is None:
        merge_voices = {"reported": "own"}

    gold = load_gold()
    if split is not None:
        gold = gold[gold["split"] == split]
    detector = detector or LexiconDetector().fit()
    detected = detector.detect(sorted(gold_texts(gold).items()))
    if merge_voices:
        detected["voice"] = detected["voice"].replace(merge_voices)
    return score_mentions(gold, detected, n_boot=n_boot, seed=seed)
