"""A real clamd for the tests (Debian's clamav-daemon), started with a signature database the
tests write themselves, since freshclam cannot reach the internet here:

- ``test.hdb``: the MD5 of the 68-byte EICAR test file (the standard test signature);
- ``test.ndb``: the EICAR string anywhere in any file, so that a PDF carrying it is caught too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
# Split so that no file of this repository is itself the EICAR test file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class Clamd:
    socket: str
    start_seconds: float
    process: subprocess.Popen[bytes]


def available() -> bool:
    return os.access(CLAMD, os.X_OK)


def write_config(directory: Path) -> Path:
    database = directory / "db"
    database.mkdir()
    (database / "test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n")  # noqa: S324 - ClamAV's format
    (database / "test.ndb").write_text(f"Eicar-Test-Signature-Body:0:*:{EICAR.hex()}\n")
    config = directory / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {directory / 'clamd.sock'}",
                f"PidFile {directory / 'clamd.pid'}",
                f"LogFile {directory / 'clamd.log'}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {directory}",
                "User root",
                "Foreground yes",
                "",
            ]
        )
    )
    return config


def _ping(path: str) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def running(directory: Path, *, timeout: float = 120) -> Iterator[Clamd]:
    config = write_config(directory)
    sock = str(directory / "clamd.sock")
    started = time.monotonic()
    output = (directory / "clamd.out").open("wb")
    process = subprocess.Popen(  # noqa: S603 - the packaged binary and our own config
        [CLAMD, "--config-file", str(config)], stdout=output, stderr=subprocess.STDOUT
    )
    try:
        while not _ping(sock):
            if process.poll() is not None:
                log = (directory / "clamd.log").read_text() if (directory / "clamd.log").exists() else ""
                said = (directory / "clamd.out").read_text()
                raise RuntimeError(f"clamd exited ({process.returncode}): {said} {log}")
            if time.monotonic() - started > timeout:
                raise RuntimeError("clamd did not answer PING in time")
            time.sleep(0.05)
        yield Clamd(socket=sock, start_seconds=time.monotonic() - started, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
