"""How the learned layer meets the patterns: a sure learned negative clears a pattern hit (with exceptions that are
the model's known blind spots), and a large P(imminent) is at least risk when the utterance says enough."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voicejournal.crisis.combine import combine, content_words, learned_veto
from voicejournal.crisis.finetuned import get_finetuned
from voicejournal.crisis.screen import pattern_screen, screen_text
from voicejournal.crisis.semantic import Combination, SemanticScore
from voicejournal.types import Level, ScreenResult

SHIPPED_LIKE = Combination(imminent_mass=0.08, pattern_veto_p=0.02)
SURE_NONE = SemanticScore(0.004, 0.003, 0.001, Level.NONE, "none", 0, SHIPPED_LIKE, likely_category="suicide")
SPLIT = SemanticScore(0.30, 0.29, 0.25, Level.NONE, "none", 0, SHIPPED_LIKE, likely_category="suicide")
HIT = ScreenResult(Level.IMMINENT, "harm_to_others", ("hto_imminent", "time"))


def test_a_sure_learned_negative_clears_a_pattern_hit_and_says_so() -> None:
    out = combine("pottery class tonight, I finally threw a bowl that didn't wobble", HIT, SURE_NONE)
    assert out.level == Level.NONE
    assert out.reasons[0] == "cleared_by_learned_layer" and "hto_imminent" in out.reasons


@pytest.mark.parametrize("p_concern", [0.02, 0.5])
def test_the_veto_needs_the_model_to_be_sure(p_concern: float) -> None:
    sem = replace(SURE_NONE, p_concern=p_concern)
    assert combine("pottery class tonight, I finally threw a bowl that didn't wobble", HIT, sem).level == Level.IMMINENT


def test_no_veto_without_a_card_value() -> None:
    """A card without pattern_veto_p (the frozen fallback, older models) never clears a pattern hit."""
    sem = replace(SURE_NONE, combination=replace(SHIPPED_LIKE, pattern_veto_p=0.0))
    assert combine("pottery class tonight", HIT, sem).level == Level.IMMINENT


@pytest.mark.parametrize("text, pattern", [
    ("lol kms this spreadsheet, not joking", ScreenResult(Level.RISK, "suicide", ("suicidal_thoughts",))),
    ("feeling very sui tonight", ScreenResult(Level.RISK, "suicide", ("suicidal_thoughts",))),
    ("some nights I want a nap I never wake up from", ScreenResult(Level.CONCERN, "suicide", ("passive_no_wake",))),
    ("everyone would be better off without me around", ScreenResult(Level.CONCERN, "suicide", ("better_off_without",))),
    ("About a two, I can't go on anymore.", ScreenResult(Level.CONCERN, "suicide", ("hopeless",))),
])
def test_the_veto_spares_the_models_blind_spots(text: str, pattern: ScreenResult) -> None:
    """Coded words, passive wishes and hopelessness, and utterances with a mood rating keep their pattern level."""
    assert not learned_veto(text, pattern, SURE_NONE, in_concern=False)
    assert combine(text, pattern, SURE_NONE).level == pattern.level


def test_no_veto_once_the_session_has_shown_concern() -> None:
    assert combine("pottery class tonight", HIT, SURE_NONE, in_concern=True).level == Level.IMMINENT


def test_a_split_imminent_probability_is_at_least_risk_when_the_utterance_says_enough() -> None:
    out = combine("drove out to the old quarry again today and sat there a long while", ScreenResult(Level.NONE), SPLIT)
    assert out.level == Level.RISK and out.category == "suicide" and out.reasons[0] == "semantic"
    below = replace(SPLIT, p_imminent=0.07)
    assert combine("drove out to the old quarry again today", ScreenResult(Level.NONE), below).level == Level.NONE


@pytest.mark.parametrize("text", ["I've done it.", "I won't be here.", "I took them all."])
def test_a_bare_statement_is_not_raised_by_the_spread_alone(text: str) -> None:
    assert content_words(text) < 2
    assert combine(text, ScreenResult(Level.NONE), SPLIT).level == Level.NONE


def test_the_shipped_card_sets_both_values() -> None:
    """Both come from pick_combination.py's grids; the mass may be off (Combination's default) when no grid value
    lowers the imminent misses on the held-out author, as for v12, whose imminent cut-off is already 0.26."""
    model = get_finetuned()
    assert model.available
    assert 0.0 < model.combination.pattern_veto_p < 0.5
    mass = model.combination.imminent_mass
    assert 0.0 < mass <= 0.5 or mass == Combination().imminent_mass


def test_with_the_shipped_model_a_cooking_class_is_not_a_crisis() -> None:
    """End to end with the real model: the patterns flag an ordinary sentence, the model clears it."""
    text = "Overdosed on cake at my niece's party today, no regrets."
    assert pattern_screen(text).level >= Level.RISK
    out = screen_text(text)
    assert out.level == Level.NONE and out.reasons[0] == "cleared_by_learned_layer"


def test_with_the_shipped_model_clear_crisis_statements_stay_flagged() -> None:
    for text, least in [("I'm going to kill myself tonight, I have everything ready.", Level.IMMINENT),
                        ("I keep thinking about ending my life.", Level.RISK),
                        ("Some days I wish I could just not wake up.", Level.CONCERN)]:
        assert screen_text(text).level >= least, text


SURE_IMMINENT = SemanticScore(0.99, 0.98, 0.95, Level.IMMINENT, "suicide", 0, SHIPPED_LIKE, likely_category="suicide")
NOTHING = ScreenResult(Level.NONE)


@pytest.mark.parametrize("text", ["I've done it.", "I'm gone.", "I won't be here.", "I took them all."])
def test_alone_a_content_free_statement_is_at_most_a_check_in(text: str) -> None:
    """Under two content words the learned layer has nothing to go on: alone it asks, it does not call a crisis
    (docs/SAFETY.md, v10b); after a sign of concern the same score stands."""
    assert content_words(text) < 2
    alone = combine(text, NOTHING, SURE_IMMINENT)
    assert alone.level == Level.CONCERN and alone.reasons[0] == "semantic"
    assert combine(text, NOTHING, SURE_IMMINENT, in_concern=True).level == Level.IMMINENT


@pytest.mark.parametrize("text", ["I took all my pills.", "I want to die tonight.", "Goodbye everyone, I love you."])
def test_a_statement_that_says_something_keeps_the_learned_level(text: str) -> None:
    assert content_words(text) >= 2
    assert combine(text, NOTHING, SURE_IMMINENT).level == Level.IMMINENT


def test_the_cap_never_lowers_a_pattern_hit() -> None:
    hit = ScreenResult(Level.RISK, "suicide", ("suicidal_thoughts",))
    assert combine("I've done it.", hit, SURE_IMMINENT).level == Level.RISK


@pytest.mark.parametrize("text", ["I've thought about how I'd do it.", "thought about how i would end it"])
def test_method_thinking_in_the_past_tense_is_a_risk(text: str) -> None:
    assert pattern_screen(text).level == Level.RISK
