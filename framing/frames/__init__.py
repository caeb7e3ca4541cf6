"""Frame detection: voice-aware lexicons (and, later, topic models and classifiers)."""

from .detect import LexiconDetector, mentions_to_features
from .lexicon import Lexicon, LexiconError, builtin_lexicons, load_lexicon
from .voice import VOICES, VoiceRules

__all__ = [
    "LexiconDetector",
    "Lexicon",
    "LexiconError",
    "VOICES",
    "VoiceRules",
    "builtin_lexicons",
    "load_lexicon",
    "mentions_to_features",
]
