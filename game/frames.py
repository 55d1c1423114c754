"""A server's reading of WebSocket frames (RFC 6455) from a client: bytes in, messages out. Pure; no I/O.

The drill socket reads its frames itself (game.websocket.Reader) instead of through simple-websocket's reader
greenlet and wsproto's parser. Errors are those wsproto raised for the same bytes: a ``FrameError`` carries the
close code and reason the server answers with (1002 for a malformed frame, 1007 for text that is not UTF-8, 1009
for a message over the size limit, checked from a frame's declared length before its payload is read). No extension
is ever negotiated (game.websocket declines permessage-deflate), so a reserved bit is an error.
"""

from __future__ import annotations

import codecs

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
OPCODE_NAMES = {CONTINUATION: "CONTINUATION", TEXT: "TEXT", BINARY: "BINARY", CLOSE: "CLOSE", PING: "PING",
                PONG: "PONG"}
PROTOCOL_ERROR, INVALID_PAYLOAD, MESSAGE_TOO_BIG = 1002, 1007, 1009
NO_STATUS = 1005
_LOCAL_ONLY = (1005, 1006, 1015)
_KNOWN_CODES = frozenset((1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015))
_utf8_decoder = codecs.getincrementaldecoder("utf-8")


class FrameError(Exception):
    """The client broke the protocol: the server closes with ``code`` and ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def unmask(payload: bytes, key: bytes) -> bytes:
    """The payload XORed with the 4-byte masking key, repeated: one big-integer XOR instead of a loop per byte."""
    size = len(payload)
    if not size:
        return b""
    keys = (key * ((size >> 2) + 1))[:size]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(keys, "little")).to_bytes(size, "little")


def _close_payload(payload: bytes) -> tuple[int, str]:
    """A client's close frame's code and reason, checked as wsproto checks them."""
    if not payload:
        return NO_STATUS, ""
    if len(payload) == 1:
        raise FrameError(PROTOCOL_ERROR, "CLOSE with 1 byte payload")
    code = int.from_bytes(payload[:2], "big")
    if code < 1000 or code > 4999:
        raise FrameError(PROTOCOL_ERROR, "CLOSE with invalid code")
    if code in _LOCAL_ONLY:
        raise FrameError(PROTOCOL_ERROR, "remote CLOSE with local-only reason")
    if code not in _KNOWN_CODES and code <= 2999:
        raise FrameError(PROTOCOL_ERROR, "CLOSE with unknown reserved code")
    try:
        return code, payload[2:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise FrameError(INVALID_PAYLOAD, "Error decoding CLOSE reason: " + str(error)) from None


class MessageReader:
    """Turns the bytes a client sends into events, in order: ``(TEXT, str)``, ``(BINARY, bytes)``,
    ``(PING, payload)``, ``(PONG, payload)`` and ``(CLOSE, (code, reason))``, after which nothing more is read.

    A frame is kept until it is whole (at most ``max_message_size`` plus its header: the declared length is checked
    first), fragments until their message is whole.
    """

    def __init__(self, max_message_size: int) -> None:
        self.max_message_size = max_message_size
        self._pending = b""  # the start of a frame not yet whole
        self._opcode = 0  # TEXT or BINARY while a fragmented message is open, else 0
        self._fragments: list[bytes] | list[str] = []
        self._decoder: codecs.IncrementalDecoder | None = None  # of the open fragmented text message
        self._size = 0  # of the open message so far
        self.closed = False

    def whole_text(self, data: bytes) -> str | None:
        """The text of ``data`` if it is exactly one whole, valid text frame and nothing is pending (how a client's
        message usually arrives: one recv, one frame), else None: ``feed`` then reads ``data`` (and raises what a
        malformed frame raises). No list, tuple or loop for the usual message."""
        size = len(data)
        if data[0] != 0x81 or self._pending or self._opcode or self.closed or size < 6:  # FIN, no RSV, TEXT
            return None
        length = data[1] ^ 0x80  # the mask bit must be set: any length left over 127 means it was not
        if length < 126:
            start = 2
        elif length == 126 and size >= 8:
            length, start = (data[2] << 8) | data[3], 4
            if length < 126:
                return None
        else:
            return None
        if size != start + 4 + length or length > self.max_message_size:
            return None
        try:
            return unmask(data[start + 4:], data[start:start + 4]).decode("utf-8")
        except UnicodeDecodeError:
            return None

    def feed(self, data: bytes) -> list[tuple[int, object]]:
        """The events ``data`` completes. Raises ``FrameError`` at the first malformed frame."""
        if self.closed:
            return []
        buffer = self._pending + data if self._pending else data
        end, at, events = len(buffer), 0, []
        while end - at >= 2:
            first, second = buffer[at], buffer[at + 1]
            opcode, length = first & 0x0F, second & 0x7F
            if opcode not in OPCODE_NAMES:
                raise FrameError(PROTOCOL_ERROR, f"Invalid opcode {opcode:#x}")
            control = opcode >= CLOSE
            if control and not first & 0x80:
                raise FrameError(PROTOCOL_ERROR, "Invalid attempt to fragment control frame")
            if control and length > 125:
                raise FrameError(PROTOCOL_ERROR, "Control frame with payload len > 125")
            start = at + 2
            if length == 126:
                if end - start < 2:
                    break
                length, start = int.from_bytes(buffer[start:start + 2], "big"), start + 2
                if length <= 125:
                    raise FrameError(PROTOCOL_ERROR, "Payload length used 2 bytes when 1 would have sufficed")
            elif length == 127:
                if end - start < 8:
                    break
                length, start = int.from_bytes(buffer[start:start + 8], "big"), start + 8
                if length <= 0xFFFF:
                    raise FrameError(PROTOCOL_ERROR, "Payload length used 8 bytes when 2 would have sufficed")
                if length >> 63:
                    raise FrameError(PROTOCOL_ERROR, "8-byte payload length with non-zero MSB")
            if first & 0x70:
                raise FrameError(PROTOCOL_ERROR, "Reserved bit set unexpectedly")
            if not second & 0x80:
                raise FrameError(PROTOCOL_ERROR, "server received unexpected unmasked frame")
            if not control:
                self._check_sequence(opcode)
                if self._size + length > self.max_message_size:  # before a byte of it is kept
                    raise FrameError(MESSAGE_TOO_BIG, "Message is too big")
            if end - start < 4 + length:
                break
            payload = unmask(buffer[start + 4:start + 4 + length], buffer[start:start + 4])
            at = start + 4 + length
            if control:
                if opcode == CLOSE:
                    events.append((CLOSE, _close_payload(payload)))
                    self.closed, self._pending = True, b""
                    return events
                events.append((opcode, payload))
            elif first & 0x80 and not self._opcode:  # a whole message in one frame: the usual case
                events.append(self._message(opcode, payload))
            else:
                if opcode:
                    self._opcode = opcode
                    # Text is decoded fragment by fragment, as wsproto does: bad UTF-8 closes at its fragment.
                    self._decoder = _utf8_decoder() if opcode == TEXT else None
                fin = bool(first & 0x80)
                piece = payload if self._decoder is None else self._decode(payload, fin)
                if piece:  # empty fragments are not kept: a stream of them must not grow the list
                    self._fragments.append(piece)
                self._size += length
                if fin:
                    kind = self._opcode
                    whole = "".join(self._fragments) if kind == TEXT else b"".join(self._fragments)
                    self._fragments, self._size, self._opcode, self._decoder = [], 0, 0, None
                    events.append((kind, whole))
        self._pending = buffer[at:] if at < end else b""
        return events

    def _check_sequence(self, opcode: int) -> None:
        if self._opcode:
            if opcode != CONTINUATION:
                got = f"<Opcode.{OPCODE_NAMES[opcode]}: {opcode}>"  # wsproto's words
                raise FrameError(PROTOCOL_ERROR, f"expected CONTINUATION, got {got}")
        elif opcode == CONTINUATION:
            raise FrameError(PROTOCOL_ERROR, "unexpected CONTINUATION")

    def _decode(self, payload: bytes, final: bool) -> str:
        try:
            return self._decoder.decode(payload, final)
        except UnicodeDecodeError as error:
            raise FrameError(INVALID_PAYLOAD, str(error)) from None

    @staticmethod
    def _message(opcode: int, payload: bytes) -> tuple[int, object]:
        if opcode == BINARY:
            return BINARY, payload
        try:
            return TEXT, payload.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FrameError(INVALID_PAYLOAD, str(error)) from None
