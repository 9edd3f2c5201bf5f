"""The crisis screen: detects risk in what the person says, screens the companion's replies, and answers with fixed, reviewed text."""

from voicejournal.crisis.screen import CrisisScreen

__all__ = ["CrisisScreen"]
