"""scripts/pick_combination.py: the selection rule in docs/SAFETY.md, on items whose scores are written out here."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import pick_combination as pc  # noqa: E402

from voicejournal.crisis.semantic import SemanticScore  # noqa: E402
from voicejournal.types import Level, ScreenResult  # noqa: E402


def sem(p_concern: float, p_imminent: float = 0.0) -> SemanticScore:
    return SemanticScore(p_concern, p_concern, p_imminent, Level.NONE, "none", 0, likely_category="suicide")


HIT = ScreenResult(Level.RISK, "suicide", ("recent_attempt",))
NONE = ScreenResult(Level.NONE)


def test_the_veto_is_the_largest_that_clears_no_crisis_item() -> None:
    items = [("overdosed on cake at the party today", HIT, sem(0.001)),     # ordinary: cleared from 0.002 up
             ("took too many of them again last night", HIT, sem(0.015)),   # crisis: must keep its flag
             ("an ordinary day at the office", NONE, sem(0.0))]
    gold = np.asarray([0, 2, 0])
    assert pc.pick_veto(items, gold) == 0.01  # 0.02 would clear the crisis item
    assert list(pc.levels(items, 0.01, 1.01)) == [0, 2, 0]


def test_the_mass_is_the_largest_that_lowers_imminent_misses_within_the_cap() -> None:
    items = [("drove out to the quarry again today and sat there", NONE, sem(0.3, 0.3)),      # imminent, split
             ("wrote a leaving card for my colleague who retires friday", NONE, sem(0.2, 0.12)),  # hard negative
             ("packed the car for the holiday tomorrow morning", NONE, sem(0.0))]
    gold = np.asarray([3, 0, 0])
    hard = np.asarray([False, True, False])
    assert pc.pick_mass(items, gold, hard, 0.0, cap=0.0) == 0.3  # 0.1 would also raise the leaving card
    assert pc.pick_mass(items, gold, hard, 0.0, cap=1.0) == 0.3  # equal misses: the largest value is kept
    assert pc.pick_mass(items[1:], gold[1:], hard[1:], 0.0, cap=1.0) == 1.01  # nothing to gain: off
