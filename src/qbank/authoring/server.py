"""The preview server: a page on 127.0.0.1 that reloads itself when the bank file changes.

* Bound to the loopback address only, on an ephemeral port unless one is asked for; requests
  whose ``Host`` is not that address are refused (a web page elsewhere cannot reach it by
  DNS rebinding). Nothing it serves comes from outside the bank being previewed.
* A watchfiles thread watches the bank's folder; on a change to a bank file the bank is
  loaded again and every open page gets a ``reload`` server-sent event (``/events``).
* Bounded: ``serve(duration=...)`` stops by itself; :meth:`PreviewServer.stop` ends the
  watcher and every event stream.

Routes: ``/`` (the page, ``?t=ID&seed=N``), ``/variant`` (the variant fragment the seed
slider fetches), ``/events`` (``?since=VERSION``).
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .preview import Preview

__all__ = ["HOST", "PreviewServer"]

HOST = "127.0.0.1"
KEEPALIVE = 10.0  # seconds between comments on an idle event stream (proxies and browsers drop silent ones)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high) if value is not None else default
    except ValueError:
        return default


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the author watches the page, not a log
        pass

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        return host in (f"{HOST}:{port}", f"localhost:{port}")

    def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, "preview serves 127.0.0.1 only\n", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        preview = self.server.preview
        seed = _int(query.get("seed"), 0, 0, 2**31 - 1)
        if url.path == "/":
            self._send(HTTPStatus.OK, preview.page(query.get("t"), seed))
        elif url.path == "/variant":
            self._send(HTTPStatus.OK, preview.variant_html(query.get("t"), seed))
        elif url.path == "/events":
            self._events(_int(query.get("since"), 0, 0, 2**31 - 1))
        else:
            self._send(HTTPStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8")

    def _events(self, since: int) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        server = self.server
        try:
            while True:
                with server.changed:
                    server.changed.wait_for(lambda: server.preview.snapshot.version > since or server.stopping,
                                            timeout=KEEPALIVE)
                    version, stopping = server.preview.snapshot.version, server.stopping
                if version > since:
                    self.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
                    self.wfile.flush()
                    return
                if stopping:
                    return
                self.wfile.write(b": waiting\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page went away


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, preview: Preview, port: int):
        self.preview = preview
        self.changed = threading.Condition()
        self.stopping = False
        super().__init__((HOST, port), _Handler)


class PreviewServer:
    """Serves a :class:`Preview` and reloads it when its files change.

    Usage::

        server = PreviewServer(Preview.open("my-bank"), port=0).start()
        print(server.url)
        server.serve(duration=600)      # or server.stop() from another thread
    """

    def __init__(self, preview: Preview, *, port: int = 0, debounce_ms: int = 150):
        self.preview = preview
        self.debounce_ms = debounce_ms
        self._httpd = _Server(preview, port)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._httpd.server_address[1]}/"

    def start(self) -> PreviewServer:
        for target, name in ((self._httpd.serve_forever, "qbank-preview-http"), (self._watch, "qbank-preview-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _watch(self) -> None:
        import watchfiles

        path = self.preview.path.resolve()
        folder = path if path.is_dir() else path.parent

        def relevant(change: Any, name: str) -> bool:
            p = Path(name)
            return (p == path) if path.is_file() else p.suffix in (".yaml", ".yml")

        for _changes in watchfiles.watch(folder, watch_filter=relevant, stop_event=self._stop, debounce=self.debounce_ms,
                                         recursive=path.is_dir(), raise_interrupt=False):
            self.reload()

    def reload(self) -> None:
        """Load the bank again and tell every open page."""
        self.preview.reload()
        with self._httpd.changed:
            self._httpd.changed.notify_all()

    def serve(self, duration: float | None = None) -> None:
        """Block until ``duration`` seconds have passed (None: until Ctrl-C), then stop."""
        deadline = None if duration is None else time.monotonic() + duration
        try:
            while not self._stop.is_set():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._stop.wait(0.5 if left is None else min(0.5, left))
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        if self._httpd.stopping:
            return
        self._stop.set()
        with self._httpd.changed:
            self._httpd.stopping = True
            self._httpd.changed.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
