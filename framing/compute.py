"""Where the stages run: in this process, on local processes, or on Dask.

A :class:`Compute` setting is given to the Python API (``compute=``), the
CLI (``--compute``, ``--workers``, ``--scheduler``) and a study's
``[compute]`` section. Every setting gives the same results: work is cut
into the same parts in the same order as the serial run, and the parts'
results are taken back in that order, so tables and stores are
byte-identical whichever setting ran them.

``serial``
    Everything in this process (the default).
``processes``
    A pool of local worker processes (``workers``, default: the usable
    CPUs). Workers start fresh (``spawn``), so nothing of this process but
    what a stage sends them is shared.
``dask``
    A ``dask.distributed`` cluster: the scheduler at ``scheduler`` (for
    example ``tcp://10.0.0.5:8786``), or a ``LocalCluster`` of ``workers``
    processes when no address is given. Needs the ``dask`` extra
    (``pip install "framing[dask]"``).

At most a few parts per worker are in flight at a time, so memory stays
bounded whatever the corpus size. A worker that dies or a part that fails
stops the stage with :class:`ComputeError`; stages write their outputs
atomically, so nothing half-written is left behind.

Examples
--------
>>> settings = Compute.from_config({"mode": "processes", "workers": 2})
>>> settings.describe()
'processes (2 workers)'
>>> list(ordered_map(len, ["a", "bb", "ccc"], Compute()))
[1, 2, 3]
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import FramingError

__all__ = ["MODES", "Compute", "ComputeError", "kept_workers", "ordered_map"]

MODES = ("serial", "processes", "dask")
_IN_FLIGHT_PER_WORKER = 2

T = TypeVar("T")
R = TypeVar("R")


class ComputeError(FramingError):
    """A compute setting is wrong, or a worker failed while running a stage."""


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, else the count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Compute:
    """An execution setting.

    Parameters
    ----------
    mode : {"serial", "processes", "dask"}, default "serial"
    workers : int, optional
        Worker processes for ``processes`` and for a local Dask cluster
        (default: the usable CPUs).
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler; ``mode`` must
        be ``dask``.
    """

    mode: str = "serial"
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ComputeError(
                f"compute mode {self.mode!r} is not one of {', '.join(MODES)}. "
                "Fix: choose serial, processes or dask"
            )
        if self.workers is not None and (
            isinstance(self.workers, bool)
            or not isinstance(self.workers, int)
            or self.workers < 1
        ):
            raise ComputeError(
                f"compute workers {self.workers!r} is not a positive whole number. "
                "Fix: give workers = 1 or more, or leave it out for all CPUs"
            )
        if self.scheduler is not None and self.mode != "dask":
            raise ComputeError(
                f"a scheduler address ({self.scheduler}) needs mode 'dask', not "
                f"{self.mode!r}. Fix: set mode = 'dask' or drop the address"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Compute:
        """A setting from a study's ``[compute]`` table (or ``None``)."""
        config = dict(config or {})
        unknown = sorted(set(config) - {"mode", "workers", "scheduler"})
        if unknown:
            raise ComputeError(
                f"[compute] has unknown key(s) {unknown}. "
                "Fix: use mode, workers and scheduler only"
            )
        return cls(
            mode=str(config.get("mode", "serial")),
            workers=config.get("workers"),
            scheduler=config.get("scheduler"),
        )

    @property
    def n_workers(self) -> int:
        """Workers the setting runs (1 for serial)."""
        if self.mode == "serial":
            return 1
        return self.workers or usable_cpus()

    def describe(self) -> str:
        """A short description for progress lines and manifests."""
        if self.mode == "serial":
            return "serial"
        if self.mode == "dask" and self.scheduler:
            return f"dask (scheduler {self.scheduler})"
        where = "local Dask cluster, " if self.mode == "dask" else ""
        return f"{self.mode} ({where}{self.n_workers} workers)"

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "workers": self.workers, "scheduler": self.scheduler}


