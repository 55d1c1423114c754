"""flask-sock's extension with one change: its connections are freed as soon as they close.

flask-sock's ``Sock.route`` defines a new ``Response`` subclass for every connection, closing over its
``Server``. A class always sits in a reference cycle (its ``__mro__``, its descriptors), so every closed socket's
``Server``, WSGI environ, gunicorn request and wsproto state (~75 objects) waited for a full collection of the
worker's whole heap, which then took hundreds of milliseconds (docs/scaling.md). ``Sock.route`` here does what
flask-sock's does, but every connection returns an instance of one shared class, so reference counting frees the
connection when its view returns. Everything else (``Server``, ``ConnectionClosed``, ``SOCK_SERVER_OPTIONS``,
blueprints) is flask-sock's.

A route may also read its socket itself (``route(..., reader=True)``): no reader greenlet is started, and the
view's greenlet reads frames with ``Reader`` (game.frames parses them).

Every socket also declines permessage-deflate, which every browser offers and simple-websocket would accept: a
compressing socket holds zlib's state (~180 KB a socket measured by bench/load.py --deflate, 600 players: RSS
155 -> 267 MB), a third of what a player costs the worker, to save ~1 KB a trial that no phone notices.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import struct
from collections.abc import Callable

import flask_sock
import gevent
from flask import Blueprint, Response, current_app, request
from flask_sock import ConnectionClosed, Server
from gevent.socket import socket as GreenSocket
from wsproto.events import CloseConnection, Pong
from wsproto.frame_protocol import CloseReason

from game import frames

__all__ = ["ConnectionClosed", "Reader", "Sock", "route", "send_text"]
_TEXT_FIN = 0x81  # a whole text message in one frame
DEFAULT_MAX_MESSAGE_BYTES = 65536  # a ``Reader``'s limit when the server options set none


class _Handled(Response):
    """The view's return once its socket is closed: the server must not write an HTTP response on it."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def __call__(self, environ, start_response):  # type: ignore[override]
        if self.mode == "gunicorn":
            raise StopIteration()  # gunicorn's worker ends the request without writing to the socket
        if self.mode == "werkzeug":
            return super().__call__(environ, start_response)
        return []


def _without_compression(environ: dict) -> dict:
    """The handshake as the client sent it, less its offer of extensions (simple-websocket reads it from here)."""
    return {key: value for key, value in environ.items() if key != "HTTP_SEC_WEBSOCKET_EXTENSIONS"}


class _NoThread:
    """simple-websocket's reader thread, never started: the view's greenlet reads the socket (``Reader``)."""

    name = "reader"

    def __init__(self, target: Callable) -> None:
        pass

    def start(self) -> None:
        pass


class Sock(flask_sock.Sock):
    def route(self, path: str, bp: Blueprint | None = None, server_options: dict | None = None, **kwargs) -> Callable:
        """flask-sock's decorator: the decorated function gets the open connection (``receive(timeout)``, ``send``,
        ``close``); options come from the app's ``SOCK_SERVER_OPTIONS``, then ``server_options``. Returns the
        function unchanged."""

        def decorator(serve: Callable) -> Callable:
            @functools.wraps(serve)
            def view(*args, **view_kwargs):
                options = {**current_app.config.get("SOCK_SERVER_OPTIONS", {}), **(server_options or {})}
                ws = Server(_without_compression(request.environ), **options)
                with contextlib.suppress(ConnectionClosed):
                    serve(ws, *args, **view_kwargs)
                with contextlib.suppress(Exception):  # already closed by the client or the view: nothing left to do
                    ws.close()
                return _Handled(ws.mode)

            if bp is None:
                raise ValueError("Glimpse registers its sockets on blueprints")
            bp.route(path, websocket=True, **kwargs)(view)
            return serve

        return decorator


_sock = Sock()


def route(blueprint: Blueprint, path: str, reader: bool = False, **server_options) -> Callable:
    """Serve ``path`` as a WebSocket on ``blueprint`` (see ``Sock.route``); ``server_options`` override the app's.

    :param reader: the view reads its socket itself with ``Reader`` (no reader greenlet; no simple-websocket pings,
        ``ws.receive`` unused)
    """
    if reader:
        server_options = {**server_options, "ping_interval": None, "thread_class": _NoThread}
    return _sock.route(path, bp=blueprint, server_options=server_options)


