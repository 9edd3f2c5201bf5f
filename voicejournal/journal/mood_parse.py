"""Spoken mood, understood: "about a six", "pretty bad, maybe a three", "feeling anxious".

Speech-to-text answers often come lowercase and unpunctuated ("okay so um like a six a bit tired but
calm"), so the rules below read the words, not the punctuation:
- Number words are digits ("six" -> 6, "sixish" -> 6); halves are kept ("six and a half", "six point
  five" -> 6.5); "N out of 10/5/100" (also "outta", "of", "/", "slash") is scaled to 0-10; a close
  range ("five or six", "a five six", "between a six and a seven") is its middle. Other tens
  ("twelve", "fifty") are never ratings.
- A spoken number beats a state word anywhere in the answer: "okay, a seven" is 7, "pretty good,
  maybe a six" is 6. A leading "okay"/"alright" is a discourse marker when the rest rates the day
  ("okay, pretty bad" is 3), and the answer when nothing else does ("okay, a bit tired" is 5).
- Hesitations (um, uh, erm, hmm) are dropped. A number is a rating when "a"/"an" comes right before
  it ("a six the walk helped"), or when what follows could not be counted by it: nothing, a word like
  "out of"/"today"/"i", a pronoun or article, or a feeling ("six a bit tired"). Otherwise it is a
  count ("three coffees", "slept five or six hours").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicejournal.journal.mood_vocab import NUMBER_WORDS, STATE_SCORES, SYNONYMS


@dataclass(frozen=True)
class MoodReading:
    """One mood statement: a 0-10 score if one was given, emotion tags, and what else was said."""

    score: float | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None


_NUM = r"(?:10|[0-9](?:\.[0-9]+)?)"
_UNITS = (r"hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|times?|am|pm|o'?clock|people|kids|"
          r"cups?|glasses|drinks|beers|miles?|km|k|steps|pages|percent|%|dollars|pounds|euros|things|ways")
_RANGE = re.compile(rf"\b({_NUM})\s*(?:or|to|-|–|and|maybe|(?=\s))\s*(?:a\s+)?({_NUM})\b"
                    rf"(?!\s*(?:out of|/|{_UNITS})\b)")
_SCALE = re.compile(rf"\b({_NUM}|[0-9]{{1,3}})\s*(?:out of|/|outta|of|slash)\s*(5|10|100)\b")
_SINGLE = re.compile(rf"(?<![\w.])({_NUM})(?![\w.])(?!\s*(?:{_UNITS})\b)")
_FOLLOWERS = frozenset(
    "out or to and i i'm im but maybe today tonight now right honestly probably really at on for this these "
    "overall tops max most ish though then so yeah yes no ok okay i'd which if - – the my it we we're he she "
    "they that there there's".split()
)
"""Words that may follow a rating (or start the next clause); most other words make it a count ("three coffees")."""
_FILLER = frozenset(
    "i i'm im i'd id am is was it it's its think say would at a an about maybe like around today feeling feel "
    "pretty really so just honestly probably the mood my day solid between and or to of out overall right now "
    "bit kind sort very quite rather little kinda tonight this week morning evening give giving rate rating "
    "score guess i'll call a, been doing im, yeah well um uh on scale from okay ok alright".split()
)
_CUE = re.compile(r"(?:\ba|an|about|around|maybe|like|say|solid|probably|roughly|honestly|i'm|im|at|is|"
                  r"give|giving|rate|it's|its|today|perfect|just|only|barely)\s*$")
_NEGATION = re.compile(r"\b(?:not|never|no|isn't|aren't|wasn't|don't|didn't|hardly|barely)\s+(?:\w+\s+)?$")
_INTENSE = re.compile(r"\b(?:really|very|so|super|extremely|incredibly|absolutely|totally)\s+$")
_CLAUSE_SPLIT = re.compile(r"[,;:!?\n]+|\.(?![0-9])|\s+(?:because|cause|since|although|though|but|except)\s+")
_TALK_SPLIT = re.compile(r"[;:!?\n]+|\.(?![0-9])|\s+(?:because|cause|since|although|though|but|except)\s+")
_SENTENCE_SPLIT = re.compile(r"[,;:!?\n]+|\.(?![0-9])")
_ISH = re.compile(r"\b(10|[0-9])\s*-?\s*ish\b")
_HESITATION = re.compile(r"\b(?:um+|uh+|uhm|erm|er|hmm+|mm+)\b,?\s*")
_STRONG_CUE = re.compile(r"\b(?:a|an)\s+(?:(?:solid|perfect|good|strong|weak|low|high|firm|decent)\s+)?$")
_COUNTED_RANGE = re.compile(rf"\s*(?:or|to|-|–|and)\s*{_NUM}\s*(?:{_UNITS})\b")
"""The rest of a counted range ("five [or six hours]"): its first number is a count too."""
_MOOD_AHEAD = re.compile(
    r"(?:(?:a bit|a little|a lil|kind of|kinda|sort of|pretty|really|very|quite|super|just|still|bit|little|"
    r"somewhat|fairly|feeling|feel|i feel|i'm|im|and|mostly|mainly)\s+)*(?:"
    + "|".join(re.escape(p) for p in sorted({*SYNONYMS, *STATE_SCORES}, key=len, reverse=True)) + r")(?![\w'])"
)
"""A feeling right after a number ("six a bit tired", "seven pretty calm") marks the number as a rating."""
_MARKER = re.compile(r"^(?:(?:okay|ok|alright|all right|yeah|yes|so(?! so\b)|well|oh|right)\b[\s,.!]*)+")
"""Discourse markers that open an answer ("okay, a seven"); 'okay' there is not a rating when more follows."""


def parse_mood(text: str) -> MoodReading | None:
    """Read a check-in answer; None when it holds neither a rating nor a feeling."""
    normal = _normalize(text)
    marker = _MARKER.match(normal)
    score, tags = _answer_mood(normal[marker.end():]) if marker else (None, [])
    if score is None:
        score, tags = _answer_mood(normal)
    if score is None and not tags:
        return None
    return MoodReading(score=score, tags=tuple(tags), note=_note(text))


def _answer_mood(normal: str) -> tuple[float | None, list[str]]:
    """Score and tags of a whole answer: the first spoken number wins, else the first state word."""
    numbers: list[float] = []
    states: list[float] = []
    tags: list[str] = []
    for clause in (c.strip() for c in _CLAUSE_SPLIT.split(normal) if c and c.strip()):
        number, found_tags = _number_score(clause), emotion_tags(clause)
        if number is not None:
            numbers.append(number)
        elif not found_tags and (state := _state_score(clause)) is not None:
            states.append(state)
        tags += [t for t in found_tags if t not in tags]
    return (numbers or states or [None])[0], tags


def _clause_mood(clause: str) -> tuple[float | None, list[str]]:
    """The score and tags one clause carries; a state word counts only without a feeling word."""
    found_score = _number_score(clause)
    found_tags = emotion_tags(clause)
    if found_score is None and not found_tags:
        found_score = _state_score(clause)
    return found_score, found_tags


def _normalize(text: str) -> str:
    """Lowercase, number words as digits, halves as decimals, so one set of patterns reads both."""
    text = _HESITATION.sub("", text.lower().replace("’", "'").replace("½", ".5"))
    text = re.sub(r"\b(" + "|".join(NUMBER_WORDS) + r")(?=\b|ish\b)", lambda m: str(NUMBER_WORDS[m.group(1)]), text)
    text = re.sub(r"\b(10|[0-9])\s+point\s+([0-9])\b", r"\1.\2", text)
    text = re.sub(r"\b(10|[0-9])[\s-]*and[\s-]+(?:a[\s-]+)?half\b", r"\1.5", text)
    text = _ISH.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _number_score(clause: str) -> float | None:
    """The rating a clause gives with numbers, preferring 'N out of 10', then ranges, then cued numbers."""
    scale = _SCALE.search(clause)
    if scale:
        value, top = float(scale.group(1)), float(scale.group(2))
        if value <= top:
            return round(value / top * 10, 1)
    span = _RANGE.search(clause)
    if span:
        low, high = float(span.group(1)), float(span.group(2))
        if low <= 10 and high <= 10 and abs(high - low) <= 2:
            return (low + high) / 2
    candidates = [(bool(_CUE.search(clause[: m.start()])), m) for m in _SINGLE.finditer(clause)]
    candidates = [(cued, m) for cued, m in candidates if float(m.group(1)) <= 10 and _is_rating(clause, m)]
    if not candidates:
        return None
    cued = [m for is_cued, m in candidates if is_cued]
    chosen = cued[-1] if cued else candidates[0][1]
    return float(chosen.group(1))


def _is_rating(clause: str, number: re.Match[str]) -> bool:
    """True when a number reads as a rating: 'a'/'an' before it, or no counted thing after it."""
    if _COUNTED_RANGE.match(clause, number.end()):
        return False
    if _STRONG_CUE.search(clause[: number.start()]):
        return True
    rest = clause[number.end():].strip()
    following = rest.split()
    return (not following or following[0].strip("-–") == "" or following[0] in _FOLLOWERS
            or _MOOD_AHEAD.match(rest) is not None)


def _state_score(clause: str) -> float | None:
    """A score from words alone ("I'm good", "not great", "really bad"); longest phrase wins."""
    for phrase in sorted(STATE_SCORES, key=len, reverse=True):
        match = re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", clause)
        if not match:
            continue
        score = STATE_SCORES[phrase]
        before = clause[: match.start()]
        if not phrase.startswith("not") and _NEGATION.search(before):
            return 10 - score if score <= 5 else min(score, 10 - score + 1)
        if _INTENSE.search(before):
            return max(0.0, min(10.0, score + (1 if score > 5 else -1)))
        return float(score)
    return None


def emotion_tags(clause: str) -> list[str]:
    """Vocabulary tags named in a clause, in order, skipping negated ones ("not anxious")."""
    found: list[tuple[int, str]] = []
    for phrase, tag in SYNONYMS.items():
        for match in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", clause):
            if not _NEGATION.search(clause[: match.start()]):
                found.append((match.start(), tag))
    tags: list[str] = []
    for _, tag in sorted(found):
        if tag not in tags:
            tags.append(tag)
    return tags


def _note(original: str) -> str | None:
    """What was said besides the rating, in the person's words: short rating phrases at either end are dropped."""
    parts = [p.strip() for p in _SENTENCE_SPLIT.split(original) if p and p.strip()]

    def rating_only(part: str) -> bool:
        normal = _normalize(part)
        score, tags = _clause_mood(normal)
        return (score is not None or bool(tags)) and len(_content_words(normal)) <= 1

    while parts and rating_only(parts[0]):
        parts.pop(0)
    while parts and rating_only(parts[-1]):
        parts.pop()
    parts = [p for p in (_without_rating_ends(p) for p in parts) if p]
    note = ", ".join(parts)
    return note if len(note.split()) >= 3 else None


