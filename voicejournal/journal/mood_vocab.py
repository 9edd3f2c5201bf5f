"""The words mood logging understands: a fixed emotion vocabulary and words that imply a score."""

from __future__ import annotations

EMOTIONS: tuple[str, ...] = (
    "anxious", "calm", "tired", "sad", "happy", "angry", "lonely", "hopeful", "stressed", "grateful",
    "content", "frustrated", "overwhelmed", "excited", "scared", "proud", "numb", "restless", "guilty",
    "bored", "confused", "relieved", "loved", "energetic", "irritable",
)
"""The fixed tag vocabulary; every tag stored from speech is one of these."""

SYNONYMS: dict[str, str] = {
    **{word: word for word in EMOTIONS},
    "nervous": "anxious", "worried": "anxious", "anxiety": "anxious", "panicky": "anxious", "on edge": "anxious",
    "uneasy": "anxious",
    "relaxed": "calm", "peaceful": "calm", "chill": "calm", "serene": "calm", "at peace": "calm",
    "exhausted": "tired", "sleepy": "tired", "drained": "tired", "worn out": "tired", "knackered": "tired",
    "wiped out": "tired", "fatigued": "tired", "burnt out": "tired", "burned out": "tired",
    "down": "sad", "depressed": "sad", "blue": "sad", "low": "sad", "upset": "sad", "miserable": "sad",
    "unhappy": "sad", "gloomy": "sad", "heartbroken": "sad",
    "joyful": "happy", "cheerful": "happy", "glad": "happy", "delighted": "happy", "joy": "happy",
    "mad": "angry", "furious": "angry", "pissed off": "angry", "livid": "angry", "resentful": "angry",
    "annoyed": "irritable", "irritated": "irritable", "cranky": "irritable", "grumpy": "irritable",
    "alone": "lonely", "isolated": "lonely", "disconnected": "lonely",
    "optimistic": "hopeful", "hopeless": "sad",
    "stressed out": "stressed", "tense": "stressed", "under pressure": "stressed", "pressured": "stressed",
    "thankful": "grateful", "blessed": "grateful", "appreciative": "grateful",
    "satisfied": "content", "fulfilled": "content",
    "fed up": "frustrated",
    "swamped": "overwhelmed", "overloaded": "overwhelmed",
    "thrilled": "excited", "pumped": "excited",
    "afraid": "scared", "frightened": "scared", "terrified": "scared", "fearful": "scared",
    "empty": "numb",
    "antsy": "restless", "wired": "restless", "agitated": "restless",
    "ashamed": "guilty", "embarrassed": "guilty",
    "relief": "relieved",
    "energized": "energetic", "motivated": "energetic", "productive": "energetic",
    "unsure": "confused",
}
"""Spoken words and phrases mapped onto the vocabulary."""

STATE_SCORES: dict[str, float] = {
    "amazing": 9, "fantastic": 9, "wonderful": 9, "brilliant": 9, "excellent": 9, "awesome": 9,
    "great": 8, "really good": 8, "very good": 8,
    "good": 7, "pretty good": 7, "doing well": 7, "not doing well": 3, "not bad": 6, "not too bad": 6, "decent": 6, "alright": 5,
    "all right": 5, "ok": 5, "okay": 5, "fine": 5, "so so": 5, "so-so": 5, "average": 5, "meh": 4,
    "not great": 4, "not good": 4, "not so good": 4, "not well": 4, "not okay": 3, "not ok": 3,
    "rough": 3, "bad": 3, "pretty bad": 3, "crap": 3, "crappy": 3, "lousy": 3, "shitty": 3,
    "really bad": 2, "very bad": 2, "awful": 2, "terrible": 2, "horrible": 2, "dreadful": 2,
    "the worst": 1, "rock bottom": 1,
}
"""Words that rate a day on their own ("I'm good", "pretty bad"), on the 0-10 scale."""

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "nil": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
