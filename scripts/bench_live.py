"""Live latency over a virtual PulseAudio microphone: end of speech → first reply sample heard.

    .venv/bin/python scripts/bench_live.py [--turns 10] [--mode reflect|free|mood] [--json]

Starts a private PulseAudio daemon (needs `pulseaudio pulseaudio-utils libportaudio2`), runs
`voicejournal talk --max-turns N` as a subprocess, plays N synthesized utterances into the
microphone one turn at a time, and records the replies from the output sink (to check each
reply was played). Per turn, the app stores two times in the journal, both taken inside the app
against its own audio stream: `end_of_turn` (from the end of speech, in microphone samples, to
the turn-end decision: the silence the segmenter waits for) and `to_first_sample` (from that
decision to the first reply sample reaching the output, device latency included). Their sum is
the time from the end of the user's speech to the first reply sample. (An external timeline from
the recording is not used: under load, parecord on a null-sink monitor drops stretches.)
Also: the app's cold start (the `voicejournal talk` command launched → "Listening on" printed:
Python start-up, imports, model loads and warm-ups, and the mode's opening line, during which the
microphone rests), the app's own start-up times (launch → the opening's first sample, → listening;
stored in the session's meta), idle CPU while listening, the app's peak RSS, and the machine's
load average. The session runs in `--mode reflect` (a guided conversation) unless told otherwise:
open journaling (`free`) waits for a 1.5 s pause before it replies, by design.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pulse import start_pulse  # noqa: E402
from voicejournal import models  # noqa: E402
from voicejournal.audio import read_file, resample, write_audio  # noqa: E402
from voicejournal.metrics import percentile  # noqa: E402
from voicejournal.settings import Settings, TtsSettings  # noqa: E402
from voicejournal.tts import PiperSynthesizer  # noqa: E402
from voicejournal.types import SAMPLE_RATE, Audio  # noqa: E402

VJ = str(Path(sys.executable).with_name("voicejournal"))
SENTENCES = [
    "Today I finally finished the report I had been putting off.",
    "I felt a bit anxious this morning before the meeting.",
    "My sister called and we talked for almost an hour.",
    "I went for a long walk by the river after dinner.",
    "Work was busy but I managed to take a proper lunch break.",
    "I keep thinking about what my friend said yesterday.",
    "I slept badly last night and I am tired now.",
    "I cooked a new recipe and it turned out well.",
    "The train was late again and I was annoyed.",
    "I am grateful that the weekend is almost here.",
    "I want to spend less time on my phone in the evening.",
    "I felt calm while reading in the garden.",
]
LEAD_S, TAIL_S = 0.4, 0.4
FRAME_S = 0.01


def render(voice: PiperSynthesizer, text: str, folder: Path, i: int) -> tuple[Path, float]:
    """One utterance as a WAV, and where the speech ends inside it (seconds)."""
    clips = [resample(c.samples, c.rate, SAMPLE_RATE) for c in voice.synthesize(text)]
    speech = np.concatenate(clips)
    loud = np.nonzero(np.abs(speech) > 0.01)[0]
    end = LEAD_S + (loud[-1] + 1) / SAMPLE_RATE
    samples = np.concatenate([np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32), speech,
                              np.zeros(int(TAIL_S * SAMPLE_RATE), np.float32)])
    return write_audio(folder / f"utt_{i:02d}.wav", Audio(samples, SAMPLE_RATE)), end


def onsets(path: Path, floor_dbfs: float = -45.0) -> np.ndarray:
    """Start times (s) of the loud stretches in a recording."""
    audio = read_file(path)
    n = int(FRAME_S * audio.rate)
    frames = audio.samples[: len(audio.samples) // n * n].reshape(-1, n)
    loud = 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-9) > floor_dbfs
    starts = np.nonzero(loud & ~np.concatenate([[False], loud[:-1]]))[0]
    return starts * FRAME_S


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def answered(db: Path) -> list[tuple[str, dict]]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT user_text, latency_ms FROM turns WHERE reply_text IS NOT NULL ORDER BY id").fetchall()
    return [(text, json.loads(lat or "{}")) for text, lat in rows]


def startup(db: Path) -> dict:
    """The app's own start-up times (launch -> opening's first sample, -> listening), from the session's meta."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT meta FROM sessions ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row[0]).get("startup_s", {}) if row else {}


