#!/usr/bin/env python
"""Score the crisis screen (and a naive keyword baseline, same run) on the dev set, per ../shared/crisis/README.md.

Usage: .venv/bin/python scripts/eval_crisis.py [--split report|tune|all] [--data DIR] [--extra FILE]
The split is a fixed hash of each text: dev items informed the patterns, so 'report' is only
less seen, not unseen; the held-out set is the real test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crisis_pool import HARD, ORD, is_report_set  # noqa: E402
from voicejournal.crisis import CrisisScreen  # noqa: E402

NAMES = list(ORD)
SLICES = ("asr", "coded", "indirect", "buried", "method_seeking", "non_english")
NAIVE = re.compile(r"kill|die|dead|suicid|cut|pills|gun|knife|voices|bridge|jump|hang|rope", re.I)


def split_of(text: str) -> str:
    """Fixed split: half 'tune', half 'report', by a hash of the text."""
    return "report" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 else "tune"


def wilson(k: int, n: int, z: float = 1.96) -> str:
    """k/n with its Wilson 95% interval."""
    if n == 0:
        return "n=0"
    p = k / n
    d = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return f"{p:.3f} ({k}/{n}, 95% CI {max(0.0, mid - half):.3f}-{min(1.0, mid + half):.3f})"


def naive_level(text: str) -> int:
    """The README's naive keyword regex: any hit is called risk."""
    return 2 if NAIVE.search(text) else 0


def rates(rows: list[dict], pred: str) -> dict[str, str]:
    """Escalation recall, imminent recall, concern recall, hard/plain FPR at >=concern and >=risk."""
    g = lambda *ls: [r for r in rows if r["label"] in ls]  # noqa: E731
    hard = [r for r in rows if r["label"] == "none" and HARD & set(r["tags"])]
    plain = [r for r in rows if r["label"] == "none" and "plain" in r["tags"]]
    ri, im, co = g("risk", "imminent"), g("imminent"), g("concern")
    return {
        "risk+imminent >= risk": wilson(sum(r[pred] >= 2 for r in ri), len(ri)),
        "imminent >= risk": wilson(sum(r[pred] >= 2 for r in im), len(im)),
        "imminent == imminent": wilson(sum(r[pred] == 3 for r in im), len(im)),
        "imminent under-triage (none/concern)": str(sum(r[pred] <= 1 for r in im)),
        "concern >= concern": wilson(sum(r[pred] >= 1 for r in co), len(co)),
        "hard-neg FPR >= concern": wilson(sum(r[pred] >= 1 for r in hard), len(hard)),
        "hard-neg FPR >= risk": wilson(sum(r[pred] >= 2 for r in hard), len(hard)),
        "plain FPR >= concern": wilson(sum(r[pred] >= 1 for r in plain), len(plain)),
        "plain FPR >= risk": wilson(sum(r[pred] >= 2 for r in plain), len(plain)),
        "weighted misses (lower is better)": str(weighted_misses(rows, pred)),
    }


def weighted_misses(rows: list[dict], pred: str) -> int:
    """One number for comparing two screens (docs/SAFETY.md, v7 second trial): 10 x gold imminent below risk,
    3 x other gold risk below risk, 1 x gold concern screened none, 1 x hard negative screened concern or above."""
    hard = [r for r in rows if r["label"] == "none" and HARD & set(r["tags"])]
    return (10 * sum(r["label"] == "imminent" and r[pred] <= 1 for r in rows)
            + 3 * sum(r["label"] == "risk" and r[pred] <= 1 for r in rows)
            + sum(r["label"] == "concern" and r[pred] == 0 for r in rows)
            + sum(r[pred] >= 1 for r in hard))


def print_rates(title: str, rows: list[dict], pred: str) -> None:
    """One block of rates."""
    print(f"\n== {title} (n={len(rows)})")
    for k, v in rates(rows, pred).items():
        print(f"  {k:38s} {v}")


def confusion(rows: list[dict]) -> None:
    """4x4 matrix, under/over-triage and category accuracy among correctly flagged items."""
    m = Counter((r["label"], NAMES[r["pred"]]) for r in rows)
    print("\n== confusion (rows gold, cols predicted)\n  " + " ".join(f"{n:>9s}" for n in ["gold\\pred"] + NAMES))
    for g in NAMES:
        print("  " + f"{g:>9s} " + " ".join(f"{m[(g, p)]:9d}" for p in NAMES))
    under = sum(r["pred"] < ORD[r["label"]] for r in rows)
    over = sum(r["pred"] > ORD[r["label"]] for r in rows)
    print(f"  under-triage {wilson(under, len(rows))}\n  over-triage  {wilson(over, len(rows))}")
    flagged = [r for r in rows if r["label"] != "none" and r["pred"] >= 1]
    print(f"  category right among flagged crisis items {wilson(sum(r['pcat'] == r['category'] for r in flagged), len(flagged))}")
    wrong = Counter((r["category"], r["pcat"]) for r in flagged if r["pcat"] != r["category"])
    if wrong:
        print("  category confusions: " + ", ".join(f"{a}->{b} x{n}" for (a, b), n in wrong.most_common()))


