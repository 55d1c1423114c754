"""Protocol validation, directly: every bad shape gets a named error code."""

import json

import pytest

from game.protocol import MAX_MESSAGE_BYTES, Answer, Hello, ProtocolError, Start, parse

GOOD_ANSWER = {"type": "answer", "trialId": "t1", "answer": "fear", "framesShown": 3, "refreshMs": 16.7,
               "maxGapMs": 17.1, "reactionMs": 640.5}


def error_code(message: object) -> str:
    with pytest.raises(ProtocolError) as raised:
        parse(message if isinstance(message, str) else json.dumps(message))
    return raised.value.code


def test_good_messages_parse_into_typed_values() -> None:
    assert parse('{"type": "hello", "v": 1}') == Hello(version=1)
    assert parse(json.dumps({"type": "start", "refreshMs": 8.33, "mode": "subtle", "focus": True})) == Start(
        mode="subtle", focus=True, refresh_ms=8.33)
    answer = parse(json.dumps(GOOD_ANSWER))
    assert isinstance(answer, Answer) and answer.frames_shown == 3 and answer.stalled is False


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "bad_json"),
        ("null", "bad_json"),
        ('"hello"', "bad_json"),
        ({"type": 5}, "unknown_type"),
        ({"type": "__class__"}, "unknown_type"),
        ({"type": "start"}, "missing_field"),
        ({"type": "start", "refreshMs": 16.7, "mode": "turbo"}, "bad_field"),
        ({"type": "start", "refreshMs": 16.7, "focus": "yes"}, "bad_field"),
        ('{"type": "start", "refreshMs": NaN}', "bad_json"),  # not JSON at all
        ('{"type": "start", "refreshMs": Infinity}', "bad_json"),
        ({**GOOD_ANSWER, "answer": "joy"}, "bad_field"),
        ({**GOOD_ANSWER, "framesShown": -1}, "bad_field"),
        ({**GOOD_ANSWER, "framesShown": True}, "bad_field"),
        ({**GOOD_ANSWER, "reactionMs": -5}, "bad_field"),
        ({**GOOD_ANSWER, "reactionMs": "1"}, "bad_field"),
        ({**GOOD_ANSWER, "trialId": ""}, "bad_field"),
        ({**GOOD_ANSWER, "trialId": ["t1"]}, "bad_field"),
        ({**GOOD_ANSWER, "stalled": 1}, "bad_field"),
        ({"type": "resume", "refreshMs": 16.7}, "missing_field"),
    ],
)
def test_bad_messages_are_refused_with_a_code(message: object, code: str) -> None:
    assert error_code(message) == code


def test_oversized_messages_are_refused_before_parsing() -> None:
    assert error_code(json.dumps({"type": "hello", "v": 1, "pad": "x" * MAX_MESSAGE_BYTES})) == "too_large"


def test_errors_carry_the_field_for_the_client() -> None:
    with pytest.raises(ProtocolError) as raised:
        parse(json.dumps({**GOOD_ANSWER, "refreshMs": 0}))
    assert raised.value.to_message() == {"type": "error", "code": "bad_field", "field": "refreshMs",
                                         "message": "`refreshMs` must be between 4 and 60."}
