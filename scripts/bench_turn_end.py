"""End of turn: silence alone vs the Smart Turn model, on speech made with the shipped voice.

    .venv/bin/python scripts/bench_turn_end.py [--repeats 2] [--quick]

Cases (16 kHz, a faint noise floor, each run through the real segmenter):
  complete   a finished reflective turn (one or two sentences), then 3 s of silence; and the
             three turns of the bundled demo recording (voicejournal/data/demo/evening.flac)
  mid-cut    one sentence spoken whole, cut after "and", "because", "but", "um", "is"... and a
             thinking pause inserted: the voice is still mid-sentence where it stops
  fragment   the words up to the pause spoken on their own, so the voice falls as if finished
             (a speaker whose voice drops before they go on: the hard case)
  sentence   a finished sentence, a pause, then another sentence of the same thought
Thinking pauses cycle through 0.6, 1.0, 1.5 and 2.0 s. Piper's voice varies between renders, so
each case is rendered `--repeats` times (a different take and noise each time). For each setting it reports the mean
and p90 wait from the end of speech to the end-of-turn decision on complete turns (model time
included), how many complete turns the model ended early, and the fraction of pauses wrongly
ended in each mid-thought set. It then prints the chosen default by the rule in `choose()`.

All speech is synthetic (Piper en_US-joe); real voices pause, trail off and intone more
variously, so treat the rates as a comparison between settings, not as field error rates.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import statistics
import sys
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from voicejournal import models
from voicejournal.audio import read_file, resample
from voicejournal.metrics import percentile
from voicejournal.settings import Settings, TtsSettings, VadSettings
from voicejournal.tts import PiperSynthesizer
from voicejournal.turn_end import SmartTurn, model_path
from voicejournal.types import SAMPLE_RATE
from voicejournal.vad import make_segmenter

COMPLETE = [
    "Today was a long day at work, and the meeting went better than I expected.",
    "I'm feeling a bit tired tonight, but mostly relieved.",
    "My sister called this evening and we laughed about our old trip.",
    "I skipped the gym again.",
    "I think I need an early night.",
    "The garden looked lovely in the evening light.",
    "I've been worrying about money, but I made a plan for next month.",
    "Honestly, I'm proud of how I handled that conversation.",
    "I don't really know why, but today felt heavy.",
    "We cooked dinner together and it was nice.",
    "I want to call my friend tomorrow.",
    "It was a good day, all things considered.",
    "Work was stressful. But the evening was calm.",
    "I went for a walk. It helped clear my head.",
    "I keep replaying what he said to me.",
    "That's about it for today.",
]
# (words before the thinking pause, words after it)
MID_THOUGHT = [
    ("I keep thinking about the meeting and", "what my manager said after it."),
    ("I felt anxious all day because", "the deadline is on Friday."),
    ("I was going to call my mother but", "I didn't have the energy."),
    ("What I really want is", "to feel rested for once."),
    ("I think, um,", "I need to talk to her about it."),
    ("The thing that bothers me most is", "that nobody noticed."),
    ("So I went to the shop and", "I bought far too much chocolate."),
    ("I'm not sure if I should", "stay or look for another job."),
    ("Today I realised that", "I have been avoiding my friends."),
    ("It reminded me of", "when we used to live by the sea."),
    ("I wish I had said something, because", "it still bothers me."),
    ("My plan for the weekend is", "to rest and maybe read."),
    ("I was trying to, um,", "figure out what went wrong."),
    ("And then after dinner I", "sat outside for a while."),
    ("Part of me feels relieved, and", "part of me feels guilty."),
    ("When I got home I just,", "sat there for an hour."),
]
SENTENCES = [
    ("I keep thinking about the meeting today.", "And what my manager said after it."),
    ("I went for a run this morning.", "Then work was busy all day."),
    ("My mum phoned at lunch.", "She sounded a bit lonely, I think."),
    ("I finished the report.", "It took far longer than it should have."),
    ("The weather was grey all day.", "Maybe that is why I felt flat."),
    ("I slept badly last night.", "I kept waking up at three."),
    ("We argued about money again.", "I hate how that makes me feel."),
    ("I read for an hour before bed.", "It was the calmest part of my day."),
]
PAUSES_S = [0.6, 1.0, 1.5, 2.0]
LEAD_S, TAIL_S, NOISE = 0.6, 3.0, 0.002
FRAME = SAMPLE_RATE * 30 // 1000
SPEECH_DBFS = -40.0


@dataclass
class Case:
    kind: str
    samples: np.ndarray
    speech_end: int
    """Sample where a complete turn's speech ends (complete cases)."""
    resume: int
    """Sample where speech resumes after the thinking pause (mid-thought cases); -1 for complete."""
    pause_s: float = 0.0


