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
    "parse_date",
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
_ASCII_NEEDS_FTFY = re.compile(r"[&\x1b\r]")


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
    if text.isascii() and not _ASCII_NEEDS_FTFY.search(text):
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
_SPACE_WORK = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]| {2}")
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
    if _ODD_LINE_END.search(text):
        text = _LINE_END.sub("\n", text)
    if _SPACE_WORK.search(text):
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


def count_words(text: str) -> int:
    """Count whitespace-separated words.

    Examples
    --------
    >>> count_words("Russia's full-scale invasion of Ukraine")
    5
    """
    return len(text.split())


class DateParseError(ValueError):
    """A date value could not be turned into a plausible UTC timestamp."""

    def __init__(self, value: object, reason: str, code: str = "unparseable_date"):
        self.value = value
        self.code = code
        super().__init__(f"{reason}: {value!r}")


_MIN_YEAR, _MAX_YEAR = 1800, 2100


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

    Parameters
    ----------
    value : object
        A string, ``datetime``, ``date`` or pandas ``Timestamp``.
    default_timezone : str
        IANA zone assumed for values without one.
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
    >>> parse_date("September 30, 2022", default_timezone="America/New_York")
    datetime.datetime(2022, 9, 30, 4, 0, tzinfo=datetime.timezone.utc)
    >>> parse_date("") is None
    True
    >>> parse_date("not a date")
    Traceback (most recent call last):
    ...
    framing.normalize.DateParseError: not a date: 'not a date'
    """
    if _is_missing(value):
        return None
    zone = _zone(default_timezone)
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        parsed = _parse_date_string(text, formats, languages, default_timezone)
    else:
        raise DateParseError(value, "not a date value", "invalid_value")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 with an offset
        raise DateParseError(value, "outside 1800-2099", "implausible_date") from exc
    if not _MIN_YEAR <= parsed.year < _MAX_YEAR:
        raise DateParseError(value, "outside 1800-2099", "implausible_date")
    return parsed


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
) -> datetime:
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in formats or ():
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    if not any(ch.isdigit() for ch in text):
        raise DateParseError(text, "not a date")
    settings = {
        "TIMEZONE": default_timezone,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
        "REQUIRE_PARTS": ["year"],
    }
    result = _dateparser().parse(
        text, languages=list(languages) if languages else None, settings=settings
    )
    if result is None:
        raise DateParseError(text, "not a date")
    return result


class LanguageDetector:
    """Detect a text's language among a fixed set, with lingua.

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
    def _detector(self) -> Any:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, code.upper()) for code in self.languages]
        if len(codes) == 1:
            return None
        return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def __call__(self, text: str) -> str:
        sample = text[: self.sample_chars]
        if len(sample.strip()) < self.min_chars:
            return "und"
        if self._detector is None:
            return self.languages[0]
        language = self._detector.detect_language_of(sample)
        if language is None:
            return "und"
        return str(language.iso_code_639_1.name.lower())


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
