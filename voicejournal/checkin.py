"""The spoken mood check-in: ask, listen, read back, take a correction by voice, log.

`CheckinDialogue` is the whole conversation as plain logic over transcripts (no audio, no
journal), so every branch is testable from text. `run_checkin` drives it over any `Listener`
(a recording or the microphone) and any AudioSink, storing each answer as a turn before
replying. The crisis screen runs on every answer; a crisis statement gets the fixed crisis
response and a crisis_events row, and the check-in stops there.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

import numpy as np
from rich.console import Console
from rich.markup import escape

from voicejournal import app
from voicejournal.asr import Transcriber
from voicejournal.companion.closing import describe_mood
from voicejournal.crisis import CrisisScreen, SessionGuard, crisis_response
from voicejournal.crisis.session import trigger_of
from voicejournal.errors import UserError
from voicejournal.journal import Journal
from voicejournal.journal.mood_log import log_mood
from voicejournal.journal.mood_parse import MoodReading, parse_mood
from voicejournal.journal.mood_vocab import NUMBER_WORDS
from voicejournal.private import private_dir
from voicejournal.settings import Settings
from voicejournal.sinks import AudioSink, NullSink
from voicejournal.tts import Synthesizer
from voicejournal.types import SAMPLE_RATE, Level, ReplySource, ScreenResult, Utterance
from voicejournal.vad import Segmenter

if TYPE_CHECKING:
    from voicejournal.mic import Microphone

log = logging.getLogger(__name__)

QUESTION = "How are you feeling right now, from zero to ten? A word for it helps too."
RETRY = "Sorry, I didn't catch a mood there. From zero to ten, how are you feeling?"
ASK_CORRECTION = "Okay. What should it be?"
GIVE_UP = "That's okay, what you said is saved in your journal. Take care."
MAX_MISSES = 2
"""Answers without a mood before the check-in lets it be."""
MAX_CORRECTIONS = 3
"""Corrections read back before the latest one is logged as it stands."""
ANSWER_WAIT_S = 12.0
"""How long the microphone waits for an answer to start; silence after a read-back means yes."""

_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|yea|correct|right|that's right|that is right|exactly|sure|"
                  r"ok|okay|sounds right|that's it|perfect|uh-huh|mm-hmm|spot on)\b[\W]*", re.IGNORECASE)
_NO = re.compile(r"^\W*(?:no|nope|nah|not quite|not really|wrong|actually|wait|hmm,? no|"
                 r"make (?:that|it)|change (?:that|it))\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b(?:[0-9]|10|" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """What the check-in does after one answer (or after silence)."""

    say: str
    """The reply to speak and store with the answer's turn."""
    source: ReplySource = ReplySource.FALLBACK
    listen: bool = False
    """True: wait for another answer; False: the check-in is over."""
    logged: MoodReading | None = None
    """Log this reading now (against `turn_id`)."""
    turn_id: int | None = None


class CheckinDialogue:
    """The check-in's turn logic over transcripts: pure, so it can be tested from text alone."""

    def __init__(self, locale: str = "US") -> None:
        self.locale = locale
        self.pending: MoodReading | None = None
        """What has been understood and read back, not yet logged."""
        self.pending_turn: int | None = None
        self.misses = 0
        self.corrections = 0
        self.done = False

    def opening(self) -> str:
        return QUESTION

    def hear(self, text: str, screen: ScreenResult, turn_id: int | None = None) -> Step:
        """One answer, already screened: crisis first, then a mood, a confirmation or a correction."""
        if screen.level >= Level.CONCERN:
            return self._finish(Step(crisis_response(screen, self.locale), ReplySource.CRISIS,
                                     logged=self.pending, turn_id=self.pending_turn))
        if self.pending is None:
            return self._first(text, turn_id)
        return self._confirm(text, turn_id)

    def silence(self) -> Step:
        """No (further) answer: a reading already read back counts as confirmed."""
        if self.pending is not None:
            return self._finish(Step(f"Okay, I've logged {self._said(self.pending)}. Take care.",
                                     logged=self.pending, turn_id=self.pending_turn))
        return self._finish(Step(GIVE_UP))

    def _first(self, text: str, turn_id: int | None) -> Step:
        reading = parse_mood(text)
        if reading is None:
            self.misses += 1
            if self.misses >= MAX_MISSES:
                return self._finish(Step(GIVE_UP))
            return Step(RETRY, listen=True)
        return self._read_back(reading, turn_id)

    def _confirm(self, text: str, turn_id: int | None) -> Step:
        assert self.pending is not None
        yes = _YES.match(text)
        rest = text[yes.end():] if yes else text
        said = parse_mood(rest)
        unchanged = said is not None and self._merged(said) == self.pending
        if unchanged or (yes and (said is None or not (_NUMBER.search(rest) or said.tags))):
            return self._log_pending("Thanks, I've logged {}. Take care.")
        if said is not None and (_NUMBER.search(rest) or said.tags or _NO.match(text)):
            return self._correct(said, turn_id)
        if _NO.match(text):
            return Step(ASK_CORRECTION, listen=True)
        self.pending = replace(self.pending, note=_joined(self.pending.note, text))
        return self._log_pending("Thanks, I've logged {}, with your note. Take care.")

    def _correct(self, said: MoodReading, turn_id: int | None) -> Step:
        merged = self._merged(said)
        self.corrections += 1
        if self.corrections >= MAX_CORRECTIONS:
            self.pending, self.pending_turn = merged, turn_id
            return self._log_pending("Okay, I've logged {}. Take care.")
        return self._read_back(merged, turn_id)

    def _merged(self, said: MoodReading) -> MoodReading:
        """A correction replaces what it names (the score, the feelings) and keeps the rest."""
        assert self.pending is not None
        return MoodReading(said.score if said.score is not None else self.pending.score,
                           said.tags or self.pending.tags, self.pending.note)

    def _read_back(self, reading: MoodReading, turn_id: int | None) -> Step:
        self.pending, self.pending_turn = reading, turn_id
        example = "a four" if reading.score == 5 else "a five"
        return Step(f"I heard {self._said(reading)}. Is that right? Or correct me, like: no, {example}.",
                    listen=True)

    def _log_pending(self, template: str) -> Step:
        assert self.pending is not None
        return self._finish(Step(template.format(self._said(self.pending)), logged=self.pending,
                                 turn_id=self.pending_turn))

    def _finish(self, step: Step) -> Step:
        self.done = True
        return step

    @staticmethod
    def _said(reading: MoodReading) -> str:
        return describe_mood(reading.score, reading.tags) or "your mood"


