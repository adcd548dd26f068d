"""`journal serve`: run the preview (generator/serve/preview.py) until Ctrl-C, reporting each
build on the terminal as `journal build` does (commands/build.py: `report_build`)."""

from __future__ import annotations

import sys
import time
import traceback
import warnings
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from generator.commands.build import report_build, stages_line
from generator.commands.console import Verbosity, fail, print_warning
from generator.pipeline.build import BuildResult, Request, summary_line
from generator.serve.hosts import is_loopback
from generator.serve.preview import Preview, PreviewSettings, ServeError


def run_serve(
    settings: PreviewSettings,
    *,
    open_browser: bool = False,
    verbosity: Verbosity = Verbosity.NORMAL,
) -> int:
    """Serve the preview described by `settings`; with `open_browser`, show it in a browser."""
    if not is_loopback(settings.host):
        print_warning(
            f"with --host {settings.host} other machines can see the preview; "
            "use --host 127.0.0.1 to keep it on this one",
            verbosity,
        )
    report = build_reporter(settings, verbosity)
    preview = Preview(settings, on_build=report, on_crash=_report_crash)
    with warnings.catch_warnings():
        # watchdog warns, harmlessly, when it schedules a watch it already holds.
        warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning)
        try:
            try:
                preview.start()
            except ServeError as exc:
                return fail(f"{exc}")
            print(f"Serving the preview at {preview.url} (Ctrl-C to stop)", flush=True)
            if open_browser:
                _open_browser(preview.url)
            while True:
                # Short naps: Ctrl-C may reach another thread, and Python only notices it
                # when the main thread wakes up.
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            preview.close(timeout=1.0)  # a rebuild left unfinished harms nothing
    return 0


def build_reporter(
    settings: PreviewSettings, verbosity: Verbosity
) -> Callable[[BuildResult], None]:
    def report(result: BuildResult) -> None:
        options = settings.options
        if options.now is not None:  # (the preview publishes a post when its time comes)
            options = replace(options, now=datetime.now().astimezone())
        report_build(result, Request(settings.root, options=options), verbosity)
        if verbosity is not Verbosity.QUIET or not result.ok:
            print(summary_line(result, settings.root))
        if verbosity is Verbosity.VERBOSE:
            print(stages_line(result))
        sys.stdout.flush()

    return report


def _report_crash(exc: BaseException) -> None:
    traceback.print_exception(exc, file=sys.stderr)
    print(
        f"error: the rebuild stopped with {type(exc).__name__}; the preview keeps the last "
        "good pages (please report this)",
        file=sys.stderr,
        flush=True,
    )


def _open_browser(url: str) -> None:
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print(f"Could not open a browser: open {url} yourself", file=sys.stderr)
