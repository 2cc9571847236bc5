"""The ``fingerprints`` section of scan.yaml and where the fingerprint key comes from.

The key is never in a configuration file: it is read on the driver from an environment variable or from AWS
Secrets Manager, and travels to the Spark tasks inside the scan's closure like the run's hash key. Messages
name the variable or the secret, never the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from classifiers.errors import ConfigError
from classifiers.fingerprints import DEFAULT_LIMIT, MIN_KEY_BYTES, Fingerprinter
from jobs.aws_errors import error_code

DEFAULT_KEY_ENV = "PIISCAN_FINGERPRINT_KEY"


@dataclass(frozen=True)
class FingerprintSettings:
    """``enabled``: findings keep keyed fingerprints of their values (the ``fingerprints`` table).

    The key is the value of the environment variable ``key_env`` or, when ``secret_id`` is set, the SecretString
    (or SecretBinary) of that Secrets Manager secret. ``limit``: fingerprints kept per finding, the smallest ones.
    """

    enabled: bool = False
    key_env: str = DEFAULT_KEY_ENV
    secret_id: str | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigError(f"fingerprints.enabled must be true or false, got {self.enabled!r}")
        if not isinstance(self.key_env, str) or not self.key_env:
            raise ConfigError(f"fingerprints.key_env must name an environment variable, got {self.key_env!r}")
        if self.secret_id is not None and (not isinstance(self.secret_id, str) or not self.secret_id):
            raise ConfigError(f"fingerprints.secret_id must be a secret name or ARN, got {self.secret_id!r}")
        if not isinstance(self.limit, int) or isinstance(self.limit, bool) or self.limit < 1:
            raise ConfigError(f"fingerprints.limit must be a positive integer, got {self.limit!r}")

    def check_environment(self) -> None:
        """ConfigError when the key's environment variable is unset or too short.

        Checked when the file is loaded, so a scan fails before Spark starts; a key in Secrets Manager is read when
        the run starts.
        """
        if self.enabled and self.secret_id is None:
            fingerprinter_for(self)


def fingerprinter_for(settings: FingerprintSettings, secrets_client: Any = None) -> Fingerprinter | None:
    """The run's Fingerprinter, or None when fingerprints are off. Raises ConfigError when the key is unusable."""
    if not settings.enabled:
        return None
    key = _secret_key(settings.secret_id, secrets_client) if settings.secret_id else _environment_key(settings.key_env)
    if len(key) < MIN_KEY_BYTES:
        where = f"secret {settings.secret_id!r}" if settings.secret_id else f"environment variable {settings.key_env}"
        raise ConfigError(
            f"the fingerprint key in {where} has {len(key)} bytes; use at least {MIN_KEY_BYTES} random bytes "
            "(for example: openssl rand -hex 32)"
        )
    return Fingerprinter(key, settings.limit)


def _environment_key(name: str) -> bytes:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(
            f"fingerprints are enabled but the environment variable {name} is not set; set it to a secret key "
            f"(for example: export {name}=$(openssl rand -hex 32)) or set fingerprints.secret_id"
        )
    return value.encode("utf-8")


def _secret_key(secret_id: str, client: Any) -> bytes:
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    try:
        secret = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:
        raise ConfigError(f"cannot read the fingerprint key from secret {secret_id!r}: {error_code(exc)}") from exc
    if secret.get("SecretString") is not None:
        return str(secret["SecretString"]).encode("utf-8")
    return bytes(secret.get("SecretBinary") or b"")
