"""Text cleaners, date parsing, language detection and outlet names.

Cleaners are pure ``str -> str`` functions that can be chained with
:func:`compose`; :func:`clean_text` is the default chain the corpus builder
applies to every title and text.

Quotation marks
---------------
The voice detector needs to know where a quotation opens and where it
closes, so normalisation never straightens curly quotes. Variants are folded
into this canonical set only:

==========  ==========================================  ======================
canonical   folded into it                              role
==========  ==========================================  ======================
``"``       ``＂`` (full width)                          straight double
``'``       ``＇`` (full width)                          straight single
``“ ”``     ``‟`` → ``“``, ``〝`` → ``“``, ``〞 〟`` → ``”``   English double
``‘ ’``     ``‛`` → ``‘``                                English single
``« »``     (kept)                                      guillemets
``‹ ›``     (kept)                                      single guillemets
``„``       ``⹂`` → ``„``                                low double (opens)
``‚``       (kept)                                      low single (opens)
==========  ==========================================  ======================

Dates
-----
:func:`parse_date` turns a source value into a time-zone aware UTC
timestamp. The policy:

* ``datetime`` / ``pandas.Timestamp`` values and ISO 8601 strings are read
  exactly; other strings go to ``dateparser`` with relative expressions
  ("yesterday", "3 hours ago") disabled, because they depend on the day the
  corpus is built and would make rebuilds differ.
* A value without a time zone is taken to be in the corpus card's
  ``timezone`` (default ``"UTC"``), then converted to UTC.
* A date without a time is midnight in that time zone.
* Empty values give ``None`` (a missing date); values that cannot be parsed
  raise :class:`DateParseError`; dates outside ``[1800, 2100)`` raise it
  too. The corpus builder turns both into rejects with a reason, never into
  silent gaps.
* Free-text values must name a day, a month and a year, and must begin
  with a letter or digit: ``"Feb 24"`` (is 24 the day or the year?) and
  ``"February 2022"`` are ``incomplete_date``, ``"-2022-01-01"`` is
  ``unparseable_date``; none is completed by guessing.
* Numeric dates such as ``02/01/2022`` are read in one day/month order per
  file column, never value by value: the readers look at every value of a
  column (:class:`DateText` carries what they found), a card may set
  ``date_order = "DMY" | "MDY" | "YMD"``, and a value whose order nothing
  decides is ``ambiguous_date``. ``13/01/2022`` decides DMY for its whole
  column; a column holding both ``13/01/2022`` and ``01/13/2022`` decides
  nothing. Four-digit years first (``2022/01/02``) are always year, month,
  day.

Words
-----
:func:`count_words` splits on whitespace, except that scripts written
without spaces between words count differently: every Han character, and
every run of kana, counts as one word (a character is the usual unit of
length for Chinese), and Thai, Lao, Khmer and Myanmar runs count one word
per started eight characters. The rule keeps word counts of Chinese or
Japanese text on the scale of their length instead of counting a whole
paragraph as one word.

Languages
---------
:class:`LanguageDetector` answers with one of the card's languages only
when the text is written in a script those languages use and no other
language fits it better; otherwise it answers ``"und"`` (undetermined),
never the card's first language by default. See the class for the rule.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import ftfy

__all__ = [
    "compose",
    "fix_unicode",
    "normalize_nfc",
    "normalize_quotes",
    "normalize_whitespace",
    "remove_control_chars",
    "clean_text",
    "count_words",
    "DateParseError",
    "DateText",
    "DATE_ORDERS",
    "parse_date",
    "parse_date_precision",
    "LanguageDetector",
    "OutletResolver",
]

TextCleaner = Callable[[str], str]


def compose(*cleaners: TextCleaner) -> TextCleaner:
    """Chain cleaners left to right into one ``str -> str`` function.

    Examples
    --------
    >>> strip_then_upper = compose(str.strip, str.upper)
    >>> strip_then_upper("  kyiv ")
    'KYIV'
    """

    def chained(text: str) -> str:
        for cleaner in cleaners:
            text = cleaner(text)
        return text

    return chained


_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # the voice detector needs open/close quotes
    fix_character_width=False,  # full-width quotes are folded explicitly below
    fix_latin_ligatures=True,
    normalization="NFC",
    explain=False,
)


def fix_unicode(text: str) -> str:
    """Repair mojibake and HTML entities with ftfy, keeping quote marks.

    Examples
    --------
    >>> fix_unicode("Zelenskyyâ€™s address")
    'Zelenskyy’s address'
    >>> fix_unicode("“special military operation”")
    '“special military operation”'
    """
    # Plain ASCII without entities, escapes or CRs cannot hold anything ftfy
    # repairs; skipping it keeps ingest fast on English wire copy.
    if text.isascii() and not ("&" in text or "\r" in text or "\x1b" in text):
        return text
    return ftfy.fix_text(text, _FTFY_CONFIG)


def normalize_nfc(text: str) -> str:
    """Compose characters to Unicode NFC.

    Examples
    --------
    >>> len(normalize_nfc("e\\u0301"))
    1
    """
    return unicodedata.normalize("NFC", text)


_QUOTE_FOLDS = str.maketrans(
    {
        "\uff02": '"',
        "\uff07": "'",
        "\u201f": "\u201c",
        "\u301d": "\u201c",
        "\u301e": "\u201d",
        "\u301f": "\u201d",
        "\u201b": "\u2018",
        "\u2e42": "\u201e",
    }
)


def normalize_quotes(text: str) -> str:
    """Fold rare quotation-mark variants into the canonical set.

    Opening and closing forms stay distinct; see the module docstring.

    Examples
    --------
    >>> normalize_quotes("\\u201fwar\\u201d and \\uff02conflict\\uff02")
    '“war” and "conflict"'
    >>> normalize_quotes("«спецоперация»")
    '«спецоперация»'
    """
    return text.translate(_QUOTE_FOLDS)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")


def remove_control_chars(text: str) -> str:
    """Drop control characters and zero-width marks (keeps tab and newlines).

    Examples
    --------
    >>> remove_control_chars("Kyiv\\u200b\\x07 city")
    'Kyiv city'
    """
    return _CONTROL.sub("", text)


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_END = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
_ODD_LINE_END = re.compile(r"[\r\u2028\u2029\x85]")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_LINE_SPACE = re.compile(r" ?\n ?")


def normalize_whitespace(text: str) -> str:
    """Collapse spaces, unify line ends, keep paragraphs as one blank line.

    Examples
    --------
    >>> normalize_whitespace("  A\\u00a0 war.\\r\\n\\r\\n\\r\\n  Not  a crisis. ")
    'A war.\\n\\nNot a crisis.'
    """
    # Each substitution runs only when a cheap search finds work for it: most
    # texts have single spaces and no odd line ends, and ingest time matters.
    # In ASCII text the only odd line end is CR and the only odd space a tab,
    # which `in` finds faster than a character class.
    ascii_only = text.isascii()
    if "\r" in text if ascii_only else _ODD_LINE_END.search(text):
        text = _LINE_END.sub("\n", text)
    # Two searches, not one alternation: sre tries " {2}" at every offset.
    if "  " in text or ("\t" in text if ascii_only else _ODD_SPACE.search(text)):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
        text = _LINE_SPACE.sub("\n", text)
    return text.strip()


_clean_once: TextCleaner = compose(
    fix_unicode,
    normalize_nfc,
    normalize_quotes,
    remove_control_chars,
    normalize_whitespace,
)


def clean_text(text: str) -> str:
    """The default cleaning chain applied to titles and texts.

    :func:`fix_unicode`, :func:`normalize_nfc`, :func:`normalize_quotes`,
    :func:`remove_control_chars` and :func:`normalize_whitespace`, repeated
    until the text no longer changes (at most four rounds): a repair can
    expose another (mojibake behind a no-break space), and stored texts must
    be stable under cleaning, or their hashes would change.

    Examples
    --------
    >>> clean_text("  Russiaâ€™s  “special operation”   ")
    'Russia’s “special operation”'
    """
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


# Scripts written without spaces between words (see "Words" above).
_NO_SPACE_SCRIPTS = re.compile(
    "[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)
_HAN = re.compile(
    "[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)
_KANA_RUN = re.compile("[\u3040-\u30ff]+")
_SOUTHEAST_RUN = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")


def count_words(text: str) -> int:
    """Count words: whitespace-separated, with CJK and Thai counted apart.

    Every Han character and every run of kana is one word; Thai, Lao, Khmer
    and Myanmar runs count one word per started eight characters; the rest
    is split on whitespace (see "Words" in the module docstring).

    Examples
    --------
    >>> count_words("Russia's full-scale invasion of Ukraine")
    5
    >>> count_words("入侵开始了")
    5
    >>> count_words("Kyiv 基辅 city")
    4
    """
    if text.isascii() or not _NO_SPACE_SCRIPTS.search(text):
        return len(text.split())
    words = len(_HAN.findall(text)) + len(_KANA_RUN.findall(text))
    words += sum(-(-len(run) // 8) for run in _SOUTHEAST_RUN.findall(text))
    rest = _SOUTHEAST_RUN.sub(" ", _KANA_RUN.sub(" ", _HAN.sub(" ", text)))
    return words + len(rest.split())


class DateParseError(ValueError):
    """A date value could not be turned into a plausible UTC timestamp."""

    def __init__(self, value: object, reason: str, code: str = "unparseable_date"):
        self.value = value
        self.code = code
        super().__init__(f"{reason}: {value!r}")


_MIN_YEAR, _MAX_YEAR = 1800, 2100

#: Day/month orders a card's ``date_order`` may name.
DATE_ORDERS = ("DMY", "MDY", "YMD")


class DateText(str):
    """A date string that knows the day/month order of its file column.

    Readers wrap numeric dates (``02/01/2022``) in this type after looking
    at every value of the column, and a card's ``date_order`` overrides what
    they found; :func:`parse_date` reads the value in that order. It is an
    ordinary string everywhere else.

    Parameters
    ----------
    value : str
        The date as written.
    order : str
        ``"DMY"``, ``"MDY"`` or ``"YMD"``; ``"ambiguous"`` when no value of
        the column decides it; ``"mixed"`` when values decide both ways.
    column : str
        The column (source field) the value came from, for messages.
    declared : bool
        Whether ``order`` comes from the card rather than from the column.

    Examples
    --------
    >>> value = DateText("02/01/2022", order="DMY", column="date")
    >>> value == "02/01/2022", value.order
    (True, 'DMY')
    >>> parse_date(value)
    datetime.datetime(2022, 1, 2, 0, 0, tzinfo=datetime.timezone.utc)
    """

    order: str
    column: str
    declared: bool

    def __new__(
        cls, value: str, *, order: str, column: str = "?", declared: bool = False
    ) -> DateText:
        self = super().__new__(cls, value)
        self.order = order
        self.column = column
        self.declared = declared
        return self

    def __reduce__(self) -> Any:
        return (str, (str(self),))


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> timezone | ZoneInfo:
    if name.upper() == "UTC":
        return UTC
    return ZoneInfo(name)


@functools.lru_cache(maxsize=1)
def _dateparser() -> Any:
    import dateparser

    return dateparser


def parse_date(
    value: object,
    *,
    default_timezone: str = "UTC",
    formats: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> datetime | None:
    """Parse a source date into a time-zone aware UTC ``datetime``.

    A value with a time of day and no zone is read in ``default_timezone``.
    A value with no time of day (``2025-01-01``, ``1 January 2025``) stays
    on its calendar day: it becomes 00:00 UTC of that day whatever the
    zone, so a day-only date never moves into the previous day, month or
    year (:func:`parse_date_precision` also says which kind it was).

    Parameters
    ----------
    value : object
        A string, ``datetime``, ``date`` or pandas ``Timestamp``.
    default_timezone : str
        IANA zone assumed for values with a time of day and no zone.
    formats : iterable of str, optional
        ``strptime`` formats tried before the general parser.
    languages : iterable of str, optional
        Language codes passed to ``dateparser`` for month names.

    Returns
    -------
    datetime or None
        ``None`` when the value is empty.

    Raises
    ------
    DateParseError
        The value is not a date, or lies outside 1800-2099.

    Examples
    --------
    >>> parse_date("2022-02-24T03:00:00Z")
    datetime.datetime(2022, 2, 24, 3, 0, tzinfo=datetime.timezone.utc)
    >>> parse_date("September 30, 2022 10:15", default_timezone="America/New_York")
    datetime.datetime(2022, 9, 30, 14, 15, tzinfo=datetime.timezone.utc)
    >>> parse_date("1 January 2025", default_timezone="Europe/Moscow")
    datetime.datetime(2025, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_date("") is None
    True
    >>> parse_date("not a date")
    Traceback (most recent call last):
    ...
    framing.normalize.DateParseError: not a date: 'not a date'
    """
    return parse_date_precision(
        value, default_timezone=default_timezone, formats=formats, languages=languages
    )[0]


#: A time of day in a date string: ``10:15``, ``3 pm``, ISO ``T10``, or a
#: Unix timestamp (seconds since 1970).
_HAS_TIME = re.compile(
    r"\d:\d\d|\d\s*[ap]\.?\s?m\b\.?|\dT\d|^\d{9,}(?:\.\d+)?$", re.IGNORECASE
)
_TIME_DIRECTIVES = re.compile(r"%[HIMSfpXcTRsz]")


def parse_date_precision(
    value: object,
    *,
    default_timezone: str = "UTC",
    formats: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> tuple[datetime | None, str | None]:
    """Parse a source date; also say whether it had a time of day.

    Takes the arguments of :func:`parse_date` and returns its result with
    the precision: ``"time"`` for a value with a time of day (or a zone),
    ``"day"`` for a calendar day alone, kept as 00:00 UTC of that day.
    A ``date``, and a ``datetime`` with no zone at exactly midnight (what
    spreadsheets give for date cells), count as days.

    Examples
    --------
    >>> parse_date_precision("2025-01-01", default_timezone="Europe/Moscow")
    (datetime.datetime(2025, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), 'day')
    >>> parse_date_precision("2025-01-01 10:00", default_timezone="Europe/Moscow")
    (datetime.datetime(2025, 1, 1, 7, 0, tzinfo=datetime.timezone.utc), 'time')
    >>> parse_date_precision(None)
    (None, None)
    """
    if _is_missing(value):
        return None, None
    zone = _zone(default_timezone)
    parsed: datetime | None = None
    precision = "time"
    if isinstance(value, datetime):
        parsed = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        if parsed.tzinfo is None and parsed.time() == datetime.min.time():
            precision = "day"
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
        precision = "day"
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        carrier = value if isinstance(value, DateText) else None
        parsed, has_time = _parse_date_string(
            text, formats, languages, default_timezone, carrier
        )
        if not has_time and parsed.tzinfo is None:
            precision = "day"
    else:
        raise DateParseError(value, "not a date value", "invalid_value")
    if precision == "day":
        # The calendar day as written, not shifted by the card's zone.
        parsed = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    elif parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 with an offset
        raise DateParseError(value, "outside 1800-2099", "implausible_date") from exc
    if not _MIN_YEAR <= parsed.year < _MAX_YEAR:
        raise DateParseError(value, "outside 1800-2099", "implausible_date")
    return parsed, precision


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        # pandas.NA refuses to be a truth value
        return type(value).__name__ in {"NAType", "NaTType"}


def _parse_date_string(
    text: str,
    formats: Iterable[str] | None,
    languages: Iterable[str] | None,
    default_timezone: str,
    carrier: DateText | None = None,
) -> tuple[datetime, bool]:
    """The parsed value, and whether the text gave a time of day."""
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    has_time = _HAS_TIME.search(text) is not None
    try:
        return datetime.fromisoformat(iso), has_time
    except ValueError:
        pass
    for fmt in formats or ():
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed, _TIME_DIRECTIVES.search(fmt) is not None
    if not any(ch.isdigit() for ch in text):
        raise DateParseError(text, "not a date")
    if not text[0].isalnum():
        raise DateParseError(
            text, f"{text[0]!r} before the date (garbage prefix); fix the source"
        )
    numeric = _NUMERIC_DATE.match(text)
    if numeric is not None:
        text = _reorder_numeric(numeric, carrier)
    settings = {
        "TIMEZONE": default_timezone,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
        # Missing parts are not filled in from the day of the build: a value
        # without a day, month or year is rejected instead.
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    parse = _dateparser().parse
    chosen = list(languages) if languages else None
    result = parse(text, languages=chosen, settings=settings)
    if result is None:
        if parse(text, languages=chosen, settings={**settings, "REQUIRE_PARTS": []}):
            raise DateParseError(
                text,
                "no day, month or year (a lone number beside a month name could "
                "be the day or the year); write the full date",
                "incomplete_date",
            )
        raise DateParseError(text, "not a date")
    return result, has_time


# day-or-month, separator, day-or-month, same separator, year (2 or 4 digits),
# then a time or the end; or a four-digit year first.
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?P<rest>(?:[ T,].*)?)$"
)


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        # The POSIX strptime pivot (%y): 69-99 are 1900s, 00-68 2000s.
        year += 1900 if year >= 69 else 2000
    return year


def _reorder_numeric(match: re.Match[str], carrier: DateText | None) -> str:
    """Rewrite a numeric date as ISO year-month-day, or say why not."""
    text = match.string
    a, b, c = match.group("a"), match.group("b"), match.group("c")
    order = carrier.order if carrier is not None else None
    column = f" in column {carrier.column!r}" if carrier is not None else ""
    if len(a) == 4 or len(a) == 3:
        if len(c) > 2:
            raise DateParseError(text, "not a date")
        year, month, day = int(a), int(b), int(c)
    elif len(c) not in (2, 4):
        raise DateParseError(text, "not a date")
    elif order == "YMD":
        year, month, day = _full_year(a), int(b), int(c)
        if len(c) == 4:
            raise DateParseError(
                text, f"not a year-month-day date{column} (date_order = 'YMD')"
            )
    elif order in ("DMY", "MDY"):
        day, month = (int(a), int(b)) if order == "DMY" else (int(b), int(a))
        year = _full_year(c)
        if month > 12 or day > 31:
            source = (
                "the card's date_order"
                if carrier and carrier.declared
                else "the other values of its column"
            )
            raise DateParseError(
                text,
                f"not a valid {order} date{column}, the order set by {source}",
                "unparseable_date",
            )
    else:
        first, second = int(a), int(b)
        if first > 12 and second <= 12:
            day, month = first, second
        elif second > 12 and first <= 12:
            day, month = second, first
        elif first == second:
            day = month = first
        else:
            why = (
                "its column holds both day-first and month-first dates"
                if order == "mixed"
                else "no value of its column has a day over 12"
                if order == "ambiguous"
                else "nothing says whether the day or the month comes first"
            )
            raise DateParseError(
                text,
                f"ambiguous day/month order{column}: {why}; set date_order = "
                "'DMY' or 'MDY' in the card's [files.mapping]",
                "ambiguous_date",
            )
        year = _full_year(c)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise DateParseError(text, "not a date")
    return f"{year:04d}-{month:02d}-{day:02d}{match.group('rest')}"


# Letters by script, for the script check of LanguageDetector.
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "Latin": re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"),
    "Cyrillic": re.compile("[\u0400-\u052f]"),
    "Greek": re.compile("[\u0370-\u03ff]"),
    "Han": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "Kana": re.compile("[\u3040-\u30ff]"),
    "Hangul": re.compile("[\u1100-\u11ff\uac00-\ud7af]"),
    "Arabic": re.compile("[\u0600-\u06ff\u0750-\u077f]"),
    "Hebrew": re.compile("[\u0590-\u05ff]"),
    "Devanagari": re.compile("[\u0900-\u097f]"),
    "Thai": re.compile("[\u0e00-\u0e7f]"),
    "Georgian": re.compile("[\u10a0-\u10ff]"),
    "Armenian": re.compile("[\u0530-\u058f]"),
}
_LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("ru", "uk", "be", "bg", "mk", "kk", "mn", "tg", "ky"), frozenset({"Cyrillic"})
    ),
    "sr": frozenset({"Cyrillic", "Latin"}),
    "el": frozenset({"Greek"}),
    "zh": frozenset({"Han"}),
    "ja": frozenset({"Han", "Kana"}),
    "ko": frozenset({"Hangul", "Han"}),
    **dict.fromkeys(("ar", "fa", "ur"), frozenset({"Arabic"})),
    "he": frozenset({"Hebrew"}),
    **dict.fromkeys(("hi", "mr"), frozenset({"Devanagari"})),
    "th": frozenset({"Thai"}),
    "ka": frozenset({"Georgian"}),
    "hy": frozenset({"Armenian"}),
}
# Other languages of the same script that a text may really be in; a text
# is "und" when one of these fits it better than the card's languages.
_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "Latin": ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "cs", "ro"),
    "Cyrillic": ("ru", "uk", "be", "bg", "sr", "mk", "kk"),
}


def _letters_outside(first: int, last: int, alphabet: str) -> re.Pattern[str]:
    """A pattern of the letters from ``first`` to ``last`` not in ``alphabet``."""
    allowed = set(alphabet) | set(alphabet.upper())
    outside = "".join(chr(c) for c in range(first, last + 1) if chr(c) not in allowed)
    return re.compile(f"[{re.escape(outside)}]")


# Letters of a script that a language's own alphabet lacks: seeing one is
# what makes the detector check the neighbours (e.g. Ukrainian "ї" in a
# Russian-only corpus). Languages not listed are always checked.
_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_UK = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_FOREIGN_LETTERS: dict[str, re.Pattern[str]] = {
    "en": _letters_outside(0x00C0, 0x024F, ""),
    "ru": _letters_outside(0x0400, 0x052F, _RU),
    "uk": _letters_outside(0x0400, 0x052F, _UK),
}


def _dominant_script(sample: str) -> str | None:
    """The script of most letters in ``sample``; ``None`` without letters."""
    if sample.isascii():
        return "Latin" if _SCRIPTS["Latin"].search(sample) else None
    counts = {name: len(p.findall(sample)) for name, p in _SCRIPTS.items()}
    name, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        return None
    if name in ("Kana", "Han") and counts["Kana"] * 10 >= counts["Han"]:
        return "Kana"  # Japanese mixes kana with Han characters
    return name


class LanguageDetector:
    """Detect a text's language among a card's languages, or say ``"und"``.

    The rule, in order:

    1. Texts shorter than ``min_chars`` (or without letters) are ``"und"``.
    2. The script of most letters (Latin, Cyrillic, Han, ...) must be one
       that a candidate language is written in; a Chinese text in an
       English corpus is ``"und"``, not English.
    3. Among several candidates, lingua chooses.
    4. The choice (or the only candidate) is checked against other common
       languages of the same script when the text holds letters outside
       that language's alphabet (any accented letter for English, ``ї`` or
       ``ў`` for Russian; always, for languages without a listed alphabet).
       If another language fits better, the text is ``"und"``.

    Parameters
    ----------
    languages : sequence of str
        ISO 639-1 codes to choose among; fewer languages are faster and
        more accurate.
    sample_chars : int
        Only the first ``sample_chars`` characters are examined.
    min_chars : int
        Shorter texts are ``"und"`` (undetermined).

    Examples
    --------
    >>> detect = LanguageDetector(languages=("en", "ru", "uk"))
    >>> detect("The invasion began before dawn on Thursday.")
    'en'
    >>> detect("Вторгнення почалося вранці в четвер, і люди ховалися.")
    'uk'
    >>> detect("ok")
    'und'
    >>> detect("入侵在星期四黎明前开始，人们躲在地铁站里。")
    'und'
    >>> russian_only = LanguageDetector(languages=("ru",))
    >>> russian_only("Вторгнення почалося вранці в четвер, і люди ховалися.")
    'und'
    """

    def __init__(
        self,
        *,
        languages: tuple[str, ...] = ("en", "ru", "uk", "de", "fr", "es", "pl"),
        sample_chars: int = 600,
        min_chars: int = 12,
    ) -> None:
        self.languages = languages
        self.sample_chars = sample_chars
        self.min_chars = min_chars

    @functools.cached_property
    def _scripts(self) -> frozenset[str]:
        return frozenset().union(
            *(
                _LANGUAGE_SCRIPTS.get(code, frozenset({"Latin"}))
                for code in self.languages
            )
        )

    @functools.cached_property
    def _detector(self) -> Any:
        if len(self.languages) == 1:
            return None
        return _lingua_detector(tuple(self.languages))

    @functools.cached_property
    def _wide_detector(self) -> Any:
        neighbours = {
            code for script in self._scripts for code in _NEIGHBOURS.get(script, ())
        }
        return _lingua_detector(tuple(sorted(neighbours | set(self.languages))))

    def __call__(self, text: str) -> str:
        sample = text[: self.sample_chars]
        if len(sample.strip()) < self.min_chars:
            return "und"
        script = _dominant_script(sample)
        if script is None or script not in self._scripts:
            return "und"
        if self._detector is None:
            code = self.languages[0]
        else:
            language = self._detector.detect_language_of(sample)
            if language is None:
                return "und"
            code = str(language.iso_code_639_1.name.lower())
        if _LANGUAGE_SCRIPTS.get(code, frozenset({"Latin"})).isdisjoint({script}):
            return "und"
        foreign = _FOREIGN_LETTERS.get(code)
        if foreign is not None and not foreign.search(sample):
            return code
        wide = self._wide_detector
        if wide is None:
            return code
        language = wide.detect_language_of(sample)
        if language is None:
            return "und"
        best = str(language.iso_code_639_1.name.lower())
        return best if best in self.languages else "und"


@functools.lru_cache(maxsize=16)
def _lingua_detector(codes: tuple[str, ...]) -> Any:
    """A lingua detector for ``codes`` (those lingua knows); ``None`` if < 2."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    known = [
        getattr(IsoCode639_1, code.upper())
        for code in codes
        if hasattr(IsoCode639_1, code.upper())
    ]
    if len(known) < 2:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*known).build()


