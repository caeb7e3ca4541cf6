"""Seeded generator of synthetic news-like corpora (labelled synthetic).

Synthetic data is for tests and benchmarks only and is always marked as
such: the corpus name defaults to ``"synthetic"``, outlets are called
``synthetic-outlet-N``, and every record carries ``"synthetic": true`` in
its metadata. Texts are sentences of pseudo-words drawn from a Zipf-like
distribution over a generated vocabulary, with a few naming terms mixed
in, so their length and word-frequency profile resemble news copy without
being anyone's writing.

The generator can plant known structure: exact duplicates, near-duplicate
wire copies (a changed dateline and a dropped sentence) and malformed rows
(empty text, unparseable date), so that deduplication and reject handling
can be checked against the truth.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "synthetic_articles",
    "write_synthetic_csv",
    "write_synthetic_corpus",
    "SYNTHETIC_MAPPING",
]

_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "to",
    "vi",
    "da",
    "pe",
    "zo",
    "gri",
    "bar",
    "tel",
    "mon",
    "ost",
    "ver",
    "lin",
    "dro",
    "pas",
)
_NAMING_TERMS = (
    "war",
    "invasion",
    "conflict",
    "crisis",
    "special military operation",
    "aggression",
    "operation",
)

#: Column mapping of the CSV files written by :func:`write_synthetic_csv`.
SYNTHETIC_MAPPING: dict[str, Any] = {
    "text": "body",
    "title": "headline",
    "published": "date",
    "url": "link",
    "outlet": "outlet",
    "id": "id",
}


def _vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.integers(1, 4))
        words.add("".join(rng.choice(_SYLLABLES, size=n)))
    vocab = np.array(sorted(words))
    rng.shuffle(vocab)
    return vocab


def synthetic_articles(
    n_articles: int,
    *,
    seed: int = 0,
    n_outlets: int = 5,
    mean_words: int = 450,
    exact_duplicate_rate: float = 0.02,
    near_duplicate_rate: float = 0.03,
    malformed_rate: float = 0.0,
    start: datetime = datetime(2021, 10, 1, tzinfo=UTC),
    days: int = 365,
) -> Iterator[dict[str, Any]]:
    """Yield ``n_articles`` synthetic source records (dicts of strings).

    Each record has ``id``, ``outlet``, ``date`` (ISO 8601), ``headline``,
    ``body``, ``link`` and ``truth``: ``"original"``, ``"exact"``,
    ``"near"`` or a malformation (``"empty_text"``, ``"unparseable_date"``).
    Memory does not depend on ``n_articles``: only a small window of recent
    originals is kept to copy duplicates from.

    Examples
    --------
    >>> rows = list(synthetic_articles(3, seed=1))
    >>> [r["outlet"] for r in rows]
    ['synthetic-outlet-3', 'synthetic-outlet-3', 'synthetic-outlet-3']
    >>> rows == list(synthetic_articles(3, seed=1))
    True
    """
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng, 4000)
    ranks = np.arange(1, len(vocab) + 1)
    weights = 1.0 / ranks**1.07
    weights /= weights.sum()
    recent: list[dict[str, Any]] = []
    for index in range(n_articles):
        draw = rng.random()
        outlet = f"synthetic-outlet-{int(rng.integers(1, n_outlets + 1))}"
        published = start + timedelta(seconds=int(rng.integers(0, days * 86400)))
        record: dict[str, Any]
        if recent and draw < exact_duplicate_rate:
            source = recent[int(rng.integers(len(recent)))]
            record = {**source, "truth": "exact"}
        elif recent and draw < exact_duplicate_rate + near_duplicate_rate:
            source = recent[int(rng.integers(len(recent)))]
            sentences = source["body"].split(". ")
            body = f"{outlet.upper()} (wire). " + ". ".join(sentences[:-1]) + "."
            record = {**source, "body": body, "truth": "near"}
        else:
            n_words = max(20, int(rng.normal(mean_words, mean_words / 4)))
            words = rng.choice(vocab, size=n_words, p=weights).tolist()
            for _ in range(max(1, n_words // 150)):
                words[int(rng.integers(n_words))] = str(rng.choice(_NAMING_TERMS))
            sentences = []
            position = 0
            while position < n_words:
                length = int(rng.integers(8, 26))
                chunk = words[position : position + length]
                sentences.append(" ".join(chunk).capitalize())
                position += length
            record = {
                "headline": " ".join(rng.choice(vocab, size=8, p=weights)).capitalize(),
                "body": ". ".join(sentences) + ".",
                "truth": "original",
            }
            recent.append(record)
            if len(recent) > 50:
                recent.pop(0)
        record = {
            **record,
            "id": f"synthetic-{seed}-{index}",
            "outlet": outlet,
            "date": published.isoformat().replace("+00:00", "Z"),
            "link": f"https://{outlet}.example/articles/{index}",
        }
        if malformed_rate and rng.random() < malformed_rate:
            if rng.random() < 0.5:
                record = {**record, "body": "  ", "truth": "empty_text"}
            else:
                record = {
                    **record,
                    "date": "sometime soon",
                    "truth": "unparseable_date",
                }
        yield record


def write_synthetic_csv(path: str | Path, n_articles: int, **kwargs: Any) -> Path:
    """Write :func:`synthetic_articles` to a CSV file, streaming."""
    path = Path(path)
    columns = ["id", "outlet", "date", "headline", "body", "link", "truth"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for record in synthetic_articles(n_articles, **kwargs):
            writer.writerow(record)
    return path


def write_synthetic_corpus(
    folder: str | Path,
    *,
    n_articles: int = 1000,
    seed: int = 0,
    name: str = "synthetic",
    progress: bool = False,
    dedupe: dict[str, Any] | None = None,
    compute: Any = None,
    part_rows: int | None = None,
    **kwargs: Any,
) -> Any:
    """Generate a synthetic CSV in ``folder`` and build a corpus store there.

    Returns the :class:`~framing.store.Corpus`; its manifest says
    ``"synthetic": true``. ``compute`` (:class:`framing.compute.Compute`)
    says where the build maps the records; ``part_rows`` sets the store's
    part size (default :data:`framing.store.PART_ROWS`).
    """
    from .datasets.build import CorpusBuilder
    from .datasets.cards import SourceFile, _parse_mapping
    from .store import PART_ROWS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_synthetic_csv(
        folder / f"{name}.csv", n_articles, seed=seed, **kwargs
    )
    mapping = _parse_mapping(SYNTHETIC_MAPPING, "synthetic", _raise)
    source = SourceFile(
        name=csv_path.name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=mapping,
        format="csv",
    )
    builder = CorpusBuilder(
        name,
        dedupe=dedupe,
        progress=progress,
        part_rows=part_rows if part_rows is not None else PART_ROWS,
    )
    parameters = {"n_articles": n_articles, "seed": seed, **kwargs}
    return builder.build(
        [(csv_path, source)],
        folder / "store",
        manifest_extra={
            "synthetic": True,
            "generator": json.loads(json.dumps(parameters, default=str)),
        },
        compute=compute,
    )


def _raise(key: str, problem: str) -> Exception:
    return ValueError(f"{key}: {problem}")
