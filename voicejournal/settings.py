"""One typed, frozen Settings object: defaults < config file < VOICEJOURNAL_* env < flags."""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import platformdirs

from voicejournal.errors import UserError

APP = "voicejournal"


def default_data_dir() -> Path:
    env = os.environ.get("VOICEJOURNAL_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP))


def default_cache_dir() -> Path:
    env = os.environ.get("VOICEJOURNAL_CACHE")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP))


@dataclass(frozen=True)
class VadSettings:
    """Turn taking: when a stretch of speech starts and when the person has finished."""

    aggressiveness: int = 2
    """webrtcvad mode 0-3; higher rejects more non-speech."""
    frame_ms: int = 30
    pre_roll_ms: int = 300
    """Audio kept before speech onset so first syllables are not clipped."""
    start_ms: int = 150
    """Voiced audio needed within the onset window to open an utterance."""
    end_silence_ms: int = 1400
    """Silence that ends a turn when silence alone decides (files, or live with the turn model off or
    missing); people pause while thinking aloud, so not too short."""
    smart_turn: bool = True
    """Live sessions ask an end-of-turn model (Smart Turn v3) at each pause instead of waiting out the silence."""
    smart_turn_model: str = "smart-turn-v3.2"
    """'smart-turn-v3.2' (shipped in the pipecat-ai wheel) or a local path to a Smart Turn v3 .onnx."""
    smart_turn_threshold: float = 0.5
    """P(turn complete) at or above which a pause ends the turn at once."""
    min_end_silence_ms: int = 300
    """With the turn model: silence after which it is asked, once per pause."""
    max_end_silence_ms: int = 2000
    """With the turn model: silence that ends a turn whatever it said (a finished turn it misjudged is
    answered then); longer than end_silence_ms to keep thinking pauses open, since the model ends most
    finished turns early. The three defaults were chosen with scripts/bench_turn_end.py."""
    min_speech_ms: int = 300
    max_utterance_s: float = 30.0
    silero_threshold: float = 0.5
    """Second-stage Silero speech probability an utterance needs; 0 disables the check."""
    speech_again_ms: int = 200
    """Silero-confirmed speech (in the last 0.6 s) that counts as the person talking again: it joins
    a turn not yet answered, withholds a reply not yet started, or (with barge-in) stops one."""
    echo_guard_ms: int = 300
    """Microphone audio ignored after a reply has played, so its tail in the room is not a turn."""


@dataclass(frozen=True)
class AsrSettings:
    model: str = "base"
    """'base' (shipped) or a local folder with a CTranslate2 Whisper model."""
    language: str | None = "en"
    beam_size: int = 1
    threads: int = 2
    """CTranslate2 threads. One alone transcribes an utterance faster here (scripts/bench_asr_settings.py)
    but the live turn was slower with it (bench_live processing p50 806 vs 677 ms), so two stay."""
    initial_prompt: str | None = None
    window_s: float = 15.0
    """Whisper's encoder window for a short clip (stock: 30): 15 s is ~4x cheaper, same words."""


@dataclass(frozen=True)
class LlmSettings:
    backend: str = "embedded"
    """'embedded', 'ollama:MODEL', or 'openai:MODEL'."""
    model_path: str | None = None
    """A local GGUF replacing the shipped one, or a catalogue key ('qwen2.5-1.5b')."""
    ollama_host: str = "http://127.0.0.1:11434"
    keep_alive: str = "30m"
    """How long Ollama keeps the model loaded after a request."""
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    """An OpenAI-compatible server (llama.cpp's server, LM Studio, vLLM), up to and including /v1."""
    openai_api_key: str | None = None
    """Sent as a Bearer token when the server wants one; most local servers do not."""
    threads: int = 2
    context_tokens: int = 2048
    max_tokens: int = 80
    first_clause_chars: int = 20
    """Speak the reply's first clause (at a comma, once this long) before its sentence is done; 0 waits."""
    temperature: float = 0.6
    timeout_s: float = 30.0
    """Network timeout for a server backend."""
    reply_timeout_s: float = 12.0
    """A reply still unfinished after this long is cut, and a curated one is used if nothing was said."""
    fallback_to_embedded: bool = True
    """When a server backend goes away mid-session, carry on with the built-in model (and say so)."""


