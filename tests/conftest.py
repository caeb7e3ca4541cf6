"""Shared fixtures: real corpora from the mirror, isolated caches."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

HOW_TO_ENABLE = (
    "real-data tests need the raw corpora: set FRAMING_DATA_MIRROR to a folder "
    "holding <corpus>/<file> (e.g. ../shared/corpora), or run with network access"
)


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so each corpus builds once."""
    return tmp_path_factory.mktemp("framing-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch: pytest.MonkeyPatch, session_cache: Path) -> None:
    # Tests must never write into the user's real cache.
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(session_cache))


def require_real_corpus(name: str) -> None:
    """Skip (or, in CI, fail) when a registered corpus's files are unavailable."""
    from framing.datasets.fetch import corpus_unavailable

    problem = corpus_unavailable(name)
    if problem is None:
        return
    message = f"{problem}; {HOW_TO_ENABLE}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-data tests: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_corpus():
    """Build (once per session) and return a registered corpus by name."""
    from framing.datasets.build import build_corpus

    built = {}

    def get(name: str):
        require_real_corpus(name)
        if name not in built:
            built[name] = build_corpus(name)
        return built[name]

    return get


def kill_a_worker_mid_stage(
    stage: Callable[[], object], staged_output: Callable[[], list[Path]]
) -> BaseException | None:
    """Run ``stage`` in a thread, SIGKILL one of its worker processes once
    ``staged_output()`` lists a non-empty file (parts are coming back, so the
    stage is surely mid-way), and return what the stage raised."""
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            stage()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    before = {child.pid for child in multiprocessing.active_children()}
    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    victim = None
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        written = [f for f in staged_output() if f.stat().st_size > 0]
        workers = [
            child
            for child in multiprocessing.active_children()
            if child.pid not in before
        ]
        if written and workers:
            victim = workers[0]
        else:
            time.sleep(0.02)
    assert victim is not None, f"no worker to kill mid-stage ({outcome})"
    os.kill(victim.pid, signal.SIGKILL)
    thread.join(120)
    return outcome.get("error")
