"""`journal serve ARGS` as the docs test runs it: on a free port (`--port 0`), until the
preview answers its first request, then stopped with Ctrl-C (SIGINT).

Exit status 0 when the address it printed answered 200 and the server then stopped with
status 0; otherwise 1 (or the server's own status when it stopped before printing an address).
Everything the server printed is passed on, so a failing docs test shows it.

    python tests/docs_serve_probe.py [serve options...]
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from typing import IO

ADDRESS = re.compile(r"http://(?:127\.0\.0\.1|localhost|\[::1\]):\d+/\S*")
# A guard against a hang, never a measure of speed: far above the usual second or two.
GUARD_SECONDS = 300


def pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def first_address(lines: queue.Queue[str | None]) -> str | None:
    """The first preview address the server prints (None: it stopped first)."""
    while True:
        try:
            line = lines.get(timeout=GUARD_SECONDS)
        except queue.Empty:
            print(f"docs_serve_probe: no address printed after {GUARD_SECONDS} s", flush=True)
            return None
        if line is None:
            return None
        sys.stdout.write(line)
        found = ADDRESS.search(line)
        if found is not None:
            return found.group(0).rstrip(".,;)")


def status_of(address: str) -> int:
    # No proxy: the preview is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(address, timeout=GUARD_SECONDS) as response:
        response.read()
        return int(response.status)


def default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def main(argv: list[str]) -> int:
    process = subprocess.Popen(
        ["journal", "serve", *argv, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C must reach the server even when this runs in the background, where the
        # shell started it with SIGINT ignored (a child keeps that, and Python then never
        # turns SIGINT into KeyboardInterrupt).
        preexec_fn=default_interrupt,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=pump, args=(process.stdout, lines), daemon=True)
    reader.start()
    address = first_address(lines)
    status = 0
    if address is not None:
        try:
            status = status_of(address)
        except OSError as exc:
            print(f"docs_serve_probe: {address} did not answer: {exc}", flush=True)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
        print("docs_serve_probe: the server did not stop on Ctrl-C", flush=True)
        return 1
    reader.join(timeout=GUARD_SECONDS)
    while not lines.empty():
        line = lines.get()
        if line is not None:
            sys.stdout.write(line)
    print(f"docs_serve_probe: {address} answered {status}; the server stopped with {code}")
    if address is None:
        return code or 1
    return 0 if status == 200 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
