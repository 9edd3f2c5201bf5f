"""The reply screen's learned layer: MiniLM-L6 fine-tuned end to end on companion replies (int8 ONNX).

Trained by scripts/finetune_replies.py (separate training venv) and shipped as voicejournal/data/reply_model.onnx
with reply_model.card.json (the reasons, in output order, and the cut-off). One pass over the reply as written gives
P(safe) and P(each of the 8 unsafe reasons); the reply is blocked when P(unsafe) = 1 - P(safe) reaches the cut-off,
with the most likely unsafe reason. At run time only onnxruntime, numpy and tokenizers are used; it loads lazily,
once, on one thread (minilm.LazyModel), and is deterministic. When the files are missing the caller falls back to the
frozen reply head (semantic.reply_unsafe_reason) with a logged warning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voicejournal.crisis.minilm import LazyModel, Opened, open_with_card

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "reply_model.onnx"
CARD_PATH = MODEL_PATH.with_suffix(".card.json")


def _reasons_and_cut_off(card: dict) -> tuple[tuple[str, ...], float]:
    """(reasons in output order, 'safe' first; cut-off in (0, 1]) from the model card; ValueError when it is not that."""
    reasons = tuple(str(r) for r in card["reasons"])
    threshold = float(card["threshold"])
    if len(reasons) < 2 or reasons[0] != "safe" or not 0.0 < threshold <= 1.0:
        raise ValueError("bad card: need 'safe' and the reasons, and a cut-off in (0, 1]")
    return reasons, threshold


class ReplyModel:
    """Lazy ONNX session + tokenizer + card (reasons and cut-off)."""

    def __init__(self, model: Path = MODEL_PATH, card: Path = CARD_PATH) -> None:
        self._model, self._card = model, card
        self._onnx = LazyModel(self._open)
        self.reasons: tuple[str, ...] = ()
        self.threshold = 1.0

    def _open(self) -> Opened | None:
        """The tokenizer and session, the card read; on any failure, None and a warning (the frozen head is used)."""
        loaded = open_with_card(self._model, self._card, _reasons_and_cut_off, "reply screen: fine-tuned reply model",
                                "the frozen reply head")
        if loaded is None:
            return None
        opened, (self.reasons, self.threshold) = loaded
        return opened

    @property
    def available(self) -> bool:
        return self._onnx.available

    def probs(self, reply: str) -> np.ndarray:
        """P(safe), then P(each unsafe reason), in the card's order."""
        ids = np.asarray([self._onnx.tokenizer.encode(reply).ids], dtype=np.int64)
        return self._onnx.session.run(None, {"input_ids": ids})[0][0]

    def unsafe_reason(self, reply: str) -> str | None:
        """The reason when the model would block the reply, '' when it passes, None when the model is unavailable."""
        if not self.available:
            return None
        if not reply.strip():
            return ""
        p = self.probs(reply)
        if 1.0 - float(p[0]) < self.threshold:
            return ""
        return self.reasons[1 + int(np.argmax(p[1:]))]


_MODEL = ReplyModel()


def get_reply_model() -> ReplyModel:
    """The process-wide reply model."""
    return _MODEL


def reply_model_reason(reply: str) -> str | None:
    """The fine-tuned reply model's verdict: a reason to block, '' to pass, None when it is not installed."""
    return _MODEL.unsafe_reason(reply)
