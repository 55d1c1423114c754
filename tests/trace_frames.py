"""Reading Chrome traces of the page's frames: which BeginFrame a mark was made in, and whether it was presented.

* A ``performance.mark`` made in a rAF callback lies inside one ``ProxyMain::BeginMainFrame`` slice
  on the renderer's main thread, whose ``begin_frame_id`` is the BeginFrame sequence number of the
  frame that callback produced.
* The ``PipelineReporter`` event with that ``frame_sequence`` and state ``STATE_PRESENTED_ALL`` shows
  the frame was presented with the main thread's update (not dropped); its end is the presentation time.

Shared by tests/test_flash_timing.py, tests/test_scene_timing.py and bench/scene_frames.py.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any

TRACE_CATEGORIES = ["blink.user_timing", "benchmark", "disabled-by-default-devtools.timeline.frame"]
PRESENTED = "STATE_PRESENTED_ALL"
SCENE_FRAME_MARK = "glimpse-scene-frame"  # static/js/scene/player.js marks every frame it draws


def events_of(trace: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return trace["traceEvents"] if isinstance(trace, dict) else trace


def presented_times(events: Iterable[dict[str, Any]]) -> dict[int, list[float]]:
    """frame_sequence -> end times of its PipelineReporters presented with the main thread's update.

    Reporters are nestable async events: pair each end with the latest open begin of the same id.
    """
    open_begins: dict[tuple[int, str], list[dict[str, Any]]] = {}
    presented: dict[int, list[float]] = {}
    for event in sorted(events, key=lambda e: e["ts"]):
        if event.get("name") != "PipelineReporter":
            continue
        key = (event["pid"], json.dumps(event.get("id2") or event.get("id")))
        if event["ph"] == "b":
            open_begins.setdefault(key, []).append(event)
        elif event["ph"] == "e" and open_begins.get(key):
            reporter = open_begins[key].pop()["args"]["frame_reporter"]
            if reporter["state"] == PRESENTED:
                presented.setdefault(reporter["frame_sequence"], []).append(event["ts"])
    return presented


def marks_with_frames(events: list[dict[str, Any]], names: Iterable[str]) -> list[tuple[dict[str, Any], int]]:
    """Every mark of these names in time order, with the BeginFrame sequence of the callback it was made in."""
    wanted = set(names)
    main_frames = [e for e in events if e.get("name") == "ProxyMain::BeginMainFrame" and e["ph"] == "X"]
    out = []
    for mark in sorted((e for e in events if e.get("name") in wanted), key=lambda e: e["ts"]):
        owners = [f for f in main_frames if (f["pid"], f["tid"]) == (mark["pid"], mark["tid"])
                  and f["ts"] <= mark["ts"] <= f["ts"] + f["dur"]]
        assert len(owners) == 1, f"{mark['name']} at {mark['ts']} is in {len(owners)} main frames"
        out.append((mark, owners[0]["args"]["begin_frame_id"]))
    return out


def frame_sequences(trace: Any, mark: str = SCENE_FRAME_MARK) -> list[tuple[int, bool]]:
    """For every `mark` in time order: its BeginFrame sequence and whether that frame was presented."""
    events = events_of(trace)
    presented = presented_times(events)
    return [(sequence, sequence in presented) for _, sequence in marks_with_frames(events, [mark])]


def leak_exact_in_trace(report: dict, sequences: list[tuple[int, bool]], plan: Any) -> bool:
    """A scene's leak frames and the frame after it drawn by consecutive, presented BeginFrames."""
    by_frame = dict(zip(report["drawn"], sequences, strict=True))
    wanted = range(plan.leak.start, plan.leak.end + 1)
    if any(f not in by_frame for f in wanted):
        return False
    seqs = [by_frame[f][0] for f in wanted]
    return all(b - a == 1 for a, b in itertools.pairwise(seqs)) and all(by_frame[f][1] for f in wanted)
