"""The live conversation through the microphone and speaker.

One plain loop in the main thread: microphone blocks → segmenter → (turn ends) transcribe →
companion → player. The only other threads are the sound devices' callbacks, which copy
frames. Speech that resumes before the reply is audible joins the same turn (or withholds the
reply); by default the microphone is ignored while a reply plays (half-duplex); with
barge-in, speech during a reply stops it and the stored reply is cut to what was heard.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from rich.console import Console

from voicejournal.app import Engines, load_companion, load_engines, open_journal, start_conversation
from voicejournal.companion.modes import mode_named
from voicejournal.conversation import Conversation, TurnRecord
from voicejournal.eager import EagerTranscriber
from voicejournal.errors import AudioError
from voicejournal.live_ui import Keys, LiveReporter, LiveView, State
from voicejournal.loading import Loading
from voicejournal.mic import DeviceLost, Microphone
from voicejournal.player import Player
from voicejournal.settings import Settings
from voicejournal.sinks import AudioSink, NullSink
from voicejournal.turn_end import load_turn_model
from voicejournal.types import SAMPLE_RATE, Audio, Transcript, Utterance
from voicejournal.ui import model_progress
from voicejournal.vad import Segmenter, SileroVerifier, make_segmenter

log = logging.getLogger(__name__)

KEPT_TAIL_MS = 200
"""Trailing silence the segmenter keeps on an utterance (see Segmenter._close)."""
RECENT_S = 0.6
"""How much recent microphone audio Silero looks at to confirm the person is talking again."""
MAX_JOIN_GAP_S = 1.0
ONSET_GRACE_S = 0.3
"""How much longer a patient reply waits for a voiced onset to become speech (the segmenter's onset window)."""


@dataclass(frozen=True)
class LiveOptions:
    """How a live session runs and ends (the `talk` flags)."""

    max_turns: int | None = None
    """End after this many answered turns."""
    idle_exit_s: float | None = None
    """End after this long with no speech."""
    barge_in: bool = False
    """Let speech during a reply stop it (for headsets; with speakers the reply would stop itself)."""
    input_device: str | int | None = None
    output_device: str | int | None = None


class SessionStopped(BaseException):
    """SIGINT/SIGTERM asked the session to end (a BaseException so library code does not swallow it)."""


KEPT_TALKING = "you kept talking"


@dataclass
class _Held:
    """A finished turn not yet answered because the person started talking again."""

    utt: Utterance
    transcript: Transcript
    latency: dict[str, float]


def join(first: Utterance, second: Utterance) -> Utterance:
    """One utterance from two pieces of the same thought, the pause between them shortened."""
    gap = min(max(0.0, second.start_s - first.end_s), MAX_JOIN_GAP_S)
    samples = np.concatenate([first.audio.samples, np.zeros(int(gap * SAMPLE_RATE), np.float32),
                              second.audio.samples])
    return Utterance(Audio(samples, SAMPLE_RATE), first.start_s, second.end_s)


class _Signals:
    """SIGINT/SIGTERM set the stop event; inside a turn they also raise SessionStopped (once)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.in_turn = False
        self._raised = False

    def handle(self, signum: int, frame: object) -> None:
        self.stop.set()
        if self.in_turn and not self._raised:
            self._raised = True
            raise SessionStopped(signum)

    @contextmanager
    def installed(self) -> Iterator["_Signals"]:
        old = {s: signal.signal(s, self.handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)


class LiveSession:
    """The listening loop over one conversation; returns why it ended."""

    def __init__(self, convo: Conversation, mic: Microphone, player: Player | None, settings: Settings,
                 options: LiveOptions, view: LiveView, keys: Keys, signals: _Signals) -> None:
        self.convo, self.mic, self.player = convo, mic, player
        self.settings, self.vad, self.options = settings, settings.vad, options
        self.view, self.keys, self.signals = view, keys, signals
        self.verifier = SileroVerifier(self.vad.silero_threshold) if self.vad.silero_threshold > 0 else None
        self.turn_end = load_turn_model(settings)  # None: silence alone ends a turn
        self.eager = EagerTranscriber(convo.p.transcriber)
        self.seg = self._new_segmenter()
        self.recent = np.zeros(0, np.float32)
        self.fed = 0
        self.skip = 0
        self.held: _Held | None = None
        self.withheld: tuple[TurnRecord, Utterance] | None = None
        """(turn record, utterance) whose reply was never heard because the person went on talking."""
        self.paused = False
        self.last_activity = time.monotonic()
        self.latency: dict[str, float] = {}
        self.decided = 0.0
        self.interrupted_by: str | None = None
        self.primed: str | None = None
        """The words of the open turn the LLM has last read ahead (see _prime_heard)."""
        self.patience_s = convo.p.flow.mode.reply_after_silence_s if convo.p.flow else 0.0
        self.speech_end_s = -math.inf
        """Where the turn being answered stopped being speech, in this segmenter's stream time."""

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> str:
        if self.interrupted_by is None:
            self.mic.drain()  # whatever queued while models loaded (or an opening line played)
            self._reset()
        # else (barge-in) the person talked over the opening line and stopped it: the segmenter has
        # heard the start of their words, and the rest is waiting in the microphone's queue
        while not self.signals.stop.is_set():
            ended = self._keys()
            if ended:
                return ended
            block = self.mic.read(timeout=0.1)
            if block is not None:
                self.view.show_level(block)
                if not self.paused:
                    for utt in self._feed(block):
                        self._utterance(utt)
                    self._settle_held()
                    self._prime_heard()
            if self.options.max_turns and len(self.convo.turns) >= self.options.max_turns:
                return "max turns"
            if self._idle():
                return "idle"
            if not self.paused:
                self.view.set_state(State.HEARING if self.seg.in_speech or self.held else State.LISTENING)
        return "stopped"

    def _keys(self) -> str | None:
        key = self.keys.poll()
        if key in ("q", "Q", "\x1b"):
            return "ended"
        if key in (" ", "p", "P"):
            self.paused = not self.paused
            if self.paused:
                self.view.set_state(State.PAUSED)
            else:
                self.mic.drain()
                self._reset()
            self.last_activity = time.monotonic()
        return None

    def _idle(self) -> bool:
        if self.seg.in_speech or self.held is not None:
            self.last_activity = time.monotonic()
            return False
        limit = self.options.idle_exit_s
        return bool(limit) and not self.paused and time.monotonic() - self.last_activity > limit

    def _new_segmenter(self) -> Segmenter:
        seg = make_segmenter(self.vad, self.turn_end)
        seg.on_speech_start = lambda _t: self._touch()
        return seg

    def _touch(self) -> None:
        self.last_activity = time.monotonic()

    def _reset(self) -> None:
        self.eager.reset()
        self.seg = self._new_segmenter()
        self.fed = 0
        self.speech_end_s = -math.inf
        self.recent = np.zeros(0, np.float32)

    def _feed(self, block: np.ndarray) -> list[Utterance]:
        if self.skip:
            cut = min(self.skip, len(block))
            self.skip -= cut
            block = block[cut:]
        if not len(block):
            return []
        self.fed += len(block)
        self.recent = np.concatenate([self.recent, block])[-int(RECENT_S * SAMPLE_RATE):]
        ended = self.seg.feed(block)
        self.eager.update(self.seg)  # transcribe finished phrases while the person goes on
        return ended

    def _prime_heard(self) -> None:
        """Let the LLM read the words transcribed so far while the person is still speaking."""
        heard = self.eager.heard() if self.seg.in_speech and self.withheld is None else None
        if heard and heard != self.primed and self.convo.read_ahead(heard):
            self.primed = heard

    def _talking_again(self) -> bool:
        """The segmenter hears an onset and Silero confirms it is speech, not a cough or a door."""
        if not self.seg.in_speech:
            return False
        if self.verifier is None:
            return True
        return self.verifier.speech_seconds(self.recent) * 1000 >= self.vad.speech_again_ms

    # -- a turn --------------------------------------------------------------------------------

    def _utterance(self, utt: Utterance) -> None:
        """A turn ended: transcribe it; answer unless the person has started talking again."""
        self.decided = time.perf_counter()
        self.speech_end_s = utt.end_s - KEPT_TAIL_MS / 1000
        end_of_turn = max(0.0, (self.fed / SAMPLE_RATE - utt.end_s) * 1000 + KEPT_TAIL_MS)
        if self.held is not None:
            utt, self.held = join(self.held.utt, utt), None
        self.view.set_state(State.THINKING)
        while True:
            t = time.perf_counter()
            self.signals.in_turn = True
            try:
                transcript = self.eager.finish(utt)
            finally:
                self.signals.in_turn = False
            latency = {"asr": round((time.perf_counter() - t) * 1000, 1), "end_of_turn": round(end_of_turn, 1)}
            more = [u for u in self._feed(self.mic.drain())]
            if not more:
                break
            for extra in more:  # the person said more while we transcribed: one thought
                utt = join(utt, extra)
        if self.seg.in_speech:
            self.held = _Held(utt, transcript, latency)
            self.view.set_state(State.HEARING)
            return
        self._answer(utt, transcript, latency)

    def _settle_held(self) -> None:
        """An onset that held a turn came to nothing (a cough): answer the held turn now."""
        if self.held is not None and not self.seg.in_speech:
            held, self.held = self.held, None
            self.decided = time.perf_counter()
            self._answer(held.utt, held.transcript, held.latency)

    def _answer(self, utt: Utterance, transcript: Transcript, latency: dict[str, float]) -> None:
        withheld, self.withheld = self.withheld, None
        if not transcript.text and withheld is None:
            log.info("no words in %.1fs utterance", utt.audio.duration_s)
            self.view.set_state(State.LISTENING)
            return
        continues = None
        if withheld is not None:  # they went on before hearing the reply: one turn, answered as a whole
            continues, earlier = withheld
            utt = join(earlier, utt)
        self.latency = latency
        self.interrupted_by = None
        self.signals.in_turn = True
        try:
            record = self.convo.answer(transcript, latency, utt, continues=continues)
        finally:
            self.signals.in_turn = False
        self._after_reply(record.turn_id, record)
        reply = self.player.reply if self.player is not None else None
        if reply is not None and reply.stopped and not reply.started and self.interrupted_by == KEPT_TALKING:
            self.withheld = (record, utt)

    def _after_reply(self, turn_id: int, record) -> None:  # type: ignore[no-untyped-def]
        """Store when the reply was heard and how much of it; get ready to listen again."""
        reply = self.player.reply if self.player is not None else None
        text = record.reply.text
        if reply is not None:
            if reply.first_sample_at is not None:
                self.latency["to_first_sample"] = round((reply.first_sample_at - self.decided) * 1000, 1)
            if reply.stopped:
                text = reply.heard_text()
                self.latency["heard_ms"] = round(reply.played_frames / max(1, self.player.rate) * 1000, 1)
                self._amend_memory(text)
                self.view.note(f"[dim]  (reply {'withheld' if not reply.started else 'stopped'}: "
                               f"{self.interrupted_by or 'stopped'})[/]")
        if reply is not None and reply.stopped and not reply.started:
            self.convo.p.journal.withhold_reply(turn_id, self.latency)  # nothing was heard: no reply stored
        else:
            self.convo.p.journal.complete_turn(turn_id, text, record.reply.source.value, self.latency,
                                               record.reply.model or None)
        self.last_activity = time.monotonic()
        if reply is not None and reply.started and self.interrupted_by is None:
            self.mic.drain()  # half-duplex: what the microphone heard while the reply played
            self._reset()
            self.skip = self.vad.echo_guard_ms * SAMPLE_RATE // 1000

    def _amend_memory(self, heard: str) -> None:
        history = self.convo.p.companion.history
        if history and history[-1]["role"] == "assistant":
            history[-1]["content"] = heard or "(the person kept talking; no reply was heard)"

    def speaking(self) -> bool:
        """The person is speaking, or may go on: a reply that is ready waits.

        A turn can end at a pause the person then fills with the rest of the thought; a reply
        that is ready quickly must not start over those words (it is withheld once they are
        confirmed as speech, or starts when they stop, if it was a cough). In a mode with
        patience (open journaling) it also waits until the pause is that long; a voiced onset
        still forming near the end of that wait holds it a little longer (noise cannot hold it
        for more than the onset window).
        """
        if self.seg.in_speech:
            return True
        quiet = self.fed / SAMPLE_RATE - self.speech_end_s
        if quiet < self.patience_s:
            return True
        return self.patience_s > 0 and self.seg.onset_ms > 0 and quiet < self.patience_s + ONSET_GRACE_S

    def tick(self) -> bool:
        """Between output blocks: watch keys, signals and the microphone; True stops the reply."""
        if self.signals.stop.is_set() or self.keys.poll() in ("q", "Q", "\x1b"):
            self.signals.stop.set()
            self.interrupted_by = "session ended"
            return True
        block = self.mic.drain()
        self.view.show_level(block)
        reply = self.player.reply if self.player is not None else None
        if reply is None:
            return False
        if not reply.started:  # not audible yet: the person may be finishing their thought
            self._feed(block)
            if self._talking_again():
                self.interrupted_by = KEPT_TALKING
                return True
            return False
        if self.options.barge_in:
            self._feed(block)
            if self._talking_again():
                self.interrupted_by = "you started talking"
                self.view.set_state(State.HEARING)
                return True
        return False


def process_age_s() -> float | None:
    """Seconds since this process was launched (interpreter start included); None where /proc is missing."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time, ticks after boot
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _startup_times(player: Player | None, barge_in: bool) -> dict[str, float]:
    """From launch: the opening's first sample at the speaker, and when the microphone listened
    (now; with barge-in, from the opening's first sample: speech then stops it and starts the turn)."""
    age = process_age_s()
    if age is None:
        return {}
    times = {"listening": round(age, 2)}
    first = player.reply.first_sample_at if player is not None else None
    if first is not None:
        times["first_word"] = round(age - (time.perf_counter() - first), 2)
        if barge_in:
            times["listening"] = times["first_word"]
    return times


def _open_player(options: LiveOptions, voice_rate: int) -> Player:
    return Player(options.output_device).open(voice_rate)


def warm_up_listening(engines: Engines, settings: Settings) -> None:
    """Run the listening models once (Whisper, Silero, the turn model) so the first turn is not the slow one.

    Runs while the opening line plays (the microphone is not listened to then); the voice warms
    up on the opening itself, and the companion reads its prompt meanwhile (Conversation.open).
    """
    quiet = Audio(np.random.default_rng(0).normal(0, 0.001, SAMPLE_RATE).astype(np.float32), SAMPLE_RATE)
    engines.transcriber.transcribe(quiet)
    if settings.vad.silero_threshold > 0:
        SileroVerifier(settings.vad.silero_threshold).speech_seconds(quiet.samples)
    turn_model = load_turn_model(settings)  # loaded once; the session's segmenters share it
    if turn_model is not None:
        turn_model.p_complete(quiet.samples)


def run_live(settings: Settings, console: Console, sink: AudioSink | None,
             options: LiveOptions | None = None) -> None:
    """Listen on the microphone until the person ends the session (key, Ctrl-C, SIGTERM, limits)."""
    options = options or LiveOptions()
    mic = Microphone(options.input_device)
    # PortAudio's start-up (~0.7 s here) overlaps the voice's and Whisper's loads; a missing or wrong
    # microphone is reported once they are loaded, before the companion's model and before anything plays
    opening = Loading(mic.open, background=True, name="microphone")
    player: Player | None = None
    try:
        with model_progress() as progress:
            engines = load_engines(settings, progress, voice=not isinstance(sink, NullSink), llm=False,
                                   background=True)
            opening.get()  # done before llama.cpp redirects the process's output (see load_companion)
            engines = dataclasses.replace(engines, backend=load_companion(settings, progress))
        if sink is None and engines.synthesizer is not None:
            player = _open_player(options, engines.synthesizer.rate)
        _converse(settings, console, engines, mic, player, sink or player or NullSink(), options)
    finally:
        opening.join()
        mic.close()
        if player is not None:
            player.close()


def _converse(settings: Settings, console: Console, engines: Engines, mic: Microphone, player: Player | None,
              sink: AudioSink, options: LiveOptions) -> None:
    view = LiveView(console)
    signals = _Signals()
    with open_journal(settings) as journal, signals.installed(), view.shown(), Keys().reading() as keys:
        for sid in journal.close_interrupted():
            console.print(f"[yellow]Session {sid} was interrupted last time; it is saved and now closed.[/]")
        reporter = LiveReporter(view, player.mark_sentence if player is not None else None)
        convo = start_conversation(settings, engines, journal, sink, mode_named(settings.mode).name, reporter,
                                   {"input": "microphone", "device": mic.name,
                                    "output": player.name if player else type(sink).__name__,
                                    "barge_in": options.barge_in})
        session = LiveSession(convo, mic, player, settings, options, view, keys, signals)
        if player is not None:
            player.tick = session.tick
            player.hold = session.speaking
        status, why = "interrupted", "stopped"
        warming = Loading(lambda: warm_up_listening(engines, settings), background=True, name="warm-up")
        try:
            convo.open()  # a guided mode's opening line (played to the end); nothing for a plain conversation
            warming.get()  # a model that failed to load is reported here
            journal.add_session_meta(convo.session_id, {"startup_s": _startup_times(player, options.barge_in)})
            # Only now is the microphone really listening (it is ignored while the opening plays).
            console.print(f"Listening on {mic.name} ({mic.rate} Hz)"
                          + (f", speaking on {player.name}." if player else "."))
            why = session.run()
            status = "complete"
        except SessionStopped:
            why = "stopped during a turn"
        except DeviceLost as exc:
            raise AudioError(f"{exc} Everything said so far is saved (session {convo.session_id}).") from exc
        finally:
            warming.join()  # never free a model a warm-up is still running
            session.eager.close()
            convo.end(status)
            if mic.stats.dropped_blocks:
                log.warning("dropped %d microphone blocks (the loop fell behind)", mic.stats.dropped_blocks)
        console.print(f"\n[bold]Session {convo.session_id} saved[/]: {len(convo.turns)} turns ({why}).")
