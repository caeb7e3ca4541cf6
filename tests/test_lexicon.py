"""Lexicon format, morphology, matching and error messages."""

from __future__ import annotations

import textwrap

import pytest

from framing.frames import LexiconDetector, LexiconError, load_lexicon
from framing.frames.detect import CompiledLexicon
from framing.frames.lexicon import Term, surface_forms


def write(tmp_path, body: str):
    path = tmp_path / "lexicon.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


VALID = """
name = "mini"
description = "A small test lexicon."
languages = ["en", "ru"]

[[frames]]
name = "war"
terms.en = ["war"]
terms.ru = ["война"]

[[frames]]
name = "invasion"
terms.en = ["invasion", "full-scale invasion"]

[exclude]
en = ["cold war"]
"""


def test_a_valid_user_lexicon_loads_from_a_path(tmp_path):
    lexicon = load_lexicon(write(tmp_path, VALID))
    assert lexicon.name == "mini"
    assert lexicon.frame_names == ("war", "invasion")


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        (VALID.replace('name = "war"', 'name = "War!"'), 7, "frame name"),
        (VALID.replace("terms.ru", "terms.de"), 9, "'de' is not in the lexicon"),
        ("bogus = 1\n" + VALID, 1, "unknown key 'bogus'"),
        (
            VALID.replace(
                'terms.en = ["war"]', 'terms.en = ["war"]\npatterns.en = ["(war"]'
            ),
            9,
            "not a valid regular expression",
        ),
        (VALID.replace('terms.en = ["war"]', 'terms.en = [""]'), 8, "empty term"),
        (
            VALID.replace(
                'terms.en = ["war"]', 'terms.en = [{ term = "war", pos = "adj" }]'
            ),
            8,
            "pos",
        ),
    ],
)
def test_bad_lexicon_files_name_the_line_and_problem(tmp_path, body, line, problem):
    with pytest.raises(LexiconError) as error:
        load_lexicon(write(tmp_path, body))
    message = str(error.value)
    assert "lexicon.toml" in message
    assert f"line {line}" in message
    assert problem in message


def test_toml_syntax_errors_name_the_line(tmp_path):
    with pytest.raises(LexiconError, match=r"line 3"):
        load_lexicon(
            write(tmp_path, 'name = "x"\ndescription = "y"\nlanguages = [en]\n')
        )


def test_unknown_builtin_lists_the_builtins():
    with pytest.raises(LexiconError, match="war-naming"):
        load_lexicon("no-such-lexicon")


def test_english_inflection():
    assert surface_forms(Term("conflict", "en")) == {"conflict", "conflicts"}
    assert surface_forms(Term("crisis in Ukraine", "en")) == {
        "crisis in ukraine",
        "crisis in ukraines",
    }
    assert "invaded" in surface_forms(Term("invade", "en", pos="verb"))
    assert surface_forms(Term("SMO", "en", pos="exact")) == {"smo"}


def test_russian_and_ukrainian_case_forms_match():
    detector = LexiconDetector().fit()
    russian = "Началась специальная военная операция. О специальной военной операции."
    ukrainian = "Це повномасштабне вторгнення. Після повномасштабного вторгнення."
    frames = detector.detect([("ru", russian), ("uk", ukrainian)])
    assert frames["frame"].tolist() == [
        "special-military-operation",
        "special-military-operation",
        "invasion",
        "invasion",
    ]
    assert set(frames["language"]) == {"ru", "uk"}


def test_longest_match_and_exclusions():
    matcher = CompiledLexicon(load_lexicon("war-naming"))
    text = (
        "The Great Patriotic War and the Cold War are history; war crimes are not "
        "a frame; the civil war in Donbass is a Kremlin framing; the full-scale "
        "invasion began; anti-war protests."
    )
    found = [(text[m.start : m.end], m.frame) for m in matcher.find(text)]
    # "war crimes" is left to the referent layers (this war's crimes or not).
    assert found == [
        ("war", "war"),
        ("civil war in Donbass", "civil-war"),
        ("full-scale invasion", "invasion"),
        ("war", "war"),
    ]
    kept = matcher.find(text, keep_excluded=True)
    assert [(text[m.start : m.end], m.excluded_by) for m in kept][:2] == [
        ("War", "great patriotic war"),
        ("War", "cold war"),
    ]


def test_whole_words_only():
    matcher = CompiledLexicon(load_lexicon("war-naming"))
    assert matcher.find("Towards an award for software warranties.") == []


def test_case_sensitive_abbreviation_pattern():
    matcher = CompiledLexicon(load_lexicon("war-naming"))
    found = [m.frame for m in matcher.find("The SMO continues; smoking is banned.")]
    assert found == ["special-military-operation"]


def test_country_mentions_lexicon():
    detector = LexiconDetector(lexicon="country-mentions").fit()
    mentions = detector.detect([("d", "Russia attacked Ukraine; Ukrainians resisted.")])
    assert mentions["frame"].tolist() == ["russia", "ukraine", "ukraine"]