def _joined(note: str | None, text: str) -> str:
    return f"{note}; {text.strip()}" if note else text.strip()


# -- I/O: listening, speaking, storing ------------------------------------------------------------

class Listener(Protocol):
    """Hands over the person's next answer, or None when none came (timeout, end of a recording)."""

    def listen(self, wait_s: float) -> Utterance | None: ...


class RecordingListener:
    """Answers from a recording: each utterance the segmenter cuts is the next answer."""

    def __init__(self, utterances: Iterator[Utterance]) -> None:
        self._utterances = utterances

    def listen(self, wait_s: float) -> Utterance | None:
        return next(self._utterances, None)


class MicListener:
    """Answers from the microphone: half-duplex, so what played while speaking is dropped first."""

    def __init__(self, mic: "Microphone", new_segmenter: Callable[[], Segmenter], echo_guard_ms: int = 300) -> None:
        self.mic = mic
        self.new_segmenter = new_segmenter
        self.echo_guard = SAMPLE_RATE * echo_guard_ms // 1000

    def listen(self, wait_s: float) -> Utterance | None:
        self.mic.drain()
        skip = self.echo_guard  # the reply's tail still in the room
        seg = self.new_segmenter()
        deadline = time.monotonic() + wait_s
        while True:
            block = self.mic.read(timeout=0.1)
            if block is not None:
                cut = min(skip, len(block))
                skip -= cut
                done = seg.feed(block[cut:])
                if done:
                    return done[0]
            if not seg.in_speech and time.monotonic() > deadline:
                return None


@dataclass(frozen=True)
class CheckinResult:
    """How a check-in ended."""

    session_id: int
    reading: MoodReading | None
    """What was logged; None when no mood was understood (or a crisis came first)."""
    crisis: bool = False


@dataclass
class CheckinParts:
    """What a check-in runs on, built by the caller."""

    transcriber: Transcriber
    journal: Journal
    synthesizer: Synthesizer | None
    sink: AudioSink
    console: Console
    locale: str = "US"
    keep_audio_dir: Path | None = None
    """Per-session folder root for each answer's FLAC (None: keep no audio)."""


def run_checkin(parts: CheckinParts, listener: Listener, meta: dict | None = None) -> CheckinResult:
    """Ask, then turn answers into steps until the dialogue ends; every answer is stored first."""
    journal, dialogue = parts.journal, CheckinDialogue(parts.locale)
    guard = SessionGuard(CrisisScreen())
    sid = journal.start_session("mood", meta)
    logged: MoodReading | None = None
    crisis, status = False, "interrupted"
    try:
        _say(parts, dialogue.opening(), ReplySource.FALLBACK)
        while not dialogue.done:
            utt = listener.listen(ANSWER_WAIT_S)
            step, tid = (dialogue.silence(), None) if utt is None else _answer(parts, guard, dialogue, sid, utt)
            if step is None:
                continue
            crisis = crisis or step.source == ReplySource.CRISIS
            if step.logged is not None:
                log_mood(journal, sid, step.logged, "checkin", step.turn_id)
                logged = step.logged
            _say(parts, step.say, step.source)
            if tid is not None:
                journal.complete_turn(tid, step.say, step.source.value, {},
                                      "fixed-text" if step.source == ReplySource.CRISIS else "curated-text")
        status = "complete"
    finally:
        journal.end_session(sid, status=status)
    return CheckinResult(sid, logged, crisis)


