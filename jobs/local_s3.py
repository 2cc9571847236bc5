"""A throw-away local S3 endpoint (a moto server in a subprocess) for the demo and the tests.

Usage::

    with LocalS3() as s3:
        env = s3_env(s3.endpoint_url)   # hand to a child process, or to boto3 explicitly

The server keeps everything in memory and dies with the context, so nothing outlives a run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["LocalS3", "LocalS3Error", "s3_env"]

_HOST = "127.0.0.1"
_STDERR_TAIL_CHARS = 4000


class LocalS3Error(RuntimeError):
    """The local S3 server could not be started."""


def s3_env(endpoint_url: str) -> dict[str, str]:
    """Return the environment variables that point AWS SDKs at ``endpoint_url`` with dummy credentials.

    They also turn off instance-metadata look-ups. Merge the result into a child process's environment, or
    into ``os.environ`` (e.g. with pytest's ``monkeypatch.setenv``) for the current process.
    """
    return {
        "AWS_ENDPOINT_URL_S3": endpoint_url,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        # Without this, SDKs that find no credentials elsewhere probe 169.254.169.254 and stall for seconds.
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _free_port() -> int:
    # The port is released before moto binds it, so another process could grab it in between; the
    # window is tiny and a lost race surfaces as a clear start-up error rather than a wrong endpoint.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the server will: lingering TIME_WAIT connections from an earlier run must not count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_HOST, port))
        except OSError:
            return False
        return True


def _answers_http(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
        return True
    except urllib.error.HTTPError:
        return True  # any HTTP status means the server is up
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


class LocalS3:
    """Context manager running ``python -m moto.server`` on a free local port.

    Attributes:
        endpoint_url: ``http://127.0.0.1:PORT``; valid between ``__enter__`` and ``__exit__``.
        port: The chosen port.
        log_path: Temp file receiving the server's stdout and stderr.
        startup_seconds: Wall time from spawning the process until it first answered HTTP.

    """

    def __init__(
        self,
        *,
        port: int | None = None,
        startup_timeout: float = 20.0,
        shutdown_timeout: float = 5.0,
        keep_log: bool = False,
    ) -> None:
        """Configure the server; nothing starts until the context is entered.

        Args:
            port: Port to bind; a free one is picked when None.
            startup_timeout: Seconds to wait for the server to answer HTTP before giving up.
            shutdown_timeout: Seconds to wait after SIGTERM before SIGKILL.
            keep_log: Keep the log file after exit (it is always kept when start-up fails).

        """
        self.port = port if port is not None else _free_port()
        self.endpoint_url = f"http://{_HOST}:{self.port}"
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self.keep_log = keep_log
        self.log_path: Path | None = None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Spawn the server and block until it answers HTTP.

        Raises:
            LocalS3Error: The process exited, or did not answer within ``startup_timeout`` seconds; the
                message carries the tail of its output.

        """
        if self._process is not None:
            raise LocalS3Error("LocalS3 is already running")
        # Otherwise whatever already listens there would answer the readiness probe in moto's place.
        if not _port_is_free(self.port):
            raise LocalS3Error(f"port {self.port} on {_HOST} is already in use")
        fd, log_name = tempfile.mkstemp(prefix="moto-server-", suffix=".log")
        self.log_path = Path(log_name)
        command = [sys.executable, "-m", "moto.server", "-H", _HOST, "-p", str(self.port)]
        began = time.monotonic()
        # A file, not a pipe: nobody reads the output while the server runs, and a full pipe would block it.
        with os.fdopen(fd, "wb") as log:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready(self._process, began + self.startup_timeout)
        except BaseException:
            self._terminate()  # also on Ctrl-C while waiting, so no server outlives a failed start
            raise
        self.startup_seconds = time.monotonic() - began

    def _wait_until_ready(self, process: subprocess.Popen[bytes], deadline: float) -> None:
        while True:
            code = process.poll()
            if code is not None:
                raise LocalS3Error(
                    f"moto server exited with code {code} before answering on {self.endpoint_url}; "
                    f"output ({self.log_path}):\n{self._log_tail()}"
                )
            if _answers_http(self.endpoint_url + "/", timeout=1.0):
                return
            if time.monotonic() >= deadline:
                raise LocalS3Error(
                    f"moto server did not answer on {self.endpoint_url} within {self.startup_timeout:g} s; "
                    f"output ({self.log_path}):\n{self._log_tail()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after ``shutdown_timeout``) and drop its log."""
        self._terminate()
        if self.log_path is not None and not self.keep_log:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=self.shutdown_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "<no output>"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-_STDERR_TAIL_CHARS:] if text else "<no output>"
