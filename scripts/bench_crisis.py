#!/usr/bin/env python
"""Latency of the crisis screen (patterns + learned layers): cold load, then p50/p99 ms per utterance and per reply.

Usage: .venv/bin/python scripts/bench_crisis.py [--data DIR] [--repeat 3]
Utterances: the dev set (10-40 words); replies: the dev replies. The result caches are cleared before
every call so each call does the full work (embedding included). Also times one 4,000-character line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def cold_load_ms() -> float:
    """Import and first screen in a fresh interpreter (compiles every pattern)."""
    code = ("import time; t=time.perf_counter(); from voicejournal.crisis import CrisisScreen; "
            "CrisisScreen().screen('hello there'); print((time.perf_counter()-t)*1000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return float(out.stdout.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "crisis")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from voicejournal.crisis.replies import pattern_reply, screen_reply
    from voicejournal.crisis.screen import pattern_screen, screen_text

    texts = [json.loads(x)["text"] for x in (args.data / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    replies = [json.loads(x)["reply"] for x in (args.data / "replies_dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    print(f"cold load (import + model load + first call, fresh process): {cold_load_ms():.1f} ms")
    from voicejournal.crisis.reply_model import get_reply_model
    from voicejournal.crisis.semantic import layer_name

    print(f"learned utterance layer: {layer_name()} (finetuned, frozen, or none = patterns only)")
    print(f"reply layer: {'fine-tuned (reply_model.onnx)' if get_reply_model().available else 'frozen head fallback'}")
    screen_text("warm up")
    long_line = "so today was long. " * 210 + "and i want to die"
    t0 = time.perf_counter()
    screen_text(long_line)
    print(f"one {len(long_line)}-character line: {(time.perf_counter() - t0) * 1000:.1f} ms")
    for name, fn, items in (("utterance", screen_text, texts), ("reply", screen_reply, replies)):
        times: list[float] = []
        for _ in range(args.repeat):
            for t in items:
                for f in (fn, pattern_screen, pattern_reply):
                    f.cache_clear()
                start = time.perf_counter()
                fn(t)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
        print(f"{name}: n={len(times)} p50 {p(0.50):.3f} ms, p99 {p(0.99):.3f} ms, max {times[-1]:.3f} ms, "
              f"mean {statistics.fmean(times):.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
