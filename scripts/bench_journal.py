"""Benchmark the journal: a 10,000-session journal, search and entries latency, size per hour.

Run:  .venv/bin/python scripts/bench_journal.py [--sessions 10000] [--speech-wav speech16k.wav]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from voicejournal.journal import Journal
from voicejournal.journal import queries, search
from voicejournal.journal.dates import to_iso
from voicejournal.types import Level, ScreenResult

WORDS = ("work sleep walked walking dog mother sister friend anxious tired deadline meeting river park run "
         "coffee dinner cooked argument phone call therapy breathing music guitar rain garden book reading "
         "lonely hopeful grateful stressed calm exam train office weekend holiday doctor headache laughed "
         "cried message email project manager kids school bike swim yoga meditation news tea morning evening").split()
FILLER = "i the and it was so a bit today really just then we that my to of".split()
USER_WORDS, REPLY_WORDS, TURNS_PER_SESSION = 40, 25, 6
SECONDS_PER_TURN = USER_WORDS / 2.5 + REPLY_WORDS / 2.5 + 4  # ~150 wpm both ways, plus pauses
USER_SPEECH_S = USER_WORDS / 2.5


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(n)).capitalize() + "."


def fill(journal: Journal, sessions: int, rng: random.Random) -> int:
    """Bulk-write sessions over the last ~5 years in one transaction (the per-turn path is timed apart)."""
    start = time.time() - sessions * 4 * 3600
    turns = 0
    with journal.transaction() as conn:
        for i in range(sessions):
            at = start + i * 4 * 3600
            cur = conn.execute("INSERT INTO sessions (started_at, ended_at, mode, status, meta) VALUES (?, ?, 'talk',"
                               " 'complete', '{}')", (_iso(at), _iso(at + 900)))
            sid = cur.lastrowid
            for idx in range(1, TURNS_PER_SESSION + 1):
                cur = conn.execute(
                    "INSERT INTO turns (session_id, idx, started_at, user_text, reply_text, reply_source, latency_ms,"
                    " models) VALUES (?, ?, ?, ?, ?, 'llm', ?, ?)",
                    (sid, idx, _iso(at + idx * 30), sentence(rng, USER_WORDS), sentence(rng, REPLY_WORDS),
                     json.dumps({"asr": 310.2, "llm": 1450.7, "tts": 220.1}), json.dumps({"asr": "base", "llm": "q"})))
                turns += 1
            conn.execute("INSERT INTO moods (session_id, created_at, score, tags, source) VALUES (?, ?, ?, ?, 'checkin')",
                         (sid, _iso(at + 600), rng.randint(0, 10), json.dumps([rng.choice(["tired", "calm"])])))
    return turns


def _iso(epoch: float) -> str:
    from datetime import datetime, timezone

    return to_iso(datetime.fromtimestamp(epoch, timezone.utc))


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def flac_bytes_per_s(wav: Path | None) -> tuple[float, str]:
    """FLAC bytes per second of 16 kHz mono speech: measured on a given recording, else a 16-bit WAV bound."""
    if wav is None:
        return 32000.0, "16-bit 16 kHz WAV (no --speech-wav given; FLAC is typically ~50-60% of this)"
    import io

    import soundfile

    data, rate = soundfile.read(str(wav), dtype="int16", always_2d=True)
    buf = io.BytesIO()
    soundfile.write(buf, data[:, 0], rate, format="FLAC", subtype="PCM_16")
    return len(buf.getvalue()) / (len(data) / rate), f"FLAC measured on {wav.name} ({rate} Hz)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--speech-wav", type=Path, help="A 16 kHz mono speech recording to measure FLAC size on.")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.db"
        journal = Journal.open(path)
        t0 = time.perf_counter()
        turns = fill(journal, args.sessions, rng)
        fill_s = time.perf_counter() - t0
        sid = journal.start_session("talk")
        calm = ScreenResult(Level.NONE)
        commit = timed(lambda: journal.add_user_turn(sid, sentence(rng, USER_WORDS), calm, {"asr": 1.0}, {}), 200)
        journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        queries_ = [rng.choice(WORDS) for _ in range(100)] + [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(100)]
        it = iter(queries_ * 2)
        s_all = timed(lambda: search.search(journal.conn, next(it), limit=20), 200)
        s_dates = timed(lambda: search.search(journal.conn, next(it), since="2024-01-01", until="2024-03-31", limit=20), 200)
        e_recent = timed(lambda: queries.session_lines(journal.conn, limit=20), 100)
        e_month = timed(lambda: queries.session_lines(journal.conn, since="2024-05-01", until="2024-05-31"), 100)
        export_ms = timed(lambda: journal.export("2024-01-01", "2024-12-31"), 3)
        journal.close()
    per_turn = size / turns
    per_hour_text = per_turn * 3600 / SECONDS_PER_TURN
    audio_rate, audio_note = flac_bytes_per_s(args.speech_wav)
    per_hour_audio = audio_rate * USER_SPEECH_S * 3600 / SECONDS_PER_TURN
    print(f"journal: {args.sessions} sessions, {turns} turns, {size / 1e6:.1f} MB (built in {fill_s:.1f} s)")
    print(f"add_user_turn (committed, synchronous=FULL): p50 {commit[0]:.2f} ms  p99 {commit[1]:.2f} ms")
    print(f"search, whole journal, top 20:   p50 {s_all[0]:.2f} ms  p99 {s_all[1]:.2f} ms")
    print(f"search, one quarter, top 20:     p50 {s_dates[0]:.2f} ms  p99 {s_dates[1]:.2f} ms")
    print(f"entries, newest 20:              p50 {e_recent[0]:.2f} ms  p99 {e_recent[1]:.2f} ms")
    print(f"entries, one month:              p50 {e_month[0]:.2f} ms  p99 {e_month[1]:.2f} ms")
    print(f"export json, one year:           p50 {export_ms[0]:.0f} ms")
    print(f"size per turn: {per_turn / 1024:.2f} KiB (text, FTS index, metadata)")
    print(f"per hour of conversation ({3600 / SECONDS_PER_TURN:.0f} turns, ~{USER_SPEECH_S * 3600 / SECONDS_PER_TURN / 60:.0f} min "
          f"of the person speaking): {per_hour_text / 1e6:.2f} MB without audio, "
          f"{(per_hour_text + per_hour_audio) / 1e6:.1f} MB with audio [{audio_note}]")


if __name__ == "__main__":
    main()