def wait_for(cond, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--idle-s", type=float, default=8.0, help="How long to measure idle CPU while listening.")
    ap.add_argument("--mode", default="reflect", choices=["reflect", "free", "mood"],
                    help="The session's mode (default reflect: a guided conversation; free waits for a 1.5 s "
                         "pause before replying, by design).")
    ap.add_argument("--barge-in", action="store_true", help="Run the app with --barge-in (it listens while it speaks, "
                                                                "the opening line included; no echo on the virtual devices).")
    ap.add_argument("--returning", action="store_true", help="A journal with one finished session of the mode "
                                                                 "already in it (later evenings' shorter opening).")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n = min(args.turns, len(SENTENCES))
    work = Path(tempfile.mkdtemp(prefix="vj-bench-live-"))
    settings = Settings()
    voice = PiperSynthesizer(models.resolve("tts", "joe", settings.cache_dir), TtsSettings())
    clips = [render(voice, SENTENCES[i], work, i) for i in range(n)]

    if args.returning:
        from voicejournal.app import open_journal

        with open_journal(Settings(data_dir=work / "data")) as journal:
            journal.end_session(journal.start_session(args.mode), status="complete")

    pulse = start_pulse()
    recorder = app = None
    try:
        rec_path = work / "replies.wav"
        recorder = pulse.record(rec_path)

        lines: list[str] = []
        launched = time.monotonic()
        app = subprocess.Popen([VJ, "--data-dir", str(work / "data"), "talk", "--max-turns", str(n),
                                "--idle-exit", "120", "--mode", args.mode] + (["--barge-in"] if args.barge_in else []), env=pulse.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        listening_at: list[float] = []

        def read_lines() -> None:
            for x in app.stdout:  # type: ignore[union-attr]
                lines.append(x)
                if x.startswith("Listening on") and not listening_at:
                    listening_at.append(time.monotonic())

        threading.Thread(target=read_lines, daemon=True).start()
        wait_for(lambda: bool(listening_at) or app.poll() is not None, 180, "the app")
        cold_start = listening_at[0] - launched if listening_at else float("nan")
        if app.poll() is not None:
            raise SystemExit("".join(lines))
        time.sleep(1.0)
        c0, w0 = cpu_seconds(app.pid), time.monotonic()
        time.sleep(args.idle_s)
        idle_cpu = (cpu_seconds(app.pid) - c0) / (time.monotonic() - w0) * 100

        db = work / "data" / "journal.db"
        rss = 0.0
        for i, (clip, _) in enumerate(clips, 1):
            pulse.play(clip).wait()
            wait_for(lambda: len(answered(db)) >= i, 120, f"turn {i}")
            rss = max(rss, peak_rss_mb(app.pid)) if app.poll() is None else rss
            time.sleep(0.5)
        load = os.getloadavg()[0]
        app.wait(timeout=60)
    finally:
        if recorder is not None:
            recorder.terminate()
            recorder.wait()
        if app is not None and app.poll() is None:
            app.kill()
        pulse.stop()

    turns = answered(db)
    wait = [lat.get("end_of_turn", 0.0) for _, lat in turns]
    processing = [lat.get("to_first_sample", 0.0) for _, lat in turns]
    total = [w + p for w, p in zip(wait, processing)]
    played = len(onsets(rec_path, floor_dbfs=-45.0)) > 0
    stage = {k: [lat.get(k, 0.0) for _, lat in turns] for k in ("asr", "llm_first_token", "first_audio")}
    result = {
        "turns": len(total),
        "speech_end_to_first_reply_sample_ms": {"p50": percentile(total, 50), "p90": percentile(total, 90)},
        "end_of_turn_wait_ms": {"p50": percentile(wait, 50), "p90": percentile(wait, 90)},
        "processing_ms": {"p50": percentile(processing, 50), "p90": percentile(processing, 90)},
        "stages_p50_ms": {k: percentile(v, 50) for k, v in stage.items()},
        "mode": args.mode,
        "cold_start_s": round(cold_start, 2),
        "startup_in_app_s": startup(db),
        "idle_cpu_percent_of_one_core": round(idle_cpu, 1),
        "peak_rss_mb": round(rss, 0),
        "replies_heard_on_output": played,
        "load_average_1min": round(load, 2),
        "cpus": os.cpu_count(),
        "transcripts": [t for t, _ in turns],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"live latency over {result['turns']} turns (virtual PulseAudio mic)")
    for key in ("speech_end_to_first_reply_sample_ms", "end_of_turn_wait_ms", "processing_ms"):
        v = result[key]
        print(f"  {key:<38} p50 {v['p50']:7.0f}   p90 {v['p90']:7.0f}")
    print("  stages p50 (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["stages_p50_ms"].items()))
    print(f"  cold start (command launched -> 'Listening on'): {result['cold_start_s']:.2f} s")
    up = result["startup_in_app_s"]
    if up:
        print(f"    in the app, from its launch: opening line's first sample {up.get('first_word', float('nan')):.2f} s, "
              f"listening {up.get('listening', float('nan')):.2f} s "
              + ("(barge-in: from the opening's first word)" if args.barge_in else f"(after the {args.mode} opening line)"))
    print(f"  idle CPU while listening: {result['idle_cpu_percent_of_one_core']}% of one core")
    print(f"  peak RSS: {result['peak_rss_mb']:.0f} MB; load average during the run {load:.1f}"
          f" on {os.cpu_count()} CPUs; replies heard on the output: {played}")


if __name__ == "__main__":
    main()
