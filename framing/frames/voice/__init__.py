"""Whose voice names the event: the text's own, reported, quoted,
scare-quoted, attributed or negated.

Every lexicon match (a *mention*) gets one ``voice``:

``own``
    the text's own voice (or, in a transcript, the current speaker's);
``reported``
    indirect or paraphrased speech of someone other than the outlet, without
    quotation marks: the agency-headline conventions "X — Speaker",
    "X – Speaker", "X - Speaker", "X: Former Official" and "Speaker: X";
    "X, says Speaker", "Speaker says (that) X", "…, said Peskov",
    "according to …"; Russian and Ukrainian "…, заявил Песков",
    "по словам Пескова, …", "как заявил …", "Песков заявил, что …",
    "…, — МИД РФ", "за словами …", "заявив", and a following "Об этом
    заявил …". The speaker, where the cue names one, is recorded in
    ``speaker`` (with ``speaker_role == "reported"``), so an agency's own
    naming can be told apart from the officials it reports;
``quoted``
    inside a direct quotation: a quoted passage longer than the term
    itself (straight, curly, guillemet « » and „ “ quotes; a quotation may
    span sentences, and paragraphs when the next paragraph reopens it),
    Russian dash dialogue ("— …, — сказал он. — …"), and a short quotation
    that a speech verb introduces or follows ("«Война», — сказал он");
``scare``
    the term itself is set in quotation marks (the quotation holds at most
    two words beyond the term), or is preceded by "so-called", "так
    называемая", "т.н.", "так звана";
``attributed``
    reported naming: the sentence reports that someone names it so —
    "what Moscow calls", "calls it", "casts the war as", "described it as",
    "referred to as", "(as the Kremlin calls it)", "что в Кремле называют
    …ой" (in Russian and Ukrainian only a name in the instrumental case, or
    in quotation marks, is the name given: in "так власти называют войну"
    the accusative "войну" is the object, the outlet's own word);
``negated``
    naming refused or denied: "refrained from calling it", "does not call
    it", "not a war", and negation after the verb ("…ой не называют",
    "назвать …ой нельзя").

The rules are applied in this order, and the first that fires wins:
``quoted`` (a long quotation is someone else's voice whatever it says),
then ``negated``, ``attributed``, ``scare``, ``reported``, and otherwise
``own``. The cue that decided is recorded with the mention, so every label
can be checked.

Cues are regular expressions matched against the *left context*: the
sentence from its start up to the mention (for a scare-quoted term, up to
the opening quotation mark), or, for the cues that follow a mention
(``negation_after``, ``attribution_after``, ``reported_after``), against the
*right context* up to the end of the sentence or line. Reported-speech cues
look only within the mention's line, so a headline's speaker does not
spill into the body. They are listed per language in :class:`VoiceRules`,
which can be replaced or extended (for example from a TOML file with
:meth:`VoiceRules.from_toml`). Telegram markup (``**``, ``__``) is ignored
when the cues are matched.

Transcripts and headline labels
-------------------------------
Press releases often contain transcripts with speaker turns
("President of Russia Vladimir Putin: Colleagues, ..."; "Question: ...").
A turn starts at a label of capitalised words followed by a colon, where the
label either follows the end of a sentence or contains a title word
("President", "Minister", "Question", ...). Each mention records the
``speaker`` of the turn it falls in (``None`` in narration) and a
``speaker_role``: ``"narrator"``, ``"question"`` (a journalist's question or
a moderator) or ``"speaker"``. A mention in a journalist's question is thus
not the president's voice, and a president's own words in a transcript are
``own`` (of that speaker).

The same "Name: …" form at the start of a line of a text that is *not* a
transcript (fewer than two speaker turns) is the news convention for
reporting what someone said ("Peskov: …", "Лавров: …", "Минобороны: …"):
there the mention is ``reported`` and the label is its speaker. The label
must look like a speaker (a title or institution word, a known name, or a
Russian or Ukrainian surname), so topic labels ("Strait of Hormuz: …",
"Главное: …") stay ``own``.

Preposition features
--------------------
Russian "на Украине" (the older, Moscow-preferred usage) and "в Украине" (the
usage Kyiv asks for) are themselves a framing choice. :func:`preposition_counts`
counts them per document (locative, directional and "from" forms: на/в
Украине, на/в Украину, с/из Украины; Ukrainian на/в/у Україні, Україну),
outside direct quotations, as the columns of :data:`PREPOSITION_COLUMNS`.

Modules
-------
The package is split by responsibility; everything is importable from
``framing.frames.voice``:

* :mod:`~framing.frames.voice.rules` -- :data:`VOICES`, :class:`VoiceRules`
  and the compilation and validation of its cue patterns;
* :mod:`~framing.frames.voice.structure` -- sentences, quotations, dash
  dialogue, speaker turns and headline labels (:func:`analyse_structure`);
* :mod:`~framing.frames.voice.classify` -- :func:`classify_voice`, with
  reported speech and listed statements;
* :mod:`~framing.frames.voice.prepositions` -- :func:`preposition_counts`;
* :mod:`~framing.frames.voice.scoring` -- :func:`classify_spans` and
  :func:`gold_voice_accuracy` on coded spans;
* ``_vocabulary`` -- the private cue word lists the others build on.
"""

from __future__ import annotations

from .classify import VoiceDecision as VoiceDecision
from .classify import classify_voice
from .prepositions import PREPOSITION_COLUMNS, preposition_counts
from .rules import _PATTERN_TABLES as _PATTERN_TABLES
from .rules import VOICES, VoiceRules
from .rules import VoiceRulesError as VoiceRulesError
from .scoring import VoiceGoldResult as VoiceGoldResult
from .scoring import classify_spans, gold_voice_accuracy
from .structure import _QUOTE_OR_BREAK as _QUOTE_OR_BREAK
from .structure import _SENTENCE_END as _SENTENCE_END
from .structure import Label as Label
from .structure import (
    TextStructure,
    analyse_structure,
    dialogue_spans,
    quote_spans,
    sentence_spans,
    speaker_turns,
)
from .structure import Turn as Turn
from .structure import headline_labels as headline_labels

__all__ = [
    "VOICES",
    "PREPOSITION_COLUMNS",
    "VoiceRules",
    "TextStructure",
    "analyse_structure",
    "classify_voice",
    "classify_spans",
    "gold_voice_accuracy",
    "preposition_counts",
    "sentence_spans",
    "quote_spans",
    "dialogue_spans",
    "speaker_turns",
]
