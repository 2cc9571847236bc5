"""A throw-away MariaDB server on loopback (mariadb-install-db in a temp dir, mariadbd on a free port): tests.

Like jobs/local_postgres.py: when the tests run as root the server runs as an unprivileged OS user (``mysql``
when the Debian package created it, else ``nobody``) through ``runuser``, in a temp dir owned by that user. The
administrator (``root``) gets a random password and connects over the server's Unix socket in that dir (the
``mariadb`` client, password in MYSQL_PWD, never on a command line); the other ``root`` accounts are dropped.
Clients such as the JDBC driver connect over TCP on 127.0.0.1. Nothing here is meant for production data.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from jobs.local_server import as_server_user, free_port, give_to_server_user, root_without_server_user

SERVER_USER = "mysql"  # created by the Debian package; the server runs as it when we are root
DRIVER_JAR = Path("/usr/share/java/mariadb-java-client.jar")  # Debian's libmariadb-java (Connector/J 2.7)
_PROGRAMS = ("mariadbd", "mariadb-install-db", "mariadb", "mariadb-admin")


def program(name: str) -> Path | None:
    """A MariaDB program: from PIISCAN_MARIADB_BIN, /usr/sbin or /usr/bin, else PATH."""
    configured = os.environ.get("PIISCAN_MARIADB_BIN")
    folders = [Path(configured)] if configured else []
    for folder in [*folders, Path("/usr/sbin"), Path("/usr/bin")]:
        if (folder / name).is_file():
            return folder / name
    found = shutil.which(name)
    return Path(found) if found else None


def unavailable_reason() -> str | None:
    """Why a local server cannot run here, or None when the server, its tools and the driver jar are present."""
    missing = [name for name in _PROGRAMS if program(name) is None]
    if missing:
        return f"MariaDB server programs {missing} not found: apt-get install mariadb-server"
    if not DRIVER_JAR.is_file():
        return f"MariaDB JDBC driver {DRIVER_JAR} not found: apt-get install libmariadb-java"
    return root_without_server_user(SERVER_USER)


def _path(name: str) -> str:
    found = program(name)
    if found is None:
        raise RuntimeError(f"MariaDB program {name} not found")
    return str(found)


@dataclass
class MariaDBServer:
    """A throw-away server: ``start()`` it, ``create_database()`` for each database, ``stop()`` removes it."""

    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: "pw-" + secrets.token_urlsafe(18))
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    root: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def source(self, database: str, user: str, scheme: str = "jdbc:mariadb://") -> str:
        """The scan's --source for ``database`` (no credentials: the password comes from the environment)."""
        return f"{scheme}127.0.0.1:{self.port}/{database}?user={user}"

    def create_database(self, database: str, user: str, setup_sql: str) -> None:
        """Create ``database`` and a login ``user``@127.0.0.1 with ``password`` (if missing); run ``setup_sql``."""
        self.sql(
            f"CREATE DATABASE `{database}`; "
            f"CREATE USER IF NOT EXISTS '{user}'@'127.0.0.1' IDENTIFIED BY '{self.password}';"
        )
        self.sql(setup_sql, database)

    def __enter__(self) -> MariaDBServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def _socket(self) -> Path:
        assert self.root is not None
        return self.root / "mariadb.sock"

    def start(self) -> None:
        """Create the data directory (mariadb-install-db), start the server and secure its administrator."""
        self.root = Path(tempfile.mkdtemp(prefix="piiscan-mariadb-"))
        give_to_server_user(SERVER_USER, self.root)
        data = self.root / "data"
        self._run_as_server_user(
            [_path("mariadb-install-db"), "--no-defaults", f"--datadir={data}",
             "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"]
        )  # fmt: skip
        command = [
            _path("mariadbd"), "--no-defaults", f"--datadir={data}", f"--port={self.port}", "--bind-address=127.0.0.1",
            f"--socket={self._socket}", f"--pid-file={self.root / 'mariadb.pid'}",
            f"--log-error={self.root / 'server.log'}", "--skip-name-resolve", "--skip-log-bin",
            "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            as_server_user(command, SERVER_USER), cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self._wait_ready()
            # The fresh root accounts have no password: give root@localhost one and drop the others (TCP ones).
            self._client(
                ["-u", "root", "-e",
                 f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{self.admin_password}'; "
                 "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'; "
                 "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;"],
                password=None,
            )  # fmt: skip
        except Exception:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                break
            if self._socket.exists():
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                    if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                        return
            time.sleep(0.05)
        raise RuntimeError(f"mariadbd did not start on port {self.port}:\n{self._log_tail()}")

    def stop(self) -> None:
        """Shut the server down and remove its directory."""
        if self.root is None:
            return
        if self._process is not None and self._process.poll() is None:
            try:
                subprocess.run(
                    [_path("mariadb-admin"), "--no-defaults", f"--socket={self._socket}", "-u", "root", "shutdown"],
                    env={**os.environ, "MYSQL_PWD": self.admin_password},
                    capture_output=True,
                    timeout=30,
                    check=False,
                )
                self._process.wait(timeout=30)
            except (subprocess.TimeoutExpired, RuntimeError):
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def sql(self, sql: str, database: str | None = None) -> None:
        """Run ``sql`` as the server's administrator; stops at the first error."""
        self._client(["-u", "root", *([database] if database else []), "-e", sql], self.admin_password)

    def _client(self, arguments: list[str], password: str | None) -> None:
        env = {**os.environ, "MYSQL_PWD": password or ""}
        done = subprocess.run(
            [_path("mariadb"), "--no-defaults", f"--socket={self._socket}", *arguments],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"mariadb client failed ({done.returncode}): {done.stderr[-2000:]}")

    def _run_as_server_user(self, command: list[str]) -> None:
        done = subprocess.run(
            as_server_user(command, SERVER_USER), capture_output=True, text=True, timeout=120, check=False, cwd="/"
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}")

    def _log_tail(self) -> str:
        log = self.root / "server.log" if self.root else None
        return log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
