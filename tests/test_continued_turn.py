"""Speech that goes on before the reply is heard joins the stored turn (issue #3): one turn, screened whole."""

from __future__ import annotations

from pathlib import Path

from voicejournal.app import Engines, open_journal, start_conversation
from voicejournal.conversation import QuietReporter
from voicejournal.journal.search import search
from voicejournal.sinks import NullSink
from voicejournal.types import Level, ReplySource, Transcript


def _turns(journal, sid: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return journal.conn.execute(
        "SELECT id, user_text, reply_text, screen_level FROM turns WHERE session_id = ? ORDER BY idx", (sid,)
    ).fetchall()


def test_words_said_after_the_turn_ended_join_it(engines, settings) -> None:  # type: ignore[no-untyped-def]
    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(engines.transcriber, engines.backend, None), journal,
                                   NullSink(), "reflect", QuietReporter())
        convo.open()
        first = convo.answer(Transcript("Today I walked to the harbour"), {})
        # the live loop withholds that reply: the person goes on before it is audible
        joined = convo.answer(Transcript("and watched the ferries come in until it got dark."), {}, continues=first)
        third = convo.answer(Transcript("Now I'm tired and ready for bed."), {})
        convo.end("stopped")
        rows = _turns(journal, convo.session_id)
        hits = search(journal.conn, "ferries")
        history = list(convo.p.companion.history)
    assert joined.turn_id == first.turn_id
    assert [r[1] for r in rows] == ["Today I walked to the harbour and watched the ferries come in until it got dark.",
                                    "Now I'm tired and ready for bed."]
    assert rows[0][2] == joined.reply.text and rows[0][2]
    assert [h.turn_id for h in hits] == [first.turn_id]
    users = [m["content"] for m in history if m["role"] == "user"]
    assert users == [rows[0][1], rows[1][1]]  # the withheld exchange is gone from the model's context
    assert third.turn_id != first.turn_id


def test_a_crisis_split_across_the_pause_is_screened_whole(engines, settings) -> None:  # type: ignore[no-untyped-def]
    backend_calls: list[int] = []

    class Counting:
        """The real embedded model, counted: the crisis path must not call it."""

        name = engines.backend.name

        def stream(self, messages, max_tokens):  # type: ignore[no-untyped-def]
            backend_calls.append(1)
            return engines.backend.stream(messages, max_tokens)

    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(engines.transcriber, Counting(), None), journal,
                                   NullSink(), "text", QuietReporter())
        first = convo.answer(Transcript("I keep thinking about it"), {})
        calls_before = len(backend_calls)
        joined = convo.answer(Transcript("ending my life tonight, I have everything ready."), {}, continues=first)
        convo.end("stopped")
        rows = _turns(journal, convo.session_id)
        events = journal.conn.execute("SELECT level, turn_id FROM crisis_events WHERE kind = 'utterance'").fetchall()
    assert joined.screen.level >= Level.RISK
    assert joined.reply.source == ReplySource.CRISIS
    assert len(backend_calls) == calls_before
    assert len(rows) == 1 and rows[0][3] in ("risk", "imminent")
    assert (rows[0][3], first.turn_id) in [(lvl, tid) for lvl, tid in events]


def test_a_concern_does_not_escalate_itself_when_the_words_go_on(engines, settings) -> None:  # type: ignore[no-untyped-def]
    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(engines.transcriber, engines.backend, None), journal,
                                   NullSink(), "text", QuietReporter())
        first = convo.answer(Transcript("Some days I feel like such a burden to everyone"), {})
        joined = convo.answer(Transcript("at work, but today was a bit better."), {}, continues=first)
        convo.end("stopped")
    assert first.screen.level == Level.CONCERN
    assert joined.screen.level == Level.CONCERN  # one thought, not a repeated sign
    assert "repeated_concern" not in joined.screen.reasons


def test_reading_ahead_primes_the_prompt_the_turn_then_uses(engines, settings) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, list] = {"warm": [], "stream": []}

    class Recording:
        """The real embedded model, with the prompts it is given recorded."""

        name = engines.backend.name

        def stream(self, messages, max_tokens):  # type: ignore[no-untyped-def]
            seen["stream"].append(list(messages))
            return engines.backend.stream(messages, max_tokens)

        def warm_up(self, messages):  # type: ignore[no-untyped-def]
            seen["warm"].append(list(messages))
            engines.backend.warm_up(messages)

    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(engines.transcriber, Recording(), None), journal,
                                   NullSink(), "reflect", QuietReporter())
        convo.open()
        convo.answer(Transcript("Work was busy but I got the report finished."), {})
        convo.p.companion.settle()
        flow_before = (convo.p.flow.step, convo.p.flow.turns, convo.p.flow.follow_ups)
        assert convo.read_ahead("My sister came round for dinner")
        convo.p.companion.settle()
        primed = seen["warm"][-1]
        assert (convo.p.flow.step, convo.p.flow.turns, convo.p.flow.follow_ups) == flow_before  # planned on a copy
        convo.answer(Transcript("My sister came round for dinner and we talked about our mum."), {})
        convo.end("stopped")
    used = seen["stream"][-1]
    assert primed[:-1] == used[:len(primed) - 1]  # history and this turn's guidance were read ahead
    assert primed[-1] == {"role": "user", "content": "My sister came round for dinner"}
    assert used[len(primed) - 1]["content"].startswith(primed[-1]["content"])
