"""`voicejournal replay`: the stored FLACs in order with the replies spoken between them (real audio, real SQLite)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from voicejournal import app
from voicejournal.audio import read_file, write_audio
from voicejournal.cli import main
from voicejournal.commands.replay import replay_command
from voicejournal.journal import Journal
from voicejournal.replay import KeyReader, _play_part
from voicejournal.types import SAMPLE_RATE, Audio, Level, ScreenResult

SAID = ["I planted tomatoes in the garden this afternoon.", "Then I cooked pasta with my partner."]
REPLIES = ["That sounds like a calm afternoon.", "What did you enjoy most about the evening?"]


@pytest.fixture
def journal_with_audio(tmp_path: Path, speak) -> tuple[Path, list[Path]]:  # type: ignore[no-untyped-def]
    """Session 1: two turns with kept FLACs and replies; session 2: typed, no audio."""
    data = tmp_path / "data"
    folder = data / "audio" / "session_000001"
    folder.mkdir(parents=True)
    flacs: list[Path] = []
    with Journal.open(data / "journal.db") as journal:
        sid = journal.start_session("talk")
        for n, (said, reply) in enumerate(zip(SAID, REPLIES), 1):
            flac = write_audio(folder / f"turn_{n:06d}.flac", speak([said], pause_s=0.3, seed=n))
            tid = journal.add_user_turn(sid, said, ScreenResult(Level.NONE), {}, {}, audio_path=str(flac))
            journal.complete_turn(tid, reply, "llm", {})
            flacs.append(flac)
        journal.end_session(sid)
        typed = journal.start_session("text")
        tid = journal.add_user_turn(typed, "Work was long.", ScreenResult(Level.NONE), {}, {})
        journal.complete_turn(tid, "That sounds tiring.", "llm", {})
        journal.end_session(typed)
    return data, flacs


@pytest.fixture
def run(monkeypatch, voice):  # type: ignore[no-untyped-def]
    """The CLI with the session's Piper voice (replay needs only the voice)."""
    monkeypatch.setattr(app, "load_engines", lambda *a, **k: app.Engines(None, None, voice))  # type: ignore[arg-type]
    if "replay" not in main.commands:  # until voicejournal/cli.py registers it
        monkeypatch.setitem(main.commands, "replay", replay_command)

    def invoke(data: Path, *args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, ["--data-dir", str(data), "replay", *args])

    return invoke


def locate(haystack: np.ndarray, needle: np.ndarray) -> tuple[int, float]:
    """Where needle sits in haystack (FFT cross-correlation) and how well it matches there (0..1)."""
    n = len(haystack) + len(needle)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(haystack, size) * np.conj(np.fft.rfft(needle, size)), size)[: len(haystack)]
    at = int(np.argmax(corr))
    window = haystack[at:at + len(needle)]
    score = float(np.dot(window, needle) / (np.linalg.norm(window) * np.linalg.norm(needle) + 1e-9))
    return at, score


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of 20 ms frames louder than -40 dBFS."""
    n = SAMPLE_RATE // 50
    frames = samples[: len(samples) // n * n].reshape(-1, n)
    return float(np.sum(20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-9) > -40)) / 50


@pytest.mark.slow
def test_replay_to_wav_holds_the_stored_audio_in_order_with_replies_between(journal_with_audio, run,  # type: ignore[no-untyped-def]
                                                                            tmp_path: Path) -> None:
    data, flacs = journal_with_audio
    out = tmp_path / "out.wav"
    result = run(data, "1", "--to", str(out))
    assert result.exit_code == 0, result.output
    replay = read_file(out).samples
    stored = [read_file(f).samples for f in flacs]
    spans = []
    for audio in stored:
        at, match = locate(replay, audio)
        assert match > 0.99  # the person's own recording, unchanged
        assert np.max(np.abs(replay[at:at + len(audio)] - audio)) < 2e-3
        spans.append((at, at + len(audio)))
    assert spans[0][1] <= spans[1][0]  # in turn order
    between, after = replay[spans[0][1]:spans[1][0]], replay[spans[1][1]:]
    assert speech_seconds(between) > 1.0 and speech_seconds(after) > 1.0  # each reply spoken after its turn
    assert speech_seconds(replay[:spans[0][0]]) == 0  # nothing before the first turn


@pytest.mark.slow
def test_tts_speaks_a_session_that_kept_no_audio(journal_with_audio, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, _ = journal_with_audio
    out = tmp_path / "typed.wav"
    refused = run(data, "2", "--to", str(out))
    assert refused.exit_code == 1 and "No audio was kept for session 2; use --tts" in str(refused.exception)
    assert not out.exists()
    result = run(data, "2", "--tts", "--to", str(out))
    assert result.exit_code == 0, result.output
    assert speech_seconds(read_file(out).samples) > 1.5  # "Work was long." and "That sounds tiring."


@pytest.mark.slow
def test_replay_refuses_what_it_cannot_do(journal_with_audio, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, flacs = journal_with_audio
    assert "ending in .wav" in str(run(data, "1", "--to", str(tmp_path / "x.mp3")).exception)
    assert "No session 9" in str(run(data, "9", "--to", str(tmp_path / "x.wav")).exception)
    flacs[1].unlink()
    assert "recording of session 1, turn 2 is missing" in str(run(data, "1", "--to", str(tmp_path / "x.wav")).exception)


# -- the keys while playing (the Player's stop/played_frames contract, without a sound card) -------

class ScriptedPlayer:
    """Plays instantly; asks `tick` once per 100 frames, and on True stops there (like Player.stop)."""

    rate = SAMPLE_RATE

    def __init__(self) -> None:
        self.tick = lambda: False
        self.heard: list[np.ndarray] = []

    def begin_reply(self) -> None:
        self.reply = type("R", (), {"stopped": False, "played_frames": 0})()

    def play(self, audio: Audio) -> None:
        for i in range(0, len(audio.samples), 100):
            if self.tick():
                self.reply.stopped, self.reply.played_frames = True, i
                return
            self.heard.append(audio.samples[i:i + 100])

    def end_reply(self) -> None:
        return None


def test_pause_resumes_where_it_stopped_and_keys_skip_or_quit() -> None:
    audio = Audio(np.arange(1000, dtype=np.float32), SAMPLE_RATE)
    keys = iter([None, None, " ", None, " "] + [None] * 20)
    player = ScriptedPlayer()
    assert _play_part(player, audio, KeyReader(lambda: next(keys))) == "done"
    assert np.array_equal(np.concatenate(player.heard), audio.samples)  # nothing lost, nothing repeated
    arrow = iter([None, "\x1b", "[", "C"])
    assert _play_part(ScriptedPlayer(), audio, KeyReader(lambda: next(arrow))) == "next"
    quit_keys = iter([" ", "q"])
    assert _play_part(ScriptedPlayer(), audio, KeyReader(lambda: next(quit_keys))) == "quit"
