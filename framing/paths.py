"""Where the toolkit keeps downloads and built corpora.

``FRAMING_CACHE_DIR`` overrides the user cache folder (by default the
platform's, e.g. ``~/.cache/framing`` on Linux). Nothing is ever written
into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["cache_dir", "mirror_dir"]


def cache_dir() -> Path:
    """Root of the toolkit's cache (downloads and built corpora)."""
    override = os.environ.get("FRAMING_CACHE_DIR")
    root = Path(override) if override else Path(platformdirs.user_cache_dir("framing"))
    return root.expanduser()


def mirror_dir() -> Path | None:
    """The offline mirror named by ``FRAMING_DATA_MIRROR``, if set."""
    value = os.environ.get("FRAMING_DATA_MIRROR")
    return Path(value).expanduser() if value else None
