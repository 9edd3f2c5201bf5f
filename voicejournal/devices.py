"""Sound devices through sounddevice/PortAudio, with errors that say how to fix them."""

from __future__ import annotations

import logging
from typing import Any

from voicejournal.errors import AudioError

log = logging.getLogger(__name__)


def require_portaudio() -> Any:
    """Import sounddevice, turning a missing PortAudio into a one-line fix."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioError(
            "PortAudio is not installed; run `sudo apt-get install libportaudio2` "
            "(or use `--speak-to DIR` / `--text`)."
        ) from exc
    return sounddevice


def list_devices() -> list[dict[str, Any]]:
    """Every input/output device PortAudio sees, with its default rate."""
    sd = require_portaudio()
    out = []
    for index, dev in enumerate(sd.query_devices()):
        out.append({"index": index, "name": dev["name"], "inputs": dev["max_input_channels"],
                    "outputs": dev["max_output_channels"], "default_rate": dev["default_samplerate"]})
    return out


def describe_default_devices() -> tuple[str | None, str | None]:
    """Names of the default input and output devices, or None where there is none."""
    sd = require_portaudio()
    names: list[str | None] = []
    for kind in ("input", "output"):
        try:
            names.append(sd.query_devices(kind=kind)["name"])
        except (sd.PortAudioError, ValueError):
            names.append(None)
    return names[0], names[1]


def close_stream(stream: Any, what: str) -> None:
    """Stop and close a PortAudio stream; a vanished device must not block closing the session."""
    if stream is None:
        return
    try:
        stream.abort()
        stream.close()
    except Exception as exc:  # noqa: BLE001 - PortAudio raises its own types for an unplugged device
        log.debug("closing the %s: %s", what, exc)
