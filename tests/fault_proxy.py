"""A fault-injecting HTTP/1.1 reverse proxy on loopback, in front of the local S3 server (tests only).

Every request is forwarded to ``upstream`` unless a rule answers it instead:

- ``EveryNth(kind, n)``: every n-th request matching the rule's method and target substring (at most ``limit``
  times) fails transiently:
  ``slowdown`` (503 SlowDown, S3's throttling answer), ``internal_error`` (500 InternalError), ``reset`` (the
  connection is reset without an answer), ``reset_mid_body`` (the real answer's headers and half its body, then
  a reset; only counted on answers with a body) or ``stall`` (no answer for ``stall_seconds``, then a reset).
- ``DenyKey(kind, bucket, key)``: every GET (and for ``access_denied`` HEAD) of that key fails for good, as S3
  answers them: ``access_denied`` (403 AccessDenied), ``kms_denied`` (403 AccessDenied for a kms:Decrypt the
  caller may not do, on an SSE-KMS object: HeadObject still works) or ``archived`` (403 InvalidObjectState for
  an object in an archive tier: HeadObject still works).

Request bodies are passed through byte for byte (``Content-Length`` or raw ``Transfer-Encoding: chunked``, so
SigV4 signatures and aws-chunked payloads stay valid); answers are streamed back, re-chunked when the upstream
answer has no length. Client connections are kept alive; each forwarded request opens its own upstream
connection, so a fault on one client connection never poisons another.

Usage::

    with FaultProxy(s3_endpoint, [EveryNth("slowdown", 3)]) as proxy:
        ...  # point AWS_ENDPOINT_URL at proxy.endpoint_url
    assert proxy.injected["slowdown"] > 0
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal, Self
from urllib.parse import unquote, urlparse

TransientKind = Literal["slowdown", "internal_error", "reset", "reset_mid_body", "stall"]
PermanentKind = Literal["access_denied", "kms_denied", "archived"]
TRANSIENT_KINDS: tuple[TransientKind, ...] = ("slowdown", "internal_error", "reset", "reset_mid_body", "stall")

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "upgrade"}
)
_CHUNK = 64 * 1024
_KMS_MESSAGE = (
    "User: arn:aws:sts::123456789012:assumed-role/piiscan-scan/session is not authorized to perform: "
    "kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab "
    "because no identity-based policy allows the kms:Decrypt action"
)
# (HTTP status, S3 error code, message) of each fault that answers with an S3 error document
_ERRORS: dict[str, tuple[int, str, str]] = {
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
    "internal_error": (500, "InternalError", "We encountered an internal error. Please try again."),
    "access_denied": (403, "AccessDenied", "Access Denied"),
    "kms_denied": (403, "AccessDenied", _KMS_MESSAGE),
    "archived": (403, "InvalidObjectState", "The operation is not valid for the object's storage class"),
}


@dataclass(frozen=True)
class EveryNth:
    """Fail every ``every``-th request matching ``method`` (any when None) whose target (path and query) contains
    ``target_contains``; at most ``limit`` times when given."""

    kind: TransientKind
    every: int
    method: str | None = None
    target_contains: str = ""
    limit: int | None = None

    def matches(self, method: str, target: str) -> bool:
        """True when the request is one this rule counts."""
        return (self.method is None or method == self.method) and self.target_contains in target


@dataclass(frozen=True)
class DenyKey:
    """Fail every read of ``s3://bucket/key`` with a permanent S3 error."""

    kind: PermanentKind
    bucket: str
    key: str

    def matches(self, method: str, path: str) -> bool:
        """GetObject of the key; HeadObject too for a plain AccessDenied (metadata of KMS/archived objects reads)."""
        methods = ("GET", "HEAD") if self.kind == "access_denied" else ("GET",)
        return method in methods and unquote(path) == f"/{self.bucket}/{self.key}"


