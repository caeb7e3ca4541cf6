"""Exceptions raised by the toolkit.

Every file-level failure names the file and says how to fix it, so that a
researcher reading a traceback in a notebook knows what to do next.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "FramingError",
    "SourceError",
    "HashMismatchError",
    "DataUnavailableError",
    "CardError",
    "MappingError",
    "CacheDamageWarning",
]


class FramingError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class CacheDamageWarning(UserWarning):
    """A cached result differed from its recorded sha256 and was rebuilt."""


class SourceError(FramingError):
    """A whole input file cannot be read.

    Parameters
    ----------
    path : str or Path
        The file that failed.
    problem : str
        What is wrong with it.
    fix : str
        What the user can do about it.
    """

    def __init__(self, path: str | Path, problem: str, fix: str) -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}. Fix: {fix}")


class HashMismatchError(SourceError):
    """A downloaded or mirrored file does not have the registered sha256."""

    def __init__(self, path: str | Path, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            path,
            f"sha256 mismatch: expected {expected}, got {actual}",
            "the file is not the registered upstream file; delete it and fetch "
            "again, or correct the mirror copy (raw data must stay byte-identical)",
        )


class DataUnavailableError(FramingError):
    """A registered file is neither in the mirror nor downloadable."""


class CardError(FramingError):
    """A corpus card is invalid; the message names the file and the key."""


class MappingError(CardError):
    """A column mapping is invalid."""
