"""Sampler for the hand-coded war-naming gold set of Russian Telegram posts.

What it does
------------
Draws the items of ``framing/frames/gold/war-naming-telegram.csv`` from the
registered corpus ``ru-telegram-2024`` and writes a coding sheet for a human
(or AI) coder. It assigns no labels: frame, referent and voice are coded by
reading each item's context.

1. **Candidates.** A broad regular expression of its own (deliberately not
   the toolkit's lexicon, so that the gold set does not inherit the
   detector's blind spots) finds, case-insensitively and on word
   boundaries: ``войн*`` (not ``воин*``), ``конфликт*``, ``вторж*`` /
   ``вторг*``, ``агресс*`` (``агрессия``, ``агрессор``, also ``агрессивный``),
   ``кризис*``, ``спецоперац*``, ``СВО`` as a whole word and its derivatives
   (``СВОшник*``; never ``свой``/``свобод*``/``свод*``), ``военн* операц*``,
   ``специальн* военн* операц*``, ``гражданск* войн*``, ``денацифик*``,
   ``демилитариз*``, ``освобожд* Донбасс*`` and the Ukrainian ``війн*``,
   ``військов* операц*``. Longer alternatives win where they overlap.
2. **Stratified sample.** Outlets are split by outlet into ``dev`` and
   ``test`` (fixed below). Within each split and candidate frame word,
   strata with at most ``cap`` candidates are taken whole (rare frames are
   coded in full); larger ones are sampled with ``seed`` and the quota is
   spread over outlets in proportion to their candidates (largest
   remainders), at least one per outlet that has any.
3. **No-mention items.** 80 sentences (not whole posts) that contain none
   of the candidate words but mention the war's topics (``Украин*``,
   ``Киев*``, ``ВСУ``, ``Донбасс*``, ``Курск*``, ``Зеленск*``, ``фронт*``,
   ``мобилиз*``, ``Минобороны``, ``ЛНР``, ``ДНР``, ``Херсон*``,
   ``Запорож*``, ``перемири*``, ``переговор*``), stratified by channel. The
   coder checks each for a naming that the candidate expression missed.
4. **Coding sheet.** ``/tmp/gold_telegram_sheet.csv`` with about 200
   characters of context either side and the term in brackets. It contains
   source text, so it is written outside the repository and never committed.

``--check GOLD.csv`` verifies that every gold row's ``start:end`` points at
its ``term`` in the stored text (and, for ``frame=none`` rows, that the span
lies inside the document).

Round 2
-------
``--round 2`` draws a fresh held-out sample for
``framing/frames/gold/war-naming-telegram-2.csv``: the round-1 test rows were
seen by the detector's developers, so they no longer give an honest held-out
figure. It uses seed ``SEED + 2``, the TEST outlets only, the same candidate
expression and no-mention definition, and leaves out every document that
appears in the round-1 gold file (candidates and no-mention sentences alike).
Per frame word it asks for ``ROUND2_MINIMUMS`` items (``ROUND2_RARE_CAP`` for
the rarer frame words), spread over outlets in proportion; a frame word with
fewer fresh candidates than that is taken whole, so the sheet can be much
smaller than the quotas when round 1 has used up most of a small corpus. The
sheet (``/tmp/gold_telegram2_sheet.csv``, items ``T0001``...) interleaves
outlets and frame words, so that a partly coded sheet stays stratified.
With ``--round 2 --check GOLD.csv`` the check also refuses a row whose
document is in round 1 or whose outlet is not a test outlet.

Running it
----------
::

    FRAMING_DATA_MIRROR=/work/shared/corpora \\
        .venv/bin/python benchmarks/gold_telegram.py            # the sheet
    .venv/bin/python benchmarks/gold_telegram.py \\
        --check framing/frames/gold/war-naming-telegram.csv      # offsets
    .venv/bin/python benchmarks/gold_telegram.py --round 2     # round-2 sheet
    .venv/bin/python benchmarks/gold_telegram.py --round 2 \\
        --check framing/frames/gold/war-naming-telegram-2.csv

Options: ``--round`` (1 or 2, default 1), ``--seed`` (default 20261201;
round 2: 20261203), ``--out`` (sheet path), ``--no-mention`` (default 80;
round 2: 60), ``--cap-dev``/``--cap-test`` (round 1: per-frame quota of a
large stratum).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from framing.datasets.build import build_corpus
from framing.errors import FramingError
from framing.frames.validation import GOLD_COLUMNS as VALIDATION_GOLD_COLUMNS

CORPUS = "ru-telegram-2024"
DEV_OUTLETS = ("topor-live", "newsach", "112", "kibertopor", "novosti-moskvy")
TEST_OUTLETS = ("mash", "ranshe-vseh", "moskva-live", "moskva-s-ogonkom")
SEED = 20261201
CONTEXT = 200
SHEET = Path("/tmp/gold_telegram_sheet.csv")
SHEET2 = Path("/tmp/gold_telegram2_sheet.csv")
ROUND1_GOLD = Path("framing/frames/gold/war-naming-telegram.csv")
#: Round-2 quota per frame word (where the test outlets have that many fresh
#: candidates); the frame words not listed get ``ROUND2_RARE_CAP`` each.
ROUND2_MINIMUMS = {
    "war": 130,
    "conflict": 70,
    "special-military-operation": 70,
    "military-operation": 20,
    "invasion": 20,
    "crisis": 20,
    "aggression": 20,
}
ROUND2_RARE_CAP = 30
ROUND2_NO_MENTION = 60

#: Candidate patterns, longest first: the first alternative that matches at a
#: position wins, so "специальной военной операции" is one candidate, not
#: three. The frame word is only a stratum for sampling, never a label.
CANDIDATE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("special-military-operation", r"специальн\w*\s+военн\w*\s+операц\w*"),
    ("military-operation", r"военн\w*\s+операц\w*"),
    ("military-operation", r"військов\w*\s+операц\w*"),
    ("civil-war", r"гражданск\w*\s+войн\w*"),
    ("liberation-of-donbas", r"освобожд\w*\s+донбасс\w*"),
    ("special-military-operation", r"спецоперац\w*"),
    # "СВО" and "СВОшники", but never свой/своя/свобода/свод: only the bare
    # word or a "ш"-derivative (optionally hyphenated) is accepted.
    ("special-military-operation", r"сво(?:[-\u2010]?ш\w*)?"),
    ("war", r"войн\w*"),
    ("war", r"війн\w*"),
    ("conflict", r"конфликт\w*"),
    ("invasion", r"вторж\w*|вторг\w*"),
    ("aggression", r"агресс\w*"),
    ("crisis", r"кризис\w*"),
    ("denazification", r"денацифик\w*"),
    ("demilitarisation", r"демилитариз\w*"),
)
CANDIDATE_RE = re.compile(
    "|".join(
        rf"(?P<g{i}>(?<!\w)(?:{pattern})(?!\w))"
        for i, (_, pattern) in enumerate(CANDIDATE_PATTERNS)
    ),
    re.IGNORECASE,
)
TOPIC_RE = re.compile(
    r"(?<!\w)(?:украин\w*|киев\w*|всу|донбасс\w*|курск\w*|зеленск\w*|фронт\w*"
    r"|мобилиз\w*|минобороны|лнр|днр|херсон\w*|запорож\w*|участник\w*\s+спецоп\w*"
    r"|перемири\w*|переговор\w*)(?!\w)",
    re.IGNORECASE,
)
#: A sentence ends at . ! ? … (with closing quotes/brackets) before a space,
#: or at a line break; Telegram posts use line breaks as paragraph marks.
SENTENCE_RE = re.compile(r"[^\n]+?(?:[.!?…]+[»\")\]]*(?=\s)|$)", re.MULTILINE)
SHEET_COLUMNS = [
    "item",
    "corpus",
    "outlet",
    "doc_id",
    "start",
    "end",
    "term",
    "frame_word",
    "source",
    "split",
    "context",
]
# The toolkit reads this format (framing.frames.validation.read_gold).
GOLD_COLUMNS = list(VALIDATION_GOLD_COLUMNS)


class GoldSheetError(FramingError):
    """A gold file does not match the stored corpus text."""


def split_of(outlet: str) -> str:
    """Return the fixed split (``dev`` or ``test``) of a channel.

    Examples
    --------
    >>> split_of("mash"), split_of("newsach")
    ('test', 'dev')
    """
    if outlet in DEV_OUTLETS:
        return "dev"
    if outlet in TEST_OUTLETS:
        return "test"
    raise GoldSheetError(
        f"outlet {outlet!r} of {CORPUS} is in neither split; add it to "
        "DEV_OUTLETS or TEST_OUTLETS in benchmarks/gold_telegram.py"
    )


def find_candidates(text: str) -> list[tuple[int, int, str, str]]:
    """Find candidate war-naming expressions in one text.

    Returns ``(start, end, term, frame_word)`` tuples.

    Examples
    --------
    >>> [c[2:] for c in find_candidates("Участник СВО вернулся со своей войны")]
    [('СВО', 'special-military-operation'), ('войны', 'war')]
    >>> find_candidates("Свобода и воинская часть")
    []
    """
    out = []
    for m in CANDIDATE_RE.finditer(text):
        assert m.lastgroup is not None
        frame_word = CANDIDATE_PATTERNS[int(m.lastgroup[1:])][0]
        out.append((m.start(), m.end(), m.group(), frame_word))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Split a post into sentence spans ``(start, end)``, stripped.

    Examples
    --------
    >>> t = "Первое. Второе!\\nТретье"
    >>> [t[s:e] for s, e in sentences(t)]
    ['Первое.', 'Второе!', 'Третье']
    """
    spans = []
    for m in SENTENCE_RE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _allocate(sizes: dict[str, int], quota: int) -> dict[str, int]:
    """Spread ``quota`` over strata in proportion to ``sizes``."""
    total = sum(sizes.values())
    if total <= quota:
        return dict(sizes)
    keys = sorted(k for k, v in sizes.items() if v > 0)
    base = {k: max(1, int(quota * sizes[k] / total)) for k in keys}
    rest = quota - sum(base.values())

    def remainder(k: str) -> float:
        exact = quota * sizes[k] / total
        return exact - int(exact)

    order = sorted(keys, key=lambda k: (-remainder(k), k))
    for k in order:
        if rest <= 0:
            break
        if base[k] < sizes[k]:
            base[k] += 1
            rest -= 1
    return {k: min(v, sizes[k]) for k, v in base.items()}


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT) : start]
    right = text[end : end + CONTEXT]
    return f"{left}[[{text[start:end]}]]{right}"


