"""Errors the CLI turns into one clean line (and exit status 1) instead of a traceback."""


class UserError(Exception):
    """Something the person can fix; the message says what to do."""


class ModelError(UserError):
    """A model is missing, incomplete or fails its checksum."""


class AudioError(UserError):
    """Audio could not be read, decoded or played."""


class BackendUnavailable(UserError):
    """An LLM backend (Ollama, an OpenAI-compatible server) cannot be reached."""