@dataclass(frozen=True)
class TtsSettings:
    voice: str = "joe"
    """'joe' (shipped) or a local path to a Piper .onnx voice."""
    length_scale: float = 1.0


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    cache_dir: Path = field(default_factory=default_cache_dir)
    locale: str = "US"
    keep_audio: bool = True
    retention_days: int | None = None
    """Delete sessions older than this many days at start-up; None keeps everything."""
    debug: bool = False
    mode: str = "auto"
    """Session mode for `talk`: reflect, free, mood, or auto (reflect in the evening, free otherwise)."""
    encrypt: bool = False
    """Insist on encryption at rest: a new journal starts encrypted and a plain one is refused (an
    encrypted journal is recognised and opened with its passphrase either way)."""
    passphrase_file: Path | None = None
    """A file whose first line is the encrypted journal's passphrase; never the passphrase itself."""
    vad: VadSettings = field(default_factory=VadSettings)
    asr: AsrSettings = field(default_factory=AsrSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "journal.db"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "config.toml"

    def replace(self, **changes: Any) -> "Settings":
        """Return a copy with top-level or dotted ('llm.backend') fields changed."""
        return _apply(self, changes)


def _coerce(value: Any, target: Any, name: str) -> Any:
    kind = target if isinstance(target, type) else None
    if isinstance(target, str):
        kind = {"int": int, "float": float, "bool": bool, "str": str, "Path": Path}.get(
            target.split(" |")[0].strip()
        )
    if value is None or kind is None:
        return value
    if isinstance(value, (list, dict, tuple, set)) or (kind is not bool and isinstance(value, bool)):
        raise UserError(f"Setting {name} = {value!r} is not a valid {kind.__name__}; fix it in your config or flags.")
    try:
        if kind is bool and isinstance(value, str):
            if value.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(value)
            return value.lower() in {"1", "true", "yes", "on"}
        if kind is Path:
            return Path(str(value)).expanduser()
        if kind in (int, float) and isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)  # inf/nan: no setting means "forever" or "undefined" by a float
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        raise UserError(f"Setting {name} = {value!r} is not a valid {kind.__name__}; fix it in your config or flags.")
    except RuntimeError as exc:  # "~user" for a user that does not exist
        raise UserError(f"Setting {name} = {value!r} names no home folder ({exc}); give a full path.")


def _apply(obj: Any, changes: Mapping[str, Any], prefix: str = "") -> Any:
    by_name = {f.name: f for f in fields(obj)}
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        head, _, rest = key.partition(".")
        if head not in by_name:
            valid = ", ".join(prefix + n for n in by_name)
            raise UserError(f"Unknown setting '{prefix}{key}'; valid settings are: {valid}.")
        is_table = dataclasses.is_dataclass(getattr(obj, head))
        if rest and not is_table:
            raise UserError(f"Unknown setting '{prefix}{key}'; {prefix}{head} has no sub-settings.")
        if rest:
            nested.setdefault(head, {})[rest] = value
        elif is_table:
            if not isinstance(value, Mapping):
                raise UserError(f"Setting {prefix}{head} must be a table of settings (e.g. [{head}] in config.toml).")
            nested.setdefault(head, {}).update(value)
        else:
            top[head] = _coerce(value, by_name[head].type, prefix + head)
    for head, sub in nested.items():
        top[head] = _apply(getattr(obj, head), sub, prefix + head + ".")
    return dataclasses.replace(obj, **top)


NOT_SETTINGS = {"VOICEJOURNAL_HOME", "VOICEJOURNAL_CACHE", "VOICEJOURNAL_PASSPHRASE"}
"""Read where they are needed; the passphrase in particular never enters Settings."""


def _env_changes(environ: Mapping[str, str]) -> dict[str, str]:
    """VOICEJOURNAL_LLM__BACKEND=... -> {'llm.backend': ...}; HOME/CACHE handled by the defaults."""
    out = {}
    for key, value in environ.items():
        if key.startswith("VOICEJOURNAL_") and key not in NOT_SETTINGS:
            out[key[len("VOICEJOURNAL_"):].lower().replace("__", ".")] = value
    return out


def load_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Build Settings from defaults, then the config file, then the environment, then flags."""
    environ = os.environ if environ is None else environ
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    base = Settings()
    if "data_dir" in flags:
        base = base.replace(data_dir=flags["data_dir"])
    path = config_file or base.config_path
    if path.is_file():
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"Config file {path} is not valid TOML ({exc}); fix or remove it.")
        base = base.replace(**config)
    if "OLLAMA_HOST" in environ:
        host = environ["OLLAMA_HOST"]
        base = base.replace(**{"llm.ollama_host": host if "://" in host else f"http://{host}"})
    base = base.replace(**_env_changes(environ))
    return base.replace(**flags)