def load_texts() -> pd.DataFrame:
    """The stored posts (``doc_id``, ``outlet``, ``published``, ``text``)."""
    corpus = build_corpus(CORPUS)
    df = corpus.articles(columns=["doc_id", "outlet", "published", "text"])
    return df.sort_values(["outlet", "published", "doc_id"]).reset_index(drop=True)


def draw(
    df: pd.DataFrame,
    seed: int = SEED,
    caps: dict[str, int] | None = None,
    n_no_mention: int = 80,
) -> pd.DataFrame:
    """Draw the seeded candidate and no-mention sample as a coding sheet."""
    caps = caps or {"dev": 50, "test": 60}
    rng = random.Random(seed)
    posts: list[tuple[str, str, str]] = list(
        zip(
            df["outlet"].astype(str),
            df["doc_id"].astype(str),
            df["text"].astype(str),
            strict=True,
        )
    )
    cands = [
        (outlet, split_of(outlet), doc_id, s, e, term, fw, text)
        for outlet, doc_id, text in posts
        for s, e, term, fw in find_candidates(text)
    ]
    chosen = []
    for split in ("dev", "test"):
        for fw in sorted({c[6] for c in cands if c[1] == split}):
            pool = [c for c in cands if c[1] == split and c[6] == fw]
            by_outlet: dict[str, list] = {}
            for c in pool:
                by_outlet.setdefault(c[0], []).append(c)
            quota = _allocate({o: len(v) for o, v in by_outlet.items()}, caps[split])
            for outlet in sorted(by_outlet):
                chosen += rng.sample(by_outlet[outlet], quota[outlet])
    rows = [
        dict(
            corpus=CORPUS,
            outlet=o,
            doc_id=d,
            start=s,
            end=e,
            term=term,
            frame_word=fw,
            source="candidate",
            split=sp,
            context=_context(t, s, e),
        )
        for o, sp, d, s, e, term, fw, t in chosen
    ]
    # No-mention sentences: topic words but no candidate word in the sentence.
    pool_nm: dict[str, list] = {}
    for outlet, doc_id, text in posts:
        for s, e in sentences(text):
            sent = text[s:e]
            if TOPIC_RE.search(sent) and not CANDIDATE_RE.search(sent):
                pool_nm.setdefault(outlet, []).append((doc_id, s, e, text))
    # Round-robin over channels so that a channel with few such sentences
    # hands its share to the others and the total stays n_no_mention.
    outlets = sorted(pool_nm)
    share = dict.fromkeys(outlets, 0)
    while sum(share.values()) < n_no_mention:
        open_ = [o for o in outlets if share[o] < len(pool_nm[o])]
        if not open_:
            break
        for o in open_[: n_no_mention - sum(share.values())]:
            share[o] += 1
    for o in outlets:
        for d, s, e, t in rng.sample(pool_nm[o], share[o]):
            rows.append(
                dict(
                    corpus=CORPUS,
                    outlet=o,
                    doc_id=d,
                    start=s,
                    end=e,
                    term="",
                    frame_word="none",
                    source="miss-check",
                    split=split_of(o),
                    context=_context(t, s, e),
                )
            )
    sheet = pd.DataFrame(rows)
    sheet["_kind"] = (sheet["source"] == "miss-check").astype(int)
    sheet = sheet.sort_values(["split", "_kind", "outlet", "doc_id", "start"])
    sheet = sheet.drop(columns="_kind").reset_index(drop=True)
    sheet.insert(0, "item", [f"t{i + 1:04d}" for i in range(len(sheet))])
    return sheet[SHEET_COLUMNS]


