"""Property-based (Hypothesis): whatever a client sends, it gets a documented answer, never a crash or a 500.

The protocol parser is checked directly; every JSON endpoint and the socket against the live server.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from conftest import ROOT, DrillClient, LiveServer, new_player_cookie
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import jsonbody
from game.emotions import EMOTION_KEYS
from game.protocol import MESSAGE_TYPES, REFRESH_MS_RANGE, ClientMessage, ProtocolError, parse

# Every error code the docs promise (protocol errors and HTTP endpoints alike).
_ERRORS_DOC = (ROOT / "docs/protocol.md").read_text().split("## Error codes")[1]
DOCUMENTED = {code for cell in re.findall(r"^\| (?:\d{3} \| )?((?:`[a-z_]+`(?: / )?)+) \|", _ERRORS_DOC, re.M)
              for code in re.findall(r"`([a-z_]+)`", cell)}
DOCUMENTED |= set(re.findall(r"`([a-z_]+)`", _ERRORS_DOC.split("## HTTP JSON")[1].split("plus each")[1]))
LIVE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text with what breaks naive servers: lone surrogates, NUL, right-to-left marks, astral characters.
hostile_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None), max_size=40)
huge_numbers = st.integers(min_value=-(10**400), max_value=10**400) | st.floats(allow_nan=True)
scalars = st.none() | st.booleans() | huge_numbers | hostile_text | st.sampled_from(
    ["America", "__pycache__", "../../etc", "Europe/Paris", *EMOTION_KEYS, "speed", "challenge"])
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(hostile_text | st.sampled_from(["type", "v", "tz", "refreshMs"]),
                                             inner, max_size=4), max_leaves=20)
FIELDS = ["v", "tz", "mode", "focus", "refreshMs", "drillId", "trialId", "answer", "framesShown", "maxGapMs",
          "reactionMs", "stalled", "nickname", "code", "results"]
messages = st.fixed_dictionaries({"type": st.sampled_from(MESSAGE_TYPES) | hostile_text},
                                 optional={field: json_values for field in FIELDS})


def dumps(value: object) -> str:
    return json.dumps(value, allow_nan=True)  # NaN and surrogate escapes are exactly what a hostile client sends


def nested(depth: int) -> str:
    return '{"type": "hello", "v": 1, "x": ' + "[" * depth + "]" * depth + "}"


def test_every_documented_code_list_is_found() -> None:
    assert {"bad_json", "bad_field", "too_large", "too_deep", "number_too_large", "over_capacity"} <= DOCUMENTED


@given(messages)
@settings(max_examples=200)
def test_any_message_parses_or_gets_a_documented_code(message: dict) -> None:
    try:
        parsed = parse(dumps(message))
    except ProtocolError as error:
        assert error.code in DOCUMENTED and str(error)
        json.dumps(error.to_message())  # the reply itself is sendable
    else:
        assert isinstance(parsed, ClientMessage)


@given(st.binary(max_size=300) | hostile_text.map(str))
@settings(max_examples=300)
def test_any_bytes_or_text_parses_or_gets_a_documented_code(raw: bytes | str) -> None:
    try:
        parse(raw)
    except ProtocolError as error:
        assert error.code in DOCUMENTED


@pytest.mark.parametrize("depth", [10, 500, 1000, 1020])
def test_deep_nesting_is_bad_json_not_a_recursion_error(depth: int) -> None:
    try:
        parse(nested(depth))
    except ProtocolError as error:
        assert error.code in ("bad_json", "too_large")


@given(st.sampled_from(EMOTION_KEYS), st.integers(0, 10_000), st.floats(*REFRESH_MS_RANGE), st.floats(0, 600_000),
       st.floats(0, 120_000), st.text("abcXYZ019_-", min_size=1, max_size=64))
def test_every_valid_answer_parses_to_its_values(answer: str, frames: int, refresh: float, gap: float,
                                                  reaction: float, trial_id: str) -> None:
    parsed = parse(json.dumps({"type": "answer", "trialId": trial_id, "answer": answer, "framesShown": frames,
                               "refreshMs": refresh, "maxGapMs": gap, "reactionMs": reaction}))
    assert (parsed.trial_id, parsed.answer, parsed.frames_shown, parsed.refresh_ms) == (trial_id, answer, frames,
                                                                                         refresh)


@given(json_values)
def test_request_bodies_decode_or_get_a_documented_code(value: object) -> None:
    try:
        jsonbody.decode(dumps(value).encode("utf-8", "surrogatepass"))
    except jsonbody.BadBody as error:
        assert error.code in DOCUMENTED


# -- the live server ---------------------------------------------------------------------------------------------

def request(server: LiveServer, method: str, path: str, data: bytes, cookie: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(server.url + path, data=data, method=method,
                                                           headers=headers), timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.fixture(scope="module")
def cookie(live_server: LiveServer) -> str:
    return new_player_cookie(live_server)


@pytest.mark.parametrize("path", ["/api/nickname", "/api/friends", "/api/offline/sync"])
@given(body=json_values.map(dumps) | st.sampled_from([nested(2000), "1" * 400, '{"nickname": "\\ud800x"}',
                                                        '{"results": [' + "9" * 500 + "]}"]))
@LIVE
def test_json_endpoints_answer_every_body_with_a_documented_code(live_server: LiveServer, cookie: str, path: str,
                                                                 body: str) -> None:
    status, reply = request(live_server, "POST", path, body.encode("utf-8", "surrogatepass"), cookie)
    assert status < 500, reply
    assert status == 200 or reply["error"] in DOCUMENTED


@given(message=messages.map(dumps) | st.sampled_from([nested(1000), '{"type": "hello", "v": 1, "tz": "America"}',
                                                       '{"type": "hello", "v": 1e400}']))
@LIVE
def test_the_socket_answers_every_message_with_a_documented_code(live_server: LiveServer, message: str) -> None:
    client = DrillClient(live_server)
    try:
        client.ask({"type": "hello", "v": 1})
        client.send(message)
        reply = client.receive()
        assert reply.get("code", "") != "server_error"
        assert reply["type"] != "error" or reply["code"] in DOCUMENTED
        assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"  # the socket lives on
    finally:
        client.close()
