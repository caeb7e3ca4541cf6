"""framing: reproducible media-framing research.

The most used entry points are importable from the top level (loaded on
first use, so ``import framing`` stays fast):

>>> import framing
>>> framing.LexiconDetector
<class 'framing.frames.detect.LexiconDetector'>
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_corpus": "framing.datasets.build",
    "build_corpus": "framing.datasets.build",
    "Corpus": "framing.store",
    "LexiconDetector": "framing.frames.detect",
    "load_lexicon": "framing.frames.lexicon",
    "detect_corpus": "framing.frames.run",
    "kwic": "framing.frames.kwic",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'framing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
