"""Exact and near-duplicate detection for streamed corpora.

Wire copy republished by several outlets is the common case of duplication
in news corpora. :class:`Deduplicator` sees each document once, in reading
order, and keeps only a small fixed-size fingerprint per document in memory
(a few hundred bytes); MinHash signatures go to a scratch file on disk. After
the stream, :meth:`Deduplicator.resolve` groups documents into clusters:

* **exact** duplicates share the sha256 of their normalised text;
* **near** duplicates have an estimated Jaccard similarity of their word
  shingles (``shingle_size`` consecutive lower-cased words) of at least
  ``threshold``. Candidates come from MinHash locality-sensitive hashing
  (datasketch signatures; ``b`` bands of ``r`` rows chosen by datasketch for
  the threshold) and are then verified on the full signatures.

Each cluster's canonical member is its earliest-published document (read
order breaks ties; undated documents come last). Nothing is dropped here:
the corpus builder writes canonical members to the articles table and the
others, with their cluster, to the duplicates table.

The default ``threshold=0.8`` keeps wire copies with an added byline,
dateline or a trimmed last paragraph together while separating formulaic
releases that share only boilerplate (for example "telephone conversation
with ..." notices); lower it to catch heavier rewrites.
"""

from __future__ import annotations

import array
import hashlib
import re
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = ["Deduplicator", "DuplicateAssignment", "shingles"]