def _content_words(normal: str) -> list[str]:
    """Words that say something beyond a rating or a feeling."""
    return [w for w in re.findall(r"[a-z']+", normal) if w not in _FILLER and w not in SYNONYMS
            and w not in STATE_SCORES]


_RATING_PHRASE_WORDS = 8
"""The longest unpunctuated rating phrase cut from a note ("okay so i'd say about a six and a half")."""


def _without_rating_ends(part: str) -> str:
    """An unpunctuated part without the rating phrase it opens or closes with ("about a six work was rough")."""
    words = part.split()
    limit = min(len(words), _RATING_PHRASE_WORDS)
    start = max((k for k in range(1, limit + 1) if _is_rating_phrase(words[:k], words[k:k + 1])), default=0)
    end = min((k for k in range(max(start, len(words) - limit), len(words))
               if _is_rating_phrase(words[k:], [])), default=len(words))
    return " ".join(words[start:max(start, end)])


def _is_rating_phrase(words: list[str], following: list[str]) -> bool:
    """True for words that only give a rating, ending on its number, and still a rating before `following`."""
    if not words or _content_words(_normalize(" ".join(words))):
        return False
    last = _normalize(words[-1].strip(",.!?"))
    if not (any(c.isdigit() for c in last) or last in ("half", "ish")):
        return False
    return _number_score(_normalize(" ".join(words + following))) is not None