def ordered_map(
    function: Callable[..., R],
    items: Iterable[T],
    compute: Compute | None = None,
    *,
    setup: Callable[..., Any] | None = None,
    setup_args: tuple[Any, ...] = (),
) -> Iterator[R]:
    """``map(function, items)`` under a compute setting, results in order.

    With ``setup``, each worker builds a state once, ``setup(*setup_args)``
    (here, in serial mode), and parts run as ``function(state, item)``: a
    large object such as a fitted detector travels once per worker, not
    with every part, and no global is shared between stages. ``function``
    and ``setup`` must be importable module-level functions (workers import
    them). Items are read lazily: at most two parts per worker are in
    flight.

    Examples
    --------
    >>> list(ordered_map(abs, [-2, 3, -4]))
    [2, 3, 4]
    >>> list(ordered_map(pow, [2, 3], setup=int, setup_args=("10",)))
    [100, 1000]
    """
    compute = compute or Compute()
    if compute.mode == "serial":
        if setup is None:
            yield from map(function, items)
        else:
            state = setup(*setup_args)
            for item in items:
                yield function(state, item)
        return
    token = uuid.uuid4().hex
    kept = _KEPT.get(compute)
    if compute.mode == "processes":
        try:
            with _process_pool(compute, token, setup, setup_args, kept) as (
                submit,
                alive,
            ):
                yield from _in_order(
                    submit, function, items, compute.n_workers, alive=alive
                )
        except BrokenProcessPool as exc:
            raise _worker_died() from exc
        return
    with _dask_client(compute, token, setup, setup_args, kept) as submit:
        yield from _in_order(submit, function, items, compute.n_workers)


# Pools and Dask clients kept open by `kept_workers`, by setting.
_KEPT: dict[Compute, Any] = {}


@contextmanager
def kept_workers(compute: Compute | None) -> Iterator[None]:
    """Run every :func:`ordered_map` of ``compute`` in the block on one set
    of workers.

    A stage of several passes (topic preparation has four) would otherwise
    start its workers, and import the toolkit in each, once per pass. Each
    pass still sends its own set-up; a worker drops the previous pass's
    state when the next pass's first part reaches it. Serial settings and
    nested blocks change nothing.

    Examples
    --------
    >>> with kept_workers(Compute()):
    ...     list(ordered_map(abs, [-1, 2]))
    [1, 2]
    """
    if compute is None or compute.mode == "serial" or compute in _KEPT:
        yield
        return
    if compute.mode == "processes":
        opened: Any = _new_process_pool(compute)
    else:
        opened = _open_dask(compute)
    _KEPT[compute] = opened
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        del _KEPT[compute]
        if compute.mode == "processes":
            _close_process_pool(opened, failed)
        else:
            _close_dask(*opened)


# A worker's states, by stage token: built once per worker by its stage's
# setup, dropped when the stage ends.
_STATES: dict[str, Any] = {}


def _install_state(
    token: str, setup: Callable[..., Any] | None, setup_args: tuple[Any, ...]
) -> None:
    if setup is not None and token not in _STATES:
        _STATES[token] = setup(*setup_args)


def _install_state_from(token: str, path: str) -> None:
    """Build a worker's state from the set-up pickled at ``path``."""
    with open(path, "rb") as handle:
        setup, setup_args = pickle.load(handle)
    _install_state(token, setup, setup_args)


def _drop_state(token: str) -> None:
    _STATES.pop(token, None)


def _with_state(
    token: str,
    setup: tuple[Callable[..., Any], tuple[Any, ...]] | str | bool | None,
    function: Callable[..., Any],
    item: Any,
) -> Any:
    """Run one part: ``function(item)`` without a state (``setup`` None),
    else ``function(state, item)``. ``True``: the pool's initializer built
    the state; a ``(setup, args)`` pair: build it here if this worker has
    not yet (a Dask worker that joined or restarted mid-stage); a path: a
    kept pool's worker builds it from that file (see :func:`kept_workers`)."""
    if setup is None:
        return function(item)
    if token not in _STATES:
        if isinstance(setup, str):
            # A kept pool: this pass's set-up file; earlier passes are done.
            _STATES.clear()
            _install_state_from(token, setup)
        elif isinstance(setup, tuple):
            _install_state(token, *setup)
    return function(_STATES[token], item)


def _in_order(
    submit: Callable[..., Any],
    function: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int,
    *,
    alive: Callable[[], bool] | None = None,
) -> Iterator[Any]:
    pending: deque[Any] = deque()  # concurrent.futures or Dask futures
    limit = max(1, workers * _IN_FLIGHT_PER_WORKER)
    try:
        for item in items:
            pending.append(submit(function, item))
            if len(pending) >= limit:
                yield _result(pending.popleft(), alive)
        while pending:
            yield _result(pending.popleft(), alive)
    finally:
        for future in pending:
            future.cancel()


def _worker_died() -> ComputeError:
    return ComputeError(
        "a worker process died while running this stage (killed, or out "
        "of memory); nothing was written. Fix: re-run, with fewer workers "
        "or more memory per worker"
    )


