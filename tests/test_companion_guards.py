"""Guards on crafted bad replies: what a listener must never say is cut, and something fitting is said instead."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.ollama_standin import StandIn
from voicejournal.companion import Companion
from voicejournal.companion import fallbacks
from voicejournal.companion.backends import OllamaBackend
from voicejournal.companion.closing import GIVE_UP_CHECKIN, RETRY_CHECKIN, closing_words
from voicejournal.companion.guards import Limits, content_problem, over_length, sentence_problem
from voicejournal.companion.modes import MODES, REFLECT_STEPS
from voicejournal.crisis import CrisisScreen
from voicejournal.settings import LlmSettings


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()


def companion_saying(standin: StandIn, reply: str, **kw: object) -> Companion:
    """A companion whose stand-in server answers with exactly this text."""
    standin.reply = reply
    return Companion(OllamaBackend("llama3.2", LlmSettings(ollama_host=standin.host, timeout_s=5)), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("sentence,problem", [
    ("As an AI language model, I don't have feelings.", "meta talk"),
    ("I'm just a computer program, but that sounds hard.", "meta talk"),
    ("The user seems upset about work.", "meta talk"),
    ("1. Go for a walk 2. Drink water 3. Sleep early.", "advice list"),
    ("You should talk to your manager about the deadline.", "advice"),
    ("Here are a few things that might help.", "advice"),
    ("I'd recommend writing down three good things each night.", "advice"),
    ("It sounds like you might have ADHD.", "diagnosis"),
    ("Those are classic signs of depression.", "diagnosis"),
    ("You could take 10 mg of melatonin before bed.", "medication"),
    ("Maybe ask about sleeping pills.", "medication"),
    ("As your therapist, I think that's progress.", "claims to be human"),
    ("I'm a real person, of course.", "claims to be human"),
    ("Me too, my family drives me mad.", "claims to be human"),
])
def test_crafted_bad_sentences_are_named(sentence: str, problem: str) -> None:
    assert sentence_problem(sentence, []) == problem


@pytest.mark.parametrize("sentence", [
    "That sounds draining, especially after such a long week.",
    "It sounds like the walk gave you some room to breathe.",
    "What felt hardest about it?",
    "Losing her must still ache, especially on her birthday.",
])
def test_good_reflections_pass(sentence: str) -> None:
    assert sentence_problem(sentence, [], "I went for a walk after a long week.") is None


def test_repetition_of_the_prompt_its_own_replies_and_its_examples() -> None:
    said = "My boss moved the deadline again and I stayed late to finish the report."
    assert sentence_problem("Your boss moved the deadline again and you stayed late to finish the report.", [], said) \
        == "repeats the person"
    earlier = ["That sounds really tiring. What kept you going?"]
    assert sentence_problem("That sounds really tiring.", earlier) == "repetition"
    example = "It sounds like that call meant a lot to you."
    assert sentence_problem(example, ["It sounds like that call meant a lot to you. How did it feel?"]) == "repetition"


def test_length_limits_cut_at_a_sentence_boundary() -> None:
    assert sentence_problem("That sounds " + "really " * 40 + "hard.", []) == "too long"
    two = ["That sounds like a long, heavy day at work.", "It makes sense that you feel worn out tonight."]
    assert over_length(two, "What would help you rest?", Limits(2))
    assert not over_length(["That's great!", "It sounds like the run went really well."], "What made it click?",
                           Limits(2))  # an interjection is not one of the two sentences


def test_an_overlong_reply_is_cut_after_two_sentences(standin: StandIn) -> None:
    companion = companion_saying(standin, "That sounds like a long day at work. It makes sense that you feel tired. "
                                          "Work can be hard. Many people feel that way. What helps you unwind?")
    said = list(companion.reply_sentences("Work was so long today."))
    assert said == ["That sounds like a long day at work.", "It makes sense that you feel tired."]
    assert companion.stats.dropped == []  # stopped by the limit, nothing bad was said


def test_a_reply_stops_at_its_first_question(standin: StandIn) -> None:
    companion = companion_saying(standin, "That sounds lovely. What made it special? And who was there?")
    assert list(companion.reply_sentences("We had a picnic.")) == ["That sounds lovely.", "What made it special?"]


def test_no_question_when_the_turn_moves_on(standin: StandIn) -> None:
    companion = companion_saying(standin, "What made it special? That sounds lovely.")
    assert list(companion.reply_sentences("We had a picnic.", limits=Limits(1, allow_question=False))) == []
    assert companion.stats.dropped == ["question not wanted"]


def test_meta_talk_stops_the_reply_where_it_starts(standin: StandIn) -> None:
    companion = companion_saying(standin, "That sounds hard. As an AI, I cannot feel, but I understand.")
    assert list(companion.reply_sentences("My day was rough.")) == ["That sounds hard."]
    assert companion.stats.dropped == ["meta talk"]


def test_a_timeout_leaves_nothing_half_said(standin: StandIn) -> None:
    companion = companion_saying(standin, "That sounds like a full day.", reply_timeout_s=0.0)
    assert list(companion.reply_sentences("Long day.")) == []
    assert "longer than" in companion.stats.error


def test_the_fallbacks_fit_and_pass_every_check() -> None:
    screen = CrisisScreen()
    assert "not a person" in fallbacks.fitting_fallback("Are you human?", 0)
    assert "doctor or pharmacist" in fallbacks.fitting_fallback("Should I take more melatonin?", 0)
    assert "doctor or therapist" in fallbacks.fitting_fallback("Do you think I have ADHD?", 0)
    assert "kept privately on this device" in fallbacks.fitting_fallback("Keep this from my therapist, okay?", 0)
    assert fallbacks.fitting_fallback("The bus was late.", 1) != fallbacks.fitting_fallback("The bus was late.", 2)
    curated = [*fallbacks.LISTENING, *fallbacks.ACKNOWLEDGE, fallbacks.SWITCH_NOTICE, fallbacks.FORGOT,
               fallbacks.NOTHING_TO_FORGET, RETRY_CHECKIN, GIVE_UP_CHECKIN, *closing_words("x", "reflect"),
               *(m.opening for m in MODES.values()), *(m.returning_opening for m in MODES.values()), *(s.prompt for s in REFLECT_STEPS)]
    for text in curated:
        assert screen.screen_reply(text).safe, text
        assert content_problem(text) is None, text
    for topic, text in fallbacks.TOPIC_REPLIES.items():
        assert screen.screen_reply(text).safe, topic  # the curated answers are exempt only from the word guards
        assert text.count("?") <= 1


def test_conversation_replaces_an_unsafe_or_empty_reply(standin: StandIn, engines, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from voicejournal.app import Engines, open_journal, start_conversation
    from voicejournal.conversation import QuietReporter
    from voicejournal.sinks import NullSink
    from voicejournal.types import Transcript

    backend = OllamaBackend("llama3.2", LlmSettings(ollama_host=standin.host, timeout_s=5))
    with open_journal(settings) as journal:
        convo = start_conversation(settings, Engines(engines.transcriber, backend, None), journal, NullSink(),
                                   "text", QuietReporter())
        standin.reply = "Cheer up, it's probably nothing."  # passes the word guards, not the crisis reply screen
        dismissive = convo.answer(Transcript("The meeting ran late again today."), {})
        standin.reply = "As an AI language model, I cannot help with that."
        meta = convo.answer(Transcript("Work was a mess."), {})
        def replies_asked() -> int:  # priming for the next turn is a 1-token request, not a reply
            return sum(r["options"]["num_predict"] != 1 for r in standin.requests)

        asked = replies_asked()
        human = convo.answer(Transcript("Are you human?"), {})
        journal.end_session(convo.session_id)
        events = journal.conn.execute("SELECT kind, trigger FROM crisis_events").fetchall()
    assert dismissive.reply.source.value == "fallback" and "Cheer up" not in dismissive.reply.text
    assert events and events[0][0] == "reply" and "dismissive" in events[0][1]
    assert meta.reply.source.value == "fallback" and meta.reply.text in fallbacks.LISTENING
    assert human.reply.text == fallbacks.TOPIC_REPLIES["identity"] and replies_asked() == asked
