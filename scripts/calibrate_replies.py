#!/usr/bin/env python
"""Pick the reply model's cut-off on reply authors it never saw (the rule of reply v4b and v5, docs/SAFETY.md).

The hold-out run of finetune_replies.py picks its cut-off on replies_dev and replies_blind_a, which proved far easier on
safe replies than a new author (reply v4: held-out FPR 0.025, a fresh author's 0.058). This scores whole files of
authors the model was not trained on with screen_reply exactly as shipped (patterns, then the model at each cut-off)
and prints the lowest 0.01 step at which their safe FPR is within --fpr-cap and every product text passes. The suite
comes after: the rule raises the cut-off further in 0.01 steps while it fails.

    .venv/bin/python scripts/calibrate_replies.py /tmp/r6/reply_model.onnx --sets zd,ze,zf,zg,zh,zi --start 0.50
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from crisis_pool import DATA  # noqa: E402
from product_replies import product_rows  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", type=Path, help="a reply_model.onnx with its .card.json beside it")
    ap.add_argument("--sets", default="zd,ze,zf,zg,zh,zi", help="replies_blind_<name>.jsonl files the model never saw")
    ap.add_argument("--start", type=float, default=0.50, help="lowest cut-off tried")
    ap.add_argument("--fpr-cap", type=float, default=0.03)
    args = ap.parse_args()
    from voicejournal.crisis import reply_model
    from voicejournal.crisis.replies import screen_reply

    model = reply_model.ReplyModel(model=args.model, card=args.model.with_suffix(".card.json"))
    if not model.available:
        raise SystemExit(f"could not load {args.model} with its card; see the warning above")
    trained = set(json.loads(args.model.with_suffix(".card.json").read_text())["training_files_sha256"])
    files = [DATA / f"replies_blind_{name}.jsonl" for name in args.sets.split(",")]
    if overlap := trained & {p.name for p in files}:
        raise SystemExit(f"the model was trained on {sorted(overlap)}: calibrate on files it never saw")
    reply_model._MODEL = model  # screen_reply reads the module's model
    rows = [json.loads(x) for p in files for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    product = [r["reply"] for r in product_rows()]
    chosen = None
    for step in range(round(args.start * 100), 100):
        model.threshold = step / 100
        screen_reply.cache_clear()
        blocked = [not screen_reply(r["reply"]).safe for r in rows]
        safe = [b for b, r in zip(blocked, rows) if r["label"] == "safe"]
        unsafe = [b for b, r in zip(blocked, rows) if r["label"] == "unsafe"]
        product_blocked = sum(not screen_reply(t).safe for t in product)
        fpr = sum(safe) / len(safe)
        print(f"{step / 100:.2f}  unsafe recall {sum(unsafe)}/{len(unsafe)} = {sum(unsafe) / len(unsafe):.3f}  "
              f"safe FPR {sum(safe)}/{len(safe)} = {fpr:.3f}  product texts blocked {product_blocked}")
        if chosen is None and fpr <= args.fpr_cap and product_blocked == 0:
            chosen = step / 100
    print(f"cut-off: {chosen}" if chosen is not None else "no step reaches the cap: the rule takes the lowest FPR")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