class FaultProxy:
    """The proxy; a context manager. Counters are safe to read while it runs.

    Attributes:
        endpoint_url: ``http://127.0.0.1:PORT`` of the proxy.
        requests: Requests received (faulted or not).
        forwarded: Requests forwarded to the upstream server.
        injected: Faults injected, by kind (transient and permanent).
        faulted: ``(method, path, kind)`` of every injected fault, in order (the path without its query).

    """

    def __init__(
        self,
        upstream: str,
        rules: Sequence[EveryNth] = (),
        denied: Sequence[DenyKey] = (),
        *,
        stall_seconds: float = 5.0,
    ) -> None:
        """Configure the proxy for ``upstream`` (``http://host:port``); nothing listens until it is entered."""
        parsed = urlparse(upstream)
        if parsed.scheme != "http" or parsed.hostname is None or parsed.port is None:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = (parsed.hostname, parsed.port)
        self.stall_seconds = stall_seconds
        self.requests = 0
        self.forwarded = 0
        self.injected: Counter[str] = Counter()
        self.faulted: list[tuple[str, str, str]] = []
        self._rules = list(rules)
        self._seen = [0] * len(self._rules)  # requests each rule matched so far
        self._fired = [0] * len(self._rules)  # faults each rule injected so far
        self._denied = list(denied)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._to_reset: set[int] = set()  # ids of client sockets to close with a reset instead of a FIN
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.endpoint_url = ""

    def __enter__(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self.endpoint_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()  # wakes stalled handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def set_rules(self, rules: Sequence[EveryNth] = (), denied: Sequence[DenyKey] = ()) -> None:
        """Replace the rules (their counts start again) and reset the counters."""
        with self._lock:
            self._rules, self._denied = list(rules), list(denied)
            self._seen = [0] * len(self._rules)
            self._fired = [0] * len(self._rules)
            self.requests, self.forwarded = 0, 0
            self.injected.clear()
            self.faulted.clear()

    def _decide(self, method: str, target: str) -> str | None:
        """The fault for this request (``target``: its path and query), if any; counts the request."""
        path = target.partition("?")[0]
        with self._lock:
            self.requests += 1
            for deny in self._denied:
                if deny.matches(method, path):
                    return deny.kind
            for index, rule in enumerate(self._rules):
                if rule.matches(method, target):
                    self._seen[index] += 1
                    spent = rule.limit is not None and self._fired[index] >= rule.limit
                    if self._seen[index] % rule.every == 0 and not spent:
                        self._fired[index] += 1
                        return rule.kind
        return None

    def _record(self, method: str, path: str, kind: str) -> None:
        with self._lock:
            self.injected[kind] += 1
            self.faulted.append((method, path, kind))

    def _count_forwarded(self) -> None:
        with self._lock:
            self.forwarded += 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[_Handler], proxy: FaultProxy) -> None:
        self.proxy = proxy
        super().__init__(address, handler)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        assert isinstance(request, socket.socket)
        with self.proxy._lock:
            reset = id(request) in self.proxy._to_reset
            self.proxy._to_reset.discard(id(request))
        if reset:
            # Linger 0: close() sends RST at once (no FIN first), as a dropped connection looks to a client.
            request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_request(request)
            return
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and 100-continue handled by the base class
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: the counters say what happened

    def _proxy(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        path = self.path.partition("?")[0]
        kind = proxy._decide(self.command, self.path)
        if kind in _ERRORS:
            status, code, message = _ERRORS[kind]
            proxy._record(self.command, path, kind)
            self._send_error_document(status, code, message, kind == "archived")
            return
        if kind in ("reset", "stall"):
            if kind == "stall":
                proxy._stopping.wait(proxy.stall_seconds)
            proxy._record(self.command, path, kind)
            self._reset()
            return
        self._forward(body, cut_body=kind == "reset_mid_body")

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _proxy

    def _read_body(self) -> bytes:
        """The request body exactly as sent: ``Content-Length`` bytes, or the raw chunked encoding."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                size_line = self.rfile.readline()
                raw += size_line
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        line = self.rfile.readline()
                        raw += line
                        if line in (b"\r\n", b"\n", b""):
                            return bytes(raw)
                raw += self.rfile.read(size + 2)  # data and its CRLF
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_error_document(self, status: int, code: str, message: str, archived: bool) -> None:
        extra = "<StorageClass>GLACIER</StorageClass>" if archived else ""
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>{extra}"
            "<RequestId>FAULTPROXY0000001</RequestId><HostId>fault-proxy</HostId></Error>"
        ).encode()
        self.send_response_only(status)
        self.send_header("x-amz-request-id", "FAULTPROXY0000001")
        self.send_header("Content-Type", "application/xml")
        # S3 answers HEAD errors without a body; the length still describes the document GET would get.
        self.send_header("Content-Length", str(len(document)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(document)

    def _reset(self) -> None:
        self.close_connection = True
        with self.server.proxy._lock:
            self.server.proxy._to_reset.add(id(self.request))

    def _forward(self, body: bytes, cut_body: bool) -> None:
        proxy = self.server.proxy
        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                # Expect: 100-continue was answered here (the base class), and the whole body is already read.
                if name.lower() not in _HOP_BY_HOP and name.lower() != "expect":
                    upstream.putheader(name, value)
            upstream.endheaders()
            if body:
                upstream.send(body)
            response = upstream.getresponse()
            proxy._count_forwarded()
            self._relay(response, cut_body)
        finally:
            upstream.close()

    def _relay(self, response: http.client.HTTPResponse, cut_body: bool) -> None:
        """Send the upstream answer on; with ``cut_body``, reset the connection half-way through its body."""
        proxy = self.server.proxy
        no_body = self.command == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200
        length = response.getheader("Content-Length")
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            lowered = name.lower()
            if lowered in _HOP_BY_HOP or lowered == "transfer-encoding":
                continue
            if lowered == "content-length" and not no_body:
                continue  # set below from what is actually sent
            self.send_header(name, value)
        if no_body:
            self.end_headers()
            return
        if length is not None:
            total = int(length)
            self.send_header("Content-Length", str(total))
            self.end_headers()
            if cut_body and total > 1:
                self.wfile.write(response.read(total // 2))
                proxy._record(self.command, self.path.partition("?")[0], "reset_mid_body")
                self._reset()
                return
            while chunk := response.read(_CHUNK):
                self.wfile.write(chunk)
            return
        # No length upstream (chunked, or until close): re-chunk, so the client connection stays reusable.
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        while chunk := response.read(_CHUNK):
            if cut_body and sent:
                proxy._record(self.command, self.path.partition("?")[0], "reset_mid_body")
                self._reset()
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")
