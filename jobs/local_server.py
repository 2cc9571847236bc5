"""What the throw-away database servers (jobs/local_postgres.py, jobs/local_mariadb.py) share.

Database servers refuse to run as root (PostgreSQL) or should not (MariaDB): when the tests or the demo run as
root, the server runs as an unprivileged OS user through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import socket


def server_user(preferred: str) -> pwd.struct_passwd | None:
    """The OS user a server runs as when we are root: ``preferred`` (created by the Debian package), else nobody."""
    for name in (preferred, "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def root_without_server_user(preferred: str) -> str | None:
    """Why a server cannot run here for want of a user, or None."""
    if os.geteuid() == 0 and server_user(preferred) is None:
        return f"running as root and no unprivileged {preferred!r} or 'nobody' user to run the server as"
    return None


def as_server_user(command: list[str], preferred: str) -> list[str]:
    """``command``, run through ``runuser`` as the server user when we are root."""
    if os.geteuid() != 0:
        return command
    user = server_user(preferred)
    if user is None:
        raise RuntimeError(root_without_server_user(preferred))
    return ["runuser", "-u", user.pw_name, "--", *command]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def give_to_server_user(preferred: str, *paths: os.PathLike[str] | str) -> None:
    """Make the server user own ``paths`` when we are root (it must write its data directory)."""
    if os.geteuid() != 0:
        return
    user = server_user(preferred)
    if user is None:
        raise RuntimeError(root_without_server_user(preferred))
    for path in paths:
        os.chown(path, user.pw_uid, user.pw_gid)
