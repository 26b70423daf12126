"""A small client of ClamAV's daemon, clamd, speaking its INSTREAM protocol over a unix socket
(``CLAMD_SOCKET``) or TCP (``CLAMD_URL=tcp://host:port``).

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file in chunks, each prefixed with its
length as 4 bytes big-endian, then a zero-length chunk; clamd answers one NUL-terminated line:
``stream: OK``, ``stream: <signature> FOUND`` or ``<reason> ERROR``. The PyPI ``clamd`` package
does the same but is unmaintained since 2017; this is the few lines the project needs."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024


class ClamdUnavailable(Exception):
    """clamd could not be reached or stopped answering: try again later."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""  # what clamd found
    error: str = ""  # clamd answered but could not scan

    @property
    def infected(self) -> bool:
        return bool(self.signature)


def configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_URL)


def _connect() -> socket.socket:
    timeout = float(settings.CLAMD_TIMEOUT)
    try:
        if settings.CLAMD_SOCKET:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(settings.CLAMD_SOCKET)
            except OSError:
                sock.close()
                raise
            return sock
        url = urlsplit(settings.CLAMD_URL)
        return socket.create_connection((url.hostname or "127.0.0.1", url.port or 3310), timeout=timeout)
    except OSError as error:
        raise ClamdUnavailable(f"clamd unreachable: {error}") from error


def _answer(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    try:
        with _connect() as sock:
            sock.sendall(b"zPING\0")
            return _answer(sock) == "PONG"
    except (OSError, ClamdUnavailable):
        return False


def scan_chunks(chunks: Iterable[bytes]) -> Verdict:
    """Stream the content to clamd and read its verdict."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            reply = _answer(sock)
    except OSError as error:
        # Includes clamd closing the connection on a size limit before reading everything.
        raise ClamdUnavailable(f"clamd stopped answering: {error}") from error
    if not reply:
        raise ClamdUnavailable("clamd closed the connection without a verdict")
    body = reply.split(":", 1)[1].strip() if reply.startswith("stream:") else reply
    if body == "OK":
        return Verdict(clean=True)
    if body.endswith(" FOUND"):
        return Verdict(clean=False, signature=body.removesuffix(" FOUND").strip()[:200])
    return Verdict(clean=False, error=body.removesuffix(" ERROR").strip()[:200] or "ERROR")
