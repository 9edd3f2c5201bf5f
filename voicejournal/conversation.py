"""The turn loop: utterance → transcript → crisis screen → reply → voice, each turn persisted.

Plain code over parts passed in. The person's words are committed before the LLM is called;
the crisis path never touches the LLM, the network or (for its text) the synthesizer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from voicejournal.asr import Transcriber
from voicejournal.audio import write_audio
from voicejournal.companion import Companion
from voicejournal.companion.guards import fallback_for
from voicejournal.crisis import CrisisScreen, SessionGuard, crisis_response, safe_fallback_reply
from voicejournal.crisis.session import trigger_of
from voicejournal.errors import UserError
from voicejournal.journal import Journal
from voicejournal.private import private_dir
from voicejournal.sinks import AudioSink
from voicejournal.tts import Synthesizer
from voicejournal.types import Level, Reply, ReplySource, ScreenResult, Transcript, Utterance

log = logging.getLogger(__name__)

SUPPORTIVE_MEMORY = (
    "Earlier in this session the person said something that showed they may be in crisis. "
    "Stay gentle and supportive, keep them company, and do not change the subject."
)


class Reporter(Protocol):
    """Shows the conversation as it happens (terminal, tests)."""

    def heard(self, transcript: Transcript, screen: ScreenResult) -> None: ...

    def said(self, sentence: str, source: ReplySource) -> None: ...

    def turn_done(self, turn: "TurnRecord") -> None: ...


class QuietReporter:
    """Shows nothing."""

    def heard(self, transcript: Transcript, screen: ScreenResult) -> None:
        return None

    def said(self, sentence: str, source: ReplySource) -> None:
        return None

    def turn_done(self, turn: "TurnRecord") -> None:
        return None


@dataclass
class TurnRecord:
    """What one turn produced, as stored."""

    turn_id: int
    user_text: str
    screen: ScreenResult
    reply: Reply
    latency_ms: dict[str, float] = field(default_factory=dict)
    reply_audio: Path | None = None


@dataclass
class Parts:
    """Everything a conversation needs, built by the composition root."""

    transcriber: Transcriber
    screen: CrisisScreen
    guard: SessionGuard
    companion: Companion
    synthesizer: Synthesizer | None
    sink: AudioSink
    journal: Journal
    locale: str
    keep_audio_dir: Path | None = None
    reporter: Reporter = field(default_factory=QuietReporter)
    on_mood: Callable[[int, int, str], None] | None = None
    """Called with (session_id, turn_id, user_text) so mood statements are captured."""


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


class Conversation:
    """One journaling session over a stream of utterances."""

    def __init__(self, parts: Parts, session_id: int) -> None:
        self.p = parts
        self.session_id = session_id
        self.turns: list[TurnRecord] = []

    def run(self, utterances: Iterable[Utterance]) -> list[TurnRecord]:
        for utt in utterances:
            self.take_turn(utt)
        return self.turns

    def take_turn(self, utt: Utterance) -> TurnRecord | None:
        """Transcribe and answer one utterance; returns None when nothing was said."""
        t0 = time.perf_counter()
        transcript = self.p.transcriber.transcribe(utt.audio)
        latency = {"asr": _ms(t0)}
        if not transcript.text:
            log.info("no words in %.1fs utterance", utt.audio.duration_s)
            return None
        return self.answer(transcript, latency, utt)

    def answer(self, transcript: Transcript, latency: dict[str, float], utt: Utterance | None = None) -> TurnRecord:
        """Screen, store, reply, speak: the part of a turn after the words are known."""
        p = self.p
        t = time.perf_counter()
        screen = p.guard.check(transcript.text)
        latency["screen"] = _ms(t)
        turn_id = p.journal.add_user_turn(
            self.session_id, transcript.text, screen, latency,
            {"asr": p.transcriber.name, "llm": p.companion.name},
        )
        p.reporter.heard(transcript, screen)  # shown only once it is safely stored
        if utt is not None and p.keep_audio_dir is not None:
            self._keep_audio(turn_id, utt)
        if screen.level >= Level.CONCERN:
            reply, audio = self._crisis_reply(turn_id, transcript.text, screen, latency)
        else:
            reply, audio = self._companion_reply(turn_id, transcript.text, latency)
        record = TurnRecord(turn_id, transcript.text, screen, reply, latency, audio)
        p.journal.complete_turn(turn_id, reply.text, reply.source.value, latency, reply.model or None)
        p.companion.remember(transcript.text, reply.text)
        if p.on_mood is not None:
            p.on_mood(self.session_id, turn_id, transcript.text)
        self.turns.append(record)
        p.reporter.turn_done(record)
        return record

    def _keep_audio(self, turn_id: int, utt: Utterance) -> None:
        assert self.p.keep_audio_dir is not None
        folder = private_dir(self.p.keep_audio_dir)
        path = write_audio(folder / f"turn_{turn_id:06d}.flac", utt.audio)
        self.p.journal.set_turn_audio(turn_id, str(path))

    def _crisis_reply(self, turn_id: int, user_text: str, screen: ScreenResult,
                      latency: dict[str, float]) -> tuple[Reply, Path | None]:
        text = crisis_response(screen, self.p.locale)
        self.p.journal.add_crisis_event(self.session_id, turn_id, screen.level.value, screen.category,
                                        "utterance", trigger_of(screen), text)
        if self.p.guard.supportive:
            self.p.companion.memory = SUPPORTIVE_MEMORY
        reply = Reply(text, ReplySource.CRISIS, "fixed-text")
        return reply, self._speak([text], reply.source, latency, time.perf_counter())

    def _companion_reply(self, turn_id: int, user_text: str,
                         latency: dict[str, float]) -> tuple[Reply, Path | None]:
        p = self.p
        t0 = time.perf_counter()
        spoken: list[str] = []
        source = ReplySource.LLM

        def screened() -> Iterator[str]:
            nonlocal source
            for sentence in p.companion.reply_sentences(user_text):
                verdict = p.screen.screen_reply(" ".join([*spoken, sentence]))
                if not verdict.safe:
                    fallback = safe_fallback_reply(verdict.reason, p.locale)
                    p.journal.add_crisis_event(self.session_id, turn_id, "none", "none", "reply",
                                               f"unsafe reply ({verdict.reason}): {' '.join([*spoken, sentence])}",
                                               fallback)
                    source = ReplySource.FALLBACK
                    spoken.append(fallback)
                    yield fallback
                    return
                spoken.append(sentence)
                yield sentence

        audio = self._speak(screened(), lambda: source, latency, t0)
        stats = p.companion.stats
        latency["llm_first_token"] = round(stats.first_token_ms, 1)
        latency["llm_total"] = round(stats.total_ms, 1)
        if not spoken:
            text = fallback_for(len(self.turns))
            audio = self._speak([text], ReplySource.FALLBACK, latency, time.perf_counter())
            return Reply(text, ReplySource.FALLBACK, "curated-text"), audio
        return Reply(" ".join(spoken), source, p.companion.name), audio

    def _speak(self, sentences: Iterable[str], source: ReplySource | Callable[[], ReplySource],
               latency: dict[str, float], t0: float) -> Path | None:
        """Synthesize and play sentence by sentence; a TTS failure still shows the text."""
        p = self.p
        p.sink.begin_reply()
        tts_ms = 0.0
        for sentence in sentences:
            p.reporter.said(sentence, source() if callable(source) else source)
            if p.synthesizer is None:
                continue
            t = time.perf_counter()
            try:
                for clip in p.synthesizer.synthesize(sentence):
                    latency.setdefault("first_audio", _ms(t0))
                    p.sink.play(clip)
            except UserError as exc:
                log.warning("could not speak the reply: %s", exc)
            tts_ms += (time.perf_counter() - t) * 1000
        latency["tts"] = round(tts_ms, 1)
        latency["reply_total"] = _ms(t0)
        return p.sink.end_reply()
