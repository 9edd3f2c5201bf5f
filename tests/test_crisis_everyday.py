"""Ordinary evenings must not set off the crisis path, and ordinary replies must not be replaced.

These are the sentences the product hears most. A screen that flags them would answer a calm
day with crisis numbers, which costs trust; so they are pinned here, next to the recall targets.
"""

from __future__ import annotations

import pytest

from voicejournal.crisis import CrisisScreen
from voicejournal.types import Level

EVERYDAY = [
    "Today was a long day at work. The meeting with my manager went better than I expected.",
    "I'm feeling a bit tired, but also kind of relieved. I'd say my mood is about a six.",
    "Tomorrow I want to go for a walk before work and call my sister.",
    "I spent the afternoon in the garden planting tomatoes.",
    "My neighbour came over and we talked about her new puppy.",
    "In the evening I cooked pasta and watched a film with my partner.",
    "The bus was late again and I got soaked.",
    "I finished the painting I started last spring.",
    "This morning I walked the dog along the river.",
    "Lunch with my old friend Sam was the best part of the day.",
    "In the afternoon the printer broke again and I lost an hour.",
    "Tonight I feel calm and a little sleepy.",
    "I'm going to bed early tonight, I'm exhausted.",
    "I said goodbye to my colleague who is moving to Canada next week.",
    "I gave my old bike to my nephew, he was so happy.",
    "I wrote a letter to my grandmother for her birthday.",
    "I'm so tired of this rain, it has not stopped all week.",
    "My son's exam is tomorrow and I'm a bit nervous for him.",
    "I took my vitamins and went to sleep early.",
    "Work is killing me this month but the project is almost done.",
    "I've felt low all week.",
    "I keep thinking about the meeting today.",
    "I keep thinking about the meeting today. And what my manager said after it.",
]

REPLIES = [
    "I hear you.", "Okay.", "I understand.", "That makes sense.", "I'm listening.",
    "Thank you for telling me.", "That sounds like a long day. What helped you get through it?",
    "It sounds like the walk did you good. What did you notice on the way?",
    "That sounds really hard,", "You killed it today!",
]


# Known false alarms of the fine-tuned layer (docs/SAFETY.md, "limits"), answered with a gentle
# check-in or crisis numbers instead of a normal reply. Listed so a fix shows up as XPASS. (The v3
# model fixed the calm evenings that used words crisis talk also uses: "tonight", "sleep",
# "vitamins", "along the river"; those are now plain assertions above.)
KNOWN_FALSE_ALARMS: set[str] = set()
"""Everyday lines the shipped model still flags (xfail). Emptied with v12, which passes the last one: rumination
about work ("I keep thinking about the meeting today. And what my manager said after it."), found by the live
pause test and flagged by every model from v3 to v11b."""


SHORT = [  # written as a probe after a trial model called check-in answers a risk; the shipped v3 flagged 11, 4 as imminent
    'Please stop.',
    'Nah.',
    'Erase that.',
    'Could you say it again?',
    "I'd prefer not to say.",
    'Remove what I just said.',
    'Not feeling chatty tonight.',
    "Let's wrap up.",
    'Bye for now.',
    'Hmm, not sure.',
    'Wipe that.',
    'Cut that bit out.',
    "Don't keep that one.",
    'All done.',
    'Five, maybe six.',
    'Probably a seven-ish.',
    'Eight-ish.',
    'Same old same old.',
    "Honestly can't remember.",
    'Nothing really happened.',
    'Not much to say.',
    "I'm tired of talking.",
    'Fine, I suppose.',
    'Whatever.',
    "Let's leave it there.",
    'Give me a minute.',
    'Are you listening?',
    'Sorry, I lost my train of thought.',
    'Good night then.',
    'Talk tomorrow.',
    'Quiet one today.',
    'Nothing exciting.',
    'Lower than yesterday, maybe a four.',
    'Up a bit, a six.',
    'Honestly a two, long day.',
    'Can we skip this?',
    'Not now.',
    'Ask me later.',
    "I'd rather not.",
    'Ugh, Mondays.',
]


