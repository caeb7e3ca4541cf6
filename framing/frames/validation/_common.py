"""Names the validation modules share: the referent codes and :class:`GoldError`.

:data:`REFERENTS` are the codes of what a naming refers to, ``none`` the
code of a sampled sentence that names nothing, :class:`GoldError` the error
of a gold file or coded sheet that cannot be scored, and ``_referents`` the
referent of each detected mention (``event`` for a detector without
referents).
"""

from __future__ import annotations

import pandas as pd

from ...errors import FramingError

#: The referent of a mention: the event the lexicon is about, another event,
#: or not decidable from the text.
REFERENTS = ("event", "other", "undecided")
_NO_NAMING = "none"
_UNKNOWN_FRAME = "(unknown)"


class GoldError(FramingError):
    """A gold file or coded sheet cannot be scored (the message says why)."""


def _referents(mentions: pd.DataFrame) -> pd.Series:
    # Before the detector decided referents every mention counted as the event.
    if "referent" in mentions.columns:
        return mentions["referent"].fillna("event").astype(str)
    return pd.Series("event", index=mentions.index, dtype=object)
