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

Modules
-------
The package is split by responsibility; everything is importable from
``framing.frames.validation``:

* :mod:`~framing.frames.validation.mentions` -- the voice round trip
  (:func:`sample_mentions`, :func:`write_mention_sheet`,
  :func:`read_mention_codes`, :func:`score_mentions`) and the shipped
  press-release gold (:func:`load_gold`, :func:`evaluate_gold`);
* :mod:`~framing.frames.validation.sampling` -- coding samples of a corpus
  (:func:`naming_scheme`, :func:`draw_coding_sample`,
  :func:`write_coding_sample`, :func:`key_path`, :func:`sample_corpus`);
* :mod:`~framing.frames.validation.gold` -- reading gold
  (:func:`read_gold`, :func:`select_gold`, :data:`GOLD_COLUMNS`,
  :func:`coded_documents`);
* :mod:`~framing.frames.validation.scoring` -- :func:`validate_mentions`,
  :class:`NamingValidation` and :func:`validate_corpus`;
* ``_common`` -- :data:`REFERENTS` and :class:`GoldError`, which the others
  share.
"""

from __future__ import annotations

from ._common import REFERENTS, GoldError
from .gold import GOLD_COLUMNS, read_gold, select_gold
from .gold import coded_documents as coded_documents
from .mentions import (
    VOICE_SCHEME,
    MentionValidation,
    evaluate_gold,
    load_gold,
    read_mention_codes,
    sample_mentions,
    score_mentions,
    write_mention_sheet,
)
from .mentions import gold_texts as gold_texts
from .sampling import (
    draw_coding_sample,
    key_path,
    naming_scheme,
    sample_corpus,
    write_coding_sample,
)
from .scoring import METRICS as METRICS
from .scoring import NamingValidation, validate_corpus, validate_mentions

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