class CachedModel:
    """The real model, answering each distinct audio once; records the time of real calls."""

    def __init__(self, model: SmartTurn) -> None:
        self.model, self.cache, self.ms = model, {}, []  # type: ignore[var-annotated]

    def p_complete(self, samples: np.ndarray) -> float:
        key = hashlib.sha1(samples.tobytes()).hexdigest()
        if key not in self.cache:
            t0 = time.perf_counter()
            self.cache[key] = self.model.p_complete(samples)
            self.ms.append((time.perf_counter() - t0) * 1000)
        return self.cache[key]


def loud_frames(x: np.ndarray, frame_s: float = 0.01) -> np.ndarray:
    n = int(frame_s * SAMPLE_RATE)
    frames = x[: len(x) // n * n].reshape(-1, n)
    return 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-9) > SPEECH_DBFS


def trim(x: np.ndarray) -> np.ndarray:
    """Speech without the voice's own leading and trailing silence."""
    loud = np.flatnonzero(loud_frames(x))
    return x[loud[0] * 160:(loud[-1] + 1) * 160] if len(loud) else x


class Renderer:
    def __init__(self, settings: Settings) -> None:
        self.voice = PiperSynthesizer(models.resolve("tts", "joe", settings.cache_dir), TtsSettings())

    def say(self, text: str) -> np.ndarray:
        return np.concatenate([resample(c.samples, c.rate, SAMPLE_RATE) for c in self.voice.synthesize(text)])

    def cut(self, before: str, after: str) -> tuple[np.ndarray, np.ndarray]:
        """The whole sentence spoken at once, split where `before` ends in it (found by aligning the two)."""
        whole, head = trim(self.say(f"{before} {after}")), trim(self.say(before))
        end = open_end_dtw(mels(head), mels(whole)) * 160
        n = 160  # then the quietest 10 ms just around there, so no sound is cut in half
        energy = np.convolve(whole ** 2, np.ones(n) / n, mode="same")
        lo, hi = max(0, end - 320), min(len(whole) - n, end + 960)
        at = lo + int(np.argmin(energy[lo:hi]))
        return whole[:at], whole[at:]


def mels(x: np.ndarray) -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor()(x, padding=0).T  # (frames, 80), 10 ms apart


def open_end_dtw(head: np.ndarray, whole: np.ndarray) -> int:
    """Frame of `whole` where `head` (the same words said alone) ends: DTW from both starts, open end."""
    cost = np.sqrt(((head[:, None, :] - whole[None, :, :]) ** 2).sum(-1))
    acc = np.full((len(head), len(whole)), np.inf)
    acc[0] = np.cumsum(cost[0])
    for i in range(1, len(head)):
        row = cost[i] + np.minimum(acc[i - 1], np.concatenate([[np.inf], acc[i - 1][:-1]]))
        for j in range(1, len(whole)):
            row[j] = min(row[j], cost[i, j] + row[j - 1])
        acc[i] = row
    return int(np.argmin(acc[-1] / (len(head) + np.arange(len(whole)))))


def stream(parts: list[np.ndarray], seed: int) -> np.ndarray:
    x = np.concatenate(parts).astype(np.float32)
    return x + np.random.default_rng(seed).normal(0, NOISE, len(x)).astype(np.float32)


