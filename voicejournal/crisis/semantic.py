"""The learned semantic layer: MiniLM views of an utterance, a small numpy head, and CV-set thresholds.

semantic_score() uses the fine-tuned model (finetuned.py) when it is shipped; the frozen MiniLM + numpy
head here is then only the fallback. The text preparation and the views below are shared by both.

`views()` gives one vector for the whole utterance and, when it has several sentences, one vector
per sentence (mean-pooled over that sentence's tokens from the same model pass), so crisis talk
buried in ordinary talk is still seen. The head (trained by scripts/train_crisis.py, shipped as
voicejournal/data/crisis_head.npz) gives P(level) and P(category) for each view; the utterance
takes the highest risk over its views. Deterministic; patterns-only when the model is missing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voicejournal.crisis.embed import get_embedder
from voicejournal.crisis.guards import neutralise_idioms
from voicejournal.crisis.normalize import normalize
from voicejournal.types import Level

log = logging.getLogger(__name__)

HEAD_PATH = Path(__file__).resolve().parents[1] / "data" / "crisis_head.npz"
LEVELS = (Level.NONE, Level.CONCERN, Level.RISK, Level.IMMINENT)
CHUNK_CHARS = 400
MAX_CHUNKS = 6
"""Very long inputs are embedded in at most this many chunks of CHUNK_CHARS (first and last halves)."""

_SLANG: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"\bkms\b", "kill myself"), (r"\bkys\b", "kill yourself"), (r"\bctb\b", "end my life"),
    (r"\bunaliv(?:e|ing)\b", "kill"), (r"\bself delet\w*\b", "kill myself"), (r"\byeet(?:ing)? myself\b", "kill myself"),
    (r"\bsh\b", "self harm"), (r"\bsi\b", "suicidal thoughts"), (r"\bod\b", "overdose"),
))
_SENT_END = re.compile(r"[.!?;\n]+")


def prepare(text: str) -> str:
    """The text the embedder sees: normalised (ASR fixes), idioms blanked, coded slang spelled out."""
    out = neutralise_idioms(normalize(text))
    for pattern, repl in _SLANG:
        out = pattern.sub(repl, out)
    return out


def _sentence_ids(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Sentence index of each token (from character offsets); special tokens get -1."""
    ends = [m.end() for m in _SENT_END.finditer(text)]
    ids, k = [], 0
    for i, (a, b) in enumerate(offsets):
        if b == 0 and a == 0 and (i == 0 or i == len(offsets) - 1):
            ids.append(-1)
            continue
        while k < len(ends) and a >= ends[k]:
            k += 1
        ids.append(k)
    return ids


