"""The small frozen messages that flow between pipeline stages.

Every stage takes and returns these, so each can be tested alone from a WAV file.
Audio always travels with its sample rate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class Level(str, enum.Enum):
    """Crisis level, ordinal: none < concern < risk < imminent."""

    NONE = "none"
    CONCERN = "concern"
    RISK = "risk"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return _LEVEL_ORDER.index(self)

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank


_LEVEL_ORDER = [Level.NONE, Level.CONCERN, Level.RISK, Level.IMMINENT]

CATEGORIES = ("none", "suicide", "self_harm", "harm_to_others", "abuse_danger", "medical", "psychosis")

SAMPLE_RATE = 16_000
"""The pipeline's internal rate: 16 kHz mono float32, what Whisper and the VADs expect."""


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] with their rate."""

    samples: np.ndarray = field(repr=False)
    rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech cut from a stream, with where it sat in that stream."""

    audio: Audio
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Transcript:
    """What the transcriber heard in one utterance."""

    text: str
    language: str = "en"
    confidence: float = 0.0
    """Mean token log-probability mapped to 0..1; low values suggest misheard speech."""
    duration_ms: float = 0.0


@dataclass(frozen=True)
class ScreenResult:
    """The crisis screen's verdict on one user utterance."""

    level: Level
    category: str = "none"
    reasons: tuple[str, ...] = ()
    support_other: bool = False
    """True when the person talks about someone else's non-acute struggle (show support resources)."""


@dataclass(frozen=True)
class ReplyVerdict:
    """The crisis screen's verdict on one companion reply."""

    safe: bool
    reason: str = ""

    @property
    def verdict(self) -> str:
        return "safe" if self.safe else "unsafe"


class ReplySource(str, enum.Enum):
    """Where a spoken reply came from."""

    LLM = "llm"
    CRISIS = "crisis"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Reply:
    """A companion reply ready to be spoken."""

    text: str
    source: ReplySource
    model: str = ""
