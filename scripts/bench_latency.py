"""Latency of a turn, overlapped pipeline vs a naive sequential one, on this machine.

    .venv/bin/python scripts/bench_latency.py [--turns 8] [--mic]

The turns: sentences spoken by the shipped voice, then the utterances of the demo recording
(voicejournal/data/demo/evening.flac), each with 3 s of silence after it. They are streamed in
real time through the same VAD segmenter: as arrays (default), or with --mic played into a
virtual PulseAudio microphone and captured by the app's own Microphone, the replies played by
its Player to a virtual speaker (first sample = when it reaches the output, device latency
included); needs `pulseaudio pulseaudio-utils libportaudio2`. Two pipelines answer each turn:
  overlapped: the live path: the end-of-turn model decides at pauses (vad.smart_turn), transcribe
              at pauses while the person speaks, the prompt's known part and the words transcribed
              so far primed while they speak,
              stream tokens, speak the first clause as soon as it is generated;
  naive:      silence alone ends the turn (vad.end_silence_ms), transcribe after it, generate
              the whole reply, then synthesize it.
Reported per turn: processing latency (end-of-turn decision → first reply sample ready for the
output) and voice-to-voice (end of the person's speech → first reply sample), p50/p90; cold
start (every model loaded and warmed in-process, one after another; the app's own start-up, which
overlaps this with its opening line, is measured by bench_live.py); idle CPU while listening; peak RSS; the import real-time factor (the
`voicejournal import` command on the demo recording, in a fresh process). The live-microphone figures over the
virtual PulseAudio device come from scripts/bench_live.py.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import numpy as np

T_START = time.perf_counter()

from voicejournal.app import load_engines  # noqa: E402
from voicejournal.companion import Companion  # noqa: E402
from voicejournal.crisis import CrisisScreen  # noqa: E402
from voicejournal.eager import EagerTranscriber  # noqa: E402
from voicejournal.metrics import percentile  # noqa: E402
from voicejournal.settings import Settings  # noqa: E402
from voicejournal.tts import render_with_pauses  # noqa: E402
from voicejournal.turn_end import load_turn_model  # noqa: E402
from voicejournal.types import SAMPLE_RATE, Audio  # noqa: E402
from voicejournal.vad import make_segmenter  # noqa: E402

TURNS = [
    "Today was a long day at work, and the meeting with my manager went better than I expected.",
    "I'm feeling a bit tired tonight, but also kind of relieved that the week is nearly over.",
    "My sister called this evening and we laughed about the trip we took as kids.",
    "I skipped the gym again, and I keep telling myself I will go tomorrow morning.",
    "The train was late, so I read a few chapters of my book on the platform.",
    "I cooked a curry for dinner and it turned out better than the last time.",
    "I have been worrying about money a little, but I made a plan for next month.",
    "Tomorrow I want to go for a walk before work and call my old friend.",
    "The garden looked lovely in the evening light, and I sat outside for a while.",
    "I think I need an early night, my head feels full of everything from today.",
]
BLOCK = SAMPLE_RATE // 10  # 100 ms, as a microphone callback delivers


def realtime_blocks(samples: np.ndarray) -> Iterator[np.ndarray]:
    """The clip in 100 ms blocks, each when a microphone would deliver it."""
    t0 = time.perf_counter()
    for i in range(0, len(samples), BLOCK):
        if (wait := t0 + i / SAMPLE_RATE - time.perf_counter()) > 0:
            time.sleep(wait)
        yield samples[i:i + BLOCK]


class VirtualMic:
    """Plays each clip into the virtual microphone; the app's Microphone captures it."""

    def __init__(self, pulse, work: Path) -> None:  # type: ignore[no-untyped-def]
        from voicejournal.mic import Microphone

        self.pulse, self.work, self.n = pulse, work, 0
        self.mic = Microphone().open()

    def blocks(self, samples: np.ndarray) -> Iterator[np.ndarray]:
        from voicejournal.audio import write_audio

        self.n += 1
        path = write_audio(self.work / f"turn_{self.n}.wav", Audio(samples, SAMPLE_RATE))
        self.mic.drain()
        player = self.pulse.play(path)
        try:
            while True:
                block = self.mic.read(timeout=0.2)
                if block is not None:
                    yield block
                elif player.poll() is not None and not self.mic.drain().size:
                    return
        finally:  # closed after the reply: the clip's trailing silence is no longer needed
            player.terminate()
            player.wait()


