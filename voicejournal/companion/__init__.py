"""The companion: a local LLM behind a small protocol, a prompt for the ear, and guards."""

from voicejournal.companion.backends import ChatBackend, Message, make_backend
from voicejournal.companion.companion import Companion

__all__ = ["ChatBackend", "Companion", "Message", "make_backend"]