def build_cases(r: Renderer, quick: bool, take: int = 0) -> list[Case]:
    z = lambda s: np.zeros(int(s * SAMPLE_RATE), np.float32)  # noqa: E731
    cases: list[Case] = []
    step = 2 if quick else 1
    seed = 1000 * take
    for i, text in enumerate(COMPLETE[::step]):
        speech = trim(r.say(text))
        cases.append(Case("complete", stream([z(LEAD_S), speech, z(TAIL_S)], seed + i),
                          int(LEAD_S * SAMPLE_RATE) + len(speech), -1))
    for i, (before, after) in enumerate(MID_THOUGHT[::step]):
        pause = PAUSES_S[(i + take) % len(PAUSES_S)]
        for kind, (a, b) in (("mid-cut", r.cut(before, after)), ("fragment", (trim(r.say(before)), trim(r.say(after))))):
            resume = int(LEAD_S * SAMPLE_RATE) + len(a) + int(pause * SAMPLE_RATE)
            cases.append(Case(kind, stream([z(LEAD_S), a, z(pause), b, z(TAIL_S)], seed + 100 + i), -1, resume, pause))
    for i, (first, second) in enumerate(SENTENCES[::step]):
        pause = PAUSES_S[(i + take) % len(PAUSES_S)]
        a, b = trim(r.say(first)), trim(r.say(second))
        resume = int(LEAD_S * SAMPLE_RATE) + len(a) + int(pause * SAMPLE_RATE)
        cases.append(Case("sentence", stream([z(LEAD_S), a, z(pause), b, z(TAIL_S)], seed + 200 + i), -1, resume, pause))
    return cases


def demo_turns() -> list[int]:
    """Where each of the demo recording's three turns ends (its speech, not its pause)."""
    demo = read_file(Path(str(files("voicejournal").joinpath("data/demo/evening.flac"))))
    loud = loud_frames(demo.samples)
    ends = [i for i in range(1, len(loud)) if loud[i - 1] and not np.any(loud[i:i + 100])]  # followed by >= 1 s quiet
    return [(i) * 160 for i in ends]


def run(setting: VadSettings, model: CachedModel | None, samples: np.ndarray) -> list[tuple[int, bool]]:
    """(sample where a turn was decided, whether the model decided it) for each turn."""
    seg = make_segmenter(setting, model)
    judged: list[float] = []
    seg.on_judged = lambda p, ms: judged.append(p)
    out = []
    for i in range(0, len(samples), FRAME):
        n = len(judged)
        for _ in seg.feed(samples[i:i + FRAME]):
            by_model = len(judged) > n and judged[-1] >= setting.smart_turn_threshold
            out.append((min(i + FRAME, len(samples)), by_model))
    return out


@dataclass
class Row:
    name: str
    setting: VadSettings
    model: bool
    wait_mean: float = 0.0
    wait_p90: float = 0.0
    early: float = 0.0
    ended: dict[str, float] = dataclasses.field(default_factory=dict)


def evaluate(row: Row, model: CachedModel | None, cases: list[Case], demo: np.ndarray, demo_ends: list[int],
             model_ms: float) -> Row:
    waits, early = [], []
    ended: dict[str, list[bool]] = {}
    for case in cases:
        turns = run(row.setting, model if row.model else None, case.samples)
        if case.kind == "complete":
            at, by_model = next((t for t in turns if t[0] >= case.speech_end), turns[-1])
            waits.append((at - case.speech_end) / SAMPLE_RATE * 1000 + (model_ms if by_model else 0))
            early.append(by_model)
        else:
            ended.setdefault(case.kind, []).append(any(at < case.resume for at, _ in turns))
    for at, by_model in run(row.setting, model if row.model else None, demo):
        end = max((e for e in demo_ends if e <= at), default=None)
        if end is not None and at - end <= 3 * SAMPLE_RATE:  # else a split inside a turn, not its end
            waits.append((at - end) / SAMPLE_RATE * 1000 + (model_ms if by_model else 0))
            early.append(by_model)
    row.wait_mean, row.wait_p90 = statistics.mean(waits), percentile(waits, 90)
    row.early = sum(early) / len(early)
    row.ended = {k: sum(v) / len(v) for k, v in ended.items()}
    return row


