"""The shipped model cards describe the data in this repository.

A card is how a reader checks which items a model saw: its training files with hashes, and the report sets it
never saw (which are what its published figures rest on). These tests catch a card that lists a file that does not
exist, a report set that was also trained on, or a training file edited after the model was trained.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from crisis_pool import DATA, SHARED, crisis_files, is_report_set, reply_files, report_set_files  # noqa: E402

CARDS = sorted((ROOT / "voicejournal" / "data").glob("*.card.json"))


def _card(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_cards_to_check() -> None:
    assert {p.name for p in CARDS} >= {"crisis_model.card.json", "reply_model.card.json"}


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.name)
def test_held_out_files_exist_and_were_not_trained_on(card: Path) -> None:
    data = _card(card)
    held_out = data["not_trained_on"]
    assert held_out
    for name in held_out:
        assert (ROOT / name).is_file(), f"{card.name} lists {name}, which does not exist"
    trained = set(data["training_files_sha256"])
    assert not trained & {Path(name).name for name in held_out}


@pytest.mark.parametrize("card", CARDS, ids=lambda p: p.name)
def test_training_files_match_their_hashes(card: Path) -> None:
    """dev.jsonl lives in ../shared/crisis; every other training file in tests/data."""
    for name, digest in _card(card)["training_files_sha256"].items():
        path = DATA / name
        if not path.is_file():
            path = SHARED / name
        if not path.is_file():
            pytest.skip(f"{name} is not on this machine")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{name} changed after {card.name} was made"


def test_no_report_set_is_in_a_training_pool() -> None:
    """Spent reply sets train the reply model; their crisis twins and the fresh reply sets stay held out."""
    assert is_report_set(DATA / "crisis_blind_za.jsonl") and not is_report_set(DATA / "replies_blind_za.jsonl")
    assert is_report_set(DATA / "replies_blind_zd.jsonl") and not is_report_set(DATA / "replies_blind_a.jsonl")
    held_out = set(report_set_files())
    assert held_out and not held_out & {*crisis_files(), *reply_files()}
