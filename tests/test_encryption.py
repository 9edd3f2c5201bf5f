"""Encryption at rest, on real files: nothing readable on disk without the passphrase, nothing lost either way."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import soundfile as sf
import sqlite_utils
from click.testing import CliRunner

from voicejournal.app import Engines, open_journal, start_conversation
from voicejournal.audio import encode_audio, to_int16
from voicejournal.cli import main
from voicejournal.conversation import QuietReporter
from voicejournal.errors import UserError
from voicejournal.journal import convert, crypto, search
from voicejournal.replay import render, timeline
from voicejournal.settings import Settings, load_settings
from voicejournal.sinks import NullSink
from voicejournal.types import Audio, Transcript, Utterance
from voicejournal.web.app import create_app
from voicejournal.web.auth import Gate
from voicejournal.web.voices import ReplyVoice

PASSPHRASE = "a long walk by the grey sea"
SAID = [
    "I walked to the lighthouse with Gwendolyn after work.",
    "We ate quince marmalade on the harbour wall.",
    "I would say a seven out of ten today, and grateful.",
]
SECRETS = [b"lighthouse", b"Gwendolyn", b"marmalade", b"harbour"]
REPLY = "That sounds like a gentle evening."


class ScriptedEars:
    """Hears the scripted sentences in order (the audio itself is real and kept)."""

    name = "scripted"

    def __init__(self, texts: list[str]) -> None:
        self.texts = iter(texts)

    def transcribe(self, audio: Audio) -> Transcript:
        return Transcript(next(self.texts), confidence=0.9, duration_ms=5.0)


class ScriptedCompanion:
    name = "scripted"

    def stream(self, messages: list, max_tokens: int) -> Iterator[str]:  # type: ignore[type-arg]
        yield REPLY


def voice_like(seed: int, seconds: float = 1.2) -> Audio:
    """Noise shaped like speech: every recording differs, so its bytes can be searched for."""
    rng = np.random.default_rng(seed)
    n = int(16_000 * seconds)
    envelope = 0.5 + 0.5 * np.sin(np.linspace(0, 6 * np.pi, n))
    return Audio((0.2 * envelope * rng.standard_normal(n)).astype(np.float32), 16_000)


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("VOICEJOURNAL_PASSPHRASE", PASSPHRASE)
    return PASSPHRASE


def record_evening(settings: Settings, check_live_files: bool = False) -> dict[int, Audio]:
    """A three-turn conversation through the real Conversation, crisis screen and journal; returns turn audio."""
    kept: dict[int, Audio] = {}
    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(ScriptedEars(SAID), ScriptedCompanion(), None), journal,
                                   NullSink(), "talk", QuietReporter())
        for n in range(len(SAID)):
            audio = voice_like(n)
            record = convo.take_turn(Utterance(audio, n * 2.0, n * 2.0 + audio.duration_s))
            assert record is not None
            kept[record.turn_id] = audio
        convo.end()
        if check_live_files:  # while the session is open, recent pages sit in the WAL
            wal = Path(str(settings.db_path) + "-wal")
            assert wal.exists() and wal.stat().st_size > 0
            assert_unreadable(settings.db_path.read_bytes() + wal.read_bytes())
    return kept


def assert_unreadable(raw: bytes) -> None:
    assert not raw.startswith(crypto.SQLITE_MAGIC) and b"SQLite format 3" not in raw
    for word in SECRETS:
        assert word not in raw and word.lower() not in raw.lower(), word


def recordings(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.audio_dir.rglob("*") if p.is_file())


def assert_private(data_dir: Path) -> None:
    assert data_dir.stat().st_mode & 0o777 == 0o700
    for path in data_dir.rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"


def snapshot(settings: Settings) -> dict[str, object]:
    """Every row of every table (read with the passphrase when needed) and every recording's bytes."""
    with open_journal(settings) as journal:
        db = sqlite_utils.Database(journal.conn)
        rows = {t: list(db.query(f"SELECT * FROM [{t}] ORDER BY rowid")) for t in db.table_names()
                if not t.startswith("turns_fts")}
        found = [hit.turn_id for hit in search.search(journal.conn, "lighthouse")]
    files = {str(p.relative_to(settings.data_dir)): p.read_bytes() for p in recordings(settings)}
    return {"rows": rows, "files": files, "search": found}