class Reader:
    """A socket's messages, read by the greenlet that handles them (a route with ``reader=True``).

    simple-websocket reads in a greenlet of its own: a recv, wsproto's pure-Python parser, an Event and a switch into
    the handling greenlet for every message (~0.06 ms a message in the worker at 2,000 players, docs/scaling.md).
    Here ``receive`` does the recv, and game.frames the parsing. Pings are answered, pongs noted
    (``ws.pong_received``), a close or a broken frame answered with a close frame, as simple-websocket did. ``wake``
    lets another greenlet (e.g. a deadline's) end a ``receive`` waiting on a socket it has closed. ``close`` (the
    view's last step) lets go of the event loop's watch on the socket.

    On a gevent socket the greenlet waits for the socket to be readable before it reads, on a watcher of its own
    that stays started between messages: gevent's ``recv`` tried the read first (a failed system call and an
    ``OSError`` a message, as a client only sends after the last reply), then made a ``Waiter``, a bound method and
    a tuple for the wait (the young objects each collection walked: docs/scaling.md) and re-armed the socket in
    epoll (``epoll_ctl``) for every message.
    """

    def __init__(self, ws: Server) -> None:
        self.ws = ws
        self.frames = frames.MessageReader(ws.max_message_size or DEFAULT_MAX_MESSAGE_BYTES)
        self._messages: list[str | bytes] = []
        self._raw = _raw_socket(ws.sock)
        self._watcher = None
        if self._raw is not None:
            hub = gevent.get_hub()
            self._hub_switch, self._greenlet = hub.switch, gevent.getcurrent()
            self._watcher = hub.loop.io(self._raw.fileno(), 1)
        self._waiting = False

    def receive(self) -> str | bytes:
        """The next message; raises ``ConnectionClosed`` once the socket is closed and its messages are read."""
        ws, messages = self.ws, self._messages
        while not messages:
            if not ws.connected:
                raise ConnectionClosed(ws.close_reason, ws.close_message)
            try:
                data = ws.sock.recv(ws.receive_bytes) if self._watcher is None else self._recv(ws.receive_bytes)
            except OSError:
                data = b""
            if not data or not ws.connected:  # the client went away, or ``wake`` after a close
                ws.connected = False
                raise ConnectionClosed(ws.close_reason, ws.close_message)
            text = self.frames.whole_text(data)
            if text is not None:
                return text
            try:
                events = self.frames.feed(data)
            except frames.FrameError as error:
                self._close(error.code, error.reason)
                break
            for opcode, payload in events:
                if opcode == frames.TEXT or opcode == frames.BINARY:
                    messages.append(payload)  # type: ignore[arg-type]
                elif opcode == frames.PING:
                    with contextlib.suppress(OSError):
                        ws.sock.send(ws.ws.send(Pong(payload=payload)))  # type: ignore[arg-type]
                elif opcode == frames.PONG:
                    ws.pong_received = True
                else:
                    self._close(*payload)  # type: ignore[misc]
        if not messages:
            raise ConnectionClosed(ws.close_reason, ws.close_message)
        return messages.pop(0)

    def _recv(self, size: int) -> bytes:
        """Wait until the socket is readable, then read it (b"" at its end)."""
        watcher = self._watcher
        while True:
            if not watcher.active:
                watcher.start(self._readable)
            self._waiting = True
            try:
                self._hub_switch()
            finally:
                self._waiting = False
            try:
                return self._raw.recv(size)
            except BlockingIOError:  # woken without data (another switch into this greenlet): wait again
                continue

    def _readable(self) -> None:
        """In the hub: the socket has data. Wake the greenlet only if it waits for it; if it is busy elsewhere
        (sending, a lane), the watcher stops until it waits again (epoll would report the same data every turn)."""
        if self._waiting:
            self._greenlet.switch()
        else:
            self._watcher.stop()

    def close(self) -> None:
        """Let go of the event loop's watch on the socket, before the server closes it (its descriptor may be
        reused)."""
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None

    def _close(self, code: int, reason: str) -> None:
        """Answer a client's close, or close on a broken frame, with this code and reason (wsproto frames it)."""
        ws = self.ws
        if ws.connected:
            with contextlib.suppress(OSError):
                status = CloseReason.NO_STATUS_RCVD if code == frames.NO_STATUS else code  # echoed as no status
                ws.sock.send(ws.ws.send(CloseConnection(code=status, reason=reason)))
        ws.connected, ws.close_reason, ws.close_message = False, code, reason

    def wake(self) -> None:
        """End a ``receive`` waiting in recv (its socket is closed for reading: recv returns b"")."""
        with contextlib.suppress(OSError):
            self.ws.sock.shutdown(socket.SHUT_RD)


def send_text(ws: Server, payload: bytes) -> None:
    """``ws.send(payload.decode())``, the same bytes on the wire, without wsproto's framing: a server's frame is a
    2-10 byte header and the payload (unmasked; no extension, as every socket here declines them). wsproto built it
    from the str again (an encode and three copies): 6.5 µs a reply, socket send included, against 3.5 here
    (bench/reply_framing.py).

    :param payload: UTF-8 text, e.g. msgspec's JSON
    """
    if not ws.connected:  # wsproto's state is OPEN while it is: every close here also clears it
        ws.send(payload.decode())  # raises as it always did
        return
    size = len(payload)
    if size < 126:
        header = bytes((_TEXT_FIN, size))
    elif size < 65536:
        header = struct.pack("!BBH", _TEXT_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", _TEXT_FIN, 127, size)
    # Straight to a gevent socket's own non-blocking socket (gevent's ``send`` is a Python method around the same
    # call), the rest, if its buffer is full, through gevent's cooperative ``sendall`` (``send`` alone could send
    # part of a reply and drop the rest). Other sockets: their ``send``, as simple-websocket does.
    sock, data = ws.sock, header + payload
    raw = _raw_socket(sock)
    if raw is None:
        sock.send(data)
        return
    try:
        sent = raw.send(data)
    except BlockingIOError:
        sent = 0
    if sent < len(data):
        sock.sendall(data[sent:])


def _raw_socket(sock) -> socket.socket | None:
    """A plain gevent socket's own non-blocking socket (gevent documents ``_sock`` for code that needs it), else
    None: a TLS socket (gevent's subclasses it) must be read and written through its TLS layer, other sockets
    (tests' stand-ins, a threaded server's) through their own methods."""
    return sock._sock if type(sock) is GreenSocket else None
