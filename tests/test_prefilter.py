"""PrefixSearch returns exactly what re's search returns (the voice cues)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.frames._prefilter import PrefixSearch, literal_prefixes
from framing.frames.voice import _PATTERN_TABLES, VoiceRules

RULES = VoiceRules.default().compiled()
SEARCHES = [
    (f"{table}:{language}", search)
    for table in _PATTERN_TABLES
    for language, search in sorted(getattr(RULES, table).items())
]
# Words the cues look for, their neighbours, punctuation, and the characters
# that re folds to a prefix letter although lower-casing does not.
WORDS = (  # noqa: SIM905
    "not never isn't don’t no longer refused so-called alleged calls it a "
    "called described as what Moscow terms the war invasion said says told "
    "according to Peskov, — Kremlin : “ ” \" ' , . \n is was be been nor "
    "не называют войной так называемая т.н. заявил сообщил по словам как "
    "ſaid ıs İs NOT Said SAYS ᲂ ᲀ ς Σ σ"
).split() + ["\n"]


def test_most_english_cue_tables_are_prefiltered():
    prefiltered = {name for name, search in SEARCHES if search._automaton is not None}
    assert {"negation:en", "attribution:en", "reported_before:en"} <= prefiltered


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from(SEARCHES))
def test_prefix_search_equals_re_search(words, named):
    _, search = named
    text = " ".join(words)
    expected = search.pattern.search(text)
    found = search.search(text)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.span() == expected.span()
        assert found.groupdict() == expected.groupdict()


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\bsaid\b", "he ſaid so"),  # long s folds to s in re only
        (r"\bis\s+no\b", "this ıs no war"),  # dotless i
        (r"(?:^|\s)не\s+$", "это не "),  # no readable prefix: plain search
    ],
)
def test_folded_characters_and_unreadable_prefixes_fall_back(pattern, text):
    compiled = re.compile(pattern, re.IGNORECASE)
    found = PrefixSearch(compiled).search(text)
    expected = compiled.search(text)
    assert (found and found.span()) == (expected and expected.span())


def test_literal_prefixes_skip_zero_width_assertions():
    prefixes = literal_prefixes(re.compile(r"(?<=\w\s)\b(?:said|told)\b"), min_length=1)
    assert prefixes == {"said", "told"}
    assert literal_prefixes(re.compile(r"(?:a\s+)?war"), min_length=1) is None


# The sentence and quotation scanners were rewritten to start with one
# character class (faster); these are the original patterns.
OLD_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’»)\]]*\s+(?=[\"'“‘«„(\[]?[A-ZА-ЯЁІЇЄҐ0-9])|\n\s*\n"
)
OLD_QUOTE_OR_BREAK = re.compile(r"[\"'“”«»„‘’‹›‚]|\n[^\S\n]*\n")
STRUCTURE_CHARACTERS = st.text(
    alphabet=".!?…\"'”’»)]“‘«„([ \t\n\xa0aZЖ0-—", max_size=60
)


@settings(max_examples=500, deadline=None)
@given(STRUCTURE_CHARACTERS)
def test_rewritten_structure_scanners_match_the_originals(text):
    from framing.frames.voice import _QUOTE_OR_BREAK, _SENTENCE_END

    for new, old in (
        (_SENTENCE_END, OLD_SENTENCE_END),
        (_QUOTE_OR_BREAK, OLD_QUOTE_OR_BREAK),
    ):
        assert [m.span() for m in new.finditer(text)] == [
            m.span() for m in old.finditer(text)
        ]
