"""Helpers for tests of the preview server and `journal serve`: requests (plain and raw),
saving like an editor, an event-stream client, polling, and the command in a subprocess."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.serve.server import PreviewServer

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 20.0  # generous: a 2-core machine running other suites at the same time


def atomic_save(path: Path, text: str) -> None:
    """Save as most editors do: write a temporary file beside it, then rename it over."""
    temporary = path.with_name(f".{path.name}.saving.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def address(target: str | PreviewServer) -> tuple[str, int]:
    """The host and port of a server, or of the server at a URL."""
    parts = urlsplit(target if isinstance(target, str) else target.url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def host_line(target: str | PreviewServer) -> bytes:
    """The Host header line that names the server as it names itself (another name gets 421)."""
    host, port = address(target)
    return f"Host: {host}:{port}\r\n".encode()


def request(
    target: str | PreviewServer,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to the server (or the server at a URL) for `path`: status, headers, body."""
    connection = http.client.HTTPConnection(*address(target), timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def fetch(url: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """One request to the server at `url` for `path`: status, headers, body as text."""
    status, headers, body = request(url, path, method)
    lowered = {key.lower(): value for key, value in headers.items()}
    return status, lowered, body.decode("utf-8", "replace")


def raw_request(target: str | PreviewServer, data: bytes, timeout: float = TIMEOUT) -> bytes:
    """Send bytes as they are over a plain socket and read the whole answer."""
    with socket.create_connection(address(target), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a crashed or killed client does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class EventStream:
    """A raw client of the live-reload stream, as a page's EventSource would be."""

    def __init__(
        self,
        target: str | PreviewServer,
        query: str = "",
        headers: dict[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        host, port = address(target)
        all_headers = {"Host": f"{host}:{port}", **(headers or {})}
        lines = "".join(f"{key}: {value}\r\n" for key, value in all_headers.items())
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.sendall(f"GET /__livereload{query} HTTP/1.1\r\n{lines}\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.last_id: str | None = None
        self.status = int(self.file.readline().split()[1])
        self.headers: dict[str, str] = {}
        while (line := self.file.readline().decode().strip()) != "":
            key, _, value = line.partition(":")
            self.headers[key.lower()] = value.strip()

    def next_event(self) -> dict[str, Any]:
        """The next event: {"id", "kind", **data}; raises on timeout or end of stream."""
        fields: dict[str, str] = {}
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("the event stream ended")
            text = line.decode().rstrip("\n")
            if text == "" and "event" in fields:
                self.last_id = fields.get("id")
                return {
                    "id": fields.get("id"),
                    "kind": fields["event"],
                    **json.loads(fields["data"]),
                }
            if text and not text.startswith(":"):
                key, _, value = text.partition(": ")
                fields[key] = value

    def wait_for(self, kind: str) -> dict[str, Any]:
        while (event := self.next_event())["kind"] != kind:
            pass
        return event

    def close(self, abruptly: bool = False) -> None:
        """Close the stream; `abruptly` with a TCP reset."""
        self.file.close()
        if abruptly:
            reset(self.sock)
        else:
            self.sock.close()


class ServeProcess:
    """`journal serve` in a subprocess; `stop` sends Ctrl-C (SIGINT) and waits for the exit."""

    def __init__(self, args: Sequence[str], cwd: Path | None = None, **env_vars: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **env_vars}
        env["PYTHONFAULTHANDLER"] = "1"  # SIGABRT prints every thread's stack: see stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", *args],
            cwd=cwd or REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # A test run started with Ctrl-C ignored (a background job) must not pass that on.
            preexec_fn=_default_sigint,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        self._stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self._stderr.extend(self.process.stderr)

    @property
    def stderr(self) -> str:
        """Everything written to stderr so far."""
        return "".join(self._stderr)

    def next_line(self, timeout: float = TIMEOUT) -> str | None:
        """The next line of its output; None once it has ended."""
        line = self.lines.get(timeout=timeout)
        if line is not None:
            self.stdout.append(line)
        return line

    def wait_for_url(self, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while (line := self.next_line(max(0.1, deadline - time.monotonic()))) is not None:
            match = re.search(r"Serving the preview at (http://\S+)", line)
            if match:
                return match.group(1)
        self.wait()
        raise AssertionError(f"no URL printed; stdout: {self.stdout}; stderr: {self.stderr}")

    def wait(self, timeout: float = TIMEOUT) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(timeout)
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.stdout.append(line)
        return code

    def stop(self) -> int:
        """Ctrl-C, then the exit code. A server still running after that fails the test, with
        the stacks of its threads."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.wait()
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            try:
                self.wait()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.wait()
            raise AssertionError(f"journal serve ignored Ctrl-C:\n{self.stderr}") from None

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.stop()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
