"""Faults and concurrency: a full disk, a locked journal, two processes at once, fuzzed config."""

from __future__ import annotations

import os

import numpy as np
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from voicejournal.errors import UserError
from voicejournal.journal import Journal
from voicejournal.settings import load_settings
from voicejournal.types import Level, ScreenResult


def vj(data: Path, *args: str, stdin: str = "", preexec=None, timeout: int = 120) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "voicejournal", "--data-dir", str(data), *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)


def seeded(data: Path) -> Journal:
    j = Journal.open(data / "journal.db")
    sid = j.start_session("text")
    tid = j.add_user_turn(sid, "I walked to the lighthouse today", ScreenResult(Level.NONE), {}, {})
    j.complete_turn(tid, "That sounds lovely.", "llm", {})
    return j


def test_search_works_while_a_session_is_open_and_writing(tmp_path: Path) -> None:
    data = tmp_path / "d"
    j = seeded(data)
    sid = j.start_session("talk")  # a live session in another process, still open
    with j.transaction() as conn:  # …even in the middle of its own write
        conn.execute("insert into moods (session_id, created_at, score, tags, source) values (?, '2026-01-01T00:00:00Z', 5, '[]', 'text')", (sid,))
        out = vj(data, "search", "lighthouse", "--json")
    assert out.returncode == 0, out.stderr
    assert "lighthouse" in out.stdout
    j.close()


def test_a_locked_journal_waits_then_says_so(tmp_path: Path) -> None:
    data = tmp_path / "d"
    seeded(data).close()
    holder = sqlite3.connect(data / "journal.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        out = vj(data, "mood", "6", "--note", "fine")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert out.returncode == 1
    assert "Another voicejournal holds" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def _tiny_disk() -> None:
    """Every file this process writes may grow to 64 KiB only: a disk that is full."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_full_disk_is_a_clear_error_and_corrupts_nothing(tmp_path: Path) -> None:
    data = tmp_path / "d"
    seeded(data).close()
    before = sqlite3.connect(data / "journal.db").execute("select count(*) from turns").fetchone()[0]
    out = vj(data, "mood", "7", "--note", "x" * 120_000, preexec=_tiny_disk)
    assert out.returncode == 1, out.stdout
    assert "disk is full" in out.stderr and "Traceback" not in out.stderr
    db = sqlite3.connect(data / "journal.db")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from turns").fetchone()[0] == before
    assert db.execute("select user_text from turns").fetchone()[0] == "I walked to the lighthouse today"


def test_export_to_a_full_disk_says_so(tmp_path: Path) -> None:
    data = tmp_path / "d"
    j = seeded(data)
    for i in range(300):
        sid = j.start_session("text")
        j.add_user_turn(sid, f"entry {i} " + "words " * 100, ScreenResult(Level.NONE), {}, {})
    j.close()
    out = vj(data, "export", "--format", "md", "--out", str(tmp_path / "out.md"), preexec=_tiny_disk)
    assert out.returncode == 1 and "disk is full" in out.stderr and "Traceback" not in out.stderr


KEYS = st.sampled_from(["locale", "keep_audio", "retention_days", "llm.backend", "llm.max_tokens", "llm.temperature",
                        "asr.beam_size", "vad.end_silence_ms", "vad.aggressiveness", "tts.length_scale", "nope",
                        "llm.nope", "llm", "data_dir"])
VALUES = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.booleans(),
                   st.none(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@hyp_settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=4))
def test_config_loader_fuzz_gives_settings_or_a_clear_error(changes: dict) -> None:
    try:
        s = load_settings(changes, {})
    except UserError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 400
    else:
        assert s.llm.max_tokens is not None


def test_a_home_folder_of_no_user_is_a_clear_error() -> None:
    """Found by the fuzz above: '~0' asks for the home of a user named 0."""
    with pytest.raises(UserError, match="names no home folder"):
        load_settings({"data_dir": "~no_such_user_0"}, {})


@hyp_settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_config_file_fuzz(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path_factory.mktemp("cfg") / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    try:
        load_settings({}, {}, cfg)
    except UserError:
        pass


class BrokenVoice:
    """STAND-IN for a voice whose model fails at run time (a corrupt ONNX, an onnxruntime error)."""

    name = "broken-voice"
    rate = 22050

    def synthesize(self, text: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("onnxruntime: invalid model")
        yield  # pragma: no cover


def test_a_failing_voice_still_shows_and_stores_the_reply(tmp_path: Path, engines, settings) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import Engines, open_journal, start_conversation
    from voicejournal.conversation import TurnRecord
    from voicejournal.sinks import WavDirSink
    from voicejournal.types import ReplySource, Transcript

    shown: list[str] = []

    class Collect:
        def heard(self, transcript, screen) -> None:  # type: ignore[no-untyped-def]
            return None

        def said(self, sentence: str, source: ReplySource) -> None:
            shown.append(sentence)

        def turn_done(self, turn: TurnRecord) -> None:
            return None

    with open_journal(settings) as journal:
        broken = Engines(engines.transcriber, engines.backend, BrokenVoice())
        convo = start_conversation(settings, broken, journal, WavDirSink(tmp_path / "out"), "talk", Collect())
        record = convo.answer(Transcript("I finished the painting I started last spring."), {})
    assert record.reply.text and shown and " ".join(shown) == record.reply.text
    assert record.latency_ms.get("tts_failed") == 1
    db = sqlite3.connect(settings.db_path)
    assert db.execute("select reply_text from turns").fetchone()[0] == record.reply.text


def test_an_hour_long_recording_streams_in_bounded_memory(tmp_path: Path) -> None:
    import soundfile as sf

    path = tmp_path / "hour.flac"
    rng = np.random.default_rng(5)
    with sf.SoundFile(path, "w", 16000, 1, "PCM_16", format="FLAC") as out:
        for _ in range(60):  # one minute at a time: a quiet room for an hour
            out.write(rng.normal(0, 0.003, 16000 * 60).astype(np.float32))
    code = (
        "import resource, sys; from pathlib import Path\n"
        "from voicejournal.audio import stream_file\n"
        "from voicejournal.settings import VadSettings\n"
        "from voicejournal.vad import make_segmenter, segment\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"n = sum(1 for _ in segment(stream_file(Path({str(path)!r})), make_segmenter(VadSettings())))\n"
        "print(n, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    turns, grown_mb = map(int, out.stdout.split())
    assert turns == 0  # an hour of room noise invents no turns
    assert grown_mb < 150, f"memory grew by {grown_mb} MB over an hour of audio"  # the whole hour is 230 MB as float32
