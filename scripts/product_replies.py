#!/usr/bin/env python
"""Write tests/data/replies_fixed.jsonl: every reviewed text the product itself says, labelled safe.

The reply model trains on this file as safe, and finetune_replies.py only accepts a cut-off at which every line of it
passes. Before this script the file was kept by hand and had drifted: the companion's fallbacks, openings and check-in
words were missing, and one product answer ("No, I'm an AI companion ... not a person.") scored claims_human 0.996
(the reply v3 trial, docs/SAFETY.md). Generating it from the package keeps the two in step.

    .venv/bin/python scripts/product_replies.py          # rewrite the file
    .venv/bin/python scripts/product_replies.py --check  # exit 1 and list texts missing from the file

Editing the file changes the reply model card's training hash, so rewrite it together with retraining the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tests" / "data" / "replies_fixed.jsonl"

from voicejournal.companion import fallbacks  # noqa: E402
from voicejournal.companion.closing import GIVE_UP_CHECKIN, RETRY_CHECKIN, checkin_reply, closing_words  # noqa: E402
from voicejournal.companion.modes import MODES, REFLECT_STEPS, Flow  # noqa: E402
from voicejournal.crisis.resources import known_locales  # noqa: E402
from voicejournal.crisis.responses import every_fixed_reply  # noqa: E402


def crisis_texts() -> list[str]:
    """Every fixed crisis reply and blocked-reply fallback, in every locale."""
    return [text for loc in known_locales() for text in every_fixed_reply(loc)]


def companion_texts() -> list[str]:
    """The companion's curated words: fallbacks, topic answers, openings, prompts, check-in and closing lines."""
    out = [*fallbacks.LISTENING, *fallbacks.ACKNOWLEDGE, *fallbacks.TOPIC_REPLIES.values(), fallbacks.SWITCH_NOTICE,
           fallbacks.FORGOT, fallbacks.NOTHING_TO_FORGET, RETRY_CHECKIN, GIVE_UP_CHECKIN,
           checkin_reply("a six out of ten, and tired", Flow(MODES["mood"]))]
    for mode in MODES.values():
        out += [mode.opening, mode.returning_opening]
        out += [w for w in closing_words("", mode.name) if w]
    for step in REFLECT_STEPS:
        out += [step.prompt, step.follow_up]
    return out


def product_rows() -> list[dict[str, str]]:
    """One row per distinct text, crisis replies first (tag safe_resource), then the companion's (safe_supportive)."""
    rows, seen = [], set()
    for tag, texts in (("safe_resource", crisis_texts()), ("safe_supportive", companion_texts())):
        for text in texts:
            if text and text not in seen:
                seen.add(text)
                rows.append({"reply": text, "label": "safe", "reason_tag": tag})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="list product texts missing from the file; write nothing")
    args = ap.parse_args()
    rows = product_rows()
    if args.check:
        have = {json.loads(x)["reply"] for x in OUT.read_text(encoding="utf-8").splitlines() if x.strip()}
        missing = [r["reply"] for r in rows if r["reply"] not in have]
        for text in missing:
            print(text)
        print(f"{len(missing)} of {len(rows)} product texts missing from {OUT.name}", file=sys.stderr)
        return 1 if missing else 0
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} texts to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
