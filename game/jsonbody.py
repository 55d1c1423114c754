"""Request bodies as JSON, hostile ones included: every failure is a ``BadBody`` with a code, never a 500.

msgspec decodes (lone surrogates are malformed JSON to it); then one walk bounds nesting depth
and integer size, which plain ``json``/``float()`` would turn into RecursionError or OverflowError.
"""

from __future__ import annotations

from typing import Any

import msgspec

MAX_DEPTH = 16  # the deepest body the app expects is 3 ({"results": [{...}]})
MAX_INTEGER = 2**53  # what a browser's Number holds exactly


class BadBody(ValueError):
    """A body the server refuses; ``code`` is machine-readable, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def to_json(self) -> dict:
        return {"error": self.code, "message": str(self)}


def decode(body: bytes) -> Any:
    """The JSON value of a request body.

    :raises BadBody: bad_json (malformed, not UTF-8, lone surrogates), too_deep, number_too_large
    """
    try:
        value = msgspec.json.decode(body)
    except msgspec.ValidationError:  # a number beyond any float
        raise BadBody("number_too_large", f"Numbers must be within ±{MAX_INTEGER}.") from None
    except msgspec.DecodeError:
        raise BadBody("bad_json", "That is not valid JSON.") from None
    except RecursionError:
        raise BadBody("too_deep", f"JSON may be nested at most {MAX_DEPTH} deep.") from None
    _check(value)
    return value


def _check(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            if isinstance(item, int) and not -MAX_INTEGER <= item <= MAX_INTEGER:
                raise BadBody("number_too_large", f"Numbers must be within ±{MAX_INTEGER}.")
            continue
        if depth > MAX_DEPTH:
            raise BadBody("too_deep", f"JSON may be nested at most {MAX_DEPTH} deep.")
        stack.extend((child, depth + 1) for child in children)