@pytest.fixture(scope="module")
def screen() -> CrisisScreen:
    return CrisisScreen()


@pytest.mark.parametrize("text", [
    pytest.param(t, marks=pytest.mark.xfail(reason="known false alarm of the learned layer", strict=False))
    if t in KNOWN_FALSE_ALARMS else t for t in EVERYDAY])
def test_an_ordinary_evening_is_not_a_crisis(screen: CrisisScreen, text: str) -> None:
    assert screen.screen(text).level == Level.NONE


@pytest.mark.parametrize("reply", REPLIES)
def test_an_ordinary_reply_is_not_replaced(screen: CrisisScreen, reply: str) -> None:
    assert screen.screen_reply(reply).safe


@pytest.mark.parametrize("text", SHORT)  # v3 flagged 9 of them; v5 (trained with crisis_train_11) none
def test_a_short_everyday_answer_is_not_a_crisis(screen: CrisisScreen, text: str) -> None:
    """Check-in ratings, short answers and spoken commands ('Remove what I just said.' must reach the
    forget command, not the crisis path)."""
    assert screen.screen(text).level == Level.NONE


@pytest.mark.parametrize("text", ["About a six.", "I'd say a seven.", "Delete that last bit.", "Forget that.",
                                  "Remove what I just said.", "Maybe a four, I think.", "A 2."])
def test_a_bare_rating_or_command_is_judged_by_the_patterns_alone(screen: CrisisScreen, text: str) -> None:
    assert screen.screen(text).level == Level.NONE


@pytest.mark.parametrize("text", ["A one. I want to die.", "About a two, I can't go on anymore.",
                                  "Forget that, I have the pills ready."])
def test_a_rating_or_command_with_crisis_words_is_still_screened(screen: CrisisScreen, text: str) -> None:
    assert screen.screen(text).level >= Level.CONCERN


@pytest.mark.parametrize("text", ["after it.", "before it", "Do it.", "It's done.", "That's it.", "And then."])
def test_a_cut_off_fragment_alone_is_not_a_crisis(screen: CrisisScreen, text: str) -> None:
    """The end of a sentence whose start was said over a reply ("after it.") reached the shipped model
    as a turn of its own, and it called it imminent (found by the live no-talking-over test)."""
    assert screen.screen(text).level == Level.NONE


def test_a_fragment_after_a_sign_of_concern_is_judged_in_that_context(screen: CrisisScreen) -> None:
    from voicejournal.crisis import SessionGuard

    calm = SessionGuard(screen)
    calm.check("I finished the report for work.")
    assert calm.check("It's done.").level == Level.NONE
    worried = SessionGuard(screen)
    assert worried.check("Some days I feel like such a burden to everyone.").level == Level.CONCERN
    assert worried.check("It's done.").level >= Level.RISK


@pytest.mark.parametrize("text", ["I won't be here.", "I'm gone.", "I've done it.", "So, I did it.", "I took them all."])
def test_a_bare_act_or_goodbye_after_a_sign_of_concern_is_a_risk(screen: CrisisScreen, text: str) -> None:
    """Alone these say nothing of a crisis (by the labelling guide they carry no wish, plan or preparation);
    after this session has shown concern for the person's own safety they are an act or a goodbye to ask
    about, whatever the learned layer makes of them. Never a fragment: the guard does not silence them."""
    from voicejournal.crisis import SessionGuard
    from voicejournal.crisis.combine import bare_fragment

    assert not bare_fragment(text)
    worried = SessionGuard(screen)
    worried.check("Some days I feel like such a burden to everyone.")
    assert worried.check(text).level >= Level.RISK
    calm = SessionGuard(screen)
    calm.check("I finished the report for work.")
    assert calm.check(text).level <= Level.CONCERN  # alone: at most a check-in, never the crisis path
