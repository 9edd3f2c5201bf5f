"""Pick how the learned layer meets the patterns: pattern_veto_p, imminent_mass and the cut-offs, on the held-out author.

Usage: .venv/bin/python scripts/pick_combination.py [--model voicejournal/data/crisis_model.onnx]
           [--select tests/data/crisis_train_3.jsonl] [--write-card FILE]

The rule (docs/SAFETY.md, "Combination trial", fixed before the report sets were scored):
1. pattern_veto_p is the largest value on VETO_GRID that, at the model's cut-offs, clears no item of the
   selection file labelled concern or above that the screen flags now;
2. the cut-offs stay; imminent_mass is the largest value on MASS_GRID giving the fewest imminent items below
   risk, with the hard FPR no higher than the model's now (off when none lowers that count).
The selection file must be one the model was not trained on (the card's not_trained_on). Runs in the app's venv:
the shipped int8 model is what is scored, as it runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crisis_pool import HARD, ORD  # noqa: E402
from voicejournal.crisis.combine import combine  # noqa: E402
from voicejournal.crisis.finetuned import CARD_PATH, MODEL_PATH, FineTuned  # noqa: E402
from voicejournal.crisis.screen import pattern_screen  # noqa: E402
from voicejournal.crisis.semantic import Combination, SemanticScore  # noqa: E402
from voicejournal.types import ScreenResult  # noqa: E402

VETO_GRID = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
MASS_GRID = (0.5, 0.3, 0.2, 0.15, 0.1, 0.08, 0.05)
MASS_OFF = Combination().imminent_mass
"""The card value that turns the imminent-mass rule off (above 1)."""

Item = tuple[str, ScreenResult, SemanticScore]


def levels(items: list[Item], veto: float, mass: float) -> np.ndarray:
    """Every item's level as the app's combine() decides it with these two values (the cut-offs as in the card)."""
    return np.asarray([ORD[combine(text, pat, replace(sem, combination=Combination(mass, veto))).level.value]
                       for text, pat, sem in items])


def metrics(p: np.ndarray, g: np.ndarray, hard: np.ndarray) -> dict[str, float | int]:
    return {"risk_imminent_recall": round(float((p[g >= 2] >= 2).mean()), 3),
            "imminent_none": int(((g == 3) & (p == 0)).sum()), "imminent_under": int(((g == 3) & (p <= 1)).sum()),
            "concern_recall": round(float((p[g == 1] >= 1).mean()), 3), "hard_fpr": round(float((p[hard] >= 1).mean()), 3),
            "hard_fpr_risk": round(float((p[hard] >= 2).mean()), 3), "plain_fpr": round(float((p[(g == 0) & ~hard] >= 1).mean()), 3)}


def pick_veto(items: list[Item], g: np.ndarray) -> float:
    """The largest VETO_GRID value that clears no labelled concern-or-above item flagged without it (0 if none)."""
    before = levels(items, 0.0, MASS_OFF)
    ok = [v for v in VETO_GRID if not ((g >= 1) & (before >= 1) & (levels(items, v, MASS_OFF) == 0)).any()]
    return max(ok, default=0.0)


def pick_mass(items: list[Item], g: np.ndarray, hard: np.ndarray, veto: float, cap: float) -> float:
    """The largest MASS_GRID value with the fewest imminent items below risk and hard FPR <= cap (MASS_OFF: off)."""
    under = lambda p: int(((g == 3) & (p <= 1)).sum())  # noqa: E731
    best_mass, best_under = MASS_OFF, under(levels(items, veto, MASS_OFF))
    for mass in MASS_GRID:  # largest first: at equal counts the first (largest) is kept
        p = levels(items, veto, mass)
        if float((p[hard] >= 1).mean()) <= cap + 1e-9 and under(p) < best_under:
            best_mass, best_under = mass, under(p)
    return best_mass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=MODEL_PATH)
    ap.add_argument("--select", type=Path, default=ROOT / "tests" / "data" / "crisis_train_3.jsonl")
    ap.add_argument("--write-card", type=Path, help="write the model's card with the picked values to FILE")
    args = ap.parse_args()
    card_path = args.model.with_suffix(".card.json") if args.model != MODEL_PATH else CARD_PATH
    card = json.loads(card_path.read_text())
    if not any(str(args.select).endswith(Path(n).name) for n in card.get("not_trained_on", [])):
        print(f"error: {args.select.name} is not in the card's not_trained_on; pick on a file the model never saw", file=sys.stderr)
        return 2
    model = FineTuned(args.model, card_path)
    if not model.available:
        print(f"error: cannot open {args.model}; see the warning above", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.select.read_text().splitlines() if line.strip()]
    print(f"scoring {len(rows)} items of {args.select.name} ...", file=sys.stderr)
    items = [(r["text"], pattern_screen(r["text"]), model.score(r["text"])) for r in rows]
    g = np.asarray([ORD[r["label"]] for r in rows])
    hard = np.asarray([g[i] == 0 and bool(HARD & set(r["tags"])) for i, r in enumerate(rows)])
    now = levels(items, model.combination.pattern_veto_p, model.combination.imminent_mass)
    print("now  ", metrics(now, g, hard))
    cap = float((levels(items, 0.0, MASS_OFF)[hard] >= 1).mean())
    veto = pick_veto(items, g)
    mass = pick_mass(items, g, hard, veto, cap)
    print(f"picked pattern_veto_p={veto} imminent_mass={mass} (cut-offs {card['thresholds']} kept)")
    print("after", metrics(levels(items, veto, mass), g, hard))
    if args.write_card:
        card.update(imminent_mass=mass, pattern_veto_p=veto)
        args.write_card.write_text(json.dumps(card, indent=1) + "\n")
        print(f"wrote {args.write_card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
