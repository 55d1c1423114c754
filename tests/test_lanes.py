"""game.lanes: a slow drill message waits for a quiet loop, but not past its bound, and one runs at a time.

Run in a gevent-patched subprocess, as the worker is (in pytest's own process the lane does nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from game.lanes import Lane

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
from gevent import monkey; monkey.patch_all()
import json, time, gevent
from game.lanes import Lane

lane = Lane(max_wait_s=0.3)
events = []

def slow(name):
    arrived = time.monotonic()
    with lane.turn(arrived):
        events.append((name, "in", time.monotonic() - arrived))
        gevent.sleep(0.05)  # holds the lane while it waits on I/O: no other slow message may enter
        events.append((name, "out", time.monotonic() - arrived))

def busy(seconds):  # other greenlets' work always pending: the loop is never idle
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        gevent.sleep(0)

quiet = gevent.spawn(slow, "quiet"); quiet.join()
crowd = [gevent.spawn(busy, 1.0), gevent.spawn(slow, "busy-1"), gevent.spawn(slow, "busy-2")]
gevent.joinall(crowd)
print(json.dumps(events))
"""


def test_a_slow_message_runs_at_once_on_a_quiet_loop_waits_for_a_busy_one_within_its_bound_and_alone():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    events = json.loads(out.strip().splitlines()[-1])
    waited = {name: at for name, edge, at in events if edge == "in"}
    assert waited["quiet"] < 0.1  # nothing else to do: no wait
    # Busy loop: each waits (never idle) until 0.3 s after it arrived, well before the busy second ends.
    assert 0.25 <= waited["busy-1"] < 0.9
    assert 0.25 <= waited["busy-2"] < 0.9
    names = [name for name, _edge, _at in events]
    assert names == ["quiet", "quiet", "busy-1", "busy-1", "busy-2", "busy-2"]  # never two in the lane at once


FLOOD_SCRIPT = """
from gevent import monkey; monkey.patch_all()
import json, time, gevent
from game.lanes import Lane

lane = Lane(max_wait_s=0.05)
order = []

def flooding_socket():  # its next start is already read: it asks for the lane again without waiting on I/O
    for turn in range(6):
        with lane.turn(time.monotonic()):
            order.append("flood")
            if turn == 0:
                gevent.sleep(0.05)  # the other player's start arrives meanwhile

def other_player():
    gevent.sleep(0.01)
    with lane.turn(time.monotonic()):
        order.append("other")

def killed_while_waiting():
    gevent.sleep(0.02)
    with lane.turn(time.monotonic()):
        order.append("never")

flood, other, gone = gevent.spawn(flooding_socket), gevent.spawn(other_player), gevent.spawn(killed_while_waiting)
gevent.sleep(0.03)
gone.kill()  # a socket closed while its start waited: it leaves the queue
gevent.joinall([flood, other])
print(json.dumps(order))
"""


def test_the_lane_goes_in_turn_so_one_players_flood_of_starts_does_not_starve_another_players_start():
    out = subprocess.run([sys.executable, "-c", FLOOD_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    order = json.loads(out.strip().splitlines()[-1])
    # gevent's Semaphore let the flooding socket take the lane back six times before the other player's start.
    assert order == ["flood", "other", "flood", "flood", "flood", "flood", "flood"]


def test_outside_a_gevent_worker_the_lane_lets_everything_through():
    with Lane(max_wait_s=10).turn(arrived=0.0):
        pass  # no wait, no gevent needed
