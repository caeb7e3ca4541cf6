"""framing: reproducible media-framing research."""

__version__ = "0.1.0"
