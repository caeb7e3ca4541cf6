"""nbval hooks for the executed notebooks in this folder.

The notebooks read the real corpora. When their raw files are neither in
the offline mirror (``FRAMING_DATA_MIRROR``) nor downloadable, every cell of
the notebook is skipped with a message saying how to enable it; in CI
(``CI`` set) the cells fail instead, because CI must run them.

The kernel nbval starts runs in this folder, so relative values of
``FRAMING_DATA_MIRROR`` and ``FRAMING_CACHE_DIR`` (as in
``FRAMING_DATA_MIRROR=../shared/corpora make test``) are made absolute,
relative to where pytest was started, before any kernel starts; without
``FRAMING_CACHE_DIR`` the kernels get a temporary cache.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import pytest

from framing.datasets.fetch import SEED_ARTICLE, corpus_unavailable
from framing.paths import mirror_dir

HERE = Path(__file__).resolve().parent

HOW_TO_ENABLE = (
    "the notebooks need the raw corpora: set FRAMING_DATA_MIRROR=../shared/corpora "
    "(a folder holding <corpus>/<file> and seed/<article>), or run with network access"
)

#: The seed article is read from the mirror only (it is never downloaded).
SEED = "seed"
SEED_FILE = SEED_ARTICLE

#: What each notebook reads: registered corpora, and the seed article.
NEEDS: dict[str, tuple[str, ...]] = {
    "01-corpus": ("kremlin-zelenskyy-2022", "us-gov-2022"),
    "02-naming-and-voice": ("kremlin-zelenskyy-2022", "us-gov-2022", SEED),
    "03-topics": ("kremlin-zelenskyy-2022",),
    "04-classifiers": ("gvfc", "kremlin-zelenskyy-2022", "us-gov-2022"),
    "05-statistics": ("kremlin-zelenskyy-2022", "us-gov-2022"),
    "07-your-own-corpus": ("ru-telegram-2024", "ru-state-headlines"),
}
#: Notebooks not listed above are assumed to need everything.
EVERYTHING = ("kremlin-zelenskyy-2022", "us-gov-2022", "gvfc", SEED)


def _absolute(variable: str) -> None:
    value = os.environ.get(variable)
    if value:
        os.environ[variable] = str(Path(value).expanduser().resolve())


def pytest_configure(config: pytest.Config) -> None:
    for variable in ("FRAMING_DATA_MIRROR", "FRAMING_CACHE_DIR"):
        _absolute(variable)
    # Validating the notebooks must not write into the user's own cache.
    if not os.environ.get("FRAMING_CACHE_DIR"):
        os.environ["FRAMING_CACHE_DIR"] = tempfile.mkdtemp(prefix="framing-cache-nb-")


@cache
def _problem(requirement: str) -> str | None:
    """Why ``requirement`` is unavailable, or ``None`` when it is available."""
    if requirement == SEED:
        mirror = mirror_dir()
        if mirror is not None and (mirror / SEED_FILE).is_file():
            return None
        return f"{SEED_FILE} is not in FRAMING_DATA_MIRROR ({mirror or 'not set'})"
    return corpus_unavailable(requirement)


def pytest_runtest_setup(item: pytest.Item) -> None:
    path = Path(str(item.path))
    if path.suffix != ".ipynb" or path.parent != HERE:
        return
    problems = [
        problem
        for requirement in NEEDS.get(path.stem, EVERYTHING)
        if (problem := _problem(requirement)) is not None
    ]
    if not problems:
        return
    message = f"{path.name}: {'; '.join(problems)}. {HOW_TO_ENABLE}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the notebooks: {message}", pytrace=False)
    pytest.skip(message)