_SELF_RATING = re.compile(
    r"\b(?:i'd say i'm|i'd say i am|i'm|i am|im|i feel like|feeling like|i'd give (?:myself|today|it|my day)|"
    r"i'd rate (?:myself|today|it|my day|my mood)|my mood(?:'s| is| was)|today(?:'s| is| was| has been))"
    r"\s+(?:(?:at|about|around|maybe|like|probably|honestly|only|just|barely|solidly|a solid)\s+)*(?:a|an)\s+"
    rf"(?:solid\s+|good\s+|strong\s+|weak\s+)?{_NUM}\b"
)
_SELF_WORDS = re.compile(r"\b(?:i|i'm|im|i'd|me|my|myself|today|mood|feel|feeling)\b")
_INTENSIFIERS = (r"(?:(?:so|really|pretty|very|a bit|a little|kind of|kinda|sort of|quite|super|extremely|rather|"
                 r"incredibly|totally|just|honestly|still|a lot more|more|less|somewhat|fairly|genuinely|"
                 r"actually|completely|utterly)\s+)*")
_FEELING_LEAD = re.compile(
    r"(?:\b(?:i'm|i am|im|i feel|i'm feeling|i am feeling|i've been feeling|ive been feeling|i've been|ive been|"
    r"i have been feeling|i have been|i been|i'm getting|i am getting|i'm just|i'm still)|(?:^|,\s*)(?:(?:and|still|just|honestly|so)\s+)?(?:feeling|been feeling|feel))\s+"
    + _INTENSIFIERS + r"$"
)
_JOINED = re.compile(r"\s*(?:,\s*|\s(?:and|or|but also|and also)\s+)" + _INTENSIFIERS)
_CONDITIONAL = re.compile(r"\b(?:if|when|whenever|unless|before|what if|as if|as though|do you|don't|doesn't)\b")
_AMBIGUOUS = frozenset("down low blue empty mad chill pumped wired good fine ok okay alright well decent".split())
_AMBIGUOUS_NEXT = frozenset("to on for with at in about of that if enough".split())
_CONVERSATION_STATES = frozenset(
    "amazing fantastic wonderful great awful terrible horrible dreadful miserable rough bad really bad "
    "good really good pretty good okay ok fine alright meh crappy lousy".split()
)


