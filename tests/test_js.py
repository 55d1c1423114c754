"""The front end's pure logic: every tests/js/*.test.mjs under node's own test runner (`node --test`).

Run from pytest, a file per test, so `make test` hands them to one worker like any other test file, beside the
other worker's browser tests (mostly waiting on flashes and pages), instead of running them all before pytest
starts (167 s on a loaded 2-core box, 34 s of it CPU). `node --test tests/js/` runs the same files on its own.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from harness import ROOT

NODE_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.mjs"))


def test_the_js_tests_are_found() -> None:
    assert len(NODE_TESTS) >= 20, NODE_TESTS  # an empty glob would leave nothing to fail below


@pytest.mark.parametrize("path", NODE_TESTS, ids=[path.name for path in NODE_TESTS])
def test_node_tests_pass(path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the front end's tests need Node.js 20 or later")
    result = subprocess.run([node, "--test", "--test-reporter=spec", str(path.relative_to(ROOT))], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{path.name} failed:\n{result.stdout[-20_000:]}\n{result.stderr[-5_000:]}"
