"""The preview server under attack and load, spoken to through raw sockets.

Huge request lines and headers, clients that send one byte a second or never read, 200
requests at once, 50 live-reload clients that come and go, and pages of other origins that
try to use the live-reload channel (also from a real headless Chromium, when installed).
After every test the server must still be running, answer a plain request, and have logged
no error. (Path traversal forms are in test_serve.py.)
"""

from __future__ import annotations

import json
import logging
import random
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser import headless_chromium, skip_without_chromium
from serving import (
    TIMEOUT,
    EventStream,
    address,
    request,
    reset,
    status_of,
    wait_until,
)

from generator.serve.server import PreviewServer
from generator.serve.targets import own_host, own_names

PAGE = "<!doctype html><html><head><title>{0}</title></head><body><h1>{0}</h1></body></html>"
SITE = {
    "index.html": PAGE.format("Home"),
    "2024/partnership/index.html": PAGE.format("Partnership"),
    "404.html": PAGE.format("Page not found"),
    "assets/style.css": "body { color: #333; }\n",
}


def raw_exchange(server: PreviewServer, data: bytes) -> bytes:
    """Send bytes as they are; read the answer until the server closes (b"" if it reset)."""
    with socket.create_connection(address(server), timeout=TIMEOUT) as sock:
        chunks = []
        try:
            sock.sendall(data)
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server closed before reading everything: a fine answer to garbage
    return b"".join(chunks)


@pytest.fixture
def server(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> Iterator[PreviewServer]:
    """A preview server of a small site, with a secret beside it; checked for life after."""
    root = tmp_path / "output"
    for name, text in SITE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "big.bin").write_bytes(b"x" * 8_000_000)
    (tmp_path / "secret.txt").write_text("never served", encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="generator.serve.handler")
    preview = PreviewServer(root, port=0, keepalive_seconds=0.05)
    preview.start()
    try:
        yield preview
        assert preview._thread is not None and preview._thread.is_alive(), "the server died"
        assert request(preview, "/2024/partnership/")[0] == 200
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert "Traceback" not in capfd.readouterr().err
    finally:
        preview.shutdown()


# ---------------------------------------------------------------- oversized requests

OVERSIZED = {
    "a 1 MB request line": b"GET /" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a 1 MB query": b"GET /?" + b"q=1&" * 250_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a 1 MB header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 1_000_000 + b"\r\n\r\n",
    "10 000 headers": b"GET / HTTP/1.1\r\n" + b"X-A: 1\r\n" * 10_000 + b"\r\n",
    "a line that never ends": b"GET /" + b"a" * 1_000_000,
    "1 MB of zero bytes": b"\x00" * 1_000_000,
    "1 MB of newlines": b"\r\n" * 500_000,
    "a huge method": b"G" * 1_000_000 + b" / HTTP/1.1\r\n\r\n",
    "a 1 MB line to the events": b"GET /__livereload?" + b"s" * 1_000_000 + b" HTTP/1.1\r\n\r\n",
}


@pytest.mark.parametrize("name", list(OVERSIZED))
def test_oversized_requests_are_refused(server: PreviewServer, name: str) -> None:
    answer = raw_exchange(server, OVERSIZED[name])
    assert answer == b"" or status_of(answer) in (400, 414, 431), answer[:200]
    assert b"never served" not in answer


def test_oversized_requests_all_at_once_while_others_are_served(server: PreviewServer) -> None:
    with ThreadPoolExecutor(max_workers=len(OVERSIZED) + 10) as pool:
        attacks = [pool.submit(raw_exchange, server, data) for data in OVERSIZED.values()]
        normal = [pool.submit(request, server, "/2024/partnership/") for _ in range(10)]
        assert [f.result(timeout=60)[0] for f in normal] == [200] * 10
        for attack in attacks:
            answer = attack.result(timeout=60)
            assert answer == b"" or status_of(answer) in (400, 414, 431)


# ---------------------------------------------------------------- slow and stalled clients