def round1_docs(path: Path = ROUND1_GOLD) -> set[str]:
    """The ``doc_id`` of every row of the round-1 gold file."""
    if not path.is_file():
        raise GoldSheetError(
            f"{path}: the round-1 gold file is needed to exclude its documents "
            "from round 2; run from the repository root"
        )
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    return set(gold["doc_id"])


def interleave(groups: dict[tuple[str, str], list]) -> list:
    """Round-robin over groups, so that any prefix is spread over all groups.

    Examples
    --------
    >>> interleave({("a", "x"): [1, 2, 3], ("b", "y"): [4]})
    [1, 4, 2, 3]
    """
    queues = [list(groups[k]) for k in sorted(groups)]
    out = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def draw_round2(
    df: pd.DataFrame,
    exclude_docs: set[str],
    seed: int = SEED + 2,
    minimums: dict[str, int] | None = None,
    rare_cap: int = ROUND2_RARE_CAP,
    n_no_mention: int = ROUND2_NO_MENTION,
) -> pd.DataFrame:
    """Draw the fresh round-2 sample of the test outlets as a coding sheet.

    Documents in ``exclude_docs`` (round 1) are left out entirely.
    """
    minimums = ROUND2_MINIMUMS if minimums is None else minimums
    rng = random.Random(seed)
    posts = [
        (o, d, t)
        for o, d, t in zip(
            df["outlet"].astype(str),
            df["doc_id"].astype(str),
            df["text"].astype(str),
            strict=True,
        )
        if o in TEST_OUTLETS and d not in exclude_docs
    ]
    cands = [
        (outlet, doc_id, s, e, term, fw, text)
        for outlet, doc_id, text in posts
        for s, e, term, fw in find_candidates(text)
    ]
    groups: dict[tuple[str, str], list] = {}
    for fw in sorted({c[5] for c in cands}):
        by_outlet: dict[str, list] = {}
        for c in cands:
            if c[5] == fw:
                by_outlet.setdefault(c[0], []).append(c)
        want = minimums.get(fw, rare_cap)
        quota = _allocate({o: len(v) for o, v in by_outlet.items()}, want)
        for outlet in sorted(by_outlet):
            picked = rng.sample(by_outlet[outlet], quota[outlet])
            groups[(fw, outlet)] = sorted(picked, key=lambda c: (c[1], c[2]))
    rows = [
        dict(
            corpus=CORPUS,
            outlet=o,
            doc_id=d,
            start=s,
            end=e,
            term=term,
            frame_word=fw,
            source="candidate",
            split="test",
            context=_context(t, s, e),
        )
        for o, d, s, e, term, fw, t in interleave(groups)
    ]
    pool_nm: dict[str, list] = {}
    for outlet, doc_id, text in posts:
        for s, e in sentences(text):
            sent = text[s:e]
            if TOPIC_RE.search(sent) and not CANDIDATE_RE.search(sent):
                pool_nm.setdefault(outlet, []).append((doc_id, s, e, text))
    outlets = sorted(pool_nm)
    share = dict.fromkeys(outlets, 0)
    while sum(share.values()) < n_no_mention:
        open_ = [o for o in outlets if share[o] < len(pool_nm[o])]
        if not open_:
            break
        for o in open_[: n_no_mention - sum(share.values())]:
            share[o] += 1
    nm_groups = {
        ("none", o): [
            (o, *r)
            for r in sorted(rng.sample(pool_nm[o], share[o]), key=lambda r: r[:2])
        ]
        for o in outlets
    }
    for o, d, s, e, t in interleave(nm_groups):
        rows.append(
            dict(
                corpus=CORPUS,
                outlet=o,
                doc_id=d,
                start=s,
                end=e,
                term="",
                frame_word="none",
                source="miss-check",
                split="test",
                context=_context(t, s, e),
            )
        )
    sheet = pd.DataFrame(rows, columns=SHEET_COLUMNS[1:])
    sheet.insert(0, "item", [f"T{i + 1:04d}" for i in range(len(sheet))])
    return sheet[SHEET_COLUMNS]


