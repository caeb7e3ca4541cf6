"""Scoring voices against coded spans: :func:`classify_spans` and gold accuracy.

:func:`classify_spans` decides the voice of given spans (coded mentions) in
given texts; :func:`gold_voice_accuracy` scores the voice rules on a coded
gold file at its offsets and returns a :class:`VoiceGoldResult` (accuracy
with Wilson intervals, per outlet and per voice, and a confusion table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import FramingError
from .classify import classify_voice
from .rules import VOICES, VoiceRules
from .structure import TextStructure, analyse_structure


def _guess_language(term: str) -> str:
    if re.search(r"[іїєґІЇЄҐ]", term):
        return "uk"
    return "ru" if re.search(r"[А-Яа-яЁё]", term) else "en"


def classify_spans(
    texts: Any,
    spans: Any,
    *,
    rules: VoiceRules | None = None,
) -> Any:
    """Voices of given spans (coded mentions) in given texts.

    Parameters
    ----------
    texts : mapping
        ``doc_id`` -> text.
    spans : DataFrame
        Columns ``doc_id``, ``start``, ``end`` and optionally ``language``
        (otherwise guessed from the span's script: Cyrillic with і/ї/є/ґ is
        Ukrainian, other Cyrillic Russian, the rest English).
    rules : VoiceRules, optional

    Returns
    -------
    DataFrame
        ``spans`` with ``voice_detected``, ``cue``, ``speaker``,
        ``speaker_role`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = {"a": "Война продолжится, заявил Песков."}
    >>> spans = pd.DataFrame({"doc_id": ["a"], "start": [0], "end": [5]})
    >>> classify_spans(texts, spans)[["voice_detected", "speaker"]].values.tolist()
    [['reported', 'Песков']]
    """
    import pandas as pd

    compiled = (rules or VoiceRules.default()).compiled()
    structures: dict[str, TextStructure] = {}
    rows = []
    for row in spans.itertuples(index=False):
        text = texts[row.doc_id]
        start, end = int(row.start), int(row.end)
        if row.doc_id not in structures:
            structures[row.doc_id] = analyse_structure(text, compiled.rules)
        language = getattr(row, "language", None) or _guess_language(text[start:end])
        decision = classify_voice(
            text, start, end, structures[row.doc_id], compiled, language
        )
        rows.append(
            (decision.voice, decision.cue, decision.speaker, decision.speaker_role)
        )
    result = spans.reset_index(drop=True).copy()
    detected = pd.DataFrame(
        rows, columns=["voice_detected", "cue", "speaker", "speaker_role"]
    )
    return pd.concat([result, detected], axis=1)


@dataclass
class VoiceGoldResult:
    """Voice accuracy of the rules on coded mentions.

    Attributes
    ----------
    rows : DataFrame
        The scored gold rows with ``voice_detected``, ``cue`` and ``speaker``.
    table : DataFrame
        Accuracy with a Wilson interval overall, per outlet, per coded voice
        (that is, recall per voice) and for the ``event`` referent only.
    confusion : DataFrame
        Coded voice (rows) by detected voice (columns).
    """

    rows: Any
    table: Any
    confusion: Any

    @property
    def accuracy(self) -> float:
        return float(self.table.iloc[0]["accuracy"])

    @property
    def errors(self) -> Any:
        return self.rows[self.rows["voice"] != self.rows["voice_detected"]]

    def summary(self) -> str:
        return "\n".join(
            [
                "Voice accuracy (Wilson 95% CI)",
                self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                "",
                "Coded (rows) x detected (columns)",
                self.confusion.to_string(),
            ]
        )


def gold_voice_accuracy(
    gold: Any,
    *,
    split: str | None = "dev",
    texts: Any = None,
    merge_voices: dict[str, str] | None = None,
    rules: VoiceRules | None = None,
) -> VoiceGoldResult:
    """Score the voice rules on a coded gold file at its offsets.

    Reads a gold CSV in the coders' format (``corpus, outlet, doc_id, start,
    end, term, frame, referent, voice, split``; see ``CODEBOOK.md``), keeps
    the rows of ``split`` (``None`` for all) that carry a voice, reads the
    documents from the built corpora (unless ``texts`` maps ``doc_id`` to
    text), and compares :func:`classify_voice` at the coded offsets with
    the coded voice. The lexicon is not involved, so this measures the
    voice rules alone, also on coded mentions the lexicon misses.

    ``merge_voices`` maps voices onto others before scoring, on both sides
    (e.g. ``{"reported": "own"}`` for a gold set whose coders folded
    reported speech into ``own``).

    To score held-out outlets::

        from framing.frames.voice import gold_voice_accuracy
        print(gold_voice_accuracy(
            "framing/frames/gold/war-naming-telegram.csv", split="test"
        ).summary())
    """
    import pandas as pd

    from ...evaluation import wilson_interval

    frame = (
        gold
        if isinstance(gold, pd.DataFrame)
        else pd.read_csv(gold, dtype={"doc_id": str, "item": str, "note": str})
    )
    if split is not None:
        frame = frame[frame["split"] == split]
    frame = frame[frame["voice"].isin(VOICES)].reset_index(drop=True)
    if texts is None:
        from ...datasets.build import load_corpus

        texts = {}
        if (frame["corpus"] == "seed").any():
            from ...datasets.fetch import SEED_DOC_ID, load_seed_article

            texts[SEED_DOC_ID] = load_seed_article()
        for corpus_name in sorted(set(frame["corpus"]) - {"seed"}):
            wanted = set(frame.loc[frame["corpus"] == corpus_name, "doc_id"])
            for doc_id, text in load_corpus(corpus_name).iter_texts():
                if doc_id in wanted:
                    texts[doc_id] = text
    missing = sorted(set(frame["doc_id"]) - set(texts))
    if missing:
        raise FramingError(
            f"gold rows name {len(missing)} document(s) not in the corpus, e.g. "
            f"{missing[0]!r}. Fix: rebuild the corpus the gold was coded on"
        )
    rows = classify_spans(texts, frame, rules=rules)
    if merge_voices:
        rows["voice"] = rows["voice"].replace(merge_voices)
        rows["voice_detected"] = rows["voice_detected"].replace(merge_voices)
    rows["correct"] = rows["voice"] == rows["voice_detected"]
    records = []

    def add(group: str, level: str, part: Any) -> None:
        n, k = len(part), int(part["correct"].sum())
        low, high = wilson_interval(k, n) if n else (float("nan"), float("nan"))
        records.append(
            {
                "group": group,
                "level": level,
                "n": n,
                "accuracy": k / n if n else float("nan"),
                "ci_low": low,
                "ci_high": high,
            }
        )

    add("all", "", rows)
    if "referent" in rows:
        add("referent", "event", rows[rows["referent"] == "event"])
    for column in ("outlet", "voice"):
        if column in rows:
            for level, part in rows.groupby(column, sort=True):
                add(column, str(level), part)
    confusion = pd.crosstab(rows["voice"], rows["voice_detected"])
    return VoiceGoldResult(rows, pd.DataFrame(records), confusion)
