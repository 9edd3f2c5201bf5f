"""The screen on idioms and crisis words in other languages, denied questions, resolved history and red flags.

Each benign case has a crisis twin that must still be caught: a guard that clears too much fails here.
Sentences are written for these tests (not taken from any report set).
"""

from __future__ import annotations

import pytest

from voicejournal.crisis.guards import neutralise_idioms
from voicejournal.crisis.normalize import normalize
from voicejournal.crisis.screen import pattern_screen, screen_text
from voicejournal.types import Level


def level(text: str) -> Level:
    return screen_text(text).level


@pytest.mark.parametrize("text", [
    "hoy me muero de sueño, me voy a la cama temprano",
    "estoy muerto de risa con este video del gato",
    "je meurs de soif après ce match de foot",
    "la chaleur me tue, vivement l'automne",
    "nach der Nachtschicht bin ich todmüde",
    "wir haben uns totgelacht über den Film",
    "ti voglio bene da morire, sorellina",
    "sto morendo di fame, quando si mangia?",
    "tô morrendo de saudade da minha avó",
    "ik ben doodmoe na die verhuizing",
    "umieram z nudów na tym zebraniu",
    "itna chalna pada, main toh mar gayi aaj",
    "mamamatay na ako sa gutom, wala pang ulam",
])
def test_foreign_hyperbole_is_blanked_before_either_layer(text: str) -> None:
    prepared = neutralise_idioms(normalize(text))
    assert "_" in prepared, prepared
    assert pattern_screen(text).level == Level.NONE


@pytest.mark.parametrize("text,minimum", [
    ("quiero morirme, ya no aguanto más", Level.RISK),
    ("je veux mourir ce soir", Level.RISK),
    ("eu quero morrer, não aguento mais", Level.RISK),
    ("voglio morire, non ce la faccio più", Level.RISK),
    ("ich will nur noch sterben", Level.RISK),
    ("ik wil dood, echt waar", Level.RISK),
    ("chcę umrzeć", Level.RISK),
    ("sach mein, mujhe marna hai", Level.RISK),
    ("gusto ko na mamatay", Level.RISK),
    ("me cortei outra vez hoje", Level.RISK),
    ("ich habe mich heute geritzt", Level.RISK),
    ("mi marido me bateu ontem à noite", Level.RISK),
    ("mera pati mujhe maarta hai", Level.RISK),
])
def test_plain_crisis_statements_in_other_languages(text: str, minimum: Level) -> None:
    assert pattern_screen(text).level >= minimum


@pytest.mark.parametrize("text", [
    "the nurse asked if I'd ever thought about killing myself and honestly, no, never have",
    "my mum keeps asking whether I want to die since the breakup. I don't. I want a holiday",
    "seeing things that aren't there? no, just tired eyes from the screen",
])
def test_a_question_answered_no_clears(text: str) -> None:
    assert pattern_screen(text).level == Level.NONE


@pytest.mark.parametrize("text", [
    "the nurse asked if I'd thought about killing myself and I said no, but that was a lie",
    "my mum asked whether I want to die and honestly, yes, most days",
    "the doctor asked if I was thinking of ending my life. no, but I think about it every night",
    "the counsellor asked if I'm suicidal and I said no, sometimes",
])
def test_a_no_that_is_taken_back_does_not_clear(text: str) -> None:
    assert pattern_screen(text).level >= Level.RISK


@pytest.mark.parametrize("text,expected", [
    ("my ex used to hit me. that was back in 2009, I left in 2010 and I'm happy now with my new job", Level.NONE),
    ("I tried to end my life that was fifteen years ago, I'm content now and I coach netball", Level.NONE),
    ("I tried to end my life years ago and now I want to die again", Level.RISK),
    ("my ex used to hit me, that was in 2015, and lately he's coming back around and I'm scared", Level.RISK),
])
def test_resolved_history_vs_current(text: str, expected: Level) -> None:
    got = pattern_screen(text).level
    assert got == expected if expected == Level.NONE else got >= expected


@pytest.mark.parametrize("text,category", [
    ("I'd really like to be dead, that's the truth", "suicide"),
    ("I'm terrified to go home, he said I'd regret embarrassing him", "abuse_danger"),
    ("she texted that I'm going to pay for leaving", "abuse_danger"),
    ("some bloke online tells my nephew he's mature for his age", "abuse_danger"),
    ("thirty six weeks and I've barely felt the baby move since yesterday", "medical"),
    ("his nappies have been dry since this morning and he won't drink", "medical"),
    ("my son might have chewed a laundry pod, he seems ok", "medical"),
    ("mum doubled up on her blood pressure tablets by mistake", "medical"),
    ("I keep picturing swerving into the lorry in the next lane", "suicide"),
    ("every time I drive home I think about jumping from the overpass", "suicide"),
])
def test_new_risk_signals(text: str, category: str) -> None:
    r = pattern_screen(text)
    assert r.level >= Level.RISK and r.category == category, r


@pytest.mark.parametrize("text", [
    "thinking about jumping into the river at the swim meet on the bridge side",
    "my phone battery is dying so I'll keep this short",
    "the exam results wait is eating me alive but the rest of the week is fine",
])
def test_lookalikes_of_the_new_signals_stay_none(text: str) -> None:
    assert pattern_screen(text).level == Level.NONE
