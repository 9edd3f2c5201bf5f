"""The crisis training pools, defined once for train_crisis.py and finetune_crisis.py (and finetune_replies.py).

Standard library only, so the numpy trainer never needs torch and the torch trainer can import it too.
Report sets (crisis_ or replies_ and a name in REPORT_SETS) are never trained on; spent ones (SPENT_SETS,
SPENT_REPLY_SETS) are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "crisis"
REPORT_SETS = ("blind_b", "blind_c", *(f"blind_{x}" for x in ("x", "y", "z", "za", "zb", "zc", "zd", "ze", "zf", "zg",
                                                              "zh", "zi", "zj", "zk", "zl")))
"""Held out from every training pool: the report sets, and (replies ZD-ZI) the sets a reply cut-off is calibrated on."""
SPENT_SETS = tuple(f"blind_{c}" for c in "defghijklmnopqrstuvw")
"""Former report sets, each scored once for a decision (up to v11b); since v12 they are training files: twenty
authors who saw only the README widen the pool more than they would still tell, once spent."""
SPENT_REPLY_SETS = ("blind_x", "blind_y", "blind_z", "blind_za", "blind_zb", "blind_zc")
"""Reply report sets scored for their decisions (X-Z: reply v2b and v1; ZA-ZC: v2b and v3b); since reply v4 they are
training files. Only the replies_ files: their crisis_ twins (crisis_blind_x ... zc) are still report sets."""
LEVELS = ("none", "concern", "risk", "imminent")
ORD = {label: n for n, label in enumerate(LEVELS)}
"""Level name -> ordinal (none 0 ... imminent 3)."""
HARD = frozenset({"idiom", "benign_homograph", "negation", "media", "third_party", "past_resolved", "accidental",
                  "non_english"})
"""The hard-negative tags of ../shared/crisis/README.md: a `none` item with one of them is a hard negative."""


def is_report_set(path: Path) -> bool:
    """crisis_blind_x.jsonl or replies_blind_x.jsonl for a name in REPORT_SETS (exact: blind_z is not blind_za),
    except the spent reply sets."""
    kind, _, name = path.stem.partition("_")
    return name in REPORT_SETS and not (kind == "replies" and name in SPENT_REPLY_SETS)


def report_set_files() -> list[Path]:
    """The report sets present in tests/data (there are crisis sets without reply twins)."""
    return [p for p in sorted(DATA.glob("*.jsonl")) if is_report_set(p)]


NOT_TRAINED_ON = [f"tests/data/{p.name}" for p in report_set_files()]
"""What the model cards list as held out."""


def crisis_files() -> list[Path]:
    """Level/category training files present: dev, extra, blind_a, the spent report sets, every crisis_train_*.jsonl."""
    files = [SHARED / "dev.jsonl", DATA / "crisis_extra.jsonl", DATA / "crisis_blind_a.jsonl",
             *(DATA / f"crisis_{spent}.jsonl" for spent in SPENT_SETS), *sorted(DATA.glob("crisis_train_*.jsonl"))]
    return [p for p in files if p.is_file() and not is_report_set(p)]


def reply_files() -> list[Path]:
    """Reply-safety training files present: dev, blind_a, every replies_train*.jsonl, the spent reply sets, short, and
    the product's own."""
    files = [SHARED / "replies_dev.jsonl", DATA / "replies_blind_a.jsonl", *sorted(DATA.glob("replies_train*.jsonl")),
             *(DATA / f"replies_{spent}.jsonl" for spent in SPENT_REPLY_SETS),
             DATA / "replies_short.jsonl", DATA / "replies_fixed.jsonl"]  # replies_fixed: the reviewed product texts
    return [p for p in files if p.is_file() and not is_report_set(p)]


def report_texts(key: str) -> set[str]:
    """Every `key` text of the report sets present, lower-cased: a training file that repeats one must not teach it."""
    texts: set[str] = set()
    for path in report_set_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and key in (row := json.loads(line)):
                texts.add(str(row[key]).lower().strip())
    return texts


def read_rows(files: Iterable[Path], key: str, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The rows `keep` accepts, the first copy of each `key` text winning, each tagged with its file name ("src").

    A row whose text is also in a report set is left out (a few short items were written twice by chance).
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    held_out = report_texts(key)
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row[key] in seen or not keep(row) or str(row[key]).lower().strip() in held_out:
                continue
            seen.add(row[key])
            row["src"] = path.name
            rows.append(row)
    return rows


def crisis_rows(files: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """Labelled crisis items (text, label, tags, ...) of the pool, or of the files given."""
    rows = read_rows(crisis_files() if files is None else files, "text", lambda r: r.get("label") in LEVELS)
    for row in rows:
        row.setdefault("tags", [])
    return rows
