"""Work on a thread while the live session starts; its first use waits for it.

Whisper loads beside the voice (and the microphone's PortAudio start-up) so the first word comes
sooner, and the listening models warm up while the opening line plays. An error is raised where the
result is first used. (The companion's llama.cpp model is not loaded this way: see app.load_companion.)
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


@runtime_checkable
class LoadsInBackground(Protocol):
    """A backend or transcriber that may still be loading."""

    def wait_loaded(self) -> None: ...


class Loading(Generic[T]):
    """`build()` now, or (background) on a thread; `get` returns its result or raises its error.

    Also used for a background job with no result (the live session's warm-up)."""

    def __init__(self, build: Callable[[], T], background: bool = False, name: str = "model") -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if not background:
            self._value = build()
            return

        def run() -> None:
            try:
                self._value = build()
            except BaseException as exc:  # noqa: BLE001 - raised again where the model is used
                self._error = exc

        self._thread = threading.Thread(target=run, name=f"load-{name}", daemon=True)
        self._thread.start()

    def get(self) -> T:
        """The result, once there is one; the build's error, raised here, if it failed."""
        self.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def join(self) -> None:
        """Wait for the build to end, without raising its error (before closing what it uses)."""
        if self._thread is not None:
            self._thread.join()
