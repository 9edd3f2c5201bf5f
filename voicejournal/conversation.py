"""The turn loop: utterance → transcript → crisis screen → reply → voice, each turn persisted.

Plain code over parts passed in. The person's words are committed before the LLM is called;
the crisis path never touches the LLM, the network or (for its text) the synthesizer.
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from voicejournal.asr import Transcriber
from voicejournal.companion import Companion
from voicejournal.companion.closing import checkin_reply, closing_words, extractive_summary
from voicejournal.companion.fallbacks import (FORGOT, NOTHING_TO_FORGET, SWITCH_NOTICE, TOPIC_REPLIES,
                                              acknowledge, fitting_fallback, topic_of)
from voicejournal.companion.guards import Limits
from voicejournal.companion.memory import forget_turn, is_forget_request
from voicejournal.companion.modes import Flow
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
    flow: Flow | None = None
    """The session's mode (reflect, free, mood); None: a plain conversation (recordings, demo)."""
    audio_root: Path | None = None
    """Where kept turn audio lives, so "forget that" deletes the recording too."""
    on_checkin: Callable[[int, int, str], str | None] | None = None
    """Mood mode: stores (session_id, turn_id, answer) as a check-in; returns how it was understood."""


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


class Conversation:
    """One journaling session over a stream of utterances."""

    def __init__(self, parts: Parts, session_id: int) -> None:
        self.p = parts
        self.session_id = session_id
        self.turns: list[TurnRecord] = []
        self._commands: set[int] = set()
        self._flow_before: tuple[int, Flow | None] = (0, None)

    @property
    def finished(self) -> bool:
        """True once a guided mode has asked everything it meant to (the session can end)."""
        return self.p.flow is not None and self.p.flow.done

    def open(self) -> str | None:
        """Speak the mode's opening line (reflect, free, mood); None for a plain conversation.

        The model reads the session's prompt (memory, mode, the opening) in the background
        meanwhile: the opening is fixed text, so the voice starts without waiting for the model.
        """
        if self.p.flow is None:
            self.p.companion.prime()
            return None
        text = self.p.flow.opening
        self.p.companion.history.append({"role": "assistant", "content": text})
        self.p.companion.prime()
        self._speak([text], ReplySource.FALLBACK, {}, time.perf_counter())
        return text

    def end(self, status: str = "complete") -> str | None:
        """Close the session: a completed guided session ends with a short spoken summary, saved with it."""
        p, summary = self.p, None
        p.companion.settle()
        said = [t.user_text for t in self.turns if t.turn_id not in self._commands and t.reply.source != ReplySource.CRISIS]
        if status == "complete" and p.flow is not None and p.flow.mode.summarize and said and not p.guard.supportive:
            # the model's, unless the reply screen refuses it (e.g. it retold the evening as its own:
            # "I spent the afternoon…"); then one quoting the person's own answers that screen as none
            summary = p.companion.summarize(said)
            if not summary or not p.screen.screen_reply(summary).safe:
                summary = extractive_summary(p.flow, keep=lambda text: p.screen.screen(text).level == Level.NONE)
            if summary:
                self._speak(closing_words(summary, p.flow.mode.name), ReplySource.FALLBACK, {}, time.perf_counter())
        p.journal.end_session(self.session_id, summary=summary, status=status)
        return summary

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

    def read_ahead(self, heard: str) -> bool:
        """While the person is still speaking, let the LLM read their words so far (at a pause).

        The guidance is what this turn would get if it ended with these words, planned on a
        copy of the flow (nothing changes); if the turn ends differently, the cache is simply
        not reused past the difference. False when the companion was still busy priming.
        """
        p = self.p
        flow = copy.deepcopy(p.flow) if p.flow is not None else None
        if flow is not None and p.guard.supportive:
            flow.stop()
        guidance = flow.plan(heard).guidance if flow is not None else ""
        return p.companion.prime(heard, guidance)

    def answer(self, transcript: Transcript, latency: dict[str, float], utt: Utterance | None = None,
               continues: TurnRecord | None = None) -> TurnRecord:
        """Screen, store, reply, speak: the part of a turn after the words are known.

        continues: the previous turn, whose reply the person never heard because they went on
        talking; these words join it (one turn, screened and answered as a whole).
        """
        p = self.p
        if continues is not None:
            transcript = replace(transcript, text=f"{continues.user_text} {transcript.text}".strip())
        t = time.perf_counter()
        screen = p.guard.check(transcript.text, replaces_last=continues is not None)
        latency["screen"] = _ms(t)
        if continues is not None:
            turn_id = continues.turn_id
            saved_turn, saved_flow = self._flow_before
            if saved_turn == turn_id:
                p.flow = saved_flow  # the guided step is asked about once, for the whole turn
            p.journal.amend_user_turn(turn_id, transcript.text, screen, latency)
            if continues in self.turns:
                self.turns.remove(continues)
                if continues.turn_id not in self._commands:
                    p.companion.forget_last()
            self._commands.discard(turn_id)
        else:
            turn_id = p.journal.add_user_turn(
                self.session_id, transcript.text, screen, latency,
                {"asr": p.transcriber.name, "llm": p.companion.name},
            )
        p.reporter.heard(transcript, screen)  # shown only once it is safely stored
        self._flow_before = (turn_id, copy.deepcopy(p.flow))
        if utt is not None and p.keep_audio_dir is not None:
            self._keep_audio(turn_id, utt)
        command = screen.level < Level.CONCERN and is_forget_request(transcript.text)
        checkin = screen.level < Level.CONCERN and not command and self._checking_in()
        if screen.level >= Level.CONCERN:
            reply, audio = self._crisis_reply(turn_id, transcript.text, screen, latency)
        elif command:
            reply, audio = self._forget(turn_id, latency)
        elif checkin:
            reply, audio = self._checkin(turn_id, transcript.text, latency)
        else:
            reply, audio = self._companion_reply(turn_id, transcript.text, latency)
        record = TurnRecord(turn_id, transcript.text, screen, reply, latency, audio)
        p.journal.complete_turn(turn_id, reply.text, reply.source.value, latency, reply.model or None)
        if command:
            self._commands.add(turn_id)
        else:
            p.companion.remember(transcript.text, reply.text)
            p.companion.prime()  # while the person listens and answers, not when they finish
        if p.on_mood is not None and not command and not checkin:
            p.on_mood(self.session_id, turn_id, transcript.text)
        self.turns.append(record)
        p.reporter.turn_done(record)
        return record

    def _keep_audio(self, turn_id: int, utt: Utterance) -> None:
        assert self.p.keep_audio_dir is not None
        folder = private_dir(self.p.keep_audio_dir)
        self.p.journal.save_turn_audio(turn_id, folder / f"turn_{turn_id:06d}.flac", utt.audio)

    def _crisis_reply(self, turn_id: int, user_text: str, screen: ScreenResult,
                      latency: dict[str, float]) -> tuple[Reply, Path | None]:
        text = crisis_response(screen, self.p.locale)
        self.p.journal.add_crisis_event(self.session_id, turn_id, screen.level.value, screen.category,
                                        "utterance", trigger_of(screen), text)
        if self.p.guard.supportive:
            self.p.companion.memory = SUPPORTIVE_MEMORY
        reply = Reply(text, ReplySource.CRISIS, "fixed-text")
        return reply, self._speak([text], reply.source, latency, time.perf_counter())

    def _checking_in(self) -> bool:
        flow = self.p.flow
        return flow is not None and flow.mode.name == "mood" and not flow.done

    def _forget(self, turn_id: int, latency: dict[str, float]) -> tuple[Reply, Path | None]:
        """"Forget that": delete the person's previous turn of this session, row and recording."""
        p = self.p
        earlier = [t for t in self.turns if t.turn_id not in self._commands]
        text = NOTHING_TO_FORGET
        if earlier:
            gone = earlier[-1]
            forget_turn(p.journal, gone.turn_id, p.audio_root or Path("/nonexistent"))
            self.turns.remove(gone)
            p.companion.forget_last()
            if p.flow is not None:
                p.flow.forget(gone.user_text)
            text = FORGOT
        reply = Reply(text, ReplySource.FALLBACK, "curated-text")
        return reply, self._speak([text], reply.source, latency, time.perf_counter())

    def _checkin(self, turn_id: int, user_text: str, latency: dict[str, float]) -> tuple[Reply, Path | None]:
        """Mood mode: store the answer as a check-in and say how it was understood."""
        assert self.p.flow is not None
        understood = self.p.on_checkin(self.session_id, turn_id, user_text) if self.p.on_checkin else None
        text = checkin_reply(understood, self.p.flow)
        reply = Reply(text, ReplySource.FALLBACK, "curated-text")
        return reply, self._speak([text], reply.source, latency, time.perf_counter())

    def _companion_reply(self, turn_id: int, user_text: str,
                         latency: dict[str, float]) -> tuple[Reply, Path | None]:
        p = self.p
        t0 = time.perf_counter()
        topic = topic_of(user_text)
        if topic in ("identity", "therapy", "medication", "diagnosis"):
            reply = Reply(TOPIC_REPLIES[topic], ReplySource.FALLBACK, "curated-text")
            return reply, self._speak([reply.text], reply.source, latency, t0)
        if p.flow is not None and p.guard.supportive:
            p.flow.stop()  # after a crisis turn the guided prompts must not carry on as if nothing happened
        plan = p.flow.plan(user_text) if p.flow is not None else None
        limits = Limits(plan.max_sentences, plan.allow_question) if plan else Limits()
        spoken: list[str] = []
        generated: list[str] = []  # the model's own sentences (what the reply screen judges)
        source = ReplySource.LLM

        def screened() -> Iterator[str]:
            nonlocal source
            for sentence in p.companion.reply_sentences(user_text, plan.guidance if plan else "", limits):
                if sentence == SWITCH_NOTICE:  # the product's own words about the switch, not generated
                    spoken.append(sentence)
                    yield sentence
                    continue
                verdict = p.screen.screen_reply(" ".join([*generated, sentence]))
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
                generated.append(sentence)
                yield sentence
            asked = any(s.endswith("?") for s in spoken)
            if plan is not None and plan.then and not (plan.then_unless_asked and asked):
                if not generated:
                    source = ReplySource.FALLBACK
                    spoken.append(acknowledge(len(self.turns)))
                    yield spoken[-1]
                spoken.append(plan.then)
                yield plan.then

        audio = self._speak(screened(), lambda: source, latency, t0)
        stats = p.companion.stats
        latency["llm_first_token"] = round(stats.first_token_ms, 1)
        latency["llm_total"] = round(stats.total_ms, 1)
        if all(s == SWITCH_NOTICE for s in spoken):  # nothing, or only the notice of a backend switch
            text = fitting_fallback(user_text, len(self.turns)) if limits.allow_question else acknowledge(len(self.turns))
            audio = self._speak([text], ReplySource.FALLBACK, latency, time.perf_counter())
            return Reply(" ".join([*spoken, text]), ReplySource.FALLBACK, "curated-text"), audio
        return Reply(" ".join(spoken), source, p.companion.name if generated else "curated-text"), audio

    def _speak(self, sentences: Iterable[str], source: ReplySource | Callable[[], ReplySource],
               latency: dict[str, float], t0: float) -> Path | None:
        """Synthesize and play sentence by sentence; a TTS failure still shows the text.

        A text of several sentences (the opening, a crisis reply) plays each as soon as it is
        synthesized (Piper yields one clip per sentence), not once the whole text is.
        """
        p = self.p
        p.sink.begin_reply()
        tts_ms = 0.0
        for sentence in sentences:
            p.reporter.said(sentence, source() if callable(source) else source)
            if p.synthesizer is None:
                continue
            clips = iter(p.synthesizer.synthesize(sentence))
            while True:
                t = time.perf_counter()
                try:
                    clip = next(clips, None)
                except Exception as exc:  # noqa: BLE001 - a broken voice must not cost the reply: it is shown
                    log.warning("could not speak the reply (%s: %s); it is shown as text", type(exc).__name__, exc)
                    latency["tts_failed"] = 1
                    clip = None
                tts_ms += (time.perf_counter() - t) * 1000
                if clip is None:
                    break
                latency.setdefault("first_audio", _ms(t0))
                p.sink.play(clip)
        latency["tts"] = round(tts_ms, 1)
        latency["reply_total"] = _ms(t0)
        return p.sink.end_reply()