def cli(settings: Settings, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process (no terminal: the passphrase must come from env or file)."""
    base = {k: v for k, v in os.environ.items() if k != "VOICEJOURNAL_PASSPHRASE"}
    return subprocess.run([sys.executable, "-m", "voicejournal", "--data-dir", str(settings.data_dir), *args],
                          capture_output=True, text=True, timeout=120, env={**base, **(env or {})},
                          stdin=subprocess.DEVNULL)


def one_line_error(proc: subprocess.CompletedProcess[str], words: str) -> None:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr and len(lines) == 1 and words in lines[0], proc.stderr


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- an encrypted journal from its first word --------------------------------------------------------


def test_an_encrypted_session_leaves_nothing_readable_on_disk(settings: Settings, passphrase: str) -> None:
    settings = settings.replace(encrypt=True)
    kept = record_evening(settings, check_live_files=True)

    assert_unreadable(settings.db_path.read_bytes())
    wal = Path(str(settings.db_path) + "-wal")
    if wal.exists():
        assert_unreadable(wal.read_bytes())
    files = recordings(settings)
    assert len(files) == 3
    for path, audio in zip(files, kept.values()):
        raw = path.read_bytes()
        assert raw.startswith(crypto.SEAL_MAGIC) and not raw.startswith((b"RIFF", b"fLaC"))
        plain = encode_audio(audio, "FLAC")
        pcm = to_int16(audio.samples).tobytes()
        assert plain[len(plain) // 2:len(plain) // 2 + 64] not in raw
        assert pcm[4000:4064] not in raw
    header = crypto.header_path(settings.data_dir).read_text()
    assert PASSPHRASE not in header and json.loads(header)["state"] == "encrypted"
    assert_private(settings.data_dir)


def test_every_reader_works_with_the_passphrase(settings: Settings, passphrase: str) -> None:
    settings = settings.replace(encrypt=True)
    kept = record_evening(settings)
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir)]

    found = runner.invoke(main, [*base, "search", "lighthouse", "--json"])
    assert found.exit_code == 0, found.output
    assert len(json.loads(found.output)) == 1
    exported = runner.invoke(main, [*base, "export", "--format", "json"])
    assert exported.exit_code == 0 and "quince marmalade" in exported.output
    for command in (["entries"], ["show", "last"], ["moods"], ["crisis", "--stats"], ["summary", "--week"]):
        result = runner.invoke(main, [*base, *command])
        assert result.exit_code == 0, (command, result.output)
    assert "seven" in runner.invoke(main, [*base, "show", "last"]).output

    with open_journal(settings) as journal:  # replay decrypts each recording in memory
        assert journal.vault is not None
        parts = [p for p in timeline(journal.conn, [1], vault=journal.vault) if p.who == "you"]
        stored = {r[0]: r[1:] for r in journal.conn.execute("SELECT turn_id, bytes, duration_s FROM audio")}
    for part, (tid, audio) in zip(parts, kept.items()):
        heard = render(part, None)
        assert np.abs(heard.samples - audio.samples).max() < 1e-3
        assert stored[tid] == (len(encode_audio(audio, "FLAC")), pytest.approx(audio.duration_s))

    with open_journal(settings) as journal:
        vault = journal.vault
    gate = Gate()
    client = create_app(settings, gate, ReplyVoice(lambda: None), vault).test_client()  # type: ignore[arg-type]
    assert client.get(f"/?token={gate.token}").status_code == 303
    tid, audio = next(iter(kept.items()))
    response = client.get(f"/session/1/turn/{tid}/voice")
    assert response.status_code == 200 and response.data == encode_audio(audio, "FLAC")
    samples, rate = sf.read(io.BytesIO(response.data), dtype="float32")
    assert rate == 16_000 and len(samples) == len(audio.samples)
    assert "lighthouse" in client.get("/search?q=lighthouse").get_data(as_text=True)

    with open_journal(settings) as journal:  # WAL and foreign keys, as in a plain journal
        assert journal.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert journal.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    deleted = runner.invoke(main, [*base, "delete", "last", "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert recordings(settings) == []
    with open_journal(settings) as journal:
        assert journal.conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 0  # cascaded
        assert journal.conn.execute("SELECT count(*) FROM audio").fetchone()[0] == 0


def test_wrong_or_missing_passphrase_is_one_line_and_changes_nothing(settings: Settings, passphrase: str) -> None:
    settings = settings.replace(encrypt=True)
    record_evening(settings)
    before = file_hashes(settings.data_dir)

    wrong = {"VOICEJOURNAL_PASSPHRASE": "not the passphrase at all"}
    for args in (["search", "lighthouse"], ["entries"], ["export", "--format", "json"], ["replay", "last", "--to",
                 str(settings.data_dir.parent / "r.wav")], ["decrypt"], ["encrypt"], ["crisis", "--stats"]):
        one_line_error(cli(settings, *args, env=wrong), "Wrong passphrase")
    one_line_error(cli(settings, "entries"), "VOICEJOURNAL_PASSPHRASE")
    assert file_hashes(settings.data_dir) == before
    crisis = cli(settings, "crisis", "--locale", "US")  # the crisis numbers never wait for a passphrase
    assert crisis.returncode == 0 and "988" in crisis.stdout


def test_passphrase_file_is_read_and_the_passphrase_never_becomes_a_setting(settings: Settings, tmp_path: Path,
                                                                           passphrase: str) -> None:
    settings = settings.replace(encrypt=True)
    record_evening(settings)
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    found = cli(settings, "--passphrase-file", str(secret), "search", "marmalade")
    assert found.returncode == 0 and "marmalade" in found.stdout, found.stderr
    loaded = load_settings({"data_dir": settings.data_dir}, environ={"VOICEJOURNAL_PASSPHRASE": PASSPHRASE})
    assert PASSPHRASE not in repr(loaded)
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert PASSPHRASE.encode() not in path.read_bytes(), path


# -- turning it on and off -----------------------------------------------------------------------------


def test_encrypt_then_decrypt_keeps_every_turn_mood_and_recording(settings: Settings, passphrase: str) -> None:
    record_evening(settings)  # a plain journal, as before
    with open_journal(settings) as journal:
        journal.add_mood(None, 4.5, ["tired"], "a typed note about Gwendolyn", "text")
    before = snapshot(settings)
    assert before["search"] and len(before["files"]) == 3  # type: ignore[arg-type]
    first = recordings(settings)[0]
    leftover = first.with_name(f".{first.name}.tmp4194305")  # half-written by a killed process (no such pid)
    leftover.write_bytes(first.read_bytes()[:500])

    out = cli(settings, "encrypt", env={"VOICEJOURNAL_PASSPHRASE": PASSPHRASE})
    assert out.returncode == 0 and "Encrypted the journal and 3 recordings" in out.stdout, out.stderr
    assert "without it nobody can read" in out.stdout
    assert_unreadable(settings.db_path.read_bytes())
    assert all(p.read_bytes().startswith(crypto.SEAL_MAGIC) for p in recordings(settings))
    assert not leftover.exists() and not Path(str(settings.db_path) + ".converting").exists()
    assert_private(settings.data_dir)
    assert snapshot(settings)["rows"] == before["rows"]  # the same rows, read through the key
    assert snapshot(settings)["search"] == before["search"]

    out = cli(settings, "decrypt", env={"VOICEJOURNAL_PASSPHRASE": PASSPHRASE})
    assert out.returncode == 0 and "Decrypted the journal and 3 recordings" in out.stdout, out.stderr
    assert settings.db_path.read_bytes().startswith(crypto.SQLITE_MAGIC)
    assert not crypto.header_path(settings.data_dir).exists()
    assert snapshot(settings) == before  # byte-identical recordings, identical rows
    assert_private(settings.data_dir)
    assert cli(settings, "entries").returncode == 0  # no passphrase needed any more


@pytest.mark.parametrize("direction", ["encrypt", "decrypt"])
def test_conversion_refuses_while_another_voicejournal_has_the_journal_open(settings: Settings, passphrase: str,
                                                                            direction: str) -> None:
    record_evening(settings.replace(encrypt=direction == "decrypt"))
    before = file_hashes(settings.data_dir)
    holder = subprocess.Popen(  # a `talk` or `serve` in another terminal, holding the journal open
        [sys.executable, "-c", "import sys; from voicejournal.journal.unlock import open_journal;"
         " from voicejournal.settings import Settings; from pathlib import Path;"
         f" j = open_journal(Settings(data_dir=Path({str(settings.data_dir)!r})));"
         " print('open', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(UserError, match="Another voicejournal has"):
            getattr(convert, f"{direction}_journal")(settings, lambda new: PASSPHRASE)
    finally:
        holder.communicate("\n", timeout=30)
    assert file_hashes(settings.data_dir) == before  # not a recording touched, no header left behind
    assert snapshot(settings)["search"]


def test_a_kill_during_encrypt_loses_nothing_and_a_rerun_finishes(settings: Settings, passphrase: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    kept = record_evening(settings)
    before = snapshot(settings)

    def die_in_copy(*args: object) -> None:
        raise KeyboardInterrupt  # killed after the copy was written, before it replaced the journal

    with monkeypatch.context() as m:
        m.setattr(convert, "_check_copy", die_in_copy)
        with pytest.raises(KeyboardInterrupt):
            convert.encrypt_journal(settings, lambda new: PASSPHRASE)
    assert crypto.db_state(settings.db_path) == "plain"
    assert not Path(str(settings.db_path) + ".converting").exists()
    assert snapshot(settings) == before  # still the plain journal, complete, no passphrase asked

    sealed = []
    real_seal = crypto.write_sealed

    def die_on_second(path: Path, data: bytes, vault: crypto.Vault) -> Path:
        if sealed:
            raise KeyboardInterrupt  # killed between two recordings
        sealed.append(path)
        return real_seal(path, data, vault)

    with monkeypatch.context() as m:
        m.setattr(crypto, "write_sealed", die_on_second)
        with pytest.raises(KeyboardInterrupt):
            convert.encrypt_journal(settings, lambda new: PASSPHRASE)
    assert crypto.db_state(settings.db_path) == "encrypted"
    assert [crypto.is_sealed(p) for p in recordings(settings)] == [True, False, False]
    assert crypto.read_header(settings.data_dir).state == "encrypting"  # type: ignore[union-attr]
    with open_journal(settings) as journal:  # half-converted, yet every recording plays
        parts = [p for p in timeline(journal.conn, [1], vault=journal.vault) if p.who == "you"]
    for part, audio in zip(parts, kept.values()):
        assert np.abs(render(part, None).samples - audio.samples).max() < 1e-3

    done = convert.encrypt_journal(settings, lambda new: PASSPHRASE)
    assert done.recordings == 2 and not done.database
    assert all(crypto.is_sealed(p) for p in recordings(settings))
    assert crypto.read_header(settings.data_dir).state == "encrypted"  # type: ignore[union-attr]
    assert snapshot(settings)["rows"] == before["rows"]


def test_encrypt_takes_in_a_killed_sessions_wal_and_overwrites_the_plain_copy(settings: Settings,
                                                                              passphrase: str) -> None:
    code = ("import os; from voicejournal.journal import Journal; from voicejournal.types import Level, ScreenResult;"
            f" j = Journal.open({str(settings.db_path)!r}); s = j.start_session('text');"
            " j.add_user_turn(s, 'The zeppelin over the lighthouse', ScreenResult(Level.NONE), {}, {}); os._exit(9)")
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    wal = Path(str(settings.db_path) + "-wal")
    assert b"zeppelin" in wal.read_bytes()  # the turn lives only in the WAL the killed process left
    seen = settings.data_dir.parent / "wal-inode"
    os.link(wal, seen)  # a second name for the same bytes, to see what happens to them
    convert.encrypt_journal(settings, lambda new: PASSPHRASE)
    assert sorted(p.name for p in settings.data_dir.iterdir()) == ["encryption.json", "journal.db"]
    assert b"zeppelin" not in seen.read_bytes() and seen.read_bytes().strip(b"\0") == b""
    with open_journal(settings) as journal:
        assert [h.turn_id for h in search.search(journal.conn, "zeppelin")] == [1]


def test_encrypt_true_refuses_a_plain_journal_and_starts_new_ones_encrypted(settings: Settings,
                                                                           passphrase: str) -> None:
    record_evening(settings)
    with pytest.raises(UserError, match="voicejournal encrypt"):
        open_journal(settings.replace(encrypt=True)).__enter__()
    fresh = settings.replace(data_dir=settings.data_dir.parent / "fresh", encrypt=True)
    with open_journal(fresh) as journal:
        journal.add_mood(None, 6, ["calm"], "by the lighthouse", "text")
    assert_unreadable(fresh.db_path.read_bytes())
    with pytest.raises(UserError, match="at least 8 characters"):
        crypto.new_header("short")


def test_a_plain_journal_loads_no_cipher(settings: Settings) -> None:
    record_evening(settings)
    code = ("import sys; from click.testing import CliRunner; from voicejournal.cli import main;"
            f" r = CliRunner().invoke(main, ['--data-dir', {str(settings.data_dir)!r}, 'search', 'lighthouse']);"
            " print(r.exit_code, 'sqlcipher3' in sys.modules, 'cryptography' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["0", "False", "False"], out.stderr


@pytest.mark.slow
def test_the_demo_runs_into_an_encrypted_journal(settings: Settings) -> None:
    """The whole pipeline on the real models (`voicejournal demo`), with `encrypt = true` from the start."""
    env = {"VOICEJOURNAL_PASSPHRASE": PASSPHRASE, "VOICEJOURNAL_ENCRYPT": "true"}
    demo = cli(settings, "demo", env=env)
    assert demo.returncode == 0 and "3 turns saved" in demo.stdout, demo.stderr
    exported = json.loads(cli(settings, "export", "--format", "json", env=env).stdout)
    said = " ".join(t["user_text"] for s in exported["sessions"] for t in s["turns"])
    words = {w.strip(".,!?").encode() for w in said.split() if len(w.strip(".,!?")) >= 6}
    assert len(words) >= 5, said
    raw = settings.db_path.read_bytes()
    wal = Path(str(settings.db_path) + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert not raw.startswith(crypto.SQLITE_MAGIC)
    assert [w for w in words if w in raw] == []
    kept = recordings(settings)
    assert len(kept) == 3 and all(p.read_bytes().startswith(crypto.SEAL_MAGIC) for p in kept)
    assert_private(settings.data_dir)
