"""Shared fixtures: real corpora from the mirror, isolated caches."""

from __future__ import annotations

import os
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
