"""The preview: an HTTP server with live reload, a file watcher, and the loop that joins them."""

PREVIEW_HOST = "127.0.0.1"  # where `journal serve` listens unless told (--host, --port)
PREVIEW_PORT = 8000
