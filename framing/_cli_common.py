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
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from .errors import FramingError

if TYPE_CHECKING:
    from .subsets import Subset

__all__ = [
    "console",
    "err_console",
    "user_errors",
    "friendly_errors",
    "StartOpt",
    "EndOpt",
    "OutletOpt",
    "ExcludeOutletOpt",
    "GroupOpt",
    "FreqOpt",
    "subset_from_options",
]

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


# --- subsets: the options of every command that reads a corpus --------------

StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        help="Only documents from this date on (YYYY-MM-DD or ISO date-time, UTC).",
    ),
]
EndOpt = Annotated[
    str | None,
    typer.Option("--end", help="Only documents before this date (exclusive)."),
]
OutletOpt = Annotated[
    list[str] | None,
    typer.Option("--outlet", help="Only this outlet (repeat, or a,b,c)."),
]
ExcludeOutletOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-outlet", help="Leave out this outlet (repeat, or a,b)."),
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        help="Group outlets into a source: NAME=outlet1,outlet2 (repeat per group).",
    ),
]
FreqOpt = Annotated[
    str,
    typer.Option(
        "--freq", help="Period: D (days), W (weeks), M (months), Q (quarters), Y."
    ),
]


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [name.strip() for value in values for name in value.split(",") if name]


def subset_from_options(
    start: str | None = None,
    end: str | None = None,
    outlet: list[str] | None = None,
    exclude_outlet: list[str] | None = None,
    group: list[str] | None = None,
) -> Subset | None:
    """The :class:`~framing.subsets.Subset` of the subset options (None: all).

    Examples
    --------
    >>> subset_from_options(group=["Russian state=tass,mod"]).groups
    {'Russian state': ('tass', 'mod')}
    >>> subset_from_options() is None
    True
    """
    from .subsets import Subset, SubsetError

    groups: dict[str, list[str]] | None = None
    for value in group or ():
        label, sep, members = value.partition("=")
        if not sep or not label.strip() or not members.strip():
            raise SubsetError(
                f"--group {value!r}: write NAME=outlet1,outlet2 (one --group per "
                "source)"
            )
        groups = groups or {}
        if label.strip() in groups:
            raise SubsetError(f"--group: the group {label.strip()!r} is given twice")
        groups[label.strip()] = _split([members]) or []
    subset = Subset(
        start=start,
        end=end,
        outlets=_split(outlet),
        exclude_outlets=_split(exclude_outlet),
        groups=groups,
    )
    return None if subset.is_everything else subset


# --- compute: where the long stages run -------------------------------------

ComputeOpt = Annotated[
    str | None,
    typer.Option(
        "--compute",
        help="Where detection runs: serial, processes (local workers) or dask. "
        "Outputs are the same whichever runs them.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", help="Worker processes (default: all usable CPUs)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of a running dask.distributed scheduler (with --compute dask).",
    ),
]


def compute_from_options(
    mode: str | None, workers: int | None, scheduler: str | None
) -> Any:
    """A :class:`framing.compute.Compute` from the options (None: not given)."""
    from .compute import Compute

    if mode is None and workers is None and scheduler is None:
        return None
    if mode is None:
        mode = "dask" if scheduler else "processes"
    return Compute(mode=mode, workers=workers, scheduler=scheduler)