def stream_turn(blocks: Iterator[np.ndarray], settings: Settings, eager: EagerTranscriber | None,  # type: ignore[no-untyped-def]
                turn_model=None, companion: Companion | None = None):
    """Feed audio until the segmenter ends the turn; return (utterance, decided_at, speech_end_at).

    With a companion, the words transcribed at pauses are primed into the LLM as the live loop does.
    The end of speech is placed as the live app places it: the audio fed after it, back from the
    decision (the segmenter keeps 200 ms of the pause in the utterance).
    """
    seg = make_segmenter(settings.vad, turn_model)
    primed = None
    fed = 0
    for block in blocks:
        fed += len(block)
        ended = seg.feed(block)
        if eager is not None:
            eager.update(seg)
            if companion is not None and seg.in_speech:
                heard = eager.heard()
                if heard and heard != primed and companion.prime(heard):
                    primed = heard
        if ended:
            utt = ended[0]
            decided = time.perf_counter()
            speech_end = decided - (fed / SAMPLE_RATE - (utt.end_s - 0.2))
            return utt, decided, speech_end
    raise RuntimeError("the segmenter never ended the turn")


STAGES: dict[str, list[float]] = {"asr_left": [], "llm_first_token": [], "tts_first_audio": []}


def _played(player, first: float | None) -> float:  # type: ignore[no-untyped-def]
    """With a player: wait until the reply is heard; the first sample's time at the output."""
    if player is None:
        return first or time.perf_counter()
    player.end_reply()
    return player.reply.first_sample_at or time.perf_counter()


def overlapped_turn(engines, companion: Companion, screen: CrisisScreen, eager: EagerTranscriber, utt,  # type: ignore[no-untyped-def]
                    player=None) -> float:
    t0 = time.perf_counter()
    transcript = eager.finish(utt)
    STAGES["asr_left"].append((time.perf_counter() - t0) * 1000)
    screen.screen(transcript.text)
    first = None
    said = []
    if player is not None:
        player.begin_reply()
    for sentence in companion.reply_sentences(transcript.text):
        said.append(sentence)
        t_tts = time.perf_counter()
        for clip in engines.synthesizer.synthesize(sentence):
            if first is None:
                first = time.perf_counter()
                STAGES["tts_first_audio"].append((first - t_tts) * 1000)
            if player is not None:
                player.play(clip)
    STAGES["llm_first_token"].append(companion.stats.first_token_ms)
    first = _played(player, first)
    companion.remember(transcript.text, " ".join(said))
    companion.prime()  # as the conversation does: while the next turn is spoken
    return first


def naive_turn(engines, companion: Companion, screen: CrisisScreen, utt, player=None) -> float:  # type: ignore[no-untyped-def]
    transcript = engines.transcriber.transcribe(utt.audio)
    screen.screen(transcript.text)
    reply = " ".join(companion.reply_sentences(transcript.text))  # the whole reply first
    audio = list(engines.synthesizer.synthesize(reply))  # then the whole voice
    first = time.perf_counter()
    if player is not None:
        player.begin_reply()
        for clip in audio:
            player.play(clip)
    first = _played(player, first)
    companion.remember(transcript.text, reply)
    return first


def demo_turns(settings: Settings) -> list[np.ndarray]:
    """The demo recording's utterances, each with 0.5 s before it and 3 s of silence after."""
    from voicejournal.audio import read_file
    from voicejournal.vad import segment

    audio = read_file(Path(__file__).resolve().parents[1] / "voicejournal" / "data" / "demo" / "evening.flac")
    blocks = (audio.samples[i:i + BLOCK] for i in range(0, len(audio.samples), BLOCK))
    out = []
    for utt in segment(blocks, make_segmenter(settings.vad)):
        start = max(0, int((utt.start_s - 0.5) * SAMPLE_RATE))
        speech = audio.samples[start:int((utt.end_s - 0.2) * SAMPLE_RATE)]
        out.append(np.concatenate([speech, np.zeros(3 * SAMPLE_RATE, np.float32)]))
    return out


def idle_cpu(settings: Settings, seconds: float = 8.0) -> float:
    """CPU use of the listening loop (VAD on silence in real time), as % of one core."""
    seg = make_segmenter(settings.vad)
    quiet = np.random.default_rng(0).normal(0, 0.001, BLOCK).astype(np.float32)
    c0, t0 = time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        seg.feed(quiet)
        time.sleep(BLOCK / SAMPLE_RATE)
    return (time.process_time() - c0) / (time.perf_counter() - t0) * 100


