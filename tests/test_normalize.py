"""Text cleaners, the date policy, language detection and outlet names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.normalize import (
    DateParseError,
    LanguageDetector,
    OutletResolver,
    clean_text,
    compose,
    count_words,
    fix_unicode,
    normalize_nfc,
    normalize_quotes,
    normalize_whitespace,
    parse_date,
    parse_date_precision,
    remove_control_chars,
)

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)

CLEANER_IDS = [
    "fix_unicode",
    "normalize_nfc",
    "normalize_quotes",
    "remove_control_chars",
    "normalize_whitespace",
    "clean_text",
]
CLEANERS = [
    fix_unicode,
    normalize_nfc,
    normalize_quotes,
    remove_control_chars,
    normalize_whitespace,
    clean_text,
]
# Pieces that exercise every cleaner: mojibake, entities, line ends, odd
# spaces, zero-width marks, combining accents, quote variants.
TRICKY = [
    "â€™",
    "Ã©",
    "&amp;",
    "&lt;",
    "\r\n",
    "\r",
    "\u2028",
    "\x85",
    " ",
    "\u00a0",
    "\u3000",
    "\u200b",
    "\ufeff",
    "e\u0301",
    "\uff02",
    "\u201f",
    "ﬁ",
    "\n\n",
    "\t",
    "“",
    "”",
    "«",
    "»",
    "„",
]
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.text(max_size=8), st.sampled_from(TRICKY)), max_size=12).map(
        "".join
    ),
)


# ------------------------------------------------------------------ cleaners


@pytest.mark.parametrize("cleaner", CLEANERS, ids=CLEANER_IDS)
@PROPERTY
@given(text=texts)
def test_cleaners_are_pure_str_to_str(cleaner: Callable[[str], str], text: str) -> None:
    result = cleaner(text)
    assert isinstance(result, str)
    assert cleaner(text) == result  # same input, same output


@pytest.mark.parametrize(
    "cleaner",
    [normalize_nfc, normalize_quotes, remove_control_chars, normalize_whitespace],
    ids=lambda f: f.__name__,
)
@PROPERTY
@given(text=texts)
def test_single_cleaners_are_idempotent(
    cleaner: Callable[[str], str], text: str
) -> None:
    once = cleaner(text)
    assert cleaner(once) == once


@PROPERTY
@given(text=texts)
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@pytest.mark.parametrize("text", ["\xa0Â¡", "\xa0Ü\x86", "\x80\r\x8cÖ"])
def test_clean_text_is_idempotent_next_to_stripped_characters(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@PROPERTY
@given(text=texts)
def test_clean_text_output_has_no_control_chars_or_odd_spaces(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert "\r" not in cleaned
    assert "\n\n\n" not in cleaned
    assert "  " not in cleaned
    assert not any(ch in cleaned for ch in "\u200b\ufeff\u00a0\u2028\x00\t")


@pytest.mark.parametrize(
    "text",
    [
        "“special military operation”",
        "‘war’",
        "«спецоперация»",
        "„Krieg“",
        "‚Krieg‘",
        "‹guerre›",
        "He said \"war\" and 'crisis'.",
        "“Nested ‘quote’ inside”",
    ],
)
def test_curly_guillemet_and_low_quotes_survive_clean_text(text: str) -> None:
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("\u201fwar\u201d", "“war”"),  # ‟ reversed double
        ("\uff02war\uff02", '"war"'),  # full-width double
        ("\uff07war\uff07", "'war'"),  # full-width single
        ("\u301dwar\u301e", "“war”"),  # CJK double prime quotes
        ("\u301dwar\u301f", "“war”"),
        ("\u201bwar\u2019", "‘war’"),  # ‛ reversed single
        ("\u2e42Krieg\u201c", "„Krieg“"),  # ⹂ double low-reversed
    ],
)
def test_quote_variants_fold_into_canonical_set(variant: str, canonical: str) -> None:
    assert normalize_quotes(variant) == canonical
    assert clean_text(variant) == canonical


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Zelenskyyâ€™s address", "Zelenskyy’s address"),
        ("CafÃ© owners in Lviv", "Café owners in Lviv"),
        ("Fish &amp; chips", "Fish & chips"),
        ("ﬁnal", "final"),
        ("e\u0301te\u0301", "été"),
    ],
)
def test_mojibake_entities_ligatures_and_nfc_are_repaired(
    broken: str, fixed: str
) -> None:
    assert clean_text(broken) == fixed


def test_ascii_text_passes_fix_unicode_unchanged() -> None:
    text = "Plain wire copy, with 'straight' and \"double\" quotes."
    assert fix_unicode(text) is text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  A\u00a0 war.\r\n\r\n\r\n  Not  a crisis. ", "A war.\n\nNot a crisis."),
        ("Line one\nline two", "Line one\nline two"),
        ("a \n b", "a\nb"),
        ("Para one\n \n\t\nPara two", "Para one\n\nPara two"),
        ("old\rmac\r\nwindows", "old\nmac\nwindows"),
        ("x\u2028y\u2029z\x85w", "x\ny\nz\nw"),
        ("tab\tand\u3000ideographic\u2009thin", "tab and ideographic thin"),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_whitespace_and_paragraphs(raw: str, expected: str) -> None:
    assert normalize_whitespace(raw) == expected


@PROPERTY
@given(
    st.lists(
        st.sampled_from(
            ["war", " ", "  ", "\t", "\r", "\r\n", "\n", "\n \n", "&amp;", "\x1b"]
            + ["\u00a0", "\u2009", "\u2028", "\x85", "é"]
        ),
        max_size=30,
    ).map("".join)
)
def test_whitespace_shortcuts_change_nothing(text: str) -> None:
    """Skipping a substitution that has nothing to do (checked in ASCII text
    with `in`, else by a search) gives what running it gives."""
    from framing import normalize

    every_step = normalize._LINE_END.sub("\n", text)
    every_step = normalize._SPACES.sub(" ", every_step)
    every_step = normalize._BLANK_LINES.sub("\n\n", every_step)
    every_step = normalize._LINE_SPACE.sub("\n", every_step)
    assert normalize_whitespace(text) == every_step.strip()
    assert fix_unicode(text) == normalize.ftfy.fix_text(text, normalize._FTFY_CONFIG)


def test_control_chars_and_zero_width_marks_are_removed() -> None:
    assert clean_text("a\x00b\x07c\u200bd\ufeffe\u2060f") == "abcdef"
    assert remove_control_chars("keep\ttab\nand newline") == "keep\ttab\nand newline"


def test_compose_chains_left_to_right() -> None:
    assert compose(str.strip, str.upper)("  kyiv ") == "KYIV"
    assert compose()("unchanged") == "unchanged"


def test_count_words() -> None:
    assert count_words("Russia's full-scale invasion of Ukraine") == 5
    assert count_words("") == 0
    assert count_words("one\n\ntwo\tthree") == 3


# ------------------------------------------------------------------ parse_date


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2022-02-24T03:00:00Z", "Europe/Kyiv", utc(2022, 2, 24, 3)),
        ("2022-02-24T03:00:00z", "UTC", utc(2022, 2, 24, 3)),
        ("2022-02-24T05:00:00+02:00", "America/New_York", utc(2022, 2, 24, 3)),
        ("2022-02-23T22:00:00-05:00", "Europe/Kyiv", utc(2022, 2, 24, 3)),
        ("2022-02-24T05:00:00", "Europe/Kyiv", utc(2022, 2, 24, 3)),
        ("2022-02-24T05:00:00", "UTC", utc(2022, 2, 24, 5)),
        ("2022-02-24 05:00", "Europe/Kyiv", utc(2022, 2, 24, 3)),
    ],
)
def test_iso_strings(value: str, zone: str, expected: datetime) -> None:
    parsed = parse_date(value, default_timezone=zone)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("2022-02-24", "UTC", utc(2022, 2, 24)),
        # A day-only date keeps its calendar day whatever the zone.
        ("2022-02-24", "Europe/Kyiv", utc(2022, 2, 24)),
        ("2022-07-01", "Europe/Kyiv", utc(2022, 7, 1)),
        ("2022-02-24", "America/New_York", utc(2022, 2, 24)),
        ("2022-07-01", "America/New_York", utc(2022, 7, 1)),
        ("2025-01-01", "Europe/Moscow", utc(2025, 1, 1)),
    ],
)
def test_date_only_keeps_its_calendar_day(
    value: str, zone: str, expected: datetime
) -> None:
    assert parse_date(value, default_timezone=zone) == expected
    assert parse_date_precision(value, default_timezone=zone) == (expected, "day")


@pytest.mark.parametrize(
    "value",
    ["2025-01-01 00:00", "2025-01-01T10:00", "1 January 2025, 3 pm", "1735689600"],
)
def test_a_time_of_day_is_read_in_the_zone(value: str) -> None:
    parsed, precision = parse_date_precision(value, default_timezone="Europe/Moscow")
    assert precision == "time"
    naive = parse_date_precision(value)[0]
    assert parsed is not None and naive is not None
    if not value.isdigit():  # a Unix timestamp carries its own zone
        assert naive - parsed == timedelta(hours=3)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "today",
        "tomorrow",
        "now",
        "3 days ago",
        "2 hours ago",
        "5 minutes ago",
        "in 2 days",
        "last Monday",
    ],
)
def test_relative_dates_are_rejected(value: str) -> None:
    """They depend on the day the corpus is built, so rebuilds would differ."""
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == "unparseable_date"
    assert value in str(info.value)


@pytest.mark.parametrize(
    ("value", "zone", "expected"),
    [
        ("September 30, 2022", "America/New_York", utc(2022, 9, 30)),
        ("1 January 2025", "Europe/Moscow", utc(2025, 1, 1)),
        ("September 30, 2022 10:00", "America/New_York", utc(2022, 9, 30, 14)),
        ("September 30, 2022", "UTC", utc(2022, 9, 30)),
        ("30 September 2022", "UTC", utc(2022, 9, 30)),
        ("Tue, 01 Mar 2022 10:00:00 GMT", "Europe/Kyiv", utc(2022, 3, 1, 10)),
    ],
)
def test_free_text_absolute_dates(value: str, zone: str, expected: datetime) -> None:
    assert parse_date(value, default_timezone=zone) == expected


def test_explicit_formats_are_tried_before_the_general_parser() -> None:
    assert parse_date("24.02.2022", formats=["%d.%m.%Y"]) == utc(2022, 2, 24)
    assert parse_date(
        "24.02.2022 05:00", default_timezone="Europe/Kyiv", formats=["%d.%m.%Y %H:%M"]
    ) == utc(2022, 2, 24, 3)


def test_month_names_in_other_languages() -> None:
    parsed = parse_date("24 февраля 2022", languages=["ru"])
    assert parsed == utc(2022, 2, 24)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            datetime(2022, 2, 24, 5, tzinfo=timezone(timedelta(hours=2))),
            utc(2022, 2, 24, 3),
        ),
        (datetime(2022, 2, 24, 5), utc(2022, 2, 24, 3)),  # naive: in the zone
        (date(2022, 2, 24), utc(2022, 2, 24)),  # a day keeps its calendar day
        (pd.Timestamp("2022-02-24 05:00", tz="Europe/Kyiv"), utc(2022, 2, 24, 3)),
        (pd.Timestamp("2022-02-24 05:00"), utc(2022, 2, 24, 3)),
    ],
    ids=[
        "aware-datetime",
        "naive-datetime",
        "date",
        "aware-timestamp",
        "naive-timestamp",
    ],
)
def test_datetime_and_date_objects(value: object, expected: datetime) -> None:
    parsed = parse_date(value, default_timezone="Europe/Kyiv")
    assert parsed == expected
    assert type(parsed) is datetime


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, np.float64("nan"), "", "   "]
)
def test_missing_values_give_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize("value", [pd.NaT, pd.NA], ids=["NaT", "NA"])
def test_pandas_missing_values_give_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    ["1700-01-01", "1799-12-31T23:59:59Z", "2100-01-01", "2150-06-01T00:00:00Z"],
)
def test_dates_outside_1800_2099_are_implausible(value: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == "implausible_date"


def test_range_edges_are_plausible() -> None:
    assert parse_date("1800-01-01T00:00:00Z") == utc(1800, 1, 1)
    assert parse_date("2099-12-31T23:59:59Z") == utc(2099, 12, 31, 23, 59, 59)


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]
)
def test_dates_at_the_ends_of_datetime_are_implausible(value: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == "implausible_date"


@pytest.mark.parametrize("value", ["not a date", "sometime soon", "2022-13-45", "---"])
def test_unparseable_strings(value: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == "unparseable_date"
    assert info.value.value == value


@pytest.mark.parametrize("value", [12, [2022, 2, 24], {"year": 2022}, True])
def test_non_date_types_are_invalid_values(value: object) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date(value)
    assert info.value.code == "invalid_value"


def test_unknown_timezone_is_an_error() -> None:
    with pytest.raises(ZoneInfoNotFoundError, match="Mars"):
        parse_date("2022-02-24", default_timezone="Mars/Olympus")


def test_dates_are_timezone_aware_utc_everywhere() -> None:
    """Whatever the input zone, results compare equal across representations."""
    values = [
        "2022-02-24T03:00:00Z",
        "2022-02-24T05:00:00+02:00",
        datetime(2022, 2, 24, 3, tzinfo=UTC),
        pd.Timestamp("2022-02-23 22:00", tz="America/New_York"),
    ]
    assert {parse_date(v, default_timezone="Asia/Tokyo") for v in values} == {
        utc(2022, 2, 24, 3)
    }


# ------------------------------------------------------------------ outlets


@pytest.fixture(scope="module")
def resolve() -> OutletResolver:
    return OutletResolver(
        aliases={
            "kremlin": ["en.kremlin.ru", "Kremlin"],
            "cnn": ["cnn.com"],
            "Reuters": ["reuters.com", "Thomson Reuters"],
        }
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://en.kremlin.ru/events/president/news/68700", "kremlin"),
        ("en.kremlin.ru", "kremlin"),
        ("KREMLIN", "kremlin"),
        ("  kremlin  ", "kremlin"),
        ("thomson reuters", "Reuters"),
        ("https://www.reuters.com/world/", "Reuters"),
        ("www.reuters.com", "Reuters"),
        ("REUTERS.COM/", "Reuters"),
        ("edition.cnn.com", "cnn"),
        ("https://edition.cnn.com/2022/02/24/europe/", "cnn"),
        ("https://www.cnn.com", "cnn"),
    ],
)
def test_aliases_www_and_subdomains_resolve(
    resolve: OutletResolver, value: str, expected: str
) -> None:
    assert resolve(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("WWW.Example.ORG/", "example.org"),
        ("notcnn.com", "notcnn.com"),  # a suffix match is not a subdomain
        ("cnn.com.evil.example", "cnn.com.evil.example"),
        ("kremlin.ru", "kremlin.ru"),  # a parent of an alias is not the alias
        ("  Example Gazette ", "Example Gazette"),  # a name keeps its case
    ],
)
def test_unknown_outlets_fall_back_to_domain_or_name(
    resolve: OutletResolver, value: str, expected: str
) -> None:
    assert resolve(value) == expected


def test_resolver_without_aliases() -> None:
    assert OutletResolver()("https://www.reuters.com/world/") == "reuters.com"


def test_resolver_does_not_raise_on_a_broken_url(resolve: OutletResolver) -> None:
    assert isinstance(resolve("http://[broken"), str)


# ------------------------------------------------------------------ languages


@pytest.fixture(scope="module")
def detect() -> LanguageDetector:
    return LanguageDetector(languages=("en", "ru", "uk"))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The invasion began before dawn on Thursday, officials said.", "en"),
        ("Вторжение началось на рассвете в четверг, и люди прятались в метро.", "ru"),
        ("Вторгнення почалося вранці в четвер, і люди ховалися в метро.", "uk"),
    ],
    ids=["en", "ru", "uk"],
)
def test_language_detection(detect: LanguageDetector, text: str, language: str) -> None:
    assert detect(text) == language


@pytest.mark.parametrize(
    "text", ["", "ok", "   Hi there   ", "Да.", "1234567890123456"]
)
def test_short_or_letterless_text_is_undetermined(
    detect: LanguageDetector, text: str
) -> None:
    assert detect(text) == "und"


def test_only_the_sample_is_examined(detect: LanguageDetector) -> None:
    english = "The invasion began before dawn on Thursday, officials said. " * 20
    russian = "Вторжение началось на рассвете в четверг. " * 100
    assert detect(english + russian) == "en"


def test_single_candidate_language_is_checked_not_assumed() -> None:
    """A card's only language is no longer given to text in another language."""
    detect = LanguageDetector(languages=("de",))
    assert detect("Some English text that is long enough.") == "und"
    assert detect("Die Invasion begann am Donnerstag vor dem Morgengrauen.") == "de"
    assert detect("kurz") == "und"