def test_slow_clients_do_not_block_others(server: PreviewServer) -> None:
    """Twenty clients send a request one byte a second, ten connect and say nothing, five
    ask for a big file and never read it; meanwhile every plain request is answered."""
    stop = threading.Event()
    request_bytes = b"GET /2024/partnership/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    sent: list[int] = []

    def drip() -> None:
        with socket.create_connection(address(server), timeout=TIMEOUT) as sock:
            for byte in request_bytes:
                if stop.wait(1.0):
                    return
                sock.sendall(bytes([byte]))
                sent.append(1)

    idle = [socket.create_connection(address(server), timeout=TIMEOUT) for _ in range(10)]
    stalled = []
    for _ in range(5):
        sock = socket.create_connection(address(server), timeout=TIMEOUT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        stalled.append(sock)
    drippers = [threading.Thread(target=drip, daemon=True) for _ in range(20)]
    for thread in drippers:
        thread.start()
    try:
        assert wait_until(lambda: len(sent) >= 40), "the slow clients are not sending"
        for path in ("/", "/2024/partnership/", "/assets/style.css", "/missing/") * 5:
            assert request(server, path)[0] in (200, 404)
    finally:
        stop.set()
        for thread in drippers:
            thread.join(timeout=TIMEOUT)
        for sock in idle + stalled:
            reset(sock)


def test_two_hundred_requests_at_once_are_all_answered(server: PreviewServer) -> None:
    cases = [
        ("GET", "/2024/partnership/", 200),
        ("GET", "/assets/style.css", 200),
        ("HEAD", "/", 200),
        ("GET", "/missing/", 404),
        ("GET", "/2024/partnership", 301),
    ] * 40
    start = threading.Barrier(len(cases), timeout=TIMEOUT)

    def one(case: tuple[str, str, int]) -> int:
        start.wait()
        return request(server, case[1], method=case[0])[0]

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        statuses = list(pool.map(one, cases))
    assert statuses == [expected for _, _, expected in cases]


# ---------------------------------------------------------------- live reload under churn


def test_fifty_reload_clients_that_come_and_go(server: PreviewServer) -> None:
    rng = random.Random(50)
    streams = [EventStream(server) for _ in range(50)]
    try:
        for stream in streams:
            assert stream.status == 200
            stream.wait_for("hello")
        for round_number in range(4):
            leaving = rng.sample(streams, 25)
            for stream in leaving:
                stream.close(abruptly=rng.random() < 0.5)
                streams.remove(stream)
            newcomers = [EventStream(server) for _ in range(25)]
            for stream in newcomers:
                stream.wait_for("hello")
            streams += newcomers
            server.notify_reload(["2024/partnership/index.html"])
            for stream in streams:
                assert stream.wait_for("reload")["paths"] == ["/2024/partnership/"], round_number
            assert request(server, "/")[0] == 200
    finally:
        for stream in streams:
            stream.close(abruptly=True)
    assert wait_until(lambda: server._hub.open_streams == 0), "streams of gone clients linger"


# ---------------------------------------------------------------- other origins


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://evil.example:{port}",
        "http://{host}:1",
        "https://{host}:{port}",
        "null",
        "http://{host}:{port}.evil.example",
        "http://{host}@evil.example:{port}",
        "file://",
    ],
)
def test_pages_of_other_origins_are_refused_the_reload_channel(
    server: PreviewServer, origin: str
) -> None:
    host, port = address(server)
    stream = EventStream(server, headers={"Origin": origin.format(host=host, port=port)})
    try:
        assert stream.status == 403
        assert "access-control-allow-origin" not in stream.headers
        with pytest.raises((EOFError, ValueError, KeyError, json.JSONDecodeError)):
            stream.next_event()
    finally:
        stream.close()
    assert server._hub.open_streams == 0


@pytest.mark.parametrize("name", ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_a_rebound_domain_name_is_refused_the_reload_channel(
    server: PreviewServer, name: str
) -> None:
    """DNS rebinding: a page of evil.example, its name now pointing at 127.0.0.1, is "same
    origin" to the browser (Host and Origin agree), yet must not reach the channel."""
    _, port = address(server)
    stream = EventStream(
        server, headers={"Host": f"{name}:{port}", "Origin": f"http://{name}:{port}"}
    )
    try:
        assert stream.status == 421
    finally:
        stream.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "journal.localhost"])
def test_the_preview_itself_may_use_the_reload_channel(server: PreviewServer, host: str) -> None:
    _, port = address(server)
    stream = EventStream(
        server, headers={"Host": f"{host}:{port}", "Origin": f"http://{host}:{port}"}
    )
    try:
        assert stream.status == 200
        assert stream.wait_for("hello")["kind"] == "hello"
    finally:
        stream.close()


