"""game.frames, the drill socket's frame parser, against the RFC's framing and wsproto's verdicts on the same bytes."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wsproto.frame_protocol import FrameProtocol, ParseFailed

from game import frames
from game.frames import BINARY, CLOSE, PING, PONG, TEXT, FrameError, MessageReader

LIMIT = 65536


def frame(opcode: int, payload: bytes, key: bytes = b"\x01\x02\x03\x04", fin: bool = True, rsv: int = 0) -> bytes:
    """A client's frame as RFC 6455 lays it out, masked with ``key``."""
    size = len(payload)
    if size < 126:
        length = bytes((0x80 | size,))
    elif size < 65536:
        length = bytes((0x80 | 126,)) + struct.pack("!H", size)
    else:
        length = bytes((0x80 | 127,)) + struct.pack("!Q", size)
    masked = bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))
    return bytes(((0x80 if fin else 0) | rsv | opcode,)) + length + key + masked


def feed_in_pieces(reader: MessageReader, stream: bytes, cuts: list[int]) -> list:
    events, at = [], 0
    for cut in sorted(set(cuts)):
        events += reader.feed(stream[at:cut])
        at = cut
    return events + reader.feed(stream[at:])


def wsproto_verdict(stream: bytes) -> tuple[int, str] | None:
    """What wsproto's server side makes of the same bytes: the close code and reason of its error, if any."""
    protocol = FrameProtocol(client=False, extensions=[])
    protocol.receive_bytes(stream)
    try:
        list(protocol.received_frames())
    except ParseFailed as error:
        return int(error.code), str(error)
    return None


def our_verdict(stream: bytes, limit: int = 1 << 64) -> tuple[int, str] | None:
    try:
        MessageReader(limit).feed(stream)
    except FrameError as error:
        return error.code, error.reason
    return None


messages = st.lists(st.one_of(st.tuples(st.just(TEXT), st.text(max_size=300)),
                              st.tuples(st.just(BINARY), st.binary(max_size=300))), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(messages, st.data())
def test_messages_come_back_whole_however_they_are_fragmented_masked_and_cut(sent: list, data) -> None:
    stream, expected = b"", []
    for opcode, content in sent:
        payload = content.encode() if opcode == TEXT else content
        cuts = sorted(data.draw(st.lists(st.integers(0, len(payload)), max_size=4)))
        pieces = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True)]
        for i, piece in enumerate(pieces):
            key = data.draw(st.binary(min_size=4, max_size=4))
            stream += frame(opcode if i == 0 else 0, piece, key, fin=i == len(pieces) - 1)
            if i < len(pieces) - 1 and data.draw(st.booleans()):  # a ping between fragments is allowed
                ping = data.draw(st.binary(max_size=125))
                stream += frame(PING, ping, key)
                expected.append((PING, ping))
        expected.append((opcode, content))
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    assert feed_in_pieces(MessageReader(LIMIT), stream, cuts) == expected


@given(st.binary(max_size=3000), st.binary(min_size=4, max_size=4))
def test_unmasking_is_the_rfcs_xor_with_the_repeated_key(payload: bytes, key: bytes) -> None:
    assert frames.unmask(payload, key) == bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 255), st.integers(0, 255), st.binary(min_size=8, max_size=8), st.binary(max_size=200))
def test_a_malformed_header_gets_the_close_code_and_reason_wsproto_gave(first: int, second: int, extended: bytes,
                                                                        rest: bytes) -> None:
    stream = bytes((first, second)) + extended + rest
    ours, theirs = our_verdict(stream), wsproto_verdict(stream)
    if theirs is not None and theirs[0] == frames.PROTOCOL_ERROR:
        assert ours == theirs
    if ours is not None and ours[0] == frames.PROTOCOL_ERROR and ours != theirs:
        assert theirs is None and ours[1] == "unexpected CONTINUATION"  # wsproto says so once the payload is in


@pytest.mark.parametrize("payload", [b"\xff", b"ok\xc3", b"\xed\xa0\x80", "é".encode() + b"\x80abc"])
def test_text_that_is_not_utf8_closes_with_1007_and_wsprotos_reason(payload: bytes) -> None:
    stream = frame(TEXT, payload)
    assert our_verdict(stream) == wsproto_verdict(stream)
    assert our_verdict(stream)[0] == 1007  # type: ignore[index]


@pytest.mark.parametrize("first, rest", [(b"\xf5", b"ok"), (b"ok\xc3(", b""), ("é".encode()[:1], b"x")])
def test_bad_utf8_in_a_fragment_closes_at_that_fragment_with_wsprotos_verdict(first: bytes, rest: bytes) -> None:
    # Before the rest of the message arrives (here: never; an unmasked frame would follow), as wsproto decides.
    opening = frame(TEXT, first, fin=False)
    verdict = our_verdict(opening)
    if "é".encode()[:1] == first:  # a split character is fine until its next byte is not its continuation
        assert verdict is None and wsproto_verdict(opening) is None
        opening += frame(0, rest, fin=False)
        verdict = our_verdict(opening)
    assert verdict == wsproto_verdict(opening)
    assert verdict is not None and verdict[0] == 1007


