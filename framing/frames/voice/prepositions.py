"""Preposition features: "на Украине" versus "в Украине" counts per document.

:func:`preposition_counts` counts the Russian and Ukrainian preposition
forms outside direct quotations and dash dialogue, as the columns of
:data:`PREPOSITION_COLUMNS`.
"""

from __future__ import annotations

import re

from .structure import TextStructure, dialogue_spans, quote_spans

#: Per-document preposition columns that :func:`preposition_counts` returns.
PREPOSITION_COLUMNS = (
    "n__preposition__na",
    "n__preposition__v",
    "has__preposition__na",
    "has__preposition__v",
)
_PREPOSITION = re.compile(
    r"(?<![\w-])(?P<prep>на|во|в|у|со|с|из|із)[^\S\n]+[*_]*"
    r"(?P<noun>украин[еуы]|україн[іуи])(?!\w)",
    re.IGNORECASE,
)


def preposition_counts(
    text: str, structure: TextStructure | None = None
) -> dict[str, int | bool]:
    """Count "на Украине"-type and "в Украине"-type phrases outside quotations.

    ``na`` counts Russian на Украине / на Украину / с Украины and Ukrainian
    на Україні / на Україну; ``v`` counts в (во) Украине / в Украину /
    из Украины and Ukrainian в (у) Україні / Україну. Occurrences inside a
    direct quotation (longer than three words) or dash dialogue are
    someone else's usage and are not counted. Russian "у Украины" (Ukraine
    has) and Ukrainian "з України" (both senses) are not counted.

    Examples
    --------
    >>> preposition_counts("Бои на Украине. Он уехал в Украину. «Мы живем в "
    ...                    "Украине давно», сказал он.")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'n__preposition__na': 1, 'n__preposition__v': 1,
     'has__preposition__na': True, 'has__preposition__v': True}
    """
    counts = {"na": 0, "v": 0}
    if "краин" in text or "країн" in text or "КРАИН" in text:
        found = list(_PREPOSITION.finditer(text))
        if found:
            structure = structure or TextStructure(
                sentences=[],
                quotes=quote_spans(text),
                turns=[],
                dialogues=dialogue_spans(text),
            )
            for match in found:
                start, end = match.span()
                quote = structure.quote_around(start, end)
                if quote is not None and len(text[quote[0] : quote[1]].split()) > 3:
                    continue
                if structure.in_dialogue(start, end):
                    continue
                kind = _preposition_kind(match.group("prep"), match.group("noun"))
                if kind is not None:
                    counts[kind] += 1
    return {
        "n__preposition__na": counts["na"],
        "n__preposition__v": counts["v"],
        "has__preposition__na": counts["na"] > 0,
        "has__preposition__v": counts["v"] > 0,
    }


def _preposition_kind(prep: str, noun: str) -> str | None:
    prep, noun = prep.lower(), noun.lower()
    ukrainian = noun.startswith("україн")
    genitive = noun[-1] in "ыи" and not (ukrainian and noun[-1] == "и")
    if ukrainian and noun.endswith("и"):
        return None  # "з України", "із України": no choice to make
    if genitive:
        return {"с": "na", "со": "na", "из": "v"}.get(prep)
    if prep == "на":
        return "na"
    if prep in ("в", "во") or (prep == "у" and ukrainian):
        return "v"
    return None
