"""A throw-away PostgreSQL cluster for the JDBC tests: initdb in a temp dir, pg_ctl on a free loopback port.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as an unprivileged OS user
(``postgres`` when the Debian package created it, else ``nobody``) through ``runuser``; its temp dir is owned by
that user. Clients (psql, the JDBC driver) connect over TCP with scram-sha-256 passwords, so no Unix socket and
no peer authentication is involved. Everything is SYNTHETIC: the rows below are invented.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

DRIVER_JAR = Path("/usr/share/java/postgresql.jar")
ADMIN = "piiscan_admin"
DATABASE = "shop"
SCANNER = "scanner"

# customers: e-mail, phone and free-text notes; payments: card numbers; clean: ids and amounts only;
# restricted: the scanner may INSERT but not SELECT, so it is listed and cannot be read.
SETUP_SQL = """
CREATE TABLE public.customers (id integer PRIMARY KEY, email varchar(120), phone text, notes text);
INSERT INTO public.customers VALUES
  (1, 'jane.doe@example.com', '+44 20 7946 0958', 'prefers e-mail'),
  (2, 'mark.lee@example.org', '+44 20 7946 0959', NULL),
  (3, 'ana.lima@example.net', '(212) 555-0100', 'called about the invoice');
CREATE TABLE public.payments (payment_id bigint PRIMARY KEY, card_number varchar(19), amount numeric(10,2));
INSERT INTO public.payments VALUES
  (10, '4111111111111111', 12.50), (11, '5555555555554444', 99.00), (12, '4012888888881881', 7.25);
CREATE TABLE public.clean (id integer PRIMARY KEY, order_id bigint, amount numeric(12,2));
INSERT INTO public.clean VALUES (1, 5001, 10.00), (2, 5002, 20.50), (3, 5003, 31.75);
CREATE TABLE public.restricted (id integer, note text);
INSERT INTO public.restricted VALUES (1, 'nothing to see');
GRANT SELECT ON public.customers, public.payments, public.clean TO {scanner};
GRANT INSERT ON public.restricted TO {scanner};
"""


def bin_dir() -> Path | None:
    """The PostgreSQL server binaries: PIISCAN_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    configured = os.environ.get("PIISCAN_PG_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


def skip_reason() -> str | None:
    """Why the JDBC tests cannot run here, or None when the server binaries and the driver jar are present."""
    if bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    if not DRIVER_JAR.is_file():
        return f"PostgreSQL JDBC driver {DRIVER_JAR} not found: apt-get install libpostgresql-jdbc-java"
    if os.geteuid() == 0 and _server_user() is None:
        return "running as root and no unprivileged 'postgres' or 'nobody' user to run the server as"
    return None


def _server_user() -> pwd.struct_passwd | None:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    """A running throw-away cluster with the ``shop`` database; ``password`` is the scanner's."""

    port: int = field(default_factory=_free_port)
    password: str = field(default_factory=lambda: "pw-" + secrets.token_urlsafe(18))
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    root: Path | None = None

    @property
    def source(self) -> str:
        """The scan's --source for the shop database (no credentials)."""
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{DATABASE}?schema=public&user={SCANNER}"

    def start(self) -> None:
        """initdb, start, and create the database, the scanner user and the tables."""
        binaries = bin_dir()
        if binaries is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.root = Path(tempfile.mkdtemp(prefix="piiscan-pg-"))
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.admin_password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            user = _server_user()
            assert user is not None
            for path in (self.root, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
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
        self.psql("postgres", f"CREATE DATABASE {DATABASE};")
        self.psql("postgres", f"CREATE ROLE {SCANNER} LOGIN PASSWORD '{self.password}';")
        self.psql(DATABASE, SETUP_SQL.format(scanner=SCANNER))

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
        if os.geteuid() == 0:
            user = _server_user()
            assert user is not None
            command = ["runuser", "-u", user.pw_name, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd="/")
        if done.returncode != 0:
            log = self.root / "server.log" if self.root else None
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{command[-1]} failed ({done.returncode}): {done.stderr[-2000:]}\n{tail}")
