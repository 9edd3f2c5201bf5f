"""Settings: defaults < config file < environment < flags; clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicejournal.errors import UserError
from voicejournal.settings import load_settings


def test_layers_override_in_order(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('locale = "UK"\n[llm]\nmax_tokens = 50\ntemperature = 0.2\n')
    env = {"VOICEJOURNAL_LLM__MAX_TOKENS": "60", "VOICEJOURNAL_KEEP_AUDIO": "false"}
    s = load_settings({"llm.temperature": 0.9}, env, cfg)
    assert s.locale == "UK"
    assert s.llm.max_tokens == 60
    assert s.llm.temperature == 0.9
    assert s.keep_audio is False


def test_data_dir_flag_moves_the_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('locale = "NZ"\n')
    s = load_settings({"data_dir": tmp_path}, {})
    assert s.locale == "NZ" and s.db_path == tmp_path / "journal.db"


def test_ollama_host_from_environment() -> None:
    assert load_settings({}, {"OLLAMA_HOST": "127.0.0.1:1234"}).llm.ollama_host == "http://127.0.0.1:1234"


@pytest.mark.parametrize(
    ("changes", "needle"),
    [({"llm.nope": 1}, "Unknown setting 'llm.nope'"), ({"colour": "red"}, "valid settings are"),
     ({"llm.max_tokens": "lots"}, "not a valid int"), ({"keep_audio": "maybe"}, "not a valid bool")],
)
def test_bad_values_are_named(changes: dict, needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        load_settings(changes, {})


def test_broken_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("locale = \n")
    with pytest.raises(UserError, match="not valid TOML"):
        load_settings({}, {}, cfg)
