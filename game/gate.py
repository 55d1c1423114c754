"""The front gate (WSGI middleware): how many connections come in, and how much body each may send.

One gevent worker serves everyone, so no single client may hold it:
- over ``MAX_CONNECTIONS`` open requests and sockets, a newcomer gets HTTP 503 with Retry-After at
  once (gunicorn's pool is sized above this, so the refusal is always served, never left hanging); so
  does a new WebSocket while the worker is full (``game.busy``): those playing keep their latency. A socket
  that claims an unfinished drill to come back to (``?resume=<drill id>``: a phone that lost its signal
  mid-drill) is let on, and the socket's own admission (``game.ws``) checks the claim;
- one address may hold at most ``MAX_CONNECTIONS_PER_ADDRESS`` of them (429 past that), a tenth of the
  whole by default: many players share an address behind a NAT (or a test's loopback);
- a request body is read whole, before the app sees it, within ``BODY_DEADLINE_S`` (408 past it) and
  up to ``MAX_CONTENT_LENGTH`` bytes, chunked bodies included (413, and the connection is closed); one
  address may be sending at most ``BODIES_PER_ADDRESS`` bodies at once (429), so slow senders cannot
  take the address's share from its players, whose pages and sockets send no body.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
from collections.abc import Callable, Iterable

from werkzeug.wsgi import ClosingIterator

from game.busy import Load
from game.throttle import Counter, address_key

CHUNK = 64 * 1024
RETRY_AFTER_S = 5
FULL_MESSAGE = "The server is full right now; try again in a few seconds."
# In a WebSocket upgrade's environ while the worker is full: let on only if it comes back to its player's unfinished
# drill, which its admission checks (a lookup the gate, in front of the app, cannot make)
RESUMING_WHILE_FULL = "glimpse.resuming_while_full"


def _gevent_timeout() -> type | None:
    """gevent's Timeout when the worker's sockets are cooperative (under gunicorn's gevent worker), else None."""
    try:
        from gevent import Timeout, monkey
    except ImportError:  # pragma: no cover - gevent comes with gunicorn[gevent]
        return None
    return Timeout if monkey.is_module_patched("socket") else None


def refusal(start_response: Callable, status: str, code: str, message: str,
            headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    body = json.dumps({"error": code, "message": message}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *headers])
    return [body]


def _stop_reading(environ: dict) -> None:
    """Hang up on a body we refused. gunicorn drops the app's ``Connection: close`` (hop-by-hop) and, to
    keep the connection alive, reads the rest of the body first: without yielding while the client keeps
    sending, so a 100 MB chunked body froze every drill for most of a second. With the read side shut,
    that read finds the end at once and gunicorn closes the connection after our answer."""
    client = environ.get("gunicorn.socket")
    if client is not None:
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_RD)


class Gate:
    def __init__(self, app: Callable, *, max_connections: int, per_address: int, max_body: int,
                 body_deadline_s: float, bodies_per_address: int = 20, load: Load | None = None) -> None:
        self.app = app
        self.max_connections = max_connections
        self.per_address = per_address
        self.max_body = max_body
        self.body_deadline_s = body_deadline_s
        self.bodies_per_address = bodies_per_address
        self.load = load or Load()  # fed by game.busy.watch in the worker: until then never full
        self.open = Counter()
        self.sending = Counter()  # bodies being read, per address

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        address = address_key(environ.get("REMOTE_ADDR"))
        retry = [("Retry-After", str(RETRY_AFTER_S)), ("Connection", "close")]
        socket_while_full = self.load.full and environ.get("HTTP_UPGRADE", "").lower() == "websocket"
        resuming = socket_while_full and "resume=" in environ.get("QUERY_STRING", "")
        if self.open.total >= self.max_connections or (socket_while_full and not resuming):  # a newcomer's socket
            return refusal(start_response, "503 Service Unavailable", "over_capacity", FULL_MESSAGE, retry)
        if resuming:
            environ[RESUMING_WHILE_FULL] = True
        if self.open[address] >= self.per_address:
            return refusal(start_response, "429 Too Many Requests", "too_many_connections",
                           "Too many connections from your address.", retry)
        self.open.add(address)
        try:
            refused = self._read_body(environ, start_response, address)
            if refused is not None:
                self.open.remove(address)
                _stop_reading(environ)
                return refused
            # A WebSocket's call lasts as long as the socket; a page's until its body is sent.
            response = self.app(environ, start_response)
        except BaseException:  # flask-sock ends a gunicorn WebSocket by raising StopIteration
            self.open.remove(address)
            raise
        return ClosingIterator(response, lambda: self.open.remove(address))

    def _read_body(self, environ: dict, start_response: Callable, address: str) -> list[bytes] | None:
        """Replace the input stream by the whole body, read in time and within the limit; or refuse."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = -1
        if declared < 0:
            return refusal(start_response, "400 Bad Request", "bad_request", "Bad Content-Length.",
                           [("Connection", "close")])
        if not declared and not chunked:
            return None
        too_large = ("413 Content Too Large", "too_large", f"Request bodies are limited to {self.max_body} bytes.")
        if declared > self.max_body:
            return refusal(start_response, *too_large, [("Connection", "close")])
        if self.sending[address] >= self.bodies_per_address:
            return refusal(start_response, "429 Too Many Requests", "too_many_connections",
                           "Too many uploads at once from your address.",
                           [("Retry-After", str(RETRY_AFTER_S)), ("Connection", "close")])
        self.sending.add(address)
        try:
            return self._read_whole_body(environ, start_response, too_large)
        finally:
            self.sending.remove(address)

    def _read_whole_body(self, environ: dict, start_response: Callable, too_large: tuple[str, str, str]
                         ) -> list[bytes] | None:
        timeout_type = _gevent_timeout()
        deadline = timeout_type(self.body_deadline_s) if timeout_type else None
        stream, parts, size = environ["wsgi.input"], [], 0
        try:
            if deadline is not None:
                deadline.start()
            while size <= self.max_body:
                part = stream.read(min(CHUNK, self.max_body + 1 - size))
                if not part:
                    break
                parts.append(part)
                size += len(part)
        except BaseException as error:
            if deadline is not None and error is deadline:
                return refusal(start_response, "408 Request Timeout", "too_slow",
                               f"The request body took longer than {self.body_deadline_s:g} s.",
                               [("Connection", "close")])
            raise
        finally:
            if deadline is not None:
                deadline.close()
        if size > self.max_body:
            return refusal(start_response, *too_large, [("Connection", "close")])
        body = b"".join(parts)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return None
