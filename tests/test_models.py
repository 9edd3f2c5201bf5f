"""The shipped models: assembled from their PyPI parts, verified by sha256, replaceable by path."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicejournal import models
from voicejournal.errors import ModelError


def test_catalogue_has_one_default_per_kind() -> None:
    assert {models.CATALOGUE[k].kind for k in models.DEFAULTS.values()} == {"asr", "tts", "llm"}
    for spec in models.CATALOGUE.values():
        assert spec.pip_packages and spec.licence and all(len(f.sha256) == 64 for f in spec.files)


def test_every_default_model_verifies_in_the_user_cache(model_cache: Path) -> None:
    for key in models.DEFAULTS.values():
        spec = models.CATALOGUE[key]
        models.ensure_model(spec, model_cache)
        assert models.check_model(spec, model_cache).state == "ok"


def test_assembly_into_a_fresh_cache_reports_progress(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    path = models.ensure_model(models.WHISPER_BASE, tmp_path, lambda n, d, t: seen.append((n, d, t)))
    assert (path / "model.bin").stat().st_size == models.WHISPER_BASE.files[0].size
    assert seen[-1][1] == seen[-1][2] and len(seen) > 3
    assert models.check_model(models.WHISPER_BASE, tmp_path).state == "ok"


def test_corrupted_model_is_found_by_checksum(tmp_path: Path) -> None:
    path = models.ensure_model(models.WHISPER_BASE, tmp_path)
    with (path / "model.bin").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00corrupt\x00")
    assert models.check_model(models.WHISPER_BASE, tmp_path).state == "checksum mismatch: model.bin"


def test_unassembled_model_is_reported(tmp_path: Path) -> None:
    assert models.check_model(models.QWEN_05B, tmp_path, verify=False).state == "not assembled"


def test_local_path_replaces_a_shipped_model(tmp_path: Path) -> None:
    local = tmp_path / "my-model.gguf"
    local.write_bytes(b"x")
    assert models.resolve("llm", str(local), tmp_path) == local
    with pytest.raises(ModelError, match="does not exist"):
        models.resolve("llm", str(tmp_path / "missing.gguf"), tmp_path)


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(models, "package_dir", lambda name: None)
    with pytest.raises(ModelError, match="make install"):
        models.ensure_model(models.QWEN_05B, tmp_path)
    assert models.check_model(models.PIPER_JOE, tmp_path).state == "missing package"