def import_rtf(settings: Settings) -> tuple[float, str]:
    """`voicejournal import` on the demo recording, as a user runs it: (real-time factor, its summary line)."""
    import re
    import subprocess

    demo = Path(__file__).resolve().parents[1] / "voicejournal" / "data" / "demo" / "evening.flac"
    env = {**os.environ, "VOICEJOURNAL_HOME": str(Path(tempfile.mkdtemp()) / "import"), "COLUMNS": "240"}
    done = subprocess.run([sys.executable, "-m", "voicejournal", "import", str(demo)], env=env,
                          capture_output=True, text=True, check=True)
    out = done.stdout + done.stderr  # the summary is printed with the progress (stderr)
    line = next(ln for ln in out.splitlines() if "real-time factor" in ln)
    return float(re.search(r"real-time factor ([0-9.]+)", line).group(1)), line.strip()  # type: ignore[union-attr]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=8)
    ap.add_argument("--mic", action="store_true", help="Over a virtual PulseAudio microphone and speaker.")
    args = ap.parse_args()
    pulse = mic = player = None
    pulse_s = 0.0
    if args.mic:
        t_pulse = time.perf_counter()
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pulse import start_pulse  # imports pytest (its skip), slow

        pulse = start_pulse()
        os.environ.update(pulse.env)  # before PortAudio is first loaded
        pulse_s = time.perf_counter() - t_pulse  # not part of the app's cold start
    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    engines = load_engines(settings)
    screen = CrisisScreen()
    screen.screen("warm up the screen")
    warm = Companion(engines.backend, settings.llm.max_tokens, first_clause_chars=settings.llm.first_clause_chars)
    warm.warm_up()  # the system prompt's KV cache, as the live loop does before listening
    engines.transcriber.transcribe(Audio(np.zeros(SAMPLE_RATE, np.float32), SAMPLE_RATE))
    turn_model = load_turn_model(settings)
    if turn_model is not None:
        turn_model.p_complete(np.zeros(SAMPLE_RATE, np.float32))  # warm-up, as the live loop does
    cold = time.perf_counter() - T_START - pulse_s
    # 0.5 s before, 3 s after: longer than the longest end-of-turn wait
    clips = [render_with_pauses(engines.synthesizer, [t], pause_s=3.0, lead_s=0.5).samples for t in TURNS[: args.turns]]
    clips += demo_turns(settings)
    if pulse is not None:
        from voicejournal.player import Player

        mic = VirtualMic(pulse, Path(tempfile.mkdtemp()))
        player = Player().open(engines.synthesizer.rate)
    source = mic.blocks if mic is not None else realtime_blocks

    results: dict[str, dict[str, list[float]]] = {}
    for name in ("overlapped", "naive"):
        companion = Companion(engines.backend, settings.llm.max_tokens,
                              first_clause_chars=settings.llm.first_clause_chars if name == "overlapped" else 0)
        eager = EagerTranscriber(engines.transcriber) if name == "overlapped" else None
        proc, v2v, wait = [], [], []
        for clip in clips:
            blocks = source(clip)
            utt, decided, speech_end = stream_turn(blocks, settings, eager, turn_model if eager else None,
                                                   companion if eager else None)
            wait.append((decided - speech_end) * 1000)
            first = (overlapped_turn(engines, companion, screen, eager, utt, player) if eager
                     else naive_turn(engines, companion, screen, utt, player))
            blocks.close()
            proc.append((first - decided) * 1000)
            v2v.append((first - speech_end) * 1000)
        if eager:
            companion.settle()
            eager.close()
        results[name] = {"end_of_turn_wait": wait, "processing": proc, "voice_to_voice": v2v}

    if mic is not None:
        mic.mic.close()
        player.close()  # type: ignore[union-attr]
        pulse.stop()  # type: ignore[union-attr]
    cpu = idle_cpu(settings)
    rtf, rtf_line = import_rtf(settings)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = "off" if turn_model is None else (f"asked after {settings.vad.min_end_silence_ms} ms, threshold "
                                              f"{settings.vad.smart_turn_threshold}, silence cap {settings.vad.max_end_silence_ms} ms")
    how = "over a virtual PulseAudio mic and speaker" if args.mic else "streamed in real time"
    print(f"machine: {os.cpu_count()} cores; {len(clips)} turns ({min(args.turns, len(TURNS))} sentences + "
          f"the demo recording's {len(clips) - min(args.turns, len(TURNS))}) {how}; end of turn: overlapped = "
          f"turn model ({model}), naive = silence {settings.vad.end_silence_ms} ms")
    print(f"{'metric':<34}{'overlapped p50':>15}{'p90':>9}{'naive p50':>12}{'p90':>9}{'speed-up':>10}")
    for metric in ("end_of_turn_wait", "processing", "voice_to_voice"):
        o, n = results["overlapped"][metric], results["naive"][metric]
        print(f"{metric + ' (ms)':<34}{statistics.median(o):>15.0f}{percentile(o, 90):>9.0f}"
              f"{statistics.median(n):>12.0f}{percentile(n, 90):>9.0f}{statistics.median(n) / statistics.median(o):>9.2f}x")
    print("overlapped stages p50 (ms): " + ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in STAGES.items() if v))
    print(f"cold start, every model loaded and warmed one after another in this process (models assembled): {cold:.2f} s"
          " (the app speaks its opening line meanwhile: scripts/bench_live.py)")
    print(f"idle CPU while listening: {cpu:.1f} % of one core")
    print(f"peak RSS: {rss:.0f} MB")
    print(f"import real-time factor: {rtf:.2f} (`voicejournal import` on the demo recording: {rtf_line})")


if __name__ == "__main__":
    sys.exit(main())
