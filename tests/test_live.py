"""The live session: pure parts alone, then the real audio path through a virtual PulseAudio mic.

The app runs as a real subprocess (`voicejournal talk --max-turns N`) whose default microphone
hears what the test plays into `vsink` and whose replies are recorded from `vout.monitor`.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.pulse import Pulse, pulse  # noqa: F401 - the fixture
from voicejournal.audio import read_file, write_audio
from voicejournal.live import join
from voicejournal.live_ui import meter
from voicejournal.metrics import word_error_rate, words
from voicejournal.mic import StreamResampler, describe_error
from voicejournal.player import ReplyPlayback
from voicejournal.types import SAMPLE_RATE, Audio, Utterance

VJ = str(Path(sys.executable).with_name("voicejournal"))


# -- pure parts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("src", [48000, 44100, 22050, 16000])
def test_stream_resampler_has_no_seams(src: int) -> None:
    t = np.arange(src * 2) / src
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    rs = StreamResampler(src, SAMPLE_RATE)
    rng = np.random.default_rng(1)
    out, i = [], 0
    while i < len(tone):
        n = int(rng.integers(1, 2000))
        out.append(rs.process(tone[i:i + n]))
        i += n
    y = np.concatenate(out)
    assert abs(len(y) - 2 * SAMPLE_RATE) <= 2
    ideal = 0.5 * np.sin(2 * np.pi * 440 * (np.arange(len(y)) / SAMPLE_RATE))
    delay = (StreamResampler.TAPS - 1) // 2 / src if src > SAMPLE_RATE else 0.0
    ideal = 0.5 * np.sin(2 * np.pi * 440 * (np.arange(len(y)) / SAMPLE_RATE - delay))
    core = slice(200, len(y) - 200)
    assert np.max(np.abs(y[core] - ideal[core])) < 0.02


def test_heard_text_is_cut_where_the_reply_stopped() -> None:
    pb = ReplyPlayback(sentences=[("That sounds hard.", 0, 1000), ("What helped you today?", 1000, 2000)],
                       queued_frames=2000, played_frames=1500, stopped=True)
    assert pb.heard_text() == "That sounds hard. What helped…"
    pb.played_frames = 500
    assert pb.heard_text() == "That…"  # only the words surely heard
    pb.played_frames = 0
    assert pb.heard_text() == ""
    pb.stopped = False
    assert pb.heard_text() == "That sounds hard. What helped you today?"


def test_join_keeps_both_pieces_with_a_short_gap() -> None:
    a = Utterance(Audio(np.ones(16000, np.float32), SAMPLE_RATE), 1.0, 2.0)
    b = Utterance(Audio(np.ones(8000, np.float32), SAMPLE_RATE), 5.0, 5.5)
    joined = join(a, b)
    assert joined.start_s == 1.0 and joined.end_s == 5.5
    assert joined.audio.duration_s == pytest.approx(1.0 + 1.0 + 0.5)  # a 3 s pause shortened to 1 s


def test_meter_and_device_errors_say_what_to_do() -> None:
    assert meter(-120) == "·" * 24 and meter(0) == "█" * 24
    no_mic = describe_error(Exception("Error querying device -1"), "microphone", None)
    assert "No microphone found" in str(no_mic) and "--input-device" in str(no_mic)
    busy = describe_error(Exception("Device unavailable [PaErrorCode -9985]"), "speaker", 3)
    assert "busy" in str(busy) and "--output-device" in str(busy)


# -- the real audio path ------------------------------------------------------------------------

class App:
    """`voicejournal talk` as a subprocess on the virtual devices, with its journal."""

    def __init__(self, pulse: Pulse, data: Path, *args: str) -> None:
        self.data = data
        self.lines: list[str] = []
        self.proc = subprocess.Popen([VJ, "--data-dir", str(data), "talk", *args], env=pulse.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(line.startswith("Listening on") for line in self.lines):
            assert self.proc.poll() is None, f"the app exited: {self.output}"
            assert time.monotonic() < deadline, f"the app did not start listening: {self.output}"
            time.sleep(0.1)

    def query(self, sql: str) -> list[tuple]:
        db = self.data / "journal.db"
        if not db.exists():
            return []
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute(sql).fetchall()

    def answered(self) -> list[tuple]:
        return self.query("SELECT user_text, reply_text, latency_ms FROM turns WHERE reply_text IS NOT NULL"
                          " ORDER BY id")

    def wait_answered(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered()) < n:
            assert time.monotonic() < deadline, f"no turn {n} after {timeout}s: {self.output}"
            time.sleep(0.2)

    def wait_exit(self, timeout: float = 30) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"the app did not end: {self.output}")


def active_spans(path: Path, floor_dbfs: float = -45.0, frame_s: float = 0.02) -> list[tuple[float, float]]:
    """Where a recording is not silent, as (start, end) seconds."""
    audio = read_file(path)
    n = int(frame_s * audio.rate)
    frames = audio.samples[: len(audio.samples) // n * n].reshape(-1, n)
    loud = 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-9) > floor_dbfs
    spans, start = [], None
    for i, on in enumerate(loud):
        if on and start is None:
            start = i
        if not on and start is not None:
            spans.append((start * frame_s, i * frame_s))
            start = None
    if start is not None:
        spans.append((start * frame_s, len(loud) * frame_s))
    return spans


@pytest.mark.audio
def test_devices_lists_the_virtual_pulse_device(pulse: Pulse) -> None:  # noqa: F811
    out = subprocess.run([VJ, "devices"], env=pulse.env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "pulse" in out.stdout or "default" in out.stdout


@pytest.mark.audio
def test_unknown_input_device_is_one_clear_line(pulse: Pulse, tmp_path: Path) -> None:  # noqa: F811
    out = subprocess.run([VJ, "--data-dir", str(tmp_path), "talk", "--input-device", "no-such-mic"],
                         env=pulse.env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0
    assert "No microphone matches 'no-such-mic'" in out.stderr and "voicejournal devices" in out.stderr


@pytest.mark.audio
def test_microphone_at_48k_is_resampled_to_16k(pulse: Pulse, tmp_path: Path) -> None:  # noqa: F811
    from voicejournal.mic import Microphone

    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    write_audio(tmp_path / "tone.wav", Audio((0.3 * np.sin(2 * np.pi * 500 * t)).astype(np.float32), SAMPLE_RATE))
    with Microphone(rate=48000) as mic:
        assert mic.rate == 48000
        player = pulse.play(tmp_path / "tone.wav")
        got = []
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and player.poll() is None:
            block = mic.read(0.2)
            if block is not None:
                got.append(block)
        player.wait()
    y = np.concatenate(got)
    loud = y[np.abs(y) > 0.05]
    assert len(loud) > SAMPLE_RATE  # over a second of the tone came through
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(y) - 500) < 5


@pytest.mark.slow
@pytest.mark.audio
def test_live_session_answers_each_turn_without_talking_over_the_person(pulse: Pulse, speak,  # noqa: F811
                                                                        tmp_path: Path) -> None:
    first = ["I keep thinking about the meeting today.", "And what my manager said after it."]
    second = ["Tomorrow I will go for a long walk by the river."]
    # The first thought has a thinking pause inside it (1.3 s of silence after a whole sentence, which
    # the turn model calls complete): in open journaling it must stay one turn, whatever the time of day.
    clips = [write_audio(tmp_path / "one.wav", speak(first, pause_s=1.0)),
             write_audio(tmp_path / "two.wav", speak(second, pause_s=1.0))]
    # The person's speech and the replies are recorded side by side (the microphone's feed and the
    # speaker), so both timelines share the recorders' start-up delay; a clock taken around the
    # player instead was off by up to a second once replies came quickly.
    said = pulse.record(tmp_path / "said.wav", source="vsink.monitor")
    recorder = pulse.record(tmp_path / "replies.wav")
    app = App(pulse, tmp_path / "data", "--max-turns", "2", "--idle-exit", "40", "--mode", "free")
    try:
        app.wait_ready()
        for n, clip in enumerate(clips, 1):
            pulse.play(clip).wait()
            app.wait_answered(n)
        assert app.wait_exit() == 0, app.output
    finally:
        for rec in (said, recorder):
            rec.terminate()
            rec.wait()
        if app.proc.poll() is None:
            app.proc.kill()
    speech: list[tuple[float, float]] = []
    for a, b in active_spans(tmp_path / "said.wav"):  # the pause inside one thought (1 s + the voice's own) counts
        if speech and a - speech[-1][1] <= 1.6:
            speech[-1] = (speech[-1][0], b)
        else:
            speech.append((a, b))
    assert len(speech) == 2, speech
    turns = app.answered()
    assert len(turns) == 2, app.output
    assert word_error_rate(" ".join(first), turns[0][0]) < 0.25, turns[0][0]
    assert word_error_rate(" ".join(second), turns[1][0]) < 0.25, turns[1][0]
    assert all(reply for _, reply, _ in turns)
    assert app.query("SELECT status FROM sessions") == [("complete",)]
    replies = active_spans(tmp_path / "replies.wav")
    assert sum(b - a for a, b in replies) > 1.0, "the replies were not played"
    for a, b in replies:
        for s, e in speech:
            assert b <= s + 0.05 or a >= e - 0.05, f"reply at {a:.2f}-{b:.2f}s overlaps speech at {s:.2f}-{e:.2f}s"


@pytest.mark.slow
@pytest.mark.audio
def test_noise_and_coughs_make_no_turns_and_sigterm_closes_cleanly(pulse: Pulse, tmp_path: Path) -> None:  # noqa: F811
    rng = np.random.default_rng(7)
    sr = SAMPLE_RATE
    fan = np.convolve(rng.normal(0, 0.05, sr * 6), np.ones(8) / 8, mode="same")  # a steady fan hum
    for at in (0.8, 2.5, 4.2):  # coughs: short, loud, voiced-ish bursts
        n = int(0.35 * sr)
        env = np.exp(-np.linspace(0, 6, n))
        burst = rng.normal(0, 0.4, n) * env + 0.3 * np.sin(2 * np.pi * 180 * np.arange(n) / sr) * env
        fan[int(at * sr):int(at * sr) + n] += burst
    for at in (1.6, 1.9, 3.4):  # door knocks
        fan[int(at * sr):int(at * sr) + 400] += rng.normal(0, 0.7, 400)
    clip = write_audio(tmp_path / "noise.wav", Audio(np.clip(fan, -1, 1).astype(np.float32), sr))
    app = App(pulse, tmp_path / "data", "--max-turns", "1")
    try:
        app.wait_ready()
        pulse.play(clip).wait()
        time.sleep(2.0)  # a full end-of-turn wait after the last cough
        app.proc.send_signal(signal.SIGTERM)
        assert app.wait_exit(15) == 0, app.output
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
    assert app.query("SELECT count(*) FROM turns") == [(0,)], app.output
    assert app.query("SELECT status, ended_at IS NOT NULL FROM sessions") == [("complete", 1)]


@pytest.mark.slow
@pytest.mark.audio
def test_barge_in_stops_the_reply_and_keeps_what_was_heard(pulse: Pulse, speak, tmp_path: Path) -> None:  # noqa: F811
    import json

    first = ["Today was a long day at work and I feel completely worn out."]
    second = ["Sorry, let me start again, I really want to talk about my sister and how she is doing."]
    clips = [write_audio(tmp_path / "one.wav", speak(first, pause_s=1.0)),
             write_audio(tmp_path / "two.wav", speak(second, pause_s=1.0))]
    app = App(pulse, tmp_path / "data", "--barge-in", "--max-turns", "2", "--idle-exit", "40")
    try:
        app.wait_ready()
        ready = len(app.lines)
        pulse.play(clips[0]).wait()
        deadline = time.monotonic() + 60
        while not any(line.startswith("Companion") for line in app.lines[ready:]):
            assert time.monotonic() < deadline and app.proc.poll() is None, app.output
            time.sleep(0.05)
        time.sleep(0.6)  # the reply is playing now
        pulse.play(clips[1]).wait()
        app.wait_answered(2)
        assert app.wait_exit() == 0, app.output
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
    turns = app.answered()
    assert len(turns) == 2, app.output
    reply_one, latency_one = turns[0][1], json.loads(turns[0][2])
    assert "heard_ms" in latency_one, app.output  # the reply was stopped, and how much was heard is kept
    said_lines = app.lines[ready:]
    seconds = [i for i, line in enumerate(said_lines) if line.startswith("You:")]
    full = " ".join(line.split(": ", 1)[1] for line in said_lines[seconds[0]:seconds[1]]
                    if line.startswith("Companion"))
    assert len(reply_one) < len(full) and full.startswith(reply_one.rstrip("…")), (reply_one, full)  # as heard
    assert word_error_rate(" ".join(second), turns[1][0]) < 0.35, turns[1][0]
    assert "stopped: you started talking" in app.output
    assert latency_one["heard_ms"] > 0  # it was audible before it stopped
    # (not timed against the recording: parecord on a null-sink monitor drops stretches under load)


@pytest.mark.slow
@pytest.mark.audio
def test_a_broken_companion_model_ends_the_session_with_one_clear_line(pulse: Pulse, tmp_path: Path) -> None:  # noqa: F811
    """The companion's model loads after the microphone opened in parallel with the voice; its load
    error must still end the command with the one-line message, before any session, not hang or show a
    traceback (llama.cpp silences the process's output while it loads: the message must survive that)."""
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF but not really")
    app = App(pulse, tmp_path / "data", "--llm-model", str(bad), "--max-turns", "1", "--mode", "mood")
    code = app.wait_exit(90)
    assert code != 0, app.output
    assert "Could not load the GGUF model" in app.output and "Traceback" not in app.output, app.output
    assert not any(line.startswith("Listening on") for line in app.lines), app.output
    assert app.query("SELECT count(*) FROM sessions") in ([], [(0,)])


@pytest.mark.slow
@pytest.mark.audio
def test_with_barge_in_talking_over_the_opening_line_starts_the_first_turn(pulse: Pulse, steady_speak,  # noqa: F811
                                                                           tmp_path: Path) -> None:
    said = ["About a six, tired but calm after a long day at work."]
    clip = write_audio(tmp_path / "one.wav", steady_speak(said, pause_s=1.0))
    app = App(pulse, tmp_path / "data", "--barge-in", "--mode", "mood", "--max-turns", "1", "--idle-exit", "30")
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("Companion") for line in app.lines):  # the opening line is being spoken
            assert time.monotonic() < deadline and app.proc.poll() is None, app.output
            time.sleep(0.05)
        time.sleep(0.8)
        pulse.play(clip).wait()
        app.wait_answered(1)
        assert app.wait_exit() == 0, app.output
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
    (turn,) = app.answered()
    assert words(turn[0])[:3] == ["about", "a", "6"], turn[0]  # the words that stopped the opening were kept
    assert word_error_rate(said[0], turn[0]) < 0.35, turn[0]  # (Whisper base hears "tired but calm" as "tire become")
