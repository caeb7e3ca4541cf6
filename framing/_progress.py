"""Progress bars that render in a terminal and in JupyterLab (rich)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress | None]:
    """A rich ``Progress`` (or ``None`` when disabled) for several tasks."""
    if not enabled:
        yield None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )
    with progress:
        yield progress


def track(
    items: Iterable[T],
    progress: Progress | None,
    description: str,
    total: int | None = None,
    every: int = 200,
) -> Iterator[T]:
    """Iterate ``items``, advancing a task of ``progress`` every ``every`` items."""
    if progress is None:
        yield from items
        return
    task = progress.add_task(description, total=total)
    pending = 0
    for item in items:
        yield item
        pending += 1
        if pending >= every:
            progress.advance(task, pending)
            pending = 0
    progress.advance(task, pending)
    progress.update(task, total=progress.tasks[task].completed)
