"""Text normalisation so one pattern covers typed, spoken (ASR) and accented spellings."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 4000
"""Longer inputs are screened on their first and last parts; keeps time bounded."""

_ASR_FIXES: tuple[tuple[str, str], ...] = (
    (r"\b(my|your|him|her|them|our) (self|selves)\b", r"\1\2"),
    (r"\bkill my self\b", "kill myself"),
    (r"\bun alive\b", "unalive"),
    (r"\ba lone\b", "alone"),
    (r"\ba live\b", "alive"),
    (r"\bto night\b", "tonight"),
    (r"\ball ready\b", "already"),
    (r"\bevery (thing|one|body|where)\b", r"every\1"),
    (r"\b(some|any|no) (thing|one|body|where)\b", r"\1\2"),
    (r"\bany more\b", "anymore"),
    (r"\bwith out\b", "without"),
    (r"\ba bout\b", "about"),
    (r"\b(down|up) stairs\b", r"\1stairs"),
    (r"\bin side\b", "inside"),
    (r"\bover whelm", "overwhelm"),
    (r"\bbreak fast\b", "breakfast"),
    (r"\bgood bye", "goodbye"),
    (r"\bnife\b", "knife"),
    (r"\bpils\b", "pills"),
    (r"\bminuets\b", "minutes"),
    (r"\bhole (bunch|bottle|box|packet|lot)\b", r"whole \1"),
    (r"\bwood (rather|be|have)\b", r"would \1"),
    (r"\b(i|they|you) no\b(?= (that|everything|what|where|it|how|its|im))", r"\1 know"),
    (r"\b(cant|can|couldnt) (sea|seen)\b", r"\1 see"),
    (r"\bevery our\b", "every hour"),
    (r"\bknights\b", "nights"),
    (r"\b(want|wanna|going|gonna|ready) to dye\b(?! (?:my|your|her|his|their|it|the|them|this|that)\b)", r"\1 to die"),
    (r"\b(can|could) here\b", r"\1 hear"),
    (r"\bsewer ?slide\b", "suicide"),
    (r"\bsue ?a ?side\b", "suicide"),
    (r"\bself ?harm", "self harm"),
    (r"\bself ?delet", "self delet"),
    (r"\bover ?dose", "overdose"),
    (r"\bgirl friend\b", "girlfriend"),
    (r"\bboy friend\b", "boyfriend"),
)
_ASR_COMPILED = tuple((re.compile(p), r) for p, r in _ASR_FIXES)


def _fold(text: str) -> str:
    """Strip accents so French and Spanish patterns need one spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clip(text: str) -> str:
    """Bound the work on very long inputs while keeping both ends, where crisis talk often sits."""
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return text[:half] + " . " + text[-half:]


def normalize(text: str) -> str:
    """Lower-case, fold accents, drop apostrophes, unify dashes and repair common ASR splits."""
    text = clip(text)
    text = _fold(unicodedata.normalize("NFKC", text)).lower()
    text = re.sub(r"[\u2018\u2019\u02bc`´']", "", text)
    text = re.sub(r"[\u2010-\u2015\-_/]+", " ", text)
    text = re.sub(r"[\u201c\u201d\"*()\[\]]", " ", text)
    text = re.sub(r"[^\S\n]+", " ", text).strip()
    text = re.sub(r"([.!?;:,])(?=\w)", r"\1 ", text)
    for pattern, repl in _ASR_COMPILED:
        text = pattern.sub(repl, text)
    return text
