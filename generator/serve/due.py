"""A timer for the next moment something is due (serve's posts dated later, in preview.py).

`DueTimer.set(moment)` calls its `wake` function at that moment, by its clock, in another
thread; setting it again replaces the wait. A wait is never longer than LONGEST_WAIT, and
when it ends the clock is asked: if the moment is still ahead (a far date, a clock turned
back), the timer waits again. A wait is counted on a clock that stops while the computer
sleeps: a short one keeps a post from coming hours late after a night with the lid closed.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

__all__ = ["LONGEST_WAIT", "Alarm", "DueTimer", "SetAlarm", "set_alarm"]

LONGEST_WAIT = 60.0
"""The longest wait in seconds before the clock is asked again (a look costs nothing)."""


class Alarm(Protocol):
    """A wake-up that was set: it can be called off."""

    def cancel(self) -> None: ...


SetAlarm = Callable[[float, Callable[[], None]], Alarm]
"""Calls the function after so many seconds, in another thread, unless called off."""


def set_alarm(seconds: float, wake: Callable[[], None]) -> Alarm:
    """A daemon `threading.Timer`, started."""
    timer = threading.Timer(seconds, wake)
    timer.name, timer.daemon = "preview-due", True
    timer.start()
    return timer


class DueTimer:
    """Calls `wake` once the `clock` reads the moment last `set` or later. `alarm` sets
    each wait (a test's, to end them itself)."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
        alarm: SetAlarm = set_alarm,
    ) -> None:
        self._clock = clock
        self._wake = wake
        self._set_alarm = alarm
        self._lock = threading.Lock()
        self._alarm: Alarm | None = None
        self._moment: datetime | None = None  # what is waited for
        self._waits = 0  # how many waits were set: one that was replaced ends in nothing
        self._stopped = False

    def set(self, moment: datetime | None) -> None:
        """Wait for `moment` instead of what was waited for (None: for nothing)."""
        with self._lock:
            self._call_off()
            self._moment = moment
            self._wait()

    def _wait(self) -> None:
        """Wait for the moment, LONGEST_WAIT at most (lock held)."""
        moment = self._moment
        if moment is None or self._stopped:
            return
        seconds = (moment - self._clock()).total_seconds()
        self._waits += 1
        ended = functools.partial(self._ended, self._waits)
        self._alarm = self._set_alarm(min(max(seconds, 0.0), LONGEST_WAIT), ended)

    def _ended(self, wait: int) -> None:
        """A wait ended: wake if the moment has come, else wait again."""
        with self._lock:
            moment = self._moment
            if moment is None or self._stopped or wait != self._waits:
                return
            if self._clock() < moment:
                self._wait()
                return
            self._moment = self._alarm = None
        self._wake()  # (not holding the lock: `wake` builds, and the build sets the timer)

    def stop(self) -> None:
        """Wait for nothing, now and after (safe from any thread, more than once)."""
        with self._lock:
            self._stopped = True
            self._call_off()

    def _call_off(self) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
