"""Regenerate smart_turn_reference.npz: Smart Turn's own feature path, run in a throwaway venv.

    python3.11 -m venv /tmp/ref && /tmp/ref/bin/pip install transformers numpy soundfile onnxruntime
    /tmp/ref/bin/python tests/data/make_smart_turn_reference.py path/to/smart-turn-v3.2-cpu.onnx

The features are what the model was trained on: the smart-turn repo pads the last 8 s at the
front with zeros, then calls transformers' WhisperFeatureExtractor(chunk_length=8) with
padding="max_length", max_length=128000, truncation=True, do_normalize=True. The windows are
cut from the bundled demo recording; tests/test_turn_end.py cuts the same windows and compares.
Features are stored as float16 (small); P(complete) from the full-precision features is stored
beside them, because the model moves by a few hundredths on float16 rounding in an unsure window.
"""

import sys

import numpy as np
import onnxruntime as ort
import soundfile as sf
from transformers import WhisperFeatureExtractor

WINDOWS_S = {"first_turn_end": 5.56, "second_turn_end": 12.56, "mid_second_turn": 10.0}
"""Each window runs from the start of the recording to this second (the first is under 8 s)."""


def last_8s(audio: np.ndarray) -> np.ndarray:
    n = 8 * 16000
    return audio[-n:] if len(audio) >= n else np.pad(audio, (n - len(audio), 0))


def main() -> None:
    demo, rate = sf.read("voicejournal/data/demo/evening.flac", dtype="float32")
    assert rate == 16000
    fe = WhisperFeatureExtractor(chunk_length=8)
    session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
    out = {}
    for name, end_s in WINDOWS_S.items():
        x = last_8s(demo[: int(end_s * 16000)])
        feats = fe(x, sampling_rate=16000, return_tensors="np", padding="max_length", max_length=8 * 16000,
                   truncation=True, do_normalize=True).input_features[0]
        out[name] = feats.astype(np.float16)
        out[f"p_{name}"] = session.run(None, {"input_features": feats[None].astype(np.float32)})[0].reshape(-1)
    np.savez_compressed("tests/data/smart_turn_reference.npz", **out)


if __name__ == "__main__":
    main()
