"""Speech-to-text settings that trade speed for accuracy, measured on this machine.

    .venv/bin/python scripts/bench_asr_settings.py [--sentences 30] [--model PATH]

Renders fixed journaling sentences with the shipped Piper voice (its sampling noise on, as a
person varies, with a seeded hiss) and transcribes each with every setting below; prints the
word error rate (all words) and the time per utterance (p50) for each, and the ratio to the
default. A larger Whisper the user points to (`asr.model = "/path/to/ct2-folder"`) goes in with
--model.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicejournal import models  # noqa: E402
from voicejournal.asr import WhisperTranscriber  # noqa: E402
from voicejournal.metrics import word_errors  # noqa: E402
from voicejournal.settings import AsrSettings, Settings, TtsSettings  # noqa: E402
from voicejournal.tts import PiperSynthesizer, render_with_pauses  # noqa: E402

SETTINGS = {
    "default (beam 1, 15 s window, 2 threads)": AsrSettings(),
    "stock 30 s window": AsrSettings(window_s=30.0),
    "20 s window": AsrSettings(window_s=20.0),
    "beam 5": AsrSettings(beam_size=5),
    "1 thread": AsrSettings(threads=1),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=60)
    ap.add_argument("--model", default=None, help="also measure this local CTranslate2 Whisper folder")
    args = ap.parse_args()
    settings = Settings()
    rows = [json.loads(line)["text"] for line in open(ROOT / "tests" / "data" / "companion_eval.jsonl")]
    texts = [t for t in rows if 4 <= len(t.split()) <= 40]
    random.Random(5).shuffle(texts)
    texts = texts[:args.sentences]
    voice = PiperSynthesizer(models.resolve("tts", "joe", settings.cache_dir), TtsSettings())
    clips = [render_with_pauses(voice, [t], 0.3, lead_s=0.2, noise=0.01, seed=i) for i, t in enumerate(texts)]
    configs = dict(SETTINGS)
    if args.model:
        configs[f"{Path(args.model).name}, beam 1"] = AsrSettings(model=args.model)
    base = models.resolve("asr", None, settings.cache_dir)
    loaded: dict[tuple[str, int], WhisperTranscriber] = {}
    runners = {}
    for name, asr in configs.items():
        key = (asr.model, asr.threads)
        if key not in loaded:
            path = base if asr.model == "base" else Path(asr.model)
            loaded[key] = WhisperTranscriber(path, asr)
        runners[name] = (loaded[key], asr)
    tally = {name: [0, 0, []] for name in configs}
    for i, (text, clip) in enumerate(zip(texts, clips)):
        for name, (tr, asr) in runners.items():  # interleaved, so drift in machine speed hits all alike
            tr.settings = asr
            t0 = time.perf_counter()
            got = tr.transcribe(clip)
            ms = (time.perf_counter() - t0) * 1000
            if i == 0:
                continue  # warm-up
            e, n = word_errors(text, got.text)
            tally[name][0] += e
            tally[name][1] += n
            tally[name][2].append(ms)
    results = {name: (e / n, statistics.median(ms), e, n) for name, (e, n, ms) in tally.items()}
    default = results[next(iter(SETTINGS))]
    print(f"{len(texts)} utterances ({sum(c.duration_s for c in clips) / len(clips):.1f} s on average), Whisper base int8")
    print(f"{'setting':<44}{'WER':>7}{'p50 ms':>9}{'time vs default':>17}")
    for name, (wer, ms, e, n) in results.items():
        print(f"{name:<44}{wer:>7.3f}{ms:>9.0f}{ms / default[1]:>16.2f}x   ({e}/{n} words)")


if __name__ == "__main__":
    sys.exit(main())
