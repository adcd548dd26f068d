"""The preview: an HTTP server with live reload, a file watcher, and the loop that joins them."""
