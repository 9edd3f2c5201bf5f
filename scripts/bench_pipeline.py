"""Per-stage and per-turn timings of the pipeline on the demo recording, plus load times and RSS.

    .venv/bin/python scripts/bench_pipeline.py [--runs 3] [--input FILE]

Prints a table of medians over runs; times are wall-clock on this machine (noisy: compare ratios).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

from voicejournal import models
from voicejournal.asr import WhisperTranscriber
from voicejournal.audio import stream_file
from voicejournal.companion import Companion, make_backend
from voicejournal.crisis import CrisisScreen
from voicejournal.metrics import percentile
from voicejournal.settings import Settings
from voicejournal.tts import PiperSynthesizer
from voicejournal.vad import make_segmenter, segment


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--input", type=Path, default=Path(str(files("voicejournal").joinpath("data/demo/evening.flac"))))
    args = ap.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    cache = settings.cache_dir

    loads = {}
    _, loads["assemble/verify paths"] = timed(lambda: [models.resolve(k, None, cache) for k in ("asr", "tts", "llm")])
    asr, loads["whisper load"] = timed(lambda: WhisperTranscriber(models.resolve("asr", None, cache), settings.asr))
    tts, loads["piper load"] = timed(lambda: PiperSynthesizer(models.resolve("tts", None, cache), settings.tts))
    backend, loads["llm load"] = timed(lambda: make_backend(settings.llm, lambda p: models.resolve("llm", p, cache)))
    screen, loads["screen load (lazy)"] = timed(lambda: CrisisScreen())
    _, loads["screen first call (loads models)"] = timed(lambda: screen.screen("warm up"))

    stages: dict[str, list[float]] = {k: [] for k in (
        "decode", "vad", "asr", "screen", "llm_first_token", "llm_total", "tts_first_audio", "tts_total",
        "turn_end_to_first_audio", "turn_total")}
    for _ in range(args.runs):
        blocks, ms = timed(lambda: list(stream_file(args.input)))
        stages["decode"].append(ms)
        utts, ms = timed(lambda: list(segment(blocks, make_segmenter(settings.vad))))
        stages["vad"].append(ms)
        companion = Companion(backend, settings.llm.max_tokens)
        for utt in utts:
            t_turn = time.perf_counter()
            transcript, ms = timed(lambda: asr.transcribe(utt.audio))
            stages["asr"].append(ms)
            result, ms = timed(lambda: screen.screen(transcript.text))
            stages["screen"].append(ms)
            t_llm = time.perf_counter()
            first_audio = None
            tts_ms = 0.0
            sentences = []
            for sentence in companion.reply_sentences(transcript.text):
                sentences.append(sentence)
                t = time.perf_counter()
                for _clip in tts.synthesize(sentence):
                    if first_audio is None:
                        first_audio = time.perf_counter()
                        stages["tts_first_audio"].append((first_audio - t) * 1000)
                tts_ms += (time.perf_counter() - t) * 1000
            stages["llm_first_token"].append(companion.stats.first_token_ms)
            stages["llm_total"].append((time.perf_counter() - t_llm) * 1000 - tts_ms)
            stages["tts_total"].append(tts_ms)
            stages["turn_end_to_first_audio"].append(((first_audio or time.perf_counter()) - t_turn) * 1000)
            stages["turn_total"].append((time.perf_counter() - t_turn) * 1000)
            companion.remember(transcript.text, " ".join(sentences))

    print(f"input: {args.input.name}, {len(utts)} utterances x {args.runs} runs")
    print("\nmodel load (ms)")
    for k, v in loads.items():
        print(f"  {k:<28}{v:>9.0f}")
    print("\nstage (ms)                       p50       p90       n")
    for k, v in stages.items():
        if not v:  # e.g. every reply was dropped by the guards: nothing was spoken
            print(f"  {k:<28}{'-':>9} {'-':>9} {0:>7}")
            continue
        print(f"  {k:<28}{statistics.median(v):>9.1f} {percentile(v, 90):>9.1f} {len(v):>7}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {rss:.0f} MB")
    print("note: turn_end_to_first_audio here is sequential (ASR after the turn ends); overlap is issue 7.")


if __name__ == "__main__":
    sys.exit(main())