def _result(future: Any, alive: Callable[[], bool] | None = None) -> Any:
    try:
        if alive is None:
            return future.result()
        while True:
            # A worker killed while it starts can leave the pool waiting for
            # ever; look at the workers while waiting.
            try:
                return future.result(timeout=0.5)
            except FuturesTimeout:
                if not alive():
                    raise _worker_died() from None
    except FramingError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith("distributed"):
            raise ComputeError(
                f"the Dask cluster failed while running this stage ({exc}); "
                "nothing was written. Fix: check the workers' logs and re-run"
            ) from exc
        raise


@contextmanager
def _process_pool(
    compute: Compute,
    token: str,
    setup: Callable[..., Any] | None,
    setup_args: tuple[Any, ...],
    kept: ProcessPoolExecutor | None = None,
) -> Iterator[tuple[Callable[..., Future[Any]], Callable[[], bool]]]:
    # The set-up (a fitted detector can be megabytes) reaches the workers
    # through a file, not with the process start data: a spawned process
    # that dies before reading all of its start data leaves the parent
    # blocked writing it, for ever (the start pipe stays open in the parent
    # while it writes).
    handle, setup_path = tempfile.mkstemp(prefix="framing-setup-", suffix=".pkl")
    with os.fdopen(handle, "wb") as file:
        pickle.dump((setup, setup_args), file, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        pool = kept or _new_process_pool(compute, token, setup_path)
    except BaseException:
        os.unlink(setup_path)
        raise
    # A pool of its own builds the state in its initializer; a kept pool's
    # workers build it from the file at their first part of this pass.
    has_state: str | bool | None = None
    if setup is not None:
        has_state = setup_path if kept is not None else True

    def submit(function: Callable[..., Any], item: Any) -> Future[Any]:
        return pool.submit(_with_state, token, has_state, function, item)

    def alive() -> bool:
        # Workers only exit when the pool shuts down; one that exited before
        # has died. (The pool's process table is private, so read it gently.)
        processes = getattr(pool, "_processes", None) or {}
        return all(process.exitcode is None for process in list(processes.values()))

    failed = False
    try:
        yield submit, alive
    except BaseException:
        failed = True
        raise
    finally:
        if kept is None:
            _close_process_pool(pool, failed)
        with contextlib.suppress(OSError):
            os.unlink(setup_path)


def _new_process_pool(
    compute: Compute, token: str | None = None, setup_path: str = ""
) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    if token is None:
        return ProcessPoolExecutor(max_workers=compute.n_workers, mp_context=context)
    return ProcessPoolExecutor(
        max_workers=compute.n_workers,
        mp_context=context,
        initializer=_install_state_from,
        initargs=(token, setup_path),
    )


def _close_process_pool(pool: ProcessPoolExecutor, failed: bool) -> None:
    if failed:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.exitcode is None:
                process.terminate()
    pool.shutdown(wait=not failed, cancel_futures=True)


def _open_dask(compute: Compute) -> tuple[Any, Any]:
    """A Dask client (and the local cluster it runs on, if this made one)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ComputeError(
            "compute mode 'dask' needs dask.distributed, which is not installed. "
            'Fix: pip install "framing[dask]", or use mode processes'
        ) from exc
    if compute.scheduler:
        try:
            return Client(compute.scheduler, timeout="30s"), None
        except OSError as exc:
            raise ComputeError(
                f"no Dask scheduler answered at {compute.scheduler} ({exc}). "
                "Fix: start the scheduler (dask scheduler, or a dask-jobqueue "
                "cluster) and give its address"
            ) from exc
    cluster = LocalCluster(
        n_workers=compute.n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    return Client(cluster), cluster


def _close_dask(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


@contextmanager
def _dask_client(
    compute: Compute,
    token: str,
    setup: Callable[..., Any] | None,
    setup_args: tuple[Any, ...],
    kept: tuple[Any, Any] | None = None,
) -> Iterator[Callable[..., Any]]:
    client, cluster = kept or _open_dask(compute)
    try:
        # The set-up travels once to every worker; each worker builds its
        # state before its first part, also a worker that joins mid-stage.
        shared = None
        if setup is not None:
            [shared] = client.scatter([(setup, setup_args)], broadcast=True)

        def submit(function: Callable[..., Any], item: Any) -> Any:
            # Parts are pure functions of their input: a retried part gives
            # the same result, so a lost worker costs time, not answers.
            return client.submit(
                _with_state, token, shared, function, item, pure=False, retries=1
            )

        yield submit
    finally:
        if setup is not None:
            # A cluster that is going away keeps nothing anyway.
            with contextlib.suppress(Exception):
                client.run(_drop_state, token)
        if kept is None:
            _close_dask(client, cluster)
