#!/usr/bin/env python
"""Latency of the crisis screen: cold load, then p50/p99 ms per utterance over the dev set, repeated.

Usage: .venv/bin/python scripts/bench_crisis.py [--data DIR] [--repeat 5]
The result cache is cleared before every pass so each call does the full work.
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
            "CrisisScreen().screen('hello'); print((time.perf_counter()-t)*1000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return float(out.stdout.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "crisis")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from voicejournal.crisis.replies import screen_reply
    from voicejournal.crisis.screen import screen_text

    texts = [json.loads(x)["text"] for x in (args.data / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    replies = [json.loads(x)["reply"] for x in (args.data / "replies_dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    texts.append("so today was long " * 220 + "and i want to die")  # a very long line
    print(f"cold load (import + first call, fresh process): {cold_load_ms():.1f} ms")
    for name, fn, items in (("utterance", screen_text, texts), ("reply", screen_reply, replies)):
        times: list[float] = []
        for _ in range(args.repeat):
            for t in items:
                fn.cache_clear()
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
