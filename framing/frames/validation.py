"""Validate voice detection against hand coding.

The workflow a researcher follows for a new corpus or lexicon:

1. :func:`sample_mentions` draws a stratified sample of detected mentions
   (by frame, voice and outlet, so rare voices are not drowned by ``own``);
2. :func:`write_mention_sheet` writes a coding sheet (CSV or XLSX with
   drop-downs) that shows each mention in context but *not* the detector's
   voice, so coders are blind to it;
3. coders fill it in; :func:`read_mention_codes` reads the sheets back and
   :func:`framing.annotation.agreement` gives Krippendorff's alpha between
   coders;
4. :func:`score_mentions` compares the coded voices with the detector's:
   precision, recall and F1 per voice with bootstrap CIs, voice accuracy per
   frame, and per frame the share of matches that refer to the event at all
   (with Wilson intervals).

The toolkit ships a gold set for the built-in ``war-naming`` lexicon
(:func:`load_gold`; codebook in ``framing/frames/gold/CODEBOOK.md``), and
:func:`evaluate_gold` scores the current detector on it.

Validation on a researcher's own corpus (``framing frames sample`` and
``framing frames validate CORPUS``) checks the referent as well as the
voice, and looks for misses:

1. :func:`draw_coding_sample` draws detected mentions of *every* referent,
   stratified by frame, voice and outlet, plus sentences with no detected
   mention (where the coders' namings are misses), all with sampling
   weights;
2. :func:`write_coding_sample` writes a blind sheet (context and location
   only) and a separate key file with the detector's labels and weights;
3. :func:`read_gold` reads a coded sheet, a gold file in the
   corpus-validation format (:data:`GOLD_COLUMNS`) or the press-release
   gold above into one gold table;
4. :func:`validate_mentions` scores referent precision and recall, miss
   rate and voice accuracy per frame and outlet with intervals, and
   :meth:`NamingValidation.detection_rates` feeds
   :func:`framing.stats.prevalence.corrected_naming_shares`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..annotation import (
    CodingScheme,
    read_coding_sheet,
    stratified_sample,
    write_coding_sheet,
)
from ..errors import FramingError
from ..evaluation import ClassificationResult, classification_report, wilson_interval
from .detect import LexiconDetector, counted_mentions
from .voice import VOICES

__all__ = [
    "VOICE_SCHEME",
    "sample_mentions",
    "write_mention_sheet",
    "read_mention_codes",
    "score_mentions",
    "MentionValidation",
    "load_gold",
    "evaluate_gold",
    "REFERENTS",
    "GOLD_COLUMNS",
    "GoldError",
    "naming_scheme",
    "draw_coding_sample",
    "write_coding_sample",
    "key_path",
    "read_gold",
    "NamingValidation",
    "validate_mentions",
    "select_gold",
    "sample_corpus",
    "validate_corpus",
]

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
    from .kwic import kwic

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
    from ..datasets.build import load_corpus
    from ..datasets.fetch import SEED_DOC_ID, load_seed_article

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


# --- validation on a researcher's own corpus ---------------------------------

#: The referent of a mention: the event the lexicon is about, another event,
#: or not decidable from the text.
REFERENTS = ("event", "other", "undecided")

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
_NO_NAMING = "none"
_UNKNOWN_FRAME = "(unknown)"
#: The scores of :func:`validate_mentions`, in report order.
METRICS = ("precision", "recall", "miss_rate", "voice_accuracy")


def _cell(estimate: float, low: float, high: float) -> str:
    if not np.isfinite(estimate):
        return "-"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{estimate:.2f}"
    return f"{estimate:.2f} [{low:.2f}, {high:.2f}]"


class GoldError(FramingError):
    """A gold file or coded sheet cannot be scored (the message says why)."""


def _referents(mentions: pd.DataFrame) -> pd.Series:
    # Before the detector decided referents every mention counted as the event.
    if "referent" in mentions.columns:
        return mentions["referent"].fillna("event").astype(str)
    return pd.Series("event", index=mentions.index, dtype=object)


def naming_scheme(frames: Any = ()) -> CodingScheme:
    """The coding scheme of :func:`write_coding_sample` sheets.

    Three variables: ``referent`` (``event``, ``other``, ``undecided``, or
    ``none`` for a sampled sentence that names nothing), ``voice``
    (:data:`~framing.frames.voice.VOICES` or ``none``) and, for no-mention
    units only, ``frame`` (the lexicon frame of a naming the coder found).

    Examples
    --------
    >>> naming_scheme(["war"]).variable_names
    ('referent', 'voice', 'frame')
    """
    frame_codes = list(dict.fromkeys([*map(str, frames), _NO_NAMING]))
    return CodingScheme.from_dict(
        {
            "name": "naming",
            "description": "Does this occurrence name the event, in whose voice? "
            "See framing/frames/gold/CODEBOOK.md.",
            "variables": [
                {
                    "name": "referent",
                    "codes": [*REFERENTS, _NO_NAMING],
                    "labels": {
                        "event": "Names the event the lexicon is about",
                        "other": "Names another event (another war, a trade war...)",
                        "undecided": "The text does not let a careful reader decide",
                        "none": "No-mention unit: the sentence names no event",
                    },
                    "description": "Mention units: what does the marked term "
                    "refer to? No-mention units: does the sentence name the event "
                    "(event) or not (none)?",
                },
                {
                    "name": "voice",
                    "codes": [*VOICES, _NO_NAMING],
                    "description": "Whose voice uses the name (none: no naming).",
                },
                {
                    "name": "frame",
                    "codes": frame_codes,
                    "description": "No-mention units only: the frame of the naming "
                    "you found; leave blank for mention units.",
                },
            ],
        }
    )


def _sentence_candidates(
    documents: pd.DataFrame,
    mentions: pd.DataFrame,
    context_words: str | None,
) -> pd.DataFrame:
    """Sentences that overlap no detected mention (of any referent)."""
    import re

    from .voice import sentence_spans

    pattern = re.compile(context_words, re.IGNORECASE) if context_words else None
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in zip(
        mentions["doc_id"].astype(str),
        mentions["start"].astype(int),
        mentions["end"].astype(int),
        strict=True,
    ):
        by_doc.setdefault(doc_id, []).append((start, end))
    rows: list[tuple[str, str, int, int]] = []
    for doc_id, outlet, text in zip(
        documents["doc_id"].astype(str),
        documents["outlet"].astype(str),
        documents["text"].astype(str),
        strict=True,
    ):
        spans = by_doc.get(doc_id, [])
        for start, end in sentence_spans(text):
            if any(s < end and start < e for s, e in spans):
                continue
            if pattern is not None and not pattern.search(text, start, end):
                continue
            rows.append((doc_id, outlet, start, end))
    return pd.DataFrame(rows, columns=["doc_id", "outlet", "start", "end"])


def draw_coding_sample(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    n: int = 300,
    no_mention: int = 60,
    by: tuple[str, ...] = ("frame", "voice", "outlet"),
    context_words: str | None = None,
    seed: int = 0,
    min_per_stratum: int = 1,
) -> pd.DataFrame:
    """A seeded coding sample: detected mentions and sentences without one.

    Parameters
    ----------
    mentions : DataFrame
        The detector's mentions of the corpus, *all referents* (mentions the
        detector assigns to other events are sampled too, so their precision
        is checked as well). ``outlet`` is joined from ``documents`` when
        missing.
    documents : DataFrame
        ``doc_id``, ``outlet`` and ``text`` of every document (``corpus``
        optional).
    n : int
        Mentions to draw, stratified by ``by`` (proportional allocation with
        at least ``min_per_stratum`` per stratum; see
        :func:`framing.annotation.stratified_sample`).
    no_mention : int
        Sentences to draw, stratified by outlet, among sentences that
        overlap no detected mention: the coders' namings there are the
        detector's misses. 0 draws none.
    by : tuple of str
        Stratification columns of the mentions.
    context_words : str, optional
        A regular expression (case-insensitive); only sentences matching it
        are no-mention candidates (e.g. words that go with the event, so the
        miss check looks where misses are likely). The weights then describe
        the matching sentences only.
    seed : int
    min_per_stratum : int

    Returns
    -------
    DataFrame
        One row per unit in a seeded random order: ``unit_id``, ``kind``
        (``mention`` or ``no-mention``), ``corpus``, ``outlet``, ``doc_id``,
        ``start``, ``end``, ``frame`` (the lexicon frame of the matched
        words; empty for no-mention units), the detector's ``voice``,
        ``referent``, ``referent_cue``, ``referent_layer``, ``cue`` and
        ``mention_id`` (empty for no-mention units), ``stratum`` and
        ``weight`` (stratum size / units drawn, so weighted scores estimate
        the whole corpus).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["x", "y"],
    ...     "text": ["The war goes on. Troops moved.", "Talks resumed today."]})
    >>> mentions = LexiconDetector().fit().detect(docs)
    >>> sample = draw_coding_sample(mentions, docs, n=1, no_mention=2)
    >>> sorted(sample["kind"])
    ['mention', 'no-mention', 'no-mention']
    """
    if "outlet" not in documents.columns or "doc_id" not in documents.columns:
        raise GoldError("documents need doc_id, outlet and text columns")
    # Gold offsets are text offsets: title mentions are not sampled.
    mentions = counted_mentions(mentions, ("text",)).copy()
    meta = documents[["doc_id", "outlet"]].astype({"doc_id": str})
    if "outlet" not in mentions.columns:
        mentions = mentions.merge(meta, on="doc_id", how="left")
    mentions["referent"] = _referents(mentions)
    for column in ("referent_cue", "referent_layer"):
        if column not in mentions.columns:
            mentions[column] = ""
    parts = []
    if n > 0:
        if mentions.empty:
            raise GoldError("the detector found no mentions to sample")
        try:
            mention_sample = sample_mentions(
                mentions,
                n=min(n, len(mentions)),
                by=by,
                seed=seed,
                min_per_stratum=min_per_stratum,
            )
        except ValueError as exc:
            raise GoldError(f"cannot draw {n} mentions: {exc}") from None
        mention_sample["kind"] = "mention"
        parts.append(mention_sample)
    if no_mention > 0:
        candidates = _sentence_candidates(documents, mentions, context_words)
        if candidates.empty:
            raise GoldError(
                "no sentence without a mention"
                + (f" matches {context_words!r}" if context_words else "")
                + "; lower no_mention or loosen the context words"
            )
        picked = stratified_sample(
            candidates,
            by=["outlet"],
            n=min(no_mention, len(candidates)),
            seed=seed + 1,
            min_per_stratum=min(min_per_stratum, 1),
        )
        picked["kind"] = "no-mention"
        picked["stratum"] = "no-mention | " + picked["stratum"].astype(str)
        parts.append(picked)
    if not parts:
        raise GoldError("nothing to sample: n and no_mention are both 0")
    sample = pd.concat(parts, ignore_index=True)
    if "corpus" in documents.columns:
        corpus_of = dict(
            zip(documents["doc_id"].astype(str), documents["corpus"], strict=True)
        )
        sample["corpus"] = sample["doc_id"].astype(str).map(corpus_of)
    columns = [
        "kind",
        "corpus",
        "outlet",
        "doc_id",
        "start",
        "end",
        "frame",
        "voice",
        "referent",
        "referent_cue",
        "referent_layer",
        "cue",
        "mention_id",
        "stratum",
        "weight",
    ]
    for column in columns:
        if column not in sample.columns:
            sample[column] = ""
    sample = sample[columns].fillna("")
    sample = sample.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    sample.insert(0, "unit_id", [f"u{i + 1:04d}" for i in range(len(sample))])
    return sample


def key_path(sheet: str | Path) -> Path:
    """Where :func:`write_coding_sample` keeps the detector's labels.

    Examples
    --------
    >>> key_path("out/sheet.xlsx").as_posix()
    'out/sheet.key.csv'
    """
    sheet = Path(sheet)
    return sheet.with_name(f"{sheet.stem}.key.csv")


def write_coding_sample(
    sample: pd.DataFrame,
    texts: Any,
    path: str | Path,
    *,
    frames: Any = (),
    context: int = 200,
    coder: str | None = None,
    overwrite: bool = False,
) -> tuple[Path, Path]:
    """Write a blind coding sheet and, beside it, the key of detector labels.

    The sheet (``.csv`` or ``.xlsx``, see
    :func:`framing.annotation.write_coding_sheet`) shows each unit with
    ``context`` characters either side -- for a mention the matched words,
    for a no-mention unit the sentence -- and its location (``doc_id``,
    ``start``, ``end``) so the filled sheet can be scored with
    :func:`read_gold`. The detector's voice, referent and cues go to
    :func:`key_path` (``<sheet>.key.csv``) with the sampling weights, so
    coders never see them.

    Parameters
    ----------
    sample : DataFrame
        From :func:`draw_coding_sample`.
    texts : mapping or Corpus
        ``doc_id -> text`` (a :class:`~framing.store.Corpus` works).
    path : str or Path
    frames : sequence of str
        The lexicon's frames (the codes of ``code_frame``).

    Returns
    -------
    (Path, Path)
        The sheet and the key file.
    """
    wanted = set(sample["doc_id"].astype(str))
    if hasattr(texts, "iter_texts"):
        lookup = {d: t for d, t in texts.iter_texts() if d in wanted}
    else:
        lookup = {d: texts[d] for d in wanted}
    left, target, right = [], [], []
    for doc_id, start, end in zip(
        sample["doc_id"].astype(str),
        sample["start"].astype(int),
        sample["end"].astype(int),
        strict=True,
    ):
        text = lookup[doc_id]
        left.append(" ".join(text[max(0, start - context) : start].split()))
        target.append(" ".join(text[start:end].split()))
        right.append(" ".join(text[end : end + context].split()))
    units = sample[
        ["unit_id", "kind", "corpus", "outlet", "doc_id", "start", "end", "frame"]
    ].copy()
    units["left"], units["target"], units["right"] = left, target, right
    sheet = write_coding_sheet(
        units,
        path,
        naming_scheme(frames or sorted(set(sample["frame"]) - {""})),
        id_column="unit_id",
        context_columns=[
            "kind",
            "corpus",
            "outlet",
            "doc_id",
            "start",
            "end",
            "frame",
            "left",
            "target",
            "right",
        ],
        coder=coder,
        overwrite=overwrite,
    )
    key = key_path(sheet)
    sample.to_csv(key, index=False, lineterminator="\n")
    return sheet, key


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


def _corpus_documents(corpus: Any, doc_ids: set[str] | None = None) -> pd.DataFrame:
    columns = ["doc_id", "outlet", "text", "n_words"]
    docs = corpus.articles(columns=columns)
    if doc_ids is not None:
        docs = docs[docs["doc_id"].astype(str).isin(doc_ids)]
    docs = docs.reset_index(drop=True)
    docs.insert(0, "corpus", corpus.name)
    return docs


def sample_corpus(
    corpus: Any,
    path: str | Path,
    *,
    lexicon: str | Path = "war-naming",
    voice_rules: Any = None,
    n: int = 300,
    no_mention: int = 60,
    context_words: str | None = None,
    context: int = 200,
    seed: int = 0,
    overwrite: bool = False,
    exclude_docs: Any = (),
) -> tuple[Path, Path, pd.DataFrame]:
    """Detect, draw a coding sample and write its blind sheet and key.

    ``corpus`` is a built :class:`~framing.store.Corpus`; see
    :func:`draw_coding_sample` and :func:`write_coding_sample`.
    ``exclude_docs`` are document ids left out of the draw -- those of an
    earlier coding round, so that a new round scores documents nobody has
    looked at; the sampling weights then describe the remaining documents.
    Returns the sheet, the key file and the sample.
    """
    detector = LexiconDetector(lexicon=lexicon, voice_rules=voice_rules).fit()
    docs = _corpus_documents(corpus)
    excluded = {str(doc_id) for doc_id in exclude_docs}
    if excluded:
        docs = docs[~docs["doc_id"].astype(str).isin(excluded)].reset_index(drop=True)
        if docs.empty:
            raise GoldError(
                f"{corpus.name}: every document is excluded; nothing left to sample"
            )
    mentions = detector.detect(docs)
    sample = draw_coding_sample(
        mentions,
        docs,
        n=n,
        no_mention=no_mention,
        context_words=context_words,
        seed=seed,
    )
    texts = dict(zip(docs["doc_id"].astype(str), docs["text"], strict=True))
    sheet, key = write_coding_sample(
        sample,
        texts,
        path,
        frames=detector.frames_,
        context=context,
        overwrite=overwrite,
    )
    return sheet, key, sample


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