CODES = (999, 1005, 1016, 2999, 3000, 4999, 5000)


@pytest.mark.parametrize("payload", [b"", b"\x03", *(struct.pack("!H", code) for code in CODES),
                                     struct.pack("!H", 1000) + b"\xff", struct.pack("!H", 1001) + b"bye"])
def test_a_close_frame_is_read_as_wsproto_reads_it_and_ends_the_stream(payload: bytes) -> None:
    stream = frame(CLOSE, payload) + frame(TEXT, b"after the close")
    expected = wsproto_verdict(stream)
    if expected is not None:
        assert our_verdict(stream) == expected
        return
    code = struct.unpack("!H", payload[:2])[0] if payload else frames.NO_STATUS
    assert MessageReader(LIMIT).feed(stream) == [(CLOSE, (code, payload[2:].decode()))]


def test_a_declared_length_over_the_limit_closes_with_1009_before_any_of_its_payload_arrives() -> None:
    header = bytes((0x81, 0x80 | 127)) + struct.pack("!Q", 1 << 40) + b"abcd"
    with pytest.raises(FrameError) as raised:
        MessageReader(LIMIT).feed(header)
    assert (raised.value.code, raised.value.reason) == (1009, "Message is too big")


def test_fragments_adding_up_past_the_limit_close_with_1009_and_a_message_at_the_limit_passes() -> None:
    reader = MessageReader(LIMIT)
    assert reader.feed(frame(TEXT, b"a" * LIMIT)) == [(TEXT, "a" * LIMIT)]
    reader.feed(frame(TEXT, b"a" * 40000, fin=False))
    with pytest.raises(FrameError) as raised:
        reader.feed(frame(0, b"a" * 30000)[:10])  # its header alone
    assert raised.value.code == 1009


def test_a_stream_of_empty_fragments_keeps_nothing_and_pongs_and_binary_pass_through() -> None:
    reader = MessageReader(LIMIT)
    assert reader.feed(frame(TEXT, b"", fin=False) + frame(0, b"", fin=False) * 1000) == []
    assert reader._fragments == []
    assert reader.feed(frame(0, b"end") + frame(PONG, b"p") + frame(BINARY, b"\x00")) == [
        (TEXT, "end"), (PONG, b"p"), (BINARY, b"\x00")]


@pytest.mark.parametrize(("stream", "reason"), [
    (frame(0, b"x"), "unexpected CONTINUATION"),
    (frame(TEXT, b"x", fin=False) + frame(BINARY, b"y"), "expected CONTINUATION, got <Opcode.BINARY: 2>"),
    (frame(TEXT, b"x", rsv=0x40), "Reserved bit set unexpectedly"),
    (frame(TEXT, b"x")[:1] + bytes((1,)) + b"x", "server received unexpected unmasked frame"),
    (frame(PING, b"x", fin=False), "Invalid attempt to fragment control frame"),
])
def test_a_broken_sequence_closes_with_1002_as_wsproto_did(stream: bytes, reason: str) -> None:
    assert our_verdict(stream) == (1002, reason) == wsproto_verdict(stream)


def feed_verdict(reader: MessageReader, data: bytes) -> list | tuple[int, str]:
    try:
        return reader.feed(data)
    except FrameError as error:
        return error.code, error.reason


@settings(max_examples=400)
@given(st.one_of(
    st.builds(frame, st.sampled_from([TEXT, BINARY, PING, CLOSE]), st.binary(max_size=300), st.binary(min_size=4,
              max_size=4), st.booleans(), st.sampled_from([0, 0x40])),
    st.builds(lambda text, key: frame(TEXT, text.encode("utf-8", "surrogatepass"), key), st.text(max_size=300),
              st.binary(min_size=4, max_size=4)),
    st.binary(min_size=1, max_size=40)),
    st.binary(max_size=8), st.sampled_from([LIMIT, 10, 200]), st.booleans())
def test_a_whole_text_frame_is_read_at_once_as_feed_reads_it(given: bytes, tail: bytes, limit: int,
                                                             open_fragment: bool) -> None:
    """The usual message's shortcut (``whole_text``) gives the text ``feed`` gives for the same bytes, or nothing:
    never a message ``feed`` would refuse (bad UTF-8, too big, reserved bits, unmasked, a length not minimal, a
    fragment, a control frame) or a different one, and never one while a fragmented message is open."""
    for data in (given, given + tail):
        fast, slow = MessageReader(limit), MessageReader(limit)
        if open_fragment:
            for reader in (fast, slow):
                reader.feed(frame(TEXT, b"start", fin=False))
        text = fast.whole_text(data)
        if text is not None:
            assert feed_verdict(slow, data) == [(TEXT, text)]


@given(st.text(max_size=300), st.binary(min_size=4, max_size=4))
def test_one_whole_text_frame_takes_the_shortcut(text: str, key: bytes) -> None:
    """An ordinary message (one frame, one recv) is read by ``whole_text``: the shortcut is the usual path."""
    assert MessageReader(LIMIT).whole_text(frame(TEXT, text.encode(), key)) == text