def grid(quick: bool) -> list[Row]:
    base = VadSettings()
    rows = [Row(f"silence {ms}", dataclasses.replace(base, end_silence_ms=ms), False)
            for ms in (1000, 1200, 1400, 1600, 2000)]
    mins = (300, 400, 600) if quick else (200, 300, 400, 500, 600)
    for lo in mins:
        for thr in (0.5, 0.7, 0.9):
            s = dataclasses.replace(base, min_end_silence_ms=lo, smart_turn_threshold=thr, max_end_silence_ms=2000)
            rows.append(Row(f"model min {lo} thr {thr} max 2000", s, True))
    for hi in (1600, 2500):
        s = dataclasses.replace(base, max_end_silence_ms=hi)
        rows.append(Row(f"model min {base.min_end_silence_ms} thr {base.smart_turn_threshold} max {hi}", s, True))
    return rows


def choose(rows: list[Row]) -> Row:
    """Fastest model setting that ends no more mid-thought pauses (mid-cut + fragment) than silence at 1400 ms."""
    def wrong(r: Row) -> float:
        return (r.ended["mid-cut"] + r.ended["fragment"]) / 2

    baseline = next(r for r in rows if r.name == "silence 1400")
    fair = [r for r in rows if r.model and r.setting.max_end_silence_ms == 2000 and wrong(r) <= wrong(baseline)]
    return min(fair or [baseline], key=lambda r: r.wait_mean)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2, help="renders of each case (Piper varies between takes)")
    ap.add_argument("--quick", action="store_true", help="half the cases and a smaller grid")
    args = ap.parse_args()
    settings = Settings()
    model = CachedModel(SmartTurn(model_path(settings.vad, settings.cache_dir)))
    renderer = Renderer(settings)
    cases = [c for take in range(args.repeats) for c in build_cases(renderer, args.quick, take)]
    demo = read_file(Path(str(files("voicejournal").joinpath("data/demo/evening.flac")))).samples
    demo_ends = demo_turns()
    # The model's own time, measured on this machine, is added to each turn it ends.
    probe = cases[0].samples[: cases[0].speech_end + SAMPLE_RATE // 2]
    for _ in range(3):
        model.model.p_complete(probe)
    timings, cpu = [], []
    for _ in range(15):
        t0, c0 = time.perf_counter(), time.process_time()
        model.model.p_complete(probe)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    model_ms = statistics.median(timings)
    rows = [evaluate(r, model, cases, demo, demo_ends, model_ms) for r in grid(args.quick)]
    counts = {k: sum(c.kind == k for c in cases) for k in ("complete", "mid-cut", "fragment", "sentence")}
    print(f"cases: {counts['complete']} complete + 3 demo turns, {counts['mid-cut']} mid-cut, {counts['fragment']} fragment, "
          f"{counts['sentence']} sentence; thinking pauses {PAUSES_S} s; synthetic speech (Piper en_US-joe)")
    print(f"model call (features + ONNX, 1 thread): median {model_ms:.0f} ms, p90 {percentile(timings, 90):.0f} ms "
          f"over {len(timings)} calls (CPU time median {statistics.median(cpu):.0f} ms, the wall time on an idle core); "
          f"{len(model.ms)} distinct pauses judged")
    print(f"{'setting':<34}{'wait mean':>10}{'p90':>7}{'early':>7}{'mid-cut':>9}{'fragment':>9}{'sentence':>9}")
    print(f"{'':<34}{'(ms)':>10}{'(ms)':>7}{'':>7}{'ended':>9}{'ended':>9}{'ended':>9}")
    for r in rows:
        print(f"{r.name:<34}{r.wait_mean:>10.0f}{r.wait_p90:>7.0f}{r.early:>7.0%}"
              f"{r.ended['mid-cut']:>9.0%}{r.ended['fragment']:>9.0%}{r.ended['sentence']:>9.0%}")
    best = choose(rows)
    s = best.setting
    print(f"chosen default: {best.name} (min_end_silence_ms={s.min_end_silence_ms}, "
          f"smart_turn_threshold={s.smart_turn_threshold}, max_end_silence_ms={s.max_end_silence_ms}): "
          f"mean wait {best.wait_mean:.0f} ms on complete turns")


if __name__ == "__main__":
    sys.exit(main())