def mood_in_conversation(text: str) -> MoodReading | None:
    """A mood stated in passing ("I'd say I'm a four today", "feeling pretty anxious"); None unless clear."""
    score: float | None = None
    tags: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if sentence.strip().endswith("?"):
            continue  # questions ("am I anxious?") are not statements about oneself
        for clause in _TALK_SPLIT.split(_normalize(sentence)):
            clause = (clause or "").strip()
            if not clause:
                continue
            rated = _stated_rating(clause)
            felt_score, felt_tags = _stated_feelings(clause)
            if score is None:
                score = rated if rated is not None else felt_score
            tags += [t for t in felt_tags if t not in tags]
    if score is None and not tags:
        return None
    return MoodReading(score=score, tags=tuple(tags), note=None)


def _stated_rating(clause: str) -> float | None:
    """A number given as a self-rating: a rating cue before it, or 'out of 10' about oneself."""
    if _CONDITIONAL.search(clause):
        return None
    if _SELF_RATING.search(clause) or (_SCALE.search(clause) and _SELF_WORDS.search(clause)):
        return _number_score(clause)
    return None


def _stated_feelings(clause: str) -> tuple[float | None, list[str]]:
    """Feelings named right after 'I'm', 'I feel', 'feeling' (with intensifiers), not negated or hypothetical."""
    score: float | None = None
    found: list[tuple[int, int, str, str, str]] = []
    words = {**{p: ("tag", t) for p, t in SYNONYMS.items()}, **{p: ("state", p) for p in _CONVERSATION_STATES}}
    for phrase, (kind, value) in words.items():
        for match in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", clause):
            found.append((match.start(), match.end(), phrase, kind, value))
    tags: list[str] = []
    last_end: int | None = None
    for start, end, phrase, kind, value in sorted(found):
        before, after = clause[:start], clause[end:].split()
        led = bool(_FEELING_LEAD.search(before)) and not _CONDITIONAL.search(before)
        joined = last_end is not None and _JOINED.fullmatch(clause[last_end:start]) is not None
        if not (led or joined) or (phrase in _AMBIGUOUS and after and after[0] in _AMBIGUOUS_NEXT):
            continue
        last_end = end
        if kind == "tag" and value not in tags:
            tags.append(value)
        elif kind == "state" and score is None:
            score = _state_score(clause[start:])
    return score, tags