class OutletResolver:
    """Map outlet names, domains and URLs to one canonical outlet name.

    Parameters
    ----------
    aliases : mapping of str to sequence of str
        Canonical name -> names and domains that mean it. Matching ignores
        case and a leading ``www.``.

    Examples
    --------
    >>> resolve = OutletResolver(aliases={"kremlin": ["en.kremlin.ru", "Kremlin"]})
    >>> resolve("http://en.kremlin.ru/events/president/news/68700")
    'kremlin'
    >>> resolve("KREMLIN")
    'kremlin'
    >>> resolve("https://www.reuters.com/world/")
    'reuters.com'
    """

    def __init__(self, *, aliases: Mapping[str, Iterable[str]] | None = None):
        self.aliases = aliases
        self._lookup: dict[str, str] = {}
        for canonical, names in (aliases or {}).items():
            self._lookup[self._key(canonical)] = canonical
            for name in names:
                self._lookup[self._key(name)] = canonical

    @staticmethod
    def _key(name: str) -> str:
        key = name.strip().lower()
        if "://" in key:
            # A malformed URL ("http://[broken") stays a plain name.
            with contextlib.suppress(ValueError):
                key = urlsplit(key).hostname or key
        return key.removeprefix("www.").rstrip("/")

    def __call__(self, value: str) -> str:
        key = self._key(value)
        if key in self._lookup:
            return self._lookup[key]
        # Subdomains of a registered domain belong to it (edition.cnn.com).
        parts = key.split(".")
        for start in range(1, len(parts) - 1):
            parent = ".".join(parts[start:])
            if parent in self._lookup:
                return self._lookup[parent]
        return key if "." in key else value.strip()
