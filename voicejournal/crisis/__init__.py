"""The crisis screen: detects risk in what the person says, screens the companion's replies, and answers with fixed, reviewed text."""

from voicejournal.crisis.resources import Resources, resources_for
from voicejournal.crisis.responses import crisis_response, safe_fallback_reply
from voicejournal.crisis.screen import CrisisScreen
from voicejournal.crisis.session import SessionGuard

__all__ = ["CrisisScreen", "Resources", "SessionGuard", "crisis_response", "resources_for", "safe_fallback_reply"]
