"""A throw-away PostgreSQL cluster on loopback (initdb in a temp dir, pg_ctl on a free port): tests and the demo.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as an unprivileged OS user
(``postgres`` when the Debian package created it, else ``nobody``) through ``runuser``; its temp dir is owned by
that user. Clients (psql, the JDBC driver) connect over TCP with scram-sha-256 passwords, so no Unix socket and
no peer authentication is involved. Nothing here is meant for production data.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jobs.local_server import as_server_user, free_port, give_to_server_user, root_without_server_user

SERVER_USER = "postgres"  # created by the Debian package; the server runs as it when we are root
DRIVER_JAR = Path("/usr/share/java/postgresql.jar")  # Debian's libpostgresql-jdbc-java
ADMIN = "piiscan_admin"


def bin_dir() -> Path | None:
    """The PostgreSQL server binaries: PIISCAN_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    configured = os.environ.get("PIISCAN_PG_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


def unavailable_reason() -> str | None:
    """Why a local cluster cannot run here, or None when the server binaries and the driver jar are present."""
    if bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    if not DRIVER_JAR.is_file():
        return f"PostgreSQL JDBC driver {DRIVER_JAR} not found: apt-get install libpostgresql-jdbc-java"
    return root_without_server_user(SERVER_USER)


@dataclass
class PostgresCluster:
    """A throw-away cluster: ``start()`` it, ``create_database()`` for each database, ``stop()`` removes it."""

    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: "pw-" + secrets.token_urlsafe(18))
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    root: Path | None = None

    def source(self, database: str, user: str, schema: str = "public") -> str:
        """The scan's --source for ``database`` (no credentials: the password comes from the environment)."""
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{database}?schema={schema}&user={user}"

    def create_database(self, database: str, user: str, setup_sql: str) -> None:
        """Create ``database``, a login role ``user`` with ``password`` (if missing), then run ``setup_sql`` in it."""
        self.psql("postgres", f"CREATE DATABASE {database};")
        self.psql(
            "postgres",
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN "
            f"CREATE ROLE {user} LOGIN PASSWORD '{self.password}'; END IF; END $$;",
        )
        self.psql(database, setup_sql)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Create the cluster (initdb) and start the server."""
        binaries = bin_dir()
        if binaries is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.root = Path(tempfile.mkdtemp(prefix="piiscan-pg-"))
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.admin_password + "\n")
        pwfile.chmod(0o600)
        give_to_server_user(SERVER_USER, self.root, pwfile)
        data = self.root / "data"
        self._as_server_user(
            [str(binaries / "initdb"), "-D", str(data), "-U", ADMIN, "-A", "scram-sha-256", f"--pwfile={pwfile}",
             "-E", "UTF8", "--locale=C", "--no-sync"]
        )  # fmt: skip
        pwfile.unlink()
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off"
        self._as_server_user(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"), "-o", options, "-w",
             "-t", "30", "start"]
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if self.root is None:
            return
        binaries = bin_dir()
        if binaries is not None and (self.root / "data" / "postmaster.pid").exists():
            self._as_server_user([str(binaries / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def psql(self, database: str, sql: str) -> None:
        """Run ``sql`` as the cluster's superuser; stops at the first error."""
        binaries = bin_dir()
        assert binaries is not None
        psql = binaries / "psql" if (binaries / "psql").is_file() else Path(shutil.which("psql") or "psql")
        env = {**os.environ, "PGPASSWORD": self.admin_password}
        subprocess.run(
            [str(psql), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", ADMIN,
             "-d", database, "-c", sql],
            env=env, check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    def _as_server_user(self, command: list[str]) -> None:
        command = as_server_user(command, SERVER_USER)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd="/")
        if done.returncode != 0:
            log = self.root / "server.log" if self.root else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{command[-1]} failed ({done.returncode}): {done.stderr[-2000:]}\n{tail}")