_WORD = re.compile(r"\w+")
_NO_DATE = np.iinfo(np.int64).max


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word ``size``-grams of a text, lower-cased, punctuation ignored.

    Texts shorter than ``size`` words give one shingle of all their words.

    Examples
    --------
    >>> sorted(shingles("Russia's war, Russia's war!", size=3))
    [b'russia s war', b's war russia', b'war russia s']
    """
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {
        " ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)
    }


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


@dataclass(frozen=True, slots=True)
class DuplicateAssignment:
    """Where one document stands in its duplicate cluster.

    Attributes
    ----------
    canonical : int
        Read index of the cluster's canonical member.
    kind : str
        ``"exact"`` or ``"near"`` relative to the canonical member; ``""``
        for the canonical member itself.
    similarity : float
        Estimated Jaccard similarity to the canonical member (1 for exact).
    size : int
        Number of documents in the cluster.
    """

    canonical: int
    kind: str
    similarity: float
    size: int


class Deduplicator:
    """Stream documents in, get duplicate clusters out.

    Parameters
    ----------
    threshold : float
        Jaccard similarity at or above which two documents are near
        duplicates.
    num_perm : int
        MinHash permutations (signature length).
    shingle_size : int
        Words per shingle.
    near_duplicates : bool
        Look for near duplicates at all (exact ones are always found).
    seed : int
        Seed of the MinHash permutations.
    workdir : str or Path, optional
        Folder for the signature scratch file (default: a temporary folder).

    Examples
    --------
    >>> dedupe = Deduplicator(threshold=0.8)
    >>> wire = "Russian forces shelled the city overnight, officials said. " * 8
    >>> dedupe.add(wire, published_us=2)
    0
    >>> dedupe.add(wire, published_us=1)
    1
    >>> dedupe.add("A different story about grain exports from Odesa.", published_us=3)
    2
    >>> clusters = dedupe.resolve()
    >>> clusters[0]
    DuplicateAssignment(canonical=1, kind='exact', similarity=1.0, size=2)
    >>> 2 in clusters
    False
    """

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        shingle_size: int = 5,
        near_duplicates: bool = True,
        seed: int = 1,
        workdir: str | Path | None = None,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.near_duplicates = near_duplicates
        self.seed = seed
        self.workdir = workdir
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self._published = array.array("q")
        self._sha = bytearray()
        self._bands: list[array.array[int]] = []
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._signature_file = None
        self._template: MinHash | None = None
        if near_duplicates:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            self.bands_, self.rows_ = lsh.b, lsh.r
            self._bands = [array.array("Q") for _ in range(self.bands_)]
            self._scratch = tempfile.TemporaryDirectory(
                prefix="framing-dedupe-", dir=workdir
            )
            self._signature_path = Path(self._scratch.name) / "signatures.u32"
            self._signature_file = open(self._signature_path, "wb")  # noqa: SIM115
            self._template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_crc32)

    def __len__(self) -> int:
        return len(self._published)

    def add(
        self,
        text: str,
        *,
        published_us: int | None = None,
        text_sha256: str | None = None,
    ) -> int:
        """Fingerprint one document and return its read index.

        Parameters
        ----------
        text : str
            The normalised text.
        published_us : int, optional
            Publication time in microseconds since the epoch (ties and
            undated documents: see the module docstring).
        text_sha256 : str, optional
            Hex sha256 of ``text``, if already computed.
        """
        index = len(self._published)
        digest = (
            bytes.fromhex(text_sha256)
            if text_sha256
            else hashlib.sha256(text.encode("utf-8")).digest()
        )
        self._sha += digest
        self._published.append(_NO_DATE if published_us is None else published_us)
        if self._template is not None and self._signature_file is not None:
            minhash = self._template.copy()
            minhash.update_batch(list(shingles(text, self.shingle_size)))
            signature = minhash.hashvalues.astype(np.uint32)
            self._signature_file.write(signature.tobytes())
            rows = self.rows_
            for band, store in enumerate(self._bands):
                chunk = signature[band * rows : (band + 1) * rows].tobytes()
                store.append(
                    int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest())
                )
        return index

    def resolve(self) -> dict[int, DuplicateAssignment]:
        """Group the documents seen so far into clusters.

        Returns
        -------
        dict
            Read index -> :class:`DuplicateAssignment`, for members of
            clusters of two or more documents only.
        """
        count = len(self._published)
        parent = np.arange(count, dtype=np.int64)

        def find(node: int) -> int:
            root = node
            while parent[root] != root:
                root = int(parent[root])
            while parent[node] != root:
                parent[node], node = root, int(parent[node])
            return root

        def union(a: int, b: int) -> None:
            root_a, root_b = find(a), find(b)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)

        sha = (
            np.frombuffer(bytes(self._sha), dtype="S32")
            if count
            else np.empty(0, "S32")
        )
        for group in _equal_runs(sha):
            for member in group[1:]:
                union(int(group[0]), int(member))

        signatures = self._signatures(count)
        if signatures is not None:
            for store in self._bands:
                band = np.frombuffer(store, dtype=np.uint64)
                for group in _equal_runs(band):
                    self._verify_bucket(group, signatures, sha, union, find)

        roots = np.fromiter(
            (find(i) for i in range(count)), dtype=np.int64, count=count
        )
        return self._assign(roots, signatures, sha)

    def _verify_bucket(
        self,
        group: np.ndarray,
        signatures: np.ndarray,
        sha: np.ndarray,
        union: Callable[[int, int], None],
        find: Callable[[int], int],
    ) -> None:
        # Small buckets are checked pairwise; in large buckets (shared
        # boilerplate) each member is checked against a few earlier ones.
        members = [int(m) for m in group]
        for position, member in enumerate(members[1:], start=1):
            for other in members[max(0, position - 8) : position]:
                if find(member) == find(other):
                    break
                if sha[member] == sha[other] or (
                    _jaccard(signatures[member], signatures[other]) >= self.threshold
                ):
                    union(member, other)
                    break

    def _signatures(self, count: int) -> np.ndarray | None:
        if self._signature_file is None or count == 0:
            return None
        self._signature_file.flush()
        return np.memmap(
            self._signature_path,
            dtype=np.uint32,
            mode="r",
            shape=(count, self.num_perm),
        )

    def _assign(
        self, roots: np.ndarray, signatures: np.ndarray | None, sha: np.ndarray
    ) -> dict[int, DuplicateAssignment]:
        order = np.argsort(roots, kind="stable")
        published = np.frombuffer(self._published, dtype=np.int64)
        assignments: dict[int, DuplicateAssignment] = {}
        for group in _equal_runs(roots[order], order):
            if len(group) < 2:
                continue
            members = sorted(int(m) for m in group)
            canonical = min(members, key=lambda m: (published[m], m))
            for member in members:
                if member == canonical:
                    kind, similarity = "", 1.0
                elif sha[member] == sha[canonical]:
                    kind, similarity = "exact", 1.0
                else:
                    kind = "near"
                    similarity = (
                        _jaccard(signatures[member], signatures[canonical])
                        if signatures is not None
                        else 0.0
                    )
                assignments[member] = DuplicateAssignment(
                    canonical, kind, similarity, len(members)
                )
        return assignments

    def close(self) -> None:
        """Delete the scratch files."""
        if self._signature_file is not None:
            self._signature_file.close()
            self._signature_file = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __del__(self) -> None:
        self.close()


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def _equal_runs(
    values: np.ndarray, index: np.ndarray | None = None
) -> list[np.ndarray]:
    """Groups of positions (or of ``index`` entries) holding equal values.

    With ``index`` given, ``values`` must already be sorted and the groups
    hold the matching entries of ``index``.
    """
    if len(values) == 0:
        return []
    if index is None:
        index = np.argsort(values, kind="stable")
        values = values[index]
    boundaries = np.flatnonzero(values[1:] != values[:-1]) + 1
    return (
        [run for run in np.split(index, boundaries) if len(run) > 1]
        if index is not None
        else []
    )