def _answer(parts: CheckinParts, guard: SessionGuard, dialogue: CheckinDialogue, sid: int,
            utt: Utterance) -> tuple[Step | None, int | None]:
    """Transcribe, screen and store one answer, then let the dialogue decide; None if no words."""
    t0 = time.perf_counter()
    transcript = parts.transcriber.transcribe(utt.audio)
    if not transcript.text:
        return None, None
    latency = {"asr": round((time.perf_counter() - t0) * 1000, 1)}
    screen = guard.check(transcript.text)
    tid = parts.journal.add_user_turn(sid, transcript.text, screen, latency, {"asr": parts.transcriber.name})
    flag = "" if screen.level == Level.NONE else f"  [yellow]({screen.level.value}: {screen.category})[/]"
    parts.console.print(f"[bold cyan]You:[/] {escape(transcript.text)}{flag}")
    if parts.keep_audio_dir is not None:
        folder = private_dir(parts.keep_audio_dir / f"session_{sid:06d}")
        parts.journal.save_turn_audio(tid, folder / f"turn_{tid:06d}.flac", utt.audio)
    step = dialogue.hear(transcript.text, screen, tid)
    if step.source == ReplySource.CRISIS:
        parts.journal.add_crisis_event(sid, tid, screen.level.value, screen.category, "utterance",
                                       trigger_of(screen), step.say)
    return step, tid


def _say(parts: CheckinParts, text: str, source: ReplySource) -> None:
    """Show, then speak, one reply; a voice failure still leaves the text on screen."""
    label = "Companion (safety)" if source == ReplySource.CRISIS else "Companion"
    parts.console.print(f"[bold green]{label}:[/] {escape(text)}")
    parts.sink.begin_reply()
    if parts.synthesizer is not None:
        try:
            for clip in parts.synthesizer.synthesize(text):
                parts.sink.play(clip)
        except UserError as exc:
            log.warning("could not speak: %s", exc)
    parts.sink.end_reply()


# -- entry points for `voicejournal mood` ---------------------------------------------------------

def checkin_from_file(settings: Settings, path: Path, console: Console) -> CheckinResult:
    """A check-in over a recording: its utterances are the answers; replies are shown, not spoken."""
    from voicejournal.audio import stream_file
    from voicejournal.ui import model_progress
    from voicejournal.vad import segment

    blocks = stream_file(path)
    first = next(blocks, None)  # a bad file fails here, before any model loads

    def all_blocks() -> Iterator[np.ndarray]:
        if first is not None:
            yield first
        yield from blocks

    with model_progress() as progress:
        engines = app.load_engines(settings, progress, voice=False, llm=False)
    with app.open_journal(settings) as journal:
        parts = CheckinParts(engines.transcriber, journal, None, NullSink(), console, settings.locale,
                             settings.audio_dir if settings.keep_audio else None)
        listener = RecordingListener(segment(all_blocks(), app.segmenter_for(settings)))
        return run_checkin(parts, listener, {"input": str(path)})


def checkin_live(settings: Settings, console: Console, input_device: str | None = None,
                 output_device: str | None = None, voice: bool = True) -> CheckinResult:
    """A check-in through the microphone, asked and read back aloud (or on screen with voice=False)."""
    from voicejournal.mic import Microphone
    from voicejournal.player import Player
    from voicejournal.ui import model_progress

    with model_progress() as progress:
        engines = app.load_engines(settings, progress, voice=voice, llm=False)
    synth = engines.synthesizer
    player = Player(output_device).open(synth.rate) if synth is not None else None
    try:
        with Microphone(input_device) as mic, app.open_journal(settings) as journal:
            console.print(f"[dim]Listening on {mic.name}. Ctrl-C ends the check-in.[/]")
            parts = CheckinParts(engines.transcriber, journal, synth, player or NullSink(), console,
                                 settings.locale, settings.audio_dir if settings.keep_audio else None)
            listener = MicListener(mic, lambda: app.segmenter_for(settings), settings.vad.echo_guard_ms)
            return run_checkin(parts, listener, {"input": "microphone"})
    finally:
        if player is not None:
            player.close()


def describe_result(result: CheckinResult) -> str:
    """The closing line `voicejournal mood` prints."""
    if result.reading is None:
        what = "No mood logged" + (" (the check-in stopped for your safety)" if result.crisis else "")
        return f"{what}; what you said is saved in session {result.session_id}."
    r = result.reading
    shown = f"{r.score:g}/10" if r.score is not None else "no score"
    return f"Logged mood {shown}" + (f" ({', '.join(r.tags)})" if r.tags else "") + "."
