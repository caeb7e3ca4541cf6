"""What every ``framing`` sub-command shares: consoles and error reporting.

Errors the toolkit raises on purpose (and, where a command says so, input
errors such as ``ValueError``) are printed as one line, with exit code 1 and
no traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from .errors import FramingError

__all__ = ["console", "err_console", "user_errors", "friendly_errors"]

# Piped output (CI logs, `make demo | tee`) gets wide tables instead of 80 columns.
_WIDTH = None if sys.stdout.isatty() else 160
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def user_errors(*also: type[Exception]) -> Iterator[None]:
    """Report :class:`FramingError` (and ``also``) as ``error: ...``, exit 1."""
    caught: tuple[type[BaseException], ...] = (FramingError, *also)
    try:
        yield
    except caught as exc:
        # Messages quote TOML keys such as "[study] seed": escape them from markup.
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False
        )
        raise typer.Exit(code=1) from exc


def friendly_errors(*also: type[Exception]) -> Callable[[F], F]:
    """Decorator form of :func:`user_errors` for typer commands."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with user_errors(*also):
                return command(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