OTHER_NAMES = [
    "evil.example",
    "127.0.0.1.nip.io",
    "localhost.evil.example",
    "localhost.",
    "10.0.0.1",
    "[::2]",
]


@pytest.mark.parametrize("name", OTHER_NAMES)
@pytest.mark.parametrize("path", ["/", "/2024/partnership/", "/assets/style.css", "/missing/"])
def test_a_request_by_another_host_name_is_refused_on_every_path(
    server: PreviewServer, name: str, path: str
) -> None:
    """DNS rebinding: a site whose name now points at 127.0.0.1 must not read the preview
    (drafts included, under --drafts). It gets 421 and the names to use instead."""
    _, port = address(server)
    for method in ("GET", "HEAD"):
        status, _, body = request(server, path, method, headers={"Host": f"{name}:{port}"})
        assert status == 421, (name, path, method)
        assert b"Partnership" not in body and b"color" not in body
    _, _, body = request(server, path, headers={"Host": f"{name}:{port}"})
    assert f"127.0.0.1:{port}".encode() in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_the_preview_answers_its_own_names_at_its_port(server: PreviewServer, host: str) -> None:
    _, port = address(server)
    named = {"Host": host.format(port=port)}
    status, _, body = request(server, "/2024/partnership/", headers=named)
    assert status == 200 and b"Partnership" in body
    status, _, _ = request(server, "/", headers={"Host": f"127.0.0.1:{port + 1}"})
    assert status == 421  # (another port: another server's name)


def test_no_answer_invites_other_origins(server: PreviewServer) -> None:
    for path in ("/", "/assets/style.css", "/missing/", "/__livereload"):
        _, headers, _ = request(server, path, method="HEAD", headers={"Origin": "http://e.x"})
        assert headers.get("Access-Control-Allow-Origin") is None


EVIL_PAGE = """<!doctype html><html><head><title>evil</title></head><body><script>
window.result = {events: 0, errors: 0, fetched: "pending"};
var source = new EventSource("TARGET/__livereload");
["hello", "reload", "problems", "clear", "message"].forEach(function (kind) {
  source.addEventListener(kind, function () { window.result.events += 1; });
});
source.onerror = function () { window.result.errors += 1; };
fetch("TARGET/__livereload").then(function (r) { return r.text(); }).then(
  function (text) { window.result.fetched = "read " + text.length; },
  function () { window.result.fetched = "blocked"; });
</script></body></html>"""


def test_a_page_of_another_origin_in_a_real_browser_gets_nothing(
    server: PreviewServer, tmp_path: Path
) -> None:
    skip_without_chromium()
    target = server.url.rstrip("/")
    evil_root = tmp_path / "evil"
    evil_root.mkdir()
    (evil_root / "index.html").write_text(EVIL_PAGE.replace("TARGET", target), encoding="utf-8")
    evil = PreviewServer(evil_root, port=0)
    evil.start()
    try:
        with headless_chromium() as browser:
            page = browser.new_page()
            page.goto(evil.url)
            page.wait_for_function(
                "window.result.errors > 0 && window.result.fetched !== 'pending'",
                timeout=TIMEOUT * 1000,
            )
            assert server._hub.open_streams == 0
            server.notify_reload(None)
            result = page.evaluate("window.result")
    finally:
        evil.shutdown()
    assert result["events"] == 0
    assert result["fetched"] == "blocked"


def test_own_host_knows_the_address_it_listens_on() -> None:
    """Bound to an address of the machine, that address is a name of the preview too;
    bound to every interface, any IP address (a phone on the same network), never a name."""
    assert own_host("192.168.1.5:8000", 8000, "192.168.1.5")
    assert not own_host("192.168.1.6:8000", 8000, "192.168.1.5")
    assert own_host("192.168.1.6:8000", 8000, "0.0.0.0")
    assert own_host("[fe80::1]:8000", 8000, "::")
    assert not own_host("evil.example:8000", 8000, "0.0.0.0")
    assert own_host("journal.localhost:8000", 8000, "127.0.0.1")
    assert not own_host("127.0.0.1", 8000, "127.0.0.1")  # (no port: port 80)
    assert own_host(None, 8000, "127.0.0.1")  # (no browser leaves Host out)
    assert own_names(8000, "192.168.1.5").endswith("192.168.1.5:8000")
