"""Recurring themes: the words a person keeps coming back to, counted without any model."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just know let's
like me more most mustn't my myself no nor not now of off on once only or other ought our ours ourselves out
over own really same shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through to too
under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
yourself yourselves yeah okay ok um uh maybe think thing things going gonna want lot kind sort feel feeling
felt today day still even much well back little bit pretty something anything everything nothing way make
made said says went come came go goes take took actually though right sure time good bad great fine one two
help helps helped honestly again tomorrow yesterday
""".split())


def words(text: str) -> list[str]:
    """Content words in a text, lowercased, with plural/-ing/-ed endings folded ("walked" -> "walk")."""
    out = []
    for word in re.findall(r"[a-zA-Z']{4,}", text.lower()):
        word = word.strip("'")
        if word in STOPWORDS or len(word) < 4:
            continue
        out.append(_fold(word))
    return out


def _fold(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def themes(texts: Iterable[str], top: int = 5, min_count: int = 2) -> list[tuple[str, int]]:
    """Words that appear in at least min_count of the texts, most frequent first."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(words(text)))
    return [(w, n) for w, n in counts.most_common() if n >= min_count][:top]
