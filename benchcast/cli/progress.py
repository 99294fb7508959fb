"""Progress on stderr for commands that take more than a couple of seconds.

    with Progress("fitting the population model", enabled=not as_json) as bar:
        build_prior(..., progress=bar.tasks)

On a terminal one status line is redrawn every half second with the elapsed time; otherwise
(a log file, CI) a line is written only when something changes. Disabled, it writes nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

REDRAW_SECONDS = 0.5


class Progress:
    """A status line on stderr: a label, the latest news and the elapsed time."""

    def __init__(self, label: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.news = ""
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __enter__(self) -> Progress:
        self.started = time.monotonic()
        if not self.enabled:
            return self
        if self.is_tty:
            self._thread = threading.Thread(target=self._redraw, daemon=True)
            self._thread.start()
        else:
            self._write(f"{self.label} ...\n")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.enabled:
            status = "done" if exc_type is None else "stopped"
            self._write(("\r\033[K" if self.is_tty else "") + f"{self.label}: {status} in {self.elapsed():.1f} s\n")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def update(self, news: str) -> None:
        """Say what is happening now."""
        with self._lock:
            self.news = news
        if self.enabled and not self.is_tty:
            self._write(f"{self.label}: {news} ({self.elapsed():.0f} s)\n")

    def tasks(self, done: int, total: int, name: str) -> None:
        """A `forecast.parallel.map_tasks` progress callback."""
        self.update(f"{done}/{total} done ({name})")

    def _line(self) -> str:
        news = f" - {self.news}" if self.news else ""
        return f"\r\033[K{self.label}{news} [{self.elapsed():.0f} s]"

    def _redraw(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            with self._lock:
                self._write(self._line())

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
