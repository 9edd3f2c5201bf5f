"""A private PulseAudio daemon: a real virtual microphone and speaker for the live tests.

Whatever is played into the null sink `vsink` is what the microphone `vmic` (the default source)
hears; the app's replies go to the null sink `vout` (the default sink), recorded from
`vout.monitor`. The daemon runs in its own XDG_RUNTIME_DIR and is stopped by its pid.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest


from voicejournal.settings import default_cache_dir

REASON = ("PulseAudio is not installed (the live tests need a virtual microphone): "
          "run `apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2`")


@dataclass
class Pulse:
    """A running private daemon and the environment that makes clients use it."""

    process: subprocess.Popen
    runtime: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str) -> str:
        return subprocess.run(list(args), env=self.env, check=True, capture_output=True, text=True,
                              timeout=10).stdout

    def play(self, path: Path, sink: str = "vsink") -> subprocess.Popen:
        """Start playing a file into a sink (the microphone hears `vsink`)."""
        return subprocess.Popen(["paplay", "--latency-msec=20", "-d", sink, str(path)], env=self.env)

    def record(self, path: Path, source: str = "vout.monitor", rate: int = 16000) -> subprocess.Popen:
        """Start recording a source (the app's replies: `vout.monitor`) into a WAV file."""
        return subprocess.Popen(["parecord", "--latency-msec=20", "-d", source, f"--rate={rate}", "--channels=1",
                                 "--file-format=wav", str(path)], env=self.env)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.runtime, ignore_errors=True)


def start_pulse() -> Pulse:
    """Start the daemon with vsink → vmic (default source) and vout (default sink)."""
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        pytest.skip(REASON)
    runtime = Path(tempfile.mkdtemp(prefix="vj-pulse-"))
    runtime.chmod(0o700)
    home = runtime / "home"
    home.mkdir()
    # A private HOME for the daemon, but the user's model cache for what runs beside it: an app
    # started here uses the models `make install` assembled, as a user's launch does.
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(home),
           "PULSE_SERVER": f"unix:{runtime}/pulse/native", "VOICEJOURNAL_CACHE": str(default_cache_dir())}
    log = open(runtime / "pulseaudio.log", "wb")
    process = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "--disable-shm=yes",
         "-L", "module-native-protocol-unix auth-anonymous=1",
         "-L", "module-null-sink sink_name=vsink rate=16000 channels=1",
         "-L", "module-null-sink sink_name=vout rate=16000 channels=1",
         "-L", "module-remap-source master=vsink.monitor source_name=vmic"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    pulse = Pulse(process, runtime, env)
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"pulseaudio exited: {(runtime / 'pulseaudio.log').read_text()[-800:]}")
        try:
            pulse.run("pactl", "info")
            break
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                pulse.stop()
                raise
            time.sleep(0.1)
    pulse.run("pactl", "set-default-source", "vmic")
    pulse.run("pactl", "set-default-sink", "vout")
    return pulse


@pytest.fixture(scope="module")
def pulse() -> Iterator[Pulse]:
    """The daemon for one test module; this process's own sound clients use it too."""
    p = start_pulse()
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER",)}
    os.environ["PULSE_SERVER"] = p.env["PULSE_SERVER"]
    try:
        try:
            import sounddevice
        except OSError:
            pytest.skip("PortAudio is not installed: run `apt-get install libportaudio2`")
        # PortAudio lists devices once, at initialisation: rescan now that the daemon is up.
        sounddevice._terminate()
        sounddevice._initialize()
        yield p
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        p.stop()