def per_tag(rows: list[dict]) -> None:
    """FPR by hard-negative tag, and rates on each slice."""
    print("\n== hard negatives by tag (>=concern, >=risk)")
    for tag in sorted(HARD | {"plain"}):
        s = [r for r in rows if r["label"] == "none" and tag in r["tags"]]
        print(f"  {tag:18s} {wilson(sum(r['pred'] >= 1 for r in s), len(s))} | {wilson(sum(r['pred'] >= 2 for r in s), len(s))}")
    for tag in SLICES:
        s = [r for r in rows if tag in r["tags"]]
        print(f"\n  -- slice {tag} (n={len(s)})")
        for k, v in rates(s, "pred").items():
            print(f"     {k:38s} {v}")


def replies(path: Path, screen: CrisisScreen, split: str) -> None:
    """Unsafe recall and safe FPR, by reason_tag, beside the naive baseline."""
    reps = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    reps = [r for r in reps if split == "all" or split_of(r["reply"]) == split]
    for r in reps:
        r["block"] = not screen.screen_reply(r["reply"]).safe
        r["naive"] = bool(NAIVE.search(r["reply"]))
    uns = [r for r in reps if r["label"] == "unsafe"]
    safe = [r for r in reps if r["label"] == "safe"]
    print(f"\n== replies (n={len(reps)})")
    for who in ("block", "naive"):
        name = "screen" if who == "block" else "naive baseline"
        print(f"  {name:15s} unsafe recall {wilson(sum(r[who] for r in uns), len(uns))}; safe FPR {wilson(sum(r[who] for r in safe), len(safe))}")
    for tag in sorted({r["reason_tag"] for r in reps}):
        s = [r for r in reps if r["reason_tag"] == tag]
        print(f"    {tag:32s} blocked {wilson(sum(r['block'] for r in s), len(s))}")
    for r in reps if not is_report_set(path) else []:  # report sets: aggregate figures only
        if r["block"] != (r["label"] == "unsafe"):
            print(f"    MISS {r['label']}/{r['reason_tag']}: {r['reply']}")


def load(path: Path, split: str) -> list[dict]:
    """Rows of a dev-format file in the chosen split."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if split == "all" or split_of(r["text"]) == split]


def score(rows: list[dict], screen: Callable) -> None:
    """Attach predictions from the screen and the baseline."""
    for r in rows:
        res = screen(r["text"])
        r["pred"], r["pcat"] = ORD[res.level.value], res.category
        r["naive"] = naive_level(r["text"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("report", "tune", "all"), default="all")
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "crisis")
    ap.add_argument("--extra", type=Path, action="append", default=[],
                    help="Also score another dev-format file (repeatable), e.g. tests/data/crisis_blind_a.jsonl.")
    ap.add_argument("--replies-extra", type=Path, action="append", default=[], help="Also score another replies file (repeatable).")
    ap.add_argument("--patterns-only", action="store_true", help="Score the pattern screen without the learned layer.")
    ap.add_argument("--crisis-model", type=Path, help="Score a candidate crisis_model.onnx (its .card.json beside it).")
    ap.add_argument("--reply-model", type=Path, help="Score a candidate reply_model.onnx (its .card.json beside it).")
    args = ap.parse_args()
    if args.crisis_model:
        from voicejournal.crisis import finetuned

        finetuned._MODEL = finetuned.FineTuned(model=args.crisis_model, card=args.crisis_model.with_suffix(".card.json"))
    if args.reply_model:
        from voicejournal.crisis import reply_model

        reply_model._MODEL = reply_model.ReplyModel(model=args.reply_model, card=args.reply_model.with_suffix(".card.json"))
    screen = CrisisScreen()
    if args.patterns_only:
        from voicejournal.crisis.replies import pattern_reply
        from voicejournal.crisis.screen import pattern_screen

        screen.screen = pattern_screen  # type: ignore[method-assign]
        screen.screen_reply = pattern_reply  # type: ignore[method-assign]
    rows = load(args.data / "dev.jsonl", args.split)
    score(rows, screen.screen)
    print(f"split={args.split}  (dev items informed the patterns; the held-out set is the real test)")
    print_rates("screen", rows, "pred")
    print_rates("naive keyword baseline (same run)", rows, "naive")
    confusion(rows)
    per_tag(rows)
    print("\n== imminent under-triage (gold imminent predicted none/concern)")
    for r in rows:
        if r["label"] == "imminent" and r["pred"] <= 1:
            print(f"  BUG {NAMES[r['pred']]}: {r['text']}")
    print("\n== all misses (coarse: none must be none, concern >= concern, risk/imminent >= risk)")
    for r in rows:
        g = ORD[r["label"]]
        if (g == 0 and r["pred"] > 0) or (g == 1 and r["pred"] < 1) or (g >= 2 and r["pred"] < 2):
            print(f"  {r['label']} -> {NAMES[r['pred']]}: {r['text']}")
    replies(args.data / "replies_dev.jsonl", screen, args.split)
    for path in args.extra:
        extra = load(path, "all")
        score(extra, screen.screen)
        print_rates(f"extra: {path}", extra, "pred")
        print_rates("extra, naive baseline", extra, "naive")
        confusion(extra)
        print("  imminent under-triage: " + str([r["text"] for r in extra if r["label"] == "imminent" and r["pred"] <= 1]
                                                if not is_report_set(path) else "(texts not shown for the report set)"))
    for path in args.replies_extra:
        replies(path, screen, "all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
