"""Models that load on a thread while the live session starts (voicejournal/loading.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from voicejournal.asr import WhisperTranscriber
from voicejournal.errors import ModelError
from voicejournal.loading import Loading, LoadsInBackground
from voicejournal.settings import AsrSettings


def test_a_background_load_runs_on_its_own_thread_and_get_waits_for_it() -> None:
    """No clock: the build blocks until released, so Loading() returning at all shows it did not wait for it."""
    started, release = threading.Event(), threading.Event()
    where: list[str] = []

    def build() -> str:
        started.set()
        where.append(threading.current_thread().name)
        assert release.wait(10)
        return "model"

    loading = Loading(build, background=True, name="probe")  # returns while build() is blocked
    assert started.wait(10)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(loading.get()))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and got == []  # get() waits for the load
    release.set()
    waiter.join(10)
    assert got == ["model"]
    assert where == ["load-probe"]


def test_a_load_without_background_happens_at_once_and_raises_at_once() -> None:
    assert Loading(lambda: 3).get() == 3
    with pytest.raises(ValueError, match="bad"):
        Loading(lambda: (_ for _ in ()).throw(ValueError("bad")))


def test_a_broken_whisper_model_loading_in_the_background_fails_where_it_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "whisper-base"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"not a model")
    ears = WhisperTranscriber(folder, AsrSettings(), background=True)  # returns while it loads
    assert isinstance(ears, LoadsInBackground)
    with pytest.raises(ModelError, match="Could not load the Whisper model"):
        ears.wait_loaded()
    with pytest.raises(ModelError):  # and again on every later use, not a hang or a None
        ears.model  # noqa: B018
