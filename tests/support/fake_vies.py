"""A fake EU VIES REST API on a real loopback socket, in its own thread.

``registry`` maps a VAT id (``DE136695976``) to ``(name, address)``: listed numbers are
valid, others invalid. ``answer`` scripts the next replies: ``"hold"`` keeps the
connection open without answering (until the fake stops) so the client times out,
``"MS_UNAVAILABLE"`` answers VIES' error shape, an int answers that HTTP status.
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeVies:
    registry: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _script: collections.deque[str | int] = field(default_factory=collections.deque)
    _release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxation_customs/vies/rest-api"

    def answer(self, *answers: str | int) -> None:
        self._script.extend(answers)

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        self.requests.append(body)
        scripted = self._script.popleft() if self._script else None
        if scripted == "hold":
            self._release.wait(30)
            return 0, None
        if isinstance(scripted, int):
            return scripted, {"actionSucceed": False, "errorWrappers": [{"error": "INTERNAL"}]}
        if isinstance(scripted, str):
            return 500, {"actionSucceed": False, "errorWrappers": [{"error": scripted}]}
        number = f"{body.get('countryCode', '')}{body.get('vatNumber', '')}"
        known = self.registry.get(number)
        answer: dict[str, Any] = {
            "countryCode": body.get("countryCode"),
            "vatNumber": body.get("vatNumber"),
            "requestDate": "2026-12-01T10:00:00.000Z",
            "valid": known is not None,
            "requestIdentifier": "WAPIAAAAXYZ123" if body.get("requesterNumber") else "",
            "name": known[0] if known else "---",
            "address": known[1] if known else "---",
        }
        return 200, answer


def _handler(fake: FakeVies) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/check-vat-number"):
                self.send_error(404)
                return
            status, answer = fake.reply(body)
            if answer is None:
                return  # held, then dropped
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running_fake_vies(**registry: tuple[str, str]) -> Iterator[FakeVies]:
    fake = FakeVies(registry=dict(registry))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake._release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