def _chunks(text: str) -> list[str]:
    """Split a long text into sentence-aligned chunks of at most CHUNK_CHARS (about MAX_TOKENS tokens)."""
    if len(text) <= CHUNK_CHARS + 100:
        return [text]
    sents = [s for s in re.split(r"(?<=[.!?;\n])\s+", text) if s.strip()]
    chunks, cur = [], ""
    for s in sents:
        while len(s) > CHUNK_CHARS:
            chunks.append(s[:CHUNK_CHARS])
            s = s[CHUNK_CHARS:]
        if cur and len(cur) + len(s) > CHUNK_CHARS:
            chunks.append(cur)
            cur = ""
        cur = f"{cur} {s}".strip()
    if cur:
        chunks.append(cur)
    if len(chunks) > MAX_CHUNKS:
        chunks = chunks[: MAX_CHUNKS // 2] + chunks[-(MAX_CHUNKS // 2):]
    return chunks


def views(text: str) -> np.ndarray:
    """(n_views, 384): the whole (prepared) text first, then one vector per sentence of 3+ tokens."""
    emb = get_embedder()
    prepared = prepare(text) or "."
    vecs: list[np.ndarray] = []
    for chunk in _chunks(prepared):
        hidden, offsets = emb.token_states(chunk)
        sid = np.asarray(_sentence_ids(chunk, offsets))
        vecs.append(_pool(hidden, np.ones(len(sid), dtype=bool)))
        sents = sorted(set(sid[sid >= 0].tolist()))
        if len(sents) > 1:
            for s in sents:
                mask = sid == s
                if mask.sum() >= 3:
                    vecs.append(_pool(hidden, mask))
    return np.stack(vecs)


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the masked tokens, L2-normalised."""
    v = hidden[mask].mean(axis=0)
    n = float(np.linalg.norm(v))
    return (v / n if n > 0 else v).astype(np.float32)


@dataclass(frozen=True)
class Head:
    """A small MLP (or linear) head: level and category softmaxes over an embedding."""

    w1: np.ndarray | None
    b1: np.ndarray | None
    wl: np.ndarray
    bl: np.ndarray
    wc: np.ndarray
    bc: np.ndarray
    categories: tuple[str, ...]
    thresholds: tuple[float, float, float]
    """Cut-offs on P(>=concern), P(>=risk), P(imminent)."""

    def probs(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level probabilities (n, 4), category probabilities (n, k)) for rows of x."""
        h = x if self.w1 is None else np.maximum(x @ self.w1 + self.b1, 0.0)
        return _softmax(h @ self.wl + self.bl), _softmax(h @ self.wc + self.bc)

    @classmethod
    def load(cls, path: Path) -> Head:
        """Read the npz written by scripts/train_crisis.py."""
        z = np.load(path, allow_pickle=False)
        hidden = "w1" in z.files
        f32 = lambda k: z[k].astype(np.float32)  # noqa: E731
        return cls(f32("w1") if hidden else None, f32("b1") if hidden else None, f32("wl"), f32("bl"), f32("wc"), f32("bc"),
                   tuple(str(c) for c in z["categories"]), tuple(float(t) for t in z["thresholds"]))  # type: ignore[arg-type]


def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Combination:
    """How one learned layer's probabilities meet the patterns: read from its card, neutral when the card has none.

    Both are properties of the model's calibration, so they are picked with its cut-offs on the held-out author
    (scripts/pick_combination.py) and travel in the same card.
    """

    imminent_mass: float = 1.01
    """P(imminent) at or above which the level is at least risk (above 1: off; combine.py). The model often splits
    an imminent item's probability between none and imminent; a one-in-ten chance of an emergency is not "none"."""
    pattern_veto_p: float = 0.0
    """Below this P(>=concern) a pattern hit is cleared (0: never): the patterns' false alarms ("knife skills
    class tonight") are mostly utterances the model is sure are ordinary."""


@dataclass(frozen=True)
class SemanticScore:
    """The learned layer's verdict: cumulative level probabilities, the level they give, and a category."""

    p_concern: float
    p_risk: float
    p_imminent: float
    level: Level
    category: str
    view: int
    """Which view set the score: 0 is the whole utterance, >0 a sentence."""
    combination: Combination = Combination()
    """How the layer that gave this score meets the patterns (its card's values; combine.py)."""
    likely_category: str = "none"
    """The category of the view with the highest P(>=risk), whatever the level."""


def cumulative(p: np.ndarray) -> np.ndarray:
    """(n, 3): P(>=concern), P(>=risk), P(imminent) from (n, 4) level probabilities."""
    return np.stack([p[:, 1:].sum(axis=1), p[:, 2:].sum(axis=1), p[:, 3]], axis=1)


def decide(cum: np.ndarray, thresholds: tuple[float, float, float]) -> int:
    """Ordinal level from one row of cumulative probabilities: the highest cut-off passed."""
    for k in (2, 1, 0):
        if cum[k] >= thresholds[k]:
            return k + 1
    return 0


def score_views(head: Head, x: np.ndarray) -> SemanticScore:
    """The frozen head's max-over-views score for embedded views x."""
    p_lvl, p_cat = head.probs(x)
    return max_over_views(p_lvl, p_cat, head.thresholds, head.categories)


def max_over_views(p_lvl: np.ndarray, cat_scores: np.ndarray, thresholds: tuple[float, float, float],
                   categories: tuple[str, ...], combination: Combination = Combination()) -> SemanticScore:
    """Per cut-off the highest view; category from the view with the highest P(>=risk).

    p_lvl: (V, 4) level probabilities; cat_scores: (V, C) category probabilities or logits.
    """
    cum = cumulative(p_lvl)
    best = cum.max(axis=0)
    top = int(np.argmax(cum[:, 1] + 1e-3 * cum[:, 0]))
    level = LEVELS[decide(best, thresholds)]
    likely = categories[int(np.argmax(cat_scores[top]))]
    return SemanticScore(float(best[0]), float(best[1]), float(best[2]), level, likely if level != Level.NONE else "none",
                         top, combination, likely)


@lru_cache(maxsize=1)
def load_head() -> Head | None:
    """The shipped head, or None (with a warning) when it or the embedding model is missing."""
    if not HEAD_PATH.is_file():
        log.warning("crisis screen: %s missing; patterns only", HEAD_PATH.name)
        return None
    if not get_embedder().available:
        return None
    try:
        return Head.load(HEAD_PATH)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("crisis screen: cannot read %s (%s); patterns only", HEAD_PATH.name, exc)
        return None


def semantic_score(text: str) -> SemanticScore | None:
    """The learned layer's score for one utterance, or None when no learned layer is available.

    The fine-tuned model (finetuned.py, crisis_model.onnx) is the learned layer; the frozen MiniLM + numpy
    head below is only the fallback when that file is missing (finetuned.py logs a warning once).
    """
    if not text.strip():
        return None
    from voicejournal.crisis.finetuned import get_finetuned

    ft = get_finetuned()
    if ft.available:
        return ft.score(text)
    head = load_head()
    if head is None:
        return None
    return score_views(head, views(text))


def layer_name() -> str:
    """Which learned layer is in use: 'finetuned', 'frozen' or 'none' (patterns only)."""
    from voicejournal.crisis.finetuned import get_finetuned

    if get_finetuned().available:
        return "finetuned"
    return "frozen" if load_head() is not None else "none"


@lru_cache(maxsize=1)
def _reply_head() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], float] | None:
    """(weights, bias, reasons, cut-off) of the learned reply head, or None."""
    if not HEAD_PATH.is_file() or not get_embedder().available:
        return None
    try:
        z = np.load(HEAD_PATH, allow_pickle=False)
        return (z["r_w"].astype(np.float32), z["r_b"].astype(np.float32), tuple(str(r) for r in z["r_reasons"]),
                float(z["r_threshold"][0]))
    except (OSError, KeyError, ValueError) as exc:
        log.warning("crisis screen: no learned reply head (%s); reply patterns only", exc)
        return None


def reply_unsafe_reason(reply: str) -> str:
    """The learned reply head's reason when it would block the reply, else ''."""
    head = _reply_head()
    if head is None:
        return ""
    w, b, reasons, cut = head
    p = _softmax((get_embedder().embed(reply)[None, :] @ w) + b)[0]
    return reasons[1 + int(np.argmax(p[1:]))] if 1.0 - float(p[0]) >= cut else ""