def check(
    gold_path: Path, df: pd.DataFrame, exclude_docs: set[str] | None = None
) -> int:
    """Verify every gold row against the stored text; return the row count.

    With ``exclude_docs`` (round 2), a row whose document is in that set or
    whose outlet is not a test outlet is also a problem.
    """
    if not gold_path.is_file():
        raise GoldSheetError(
            f"{gold_path}: no such gold file; pass the path of a CSV such as "
            "framing/frames/gold/war-naming-telegram.csv"
        )
    gold = pd.read_csv(gold_path, dtype=str, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing or list(gold.columns) != GOLD_COLUMNS:
        raise GoldSheetError(
            f"{gold_path}: columns must be exactly {','.join(GOLD_COLUMNS)}; "
            f"missing {missing}. Fix the header row."
        )
    texts = dict(zip(df["doc_id"], df["text"], strict=True))
    problems = []
    for row in gold.to_dict("records"):
        text = texts.get(row["doc_id"])
        where = f"{gold_path} item {row['item']}"
        if text is None:
            problems.append(f"{where}: doc_id {row['doc_id']} not in {CORPUS}")
            continue
        s, e = int(row["start"]), int(row["end"])
        term = row["term"]
        if not 0 <= s < e <= len(text):
            problems.append(f"{where}: span {s}:{e} outside the text")
        elif row["frame"] != "none" and text[s:e] != term:
            problems.append(f"{where}: text[{s}:{e}] is not the term {term!r}")
        if split_of(row["outlet"]) != row["split"]:
            problems.append(f"{where}: outlet {row['outlet']} is not in {row['split']}")
        if exclude_docs is not None:
            if row["doc_id"] in exclude_docs:
                problems.append(
                    f"{where}: doc_id {row['doc_id']} is in the round-1 gold file"
                )
            if row["outlet"] not in TEST_OUTLETS:
                problems.append(f"{where}: outlet {row['outlet']} is not a test outlet")
    if problems:
        raise GoldSheetError(
            "\n".join(problems) + "\nFix the offsets or the term of these rows."
        )
    return len(gold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--round", type=int, choices=(1, 2), default=1, dest="round_")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-mention", type=int, default=None)
    ap.add_argument("--cap-dev", type=int, default=50)
    ap.add_argument("--cap-test", type=int, default=60)
    ap.add_argument("--check", type=Path, metavar="GOLD.csv")
    args = ap.parse_args(argv)
    df = load_texts()
    round2 = args.round_ == 2
    out = args.out or (SHEET2 if round2 else SHEET)
    try:
        exclude = round1_docs() if round2 else None
        if args.check:
            n = check(args.check, df, exclude_docs=exclude)
            extra = ", none in a round-1 document" if round2 else ""
            print(f"{args.check}: {n} rows, every offset points at its term{extra}")
            return 0
        if round2:
            assert exclude is not None
            sheet = draw_round2(
                df,
                exclude,
                seed=SEED + 2 if args.seed is None else args.seed,
                n_no_mention=(
                    ROUND2_NO_MENTION if args.no_mention is None else args.no_mention
                ),
            )
        else:
            caps = {"dev": args.cap_dev, "test": args.cap_test}
            sheet = draw(
                df,
                seed=SEED if args.seed is None else args.seed,
                caps=caps,
                n_no_mention=80 if args.no_mention is None else args.no_mention,
            )
    except GoldSheetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    sheet.to_csv(out, index=False)
    counts = Counter(zip(sheet["split"], sheet["frame_word"], strict=True))
    for (split, fw), n in sorted(counts.items()):
        print(f"{split:5s} {fw:28s} {n:4d}")
    print(f"{len(sheet)} rows -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
