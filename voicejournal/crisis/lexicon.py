"""Rule type and the shared concept lexicons (macros) that rule patterns are written in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicejournal.types import Level

MACROS: dict[str, str] = {
    # first-person subject, apostrophes already removed by normalize()
    "I": r"\b(?:i|im|ive|id|ill|i am|i have|i had|i would)\b",
    "ME": r"\b(?:myself|me)\b",
    # up to N intervening words inside one sentence
    "G2": r"(?:[^\s.!?]+\s+){0,2}",
    "G4": r"(?:[^\s.!?]+\s+){0,4}",
    "G6": r"(?:[^\s.!?]+\s+){0,6}",
    "S": r"[^.!?]{0,60}",  # same sentence, short reach
    "SL": r"[^.!?]{0,120}",  # same sentence, long reach
    "KILLSELF": (
        r"(?:kill(?:ing|ed)? myself|end(?:ing)? (?:my (?:own )?life|it all|things|everything|myself)"
        r"|take (?:my|my own) life|taking my (?:own )?life|unaliv(?:e|ing) (?:myself|me)"
        r"|off(?:ing)? myself|commit(?:ting)? suicide|suicid(?:e|al)|kms|ctb|catch the bus"
        r"|self delet\w*|yeet(?:ing)? myself)"
    ),
    "SHVERB": (
        r"(?:cut|cutting|sh|self harm(?:ing)?|hurt(?:ing)? myself|harm(?:ing)? myself|burn(?:ing)? myself"
        r"|hit(?:ting)? myself|punish(?:ing)? myself|scratch(?:ing)? (?:myself|my arms?|my skin)|relapse)"
    ),
    "TIME": (
        r"(?:tonight|today|right now|this (?:evening|afternoon|morning|weekend)|tomorrow"
        r"|in (?:a few|an|one|two|ten|twenty|thirty|\d+) (?:hours?|minutes?|mins)"
        r"|(?:this |on |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
        r"|at (?:\d+|midnight|noon|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
        r"|before (?:then|morning|the morning|he|she|they)|as soon as|when (?:this|the|everyone|they|he|she)"
        r"|after (?:this|that|the|i finish|my|her|his|everyone)|the day|soon|later|ce soir|esta noche|hoy)"
    ),
    "WEAPON": (
        r"(?:knife|knives|gun|rifle|shotgun|pistol|crowbar|hammer|bat|machete|axe|blade|bottle"
        r"|cuchillo|couteau|arme|pistola)"
    ),
    "MEANS": (
        r"(?:pills|tablets|meds|medication|prescription|knife|blade|blades|razor|razors|rope|cord|belt"
        r"|gun|rifle|bottle|lighter fluid|petrol|stuff|kit|everything|pastillas|cachets|comprimes)"
    ),
    "PERSON": (
        r"(?:him|her|them|my (?:\w+ )?(?:son|daughter|kid|kids|child|children|baby|toddler|wife|husband|partner"
        r"|girlfriend|boyfriend|girl|brother|sister|mum|mom|mother|dad|father|roommate|flatmate|friend|boss"
        r"|neighbour|neighbor|uncle|aunt|ex|colleague|coworker|stepmum|stepdad|nan|gran|grandma|grandad)"
        r"|the (?:kid|baby|dog|cat|guy|man|woman))"
    ),
    "OTHER": (
        r"(?:he|she|they|hes|shes|theyre|his|her|my (?:\w+ )?(?:friend|mate|son|daughter|kid|child|baby|little one"
        r"|husband|wife|partner|brother|sister|mum|mom|dad|father|mother|boyfriend|girlfriend|flatmate"
        r"|roommate|nan|gran|grandad|grandpa|grandma|neighbour|colleague|cousin|nephew|niece|uncle|aunt))"
    ),
}

_MACRO_RE = re.compile(r"\{([A-Z0-9]+)\}")


def expand(pattern: str) -> str:
    """Replace {MACRO} names with their concept regexes."""
    return _MACRO_RE.sub(lambda m: MACROS[m.group(1)], pattern)


@dataclass(frozen=True)
class Rule:
    """One named signal: a pattern, the level and category it points to, and how guards treat it."""

    name: str
    category: str
    level: Level
    pattern: re.Pattern[str]
    negatable: bool = True
    """A denial just before the match ("not thinking about hurting myself") clears it."""
    self_only: bool = True
    """About the speaker only: cleared when the sentence's subject is someone else."""


def rule(name: str, category: str, level: Level, *patterns: str,
         negatable: bool = True, self_only: bool = True) -> Rule:
    """Build a Rule from one or more alternative patterns written with macros."""
    joined = "|".join(f"(?:{expand(p)})" for p in patterns)
    return Rule(name, category, level, re.compile(joined), negatable, self_only)


C, R, IM, N = Level.CONCERN, Level.RISK, Level.IMMINENT, Level.NONE
