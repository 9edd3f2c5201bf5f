"""Spoken mood ratings and feelings, across many phrasings, plus properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from voicejournal.journal.mood_parse import mood_in_conversation, parse_mood
from voicejournal.journal.mood_vocab import EMOTIONS

CHECKIN = [
    ("about a six", 6, ()),
    ("six and a half", 6.5, ()),
    ("seven out of ten", 7, ()),
    ("pretty bad, maybe a three", 3, ()),
    ("I'm good", 7, ()),
    ("exhausted", None, ("tired",)),
    ("6", 6, ()),
    ("6/10", 6, ()),
    ("7.5/10", 7.5, ()),
    ("a solid eight", 8, ()),
    ("eight-ish", 8, ()),
    ("maybe a five or six", 5.5, ()),
    ("between a six and a seven", 6.5, ()),
    ("six point five", 6.5, ()),
    ("three out of five", 6, ()),
    ("ten", 10, ()),
    ("zero", 0, ()),
    ("a perfect ten", 10, ()),
    ("honestly like a 2", 2, ()),
    ("I'd say a 6 today", 6, ()),
    ("a 4, I guess", 4, ()),
    ("I think I am at a 9 out of 10!", 9, ()),
    ("I slept two hours, maybe a four", 4, ()),
    ("I had three coffees and I feel wired", None, ("restless",)),
    ("not great", 4, ()),
    ("not bad", 6, ()),
    ("not too bad actually", 6, ()),
    ("really good", 8, ()),
    ("great", 8, ()),
    ("amazing day", 9, ()),
    ("it was fine", 5, ()),
    ("meh", 4, ()),
    ("terrible", 2, ()),
    ("awful, just awful", 2, ()),
    ("okay I guess", 5, ()),
    ("Seven. Work was long but the walk helped a lot.", 7, ()),
    ("a solid 8, feeling calm and grateful", 8, ("calm", "grateful")),
    ("I feel really anxious and kind of lonely, maybe a three", 3, ("anxious", "lonely")),
    ("I am not anxious, just tired", None, ("tired",)),
    ("stressed out and overwhelmed", None, ("stressed", "overwhelmed")),
    ("happy", None, ("happy",)),
    ("worried about tomorrow", None, ("anxious",)),
    ("Four. Sad and tired.", 4, ("sad", "tired")),
    ("hopeful, maybe a seven", 7, ("hopeful",)),
    ("nine out of ten, grateful", 9, ("grateful",)),
]
SPOKEN = [
    ("about a 6 a bit tired but calm", 6, ("tired", "calm")),
    ("Okay, a seven.", 7, ()),
    ("okay a seven", 7, ()),
    ("um like a six", 6, ()),
    ("so yeah like a six", 6, ()),
    ("well about a five", 5, ()),
    ("six out of ten", 6, ()),
    ("uh maybe a six and a half", 6.5, ()),
    ("four and a half out of ten", 4.5, ()),
    ("eight-and-a-half", 8.5, ()),
    ("sixish", 6, ()),
    ("maybe a five six", 5.5, ()),
    ("okay so um i'd say a seven today", 7, ()),
    ("i'd give it a four honestly", 4, ()),
    ("seven out of ten pretty good day", 7, ()),
    ("six feeling pretty calm", 6, ("calm",)),
    ("a three kind of anxious about tomorrow", 3, ("anxious",)),
    ("pretty good maybe a six", 6, ()),
    ("pretty good, maybe a six", 6, ()),
    ("okay pretty bad", 3, ()),
    ("okay, pretty bad", 3, ()),
    ("alright not great", 4, ()),
    ("okay, a bit tired", 5, ("tired",)),
    ("on a scale of one to ten a six", 6, ()),
    ("i slept five or six hours maybe a four", 4, ()),
    ("two coffees and still only a seven", 7, ()),
    ("honestly a two really lonely", 2, ("lonely",)),
    ("a solid eight feeling grateful", 8, ("grateful",)),
    ("a seven the walk helped a lot", 7, ()),
    ("nine out of ten so happy", 9, ("happy",)),
    ("ten i got the job", 10, ()),
    ("zero honestly", 0, ()),
    ("a four or a five stressed out", 4.5, ("stressed",)),
    ("one of those days maybe a four", 4, ()),
]
"""Speech-to-text answers: lowercase, unpunctuated, with fillers; a spoken number beats a state word."""


@pytest.mark.parametrize(("text", "score", "tags"), SPOKEN)
def test_spoken_answers(text: str, score: float | None, tags: tuple[str, ...]) -> None:
    reading = parse_mood(text)
    assert reading is not None
    assert (reading.score, reading.tags) == (score, tags)


NOTHING = ["", "   ", "nothing to report", "the cat sat on the mat", "I went to 3 shops", "???", "twelve",
           "one of those days", "i had two big meetings", "slept five or six hours", "um so"]


@pytest.mark.parametrize(("text", "score", "tags"), CHECKIN)
def test_checkin_phrasings(text: str, score: float | None, tags: tuple[str, ...]) -> None:
    reading = parse_mood(text)
    assert reading is not None
    assert reading.score == score
    assert reading.tags == tags


@pytest.mark.parametrize("text", NOTHING)
def test_no_mood(text: str) -> None:
    assert parse_mood(text) is None


def test_note_keeps_what_else_was_said() -> None:
    assert parse_mood("about a six, work was rough but I went for a run").note == "work was rough but I went for a run"
    assert parse_mood("seven out of ten").note is None


@pytest.mark.parametrize(("text", "note"), [
    ("about a six work was rough but i went for a run", "work was rough but i went for a run"),
    ("a seven the walk helped a lot", "the walk helped a lot"),
    ("i slept five or six hours maybe a four", "i slept five or six hours"),
    ("work was long so about a six and a half", "work was long"),
    ("about a 6 a bit tired but calm", None),
    ("okay so um a seven", None),
    ("on a scale of one to ten a six", None),
])
def test_note_drops_an_unpunctuated_rating(text: str, note: str | None) -> None:
    reading = parse_mood(text)
    assert reading is not None and reading.note == note


CONVERSATION = [
    ("I'd say I'm a four today", 4, ()),
    ("feeling pretty anxious", None, ("anxious",)),
    ("honestly I am really tired and kind of lonely", None, ("tired", "lonely")),
    ("I have been feeling so overwhelmed at work", None, ("overwhelmed",)),
    ("I feel anxious, stressed and tired", None, ("anxious", "stressed", "tired")),
    ("today was a seven out of ten for me, I feel calm", 7, ("calm",)),
    ("my mood is a 5", 5, ()),
    ("I'm feeling good", 7, ()),
]
NOT_IN_CONVERSATION = [
    "I went to the shop and bought two apples", "she is feeling anxious", "I am not anxious",
    "if I feel sad I call my mum", "am I anxious?", "the movie was a seven out of ten", "I'm 34 years old",
    "I'm down to go", "I was anxious yesterday", "I'm good at chess", "I walked six miles",
]


@pytest.mark.parametrize(("text", "score", "tags"), CONVERSATION)
def test_conversation_fires_on_clear_statements(text: str, score: float | None, tags: tuple[str, ...]) -> None:
    reading = mood_in_conversation(text)
    assert reading is not None and (reading.score, reading.tags) == (score, tags)


@pytest.mark.parametrize("text", NOT_IN_CONVERSATION)
def test_conversation_stays_quiet_otherwise(text: str) -> None:
    assert mood_in_conversation(text) is None


PHRASES = st.lists(st.sampled_from(
    ["about", "a", "six", "7", "out of", "ten", "/", "10", "and a half", "not", "really", "anxious", "good",
     "I'm", "feeling", ",", ".", "?", "ish", "-", "maybe", "or", "point", "five", "hours", "12", "100", "0.5"]
), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), PHRASES))
def test_never_crashes_and_scores_stay_in_range(text: str) -> None:
    for reading in (parse_mood(text), mood_in_conversation(text)):
        if reading is None:
            continue
        assert reading.score is None or 0 <= reading.score <= 10
        assert set(reading.tags) <= set(EMOTIONS)
        assert reading.score is not None or reading.tags
