"""A real HTTP receiver on loopback for the webhook tests, and the verification a receiver
does (the same code as the snippet in docs/webhooks.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class InvalidSignature(Exception):
    pass


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> None:
    """Standard Webhooks verification, as in docs/webhooks.md: raises InvalidSignature."""
    msg_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        raise InvalidSignature("timestamp too old or in the future")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return
    raise InvalidSignature("no matching signature")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next item of ``script`` (an HTTP status, "sleep" to answer
    only after the client gave up, "garbage" for an answer that is not HTTP), then 200."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def next_action(self) -> Any:
        return self.script.pop(0) if self.script else 200


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            action = receiver.next_action()
            if action == "garbage":  # not HTTP at all
                self.wfile.write(b"NOT HTTP\r\n\r\n")
                self.close_connection = True
                return
            if action == "sleep":
                receiver.released.wait(10)  # the client times out long before
                action = 200
            answer = b"ok" if action < 300 else b"boom: receiver error"
            try:
                self.send_response(action)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:  # the client is gone (timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/teleservices"
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
