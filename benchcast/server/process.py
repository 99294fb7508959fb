"""Run `benchcast serve` as a child process (for load tests, the crash test and the benchmark)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`benchcast serve --db URL` on a free port; `start()` waits until it answers."""

    def __init__(self, db_url: str, host_token: str, *, port: int | None = None, extra: list[str] | None = None,
                 env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.db_url, self.host_token = db_url, host_token
        self.port = port or free_port()
        self.extra = extra or []
        self.env = env
        self.cwd = cwd  # `python -m` puts the working folder first on sys.path
        self.proc: subprocess.Popen | None = None
        self.log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        cmd = [sys.executable, "-m", "benchcast.cli.main", "serve", "--port", str(self.port), "--db", self.db_url, *self.extra]
        # Output goes to a file, not a pipe nobody drains (a full pipe would block the server).
        self.log = tempfile.TemporaryFile()
        env = {**os.environ, "BENCHCAST_HOST_TOKEN": self.host_token, **(self.env or {})}  # never on the command line
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.cwd)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.output()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/questions", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer on {self.url} within {timeout} s")

    def output(self) -> str:
        """What the server printed so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill9(self) -> None:
        """SIGKILL: the process dies at once, mid-transaction if it is in one."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
