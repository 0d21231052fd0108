"""A local BEDbase: an http.server thread serving the API paths with scripted faults."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeBEDbase:
    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.faults: dict[str, list[str]] = {}  # path -> queue of "500" | "truncate" | "slow"
        self.hits: dict[str, int] = {}
        self.slow_seconds = 3.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bed_path(self, bed_id: str) -> str:
        return f"/v1/objects/bed.{bed_id}.bed_file/access/http/bytes"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path
                fake.hits[path] = fake.hits.get(path, 0) + 1
                queue = fake.faults.get(path) or []
                fault = queue.pop(0) if queue else None
                body = fake.routes.get(path)
                if fault == "500":
                    self.send_response(500)
                    self.send_header("Content-Length", "5")
                    self.end_headers()
                    self.wfile.write(b"oops!")
                    return
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                if fault == "slow":
                    time.sleep(fake.slow_seconds)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if fault == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bedbase():
    fake = FakeBEDbase()
    yield fake
    fake.close()
