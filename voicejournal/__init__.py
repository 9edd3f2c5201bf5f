"""voicejournal: a private, fully local, voice-driven journaling companion."""

__version__ = "0.1.0"
