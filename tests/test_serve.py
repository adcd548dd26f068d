"""The preview server: static files, safety, live reload and the error overlay."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from serving import (
    EventStream,
    address,
    host_line,
    raw_request,
    request,
    reset,
    status_of,
    wait_until,
)

from generator.serve.livereload import client_script
from generator.serve.server import PreviewServer

SECRET = "s3cr3t-never-served"

PAGE = (
    "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
)

SITE = {
    "index.html": PAGE.format(title="Home"),
    "2024/partnership/index.html": PAGE.format(title="Partnership"),
    "2024/index.html": PAGE.format(title="2024"),
    "404.html": PAGE.format(title="Page not found"),
    "fragment.html": "<p>No body end tag</p>",
    "upper.html": "<HTML><BODY><p>Shouting</p></BODY></HTML>",
    "style.css": "body { color: #333; }\n",
    "app.js": "console.log('hi');\n",
    "feed.xml": '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "sitemap.xml": '<?xml version="1.0"?><urlset/>',
    "robots.txt": "User-agent: *\n",
    "data.json": "{}",
    "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    "empty-dir/.keep": "",
}


# ---------------------------------------------------------------------------
# Helpers


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def since_token(html: bytes) -> str:
    match = re.search(rb'"since": "([^"]+)"', html)
    assert match is not None
    return match.group(1).decode()


# ---------------------------------------------------------------------------
# Fixtures


def make_root(folder: Path) -> Path:
    """An output folder in ``folder``, with secret files beside it that must never be served."""
    (folder / "secret").write_text(SECRET, encoding="utf-8")
    (folder / "secret.html").write_text(SECRET, encoding="utf-8")
    root = folder / "output"
    write_files(root, SITE)
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path)


@pytest.fixture(scope="module")
def shared_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PreviewServer]]:
    """One server per base path for the many read-only checks (fewer start-ups)."""
    root = make_root(tmp_path_factory.mktemp("shared"))
    servers = {base: PreviewServer(root, port=0, base_path=base) for base in ("/", "/journal/")}
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.shutdown()


@pytest.fixture
def serve(root: Path) -> Iterator[Callable[..., PreviewServer]]:
    """Start preview servers on free ports; every one is shut down afterwards."""
    servers: list[PreviewServer] = []

    def start(base_path: str = "/", **options: Any) -> PreviewServer:
        server = PreviewServer(root, port=0, base_path=base_path, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def server(serve: Callable[..., PreviewServer]) -> PreviewServer:
    return serve()


# ---------------------------------------------------------------------------
# Serving files


def test_url_names_the_real_port_and_base_path(serve: Callable[..., PreviewServer]) -> None:
    server = serve("/journal/")
    _, port = address(server)
    assert port != 0
    assert server.url == f"http://127.0.0.1:{port}/journal/"


def test_pretty_url_serves_the_folder_index(server: PreviewServer) -> None:
    status, headers, body = request(server, "/2024/partnership/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<h1>Partnership</h1>" in body


def test_home_page(server: PreviewServer) -> None:
    status, _, body = request(server, "/")
    assert status == 200
    assert b"<h1>Home</h1>" in body


def test_folder_without_slash_redirects_and_keeps_the_query(server: PreviewServer) -> None:
    status, headers, _ = request(server, "/2024/partnership?utm=x&y=2")
    assert status == 301
    assert headers["Location"] == "/2024/partnership/?utm=x&y=2"


def test_no_folder_listing(server: PreviewServer) -> None:
    status, _, body = request(server, "/empty-dir/")
    assert status == 404
    assert b".keep" not in body


def test_file_with_trailing_slash_is_not_found(server: PreviewServer) -> None:
    assert request(server, "/feed.xml/")[0] == 404


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/2024/partnership/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/data.json", "application/json; charset=utf-8"),
        ("/logo.svg", "image/svg+xml; charset=utf-8"),
    ],
)
def test_content_types(
    shared_servers: dict[str, PreviewServer], path: str, content_type: str
) -> None:
    status, headers, _ = request(shared_servers["/"], path)
    assert status == 200
    assert headers["Content-Type"] == content_type


def test_binary_file_is_served_as_it_is(server: PreviewServer, root: Path) -> None:
    data = bytes(range(256)) * 10
    (root / "image.png").write_bytes(data)
    status, headers, body = request(server, "/image.png")
    assert (status, headers["Content-Type"], body) == (200, "image/png", data)
    assert headers["Content-Length"] == str(len(data))


def test_non_html_files_are_not_changed(server: PreviewServer) -> None:
    assert request(server, "/style.css")[2] == SITE["style.css"].encode()
    assert request(server, "/feed.xml")[2] == SITE["feed.xml"].encode()


def test_head_sends_the_headers_of_get_without_a_body(server: PreviewServer) -> None:
    _, get_headers, get_body = request(server, "/style.css")
    status, headers, body = request(server, "/style.css", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))
    assert headers["Content-Type"] == get_headers["Content-Type"]
    status, headers, body = request(server, "/2024/partnership/", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) > len(SITE["2024/partnership/index.html"])


def test_missing_page_gets_the_site_404_page(server: PreviewServer) -> None:
    status, headers, body = request(server, "/2023/no-such-post/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<h1>Page not found</h1>" in body
    assert request(server, "/nothing.css", method="HEAD")[:3:2] == (404, b"")


def test_missing_page_without_404_page_is_a_plain_404(server: PreviewServer, root: Path) -> None:
    (root / "404.html").unlink()
    status, _, _ = request(server, "/2023/no-such-post/")
    assert status == 404


@pytest.mark.parametrize("path", ["/2024/partnership/", "/style.css", "/nope/", "/2024"])
def test_nothing_is_cached(shared_servers: dict[str, PreviewServer], path: str) -> None:
    cache_control = request(shared_servers["/"], path)[1]["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control


def test_other_methods_are_refused(server: PreviewServer) -> None:
    assert request(server, "/", method="POST")[0] == 501


def test_a_site_under_a_base_path(serve: Callable[..., PreviewServer]) -> None:
    server = serve("/journal/")
    status, _, body = request(server, "/journal/2024/partnership/")
    assert status == 200
    assert b"<h1>Partnership</h1>" in body
    assert request(server, "/journal/")[0] == 200
    status, headers, _ = request(server, "/")
    assert (status, headers["Location"]) == (302, "/journal/")
    status, headers, _ = request(server, "/journal?x=1")
    assert (status, headers["Location"]) == (301, "/journal/?x=1")
    status, headers, _ = request(server, "/journal/2024/partnership")
    assert (status, headers["Location"]) == (301, "/journal/2024/partnership/")
    for outside in ("/2024/partnership/", "/style.css", "/journalx/", "/other/journal/"):
        status, _, body = request(server, outside)
        assert status == 404, outside
        assert b"Page not found" in body


# ---------------------------------------------------------------------------
# The live-reload script


def test_script_is_added_to_html_as_served_but_not_on_disk(
    server: PreviewServer, root: Path
) -> None:
    on_disk = (root / "2024/partnership/index.html").read_bytes()
    _, headers, body = request(server, "/2024/partnership/")
    assert (root / "2024/partnership/index.html").read_bytes() == on_disk
    assert int(headers["Content-Length"]) == len(body)
    script = body.index(b"<script>")
    assert b"EventSource" in body
    assert body.index(b"</script>") < body.index(b"</body>")
    assert body[:script] + body[body.index(b"</body>") :] == on_disk
    assert b'"page": "/2024/partnership/"' in body


def test_script_without_body_end_tag_goes_at_the_end(server: PreviewServer) -> None:
    body = request(server, "/fragment.html")[2]
    assert body.startswith(SITE["fragment.html"].encode())
    assert body.endswith(b"</script>")
    upper = request(server, "/upper.html")[2]
    assert upper.index(b"</script>") < upper.index(b"</BODY>")


def test_script_on_the_404_page(server: PreviewServer) -> None:
    body = request(server, "/missing/")[2]
    assert b"EventSource" in body
    assert b'"page": "/404.html"' in body


def test_script_names_pages_under_the_base_path(serve: Callable[..., PreviewServer]) -> None:
    body = request(serve("/journal/"), "/journal/2024/partnership/")[2]
    assert b'"page": "/journal/2024/partnership/"' in body


def test_script_config_cannot_close_the_script_element() -> None:
    script = client_script("/__livereload", "x-1", "/a</script><b>/")
    assert script.count(b"</script>") == 1
    assert script.endswith(b"</script>")


def test_no_script_in_other_files(server: PreviewServer) -> None:
    for path in ("/style.css", "/app.js", "/feed.xml", "/logo.svg"):
        assert b"EventSource" not in request(server, path)[2]


# ---------------------------------------------------------------------------
# Nothing outside the root


TRAVERSALS = [
    b"/../secret",
    b"/../secret.html",
    b"/%2e%2e/secret",
    b"/%2E%2e/secret",
    b"/.%2e/secret",
    b"/%2E%2E%2fsecret",
    b"/%2e%2e%2F%2e%2e%2Fsecret",
    b"/..%5csecret",
    b"/..%5c..%5csecret",
    b"/a/..%2f..%2fsecret",
    b"/2024/../../secret",
    b"/./../secret",
    b"/%00",
    b"/secret%00.html",
    b"/index.html%00",
    b"//etc/passwd",
    b"/..\\..\\secret",
    b"/..\\secret",
    b"/C:/secret",
    b"/c:%5csecret",
    b"/%252e%252e/secret",
    b"/%c0%ae%c0%ae/secret",
    b"/...%2fsecret",
    b"http://evil/../secret",
    b"http://evil/%2e%2e/secret",
    b"secret",
    b"../secret",
    b"*",
]


@pytest.mark.parametrize("base_path", ["/", "/journal/"])
@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: t.decode("latin-1"))
def test_traversal_never_reaches_outside_the_root(
    shared_servers: dict[str, PreviewServer], base_path: str, target: bytes
) -> None:
    server = shared_servers[base_path]
    if target.startswith(b"/") and base_path != "/":
        target = base_path.rstrip("/").encode() + target
    line = b"GET " + target + b" HTTP/1.1\r\n"
    response = raw_request(server, line + host_line(server) + b"\r\n")
    assert status_of(response) in (400, 404), response[:200]
    assert SECRET.encode() not in response
    assert b"root:" not in response


def test_symlinks_leading_out_are_not_followed(server: PreviewServer, root: Path) -> None:
    try:
        (root / "leak.txt").symlink_to(root.parent / "secret")
        (root / "leak-dir").symlink_to(root.parent, target_is_directory=True)
        (root / "alias.css").symlink_to(root / "style.css")
    except OSError:
        pytest.skip("this file system cannot make symlinks")
    for target in (b"/leak.txt", b"/leak-dir/secret", b"/leak-dir/", b"/leak-dir"):
        line = b"GET " + target + b" HTTP/1.1\r\n"
        response = raw_request(server, line + host_line(server) + b"\r\n")
        assert status_of(response) == 404, target
        assert SECRET.encode() not in response
    assert request(server, "/alias.css")[2] == SITE["style.css"].encode()


def test_huge_request_line_does_not_break_the_server(server: PreviewServer) -> None:
    with socket.create_connection(address(server), timeout=10) as sock:
        try:
            sock.sendall(b"GET /" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = sock.recv(1024)
        except (ConnectionResetError, BrokenPipeError):
            answer = b""  # the server closed on us before reading it all: fine
    assert answer == b"" or status_of(answer) in (400, 414)
    assert request(server, "/2024/partnership/")[0] == 200


def test_long_file_name_is_not_found(server: PreviewServer) -> None:
    assert request(server, "/" + "a" * 5000)[0] == 404
    assert request(server, "/" + "/".join(["a" * 200] * 100) + "/")[0] == 404


# ---------------------------------------------------------------------------
# Many and unruly clients


def test_client_leaving_mid_response_harms_no_one(
    server: PreviewServer,
    root: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    (root / "big.bin").write_bytes(b"x" * 8_000_000)
    (root / "big.html").write_text("<p>" + "y" * 8_000_000 + "</p>", encoding="utf-8")
    for path in (b"/big.bin", b"/big.html"):
        sock = socket.create_connection(address(server), timeout=10)
        sock.sendall(b"GET " + path + b" HTTP/1.1\r\n" + host_line(server) + b"\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.0 200")
        reset(sock)  # while the server is still writing
    assert wait_until(lambda: not handler_threads())
    assert request(server, "/2024/partnership/")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "Error" not in err
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


def test_a_hundred_requests_at_once(server: PreviewServer) -> None:
    paths = ["/2024/partnership/", "/style.css", "/missing/", "/2024"] * 25
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda path: request(server, path)[0], paths))
    assert statuses == [200, 200, 404, 301] * 25


def test_port_in_use_raises(serve: Callable[..., PreviewServer], root: Path) -> None:
    _, port = address(serve())
    other = PreviewServer(root, port=port)
    with pytest.raises(OSError):
        other.start()
    other.shutdown()


# ---------------------------------------------------------------------------
# Live reload events


def test_reload_event_names_the_changed_pages(server: PreviewServer) -> None:
    stream = EventStream(server)
    try:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        server.notify_reload(["2024/a/index.html", "index.html", "feed.xml"])
        event = stream.wait_for("reload")
        assert event["paths"] == ["/", "/2024/a/", "/feed.xml"]
    finally:
        stream.close()


def test_reload_paths_under_a_base_path(serve: Callable[..., PreviewServer]) -> None:
    server = serve("/journal/")
    stream = EventStream(server)
    try:
        server.notify_reload(["2024/a/index.html"])
        assert stream.wait_for("reload")["paths"] == ["/journal/2024/a/"]
    finally:
        stream.close()


def test_a_changed_stylesheet_or_unknown_change_reloads_every_page(
    server: PreviewServer,
) -> None:
    stream = EventStream(server)
    try:
        server.notify_reload(["2024/a/index.html", "style.css"])
        assert stream.wait_for("reload")["paths"] is None
        server.notify_reload(None)
        assert stream.wait_for("reload")["paths"] is None
    finally:
        stream.close()


def test_problems_are_sent_and_then_cleared(server: PreviewServer) -> None:
    lines = ["content/posts/a.md:3: error: <script>alert(1)</script>", "b.md:1: warning: x"]
    stream = EventStream(server)
    try:
        server.show_problems(lines)
        assert stream.wait_for("problems")["lines"] == lines
        server.notify_reload(["2024/a/index.html"])
        assert stream.wait_for("clear")["kind"] == "clear"
    finally:
        stream.close()


def test_a_page_that_connects_during_problems_is_told_at_once(server: PreviewServer) -> None:
    server.show_problems(["a.md:1: error: bad"])
    stream = EventStream(server)
    try:
        assert stream.next_event() == {
            "id": ANY,
            "kind": "problems",
            "lines": ["a.md:1: error: bad"],
        }
    finally:
        stream.close()


def test_a_page_loaded_before_a_rebuild_reloads_when_it_connects(server: PreviewServer) -> None:
    since = since_token(request(server, "/2024/partnership/")[2])
    server.notify_reload(["2024/partnership/index.html"])
    stream = EventStream(server, query=f"?since={since}")
    try:
        assert stream.next_event()["paths"] == ["/2024/partnership/"]
    finally:
        stream.close()


def test_an_up_to_date_page_is_not_reloaded(server: PreviewServer) -> None:
    since = since_token(request(server, "/2024/partnership/")[2])
    stream = EventStream(server, query=f"?since={since}")
    try:
        assert stream.next_event()["kind"] == "hello"
    finally:
        stream.close()


def test_a_reconnecting_page_gets_what_it_missed(server: PreviewServer) -> None:
    stream = EventStream(server)
    last_id = stream.next_event()["id"]
    stream.close()
    server.notify_reload(["2024/a/index.html"])
    server.notify_reload(["2024/b/index.html"])
    server.show_problems(["a.md:1: error: bad"])
    stream = EventStream(server, query="?since=ignored", headers={"Last-Event-ID": last_id})
    try:
        assert stream.next_event()["paths"] == ["/2024/a/", "/2024/b/"]
        assert stream.next_event()["lines"] == ["a.md:1: error: bad"]
    finally:
        stream.close()


def test_a_page_from_another_server_run_reloads(server: PreviewServer) -> None:
    stream = EventStream(server, query="?since=0badc0de-7")
    try:
        assert stream.next_event() == {"id": ANY, "kind": "reload", "paths": None}
    finally:
        stream.close()


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (None, 200),
        ("http://{host}:{port}", 200),
        ("http://evil.example", 403),
        ("http://evil.example:{port}", 403),
        ("http://{host}:1", 403),
        ("https://{host}:{port}", 403),
        ("null", 403),
    ],
)
def test_events_answer_only_the_same_origin(
    server: PreviewServer, origin: str | None, expected: int
) -> None:
    host, port = address(server)
    headers = {} if origin is None else {"Origin": origin.format(host=host, port=port)}
    stream = EventStream(server, headers=headers)
    try:
        assert stream.status == expected
    finally:
        stream.close()


def test_clients_that_vanish_leave_the_server_well(serve: Callable[..., PreviewServer]) -> None:
    server = serve(keepalive_seconds=0.05)
    for _ in range(20):
        stream = EventStream(server)
        assert stream.status == 200
        stream.close(abruptly=True)
    assert request(server, "/2024/partnership/")[0] == 200
    hub = server._hub
    assert wait_until(lambda: hub.open_streams == 0)
    server.notify_reload(["index.html"])
    assert request(server, "/")[0] == 200


def test_keepalive_comments_flow(serve: Callable[..., PreviewServer]) -> None:
    stream = EventStream(serve(keepalive_seconds=0.01))
    try:
        lines = {stream.file.readline() for _ in range(10)}
        assert b": keepalive\n" in lines
    finally:
        stream.close()


def test_shutdown_is_prompt_with_streams_open(serve: Callable[..., PreviewServer]) -> None:
    server = serve()
    streams = [EventStream(server) for _ in range(5)]
    try:
        for stream in streams:
            stream.next_event()
        stopper = threading.Thread(target=server.shutdown)
        stopper.start()
        stopper.join(timeout=3)
        assert not stopper.is_alive()
        for stream in streams:
            with pytest.raises(EOFError):
                stream.wait_for("never")
    finally:
        for stream in streams:
            stream.close()
