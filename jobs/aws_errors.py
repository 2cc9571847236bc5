"""What an AWS error was, in words safe to record: its error code, never its message (which may quote data)."""

from __future__ import annotations


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore error (``AccessDenied`` ...), its HTTP status, or the exception's class name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status:
            return str(status)
    return type(exc).__name__
