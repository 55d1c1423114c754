"""Duel rooms as pure logic: joining, the lockstep rounds, scoring with lag credit, drops, hosts, rematches."""

from __future__ import annotations

import itertools
import json

import pytest

from game.emotions import EMOTION_KEYS
from game.rooms import (
    CODE_ALPHABET,
    MAX_PLAYERS,
    REACTION_FLOOR_MS,
    LagQuota,
    Pace,
    Room,
    RoomError,
    new_code,
    normalise_code,
    plan_trials,
)

PACE = Pace(countdown_s=3, answer_limit_s=20, reveal_s=2, grace_s=20, trials=4)
PERIOD = 1000 / 60


class Table:
    """A room and the messages each seat has received, driven by a hand-held clock."""

    def __init__(self, players: int = 2, pace: Pace = PACE) -> None:
        counter = itertools.count()
        self.room = Room("ABCDE", pace=pace, seed=7, new_id=lambda: f"t{next(counter)}")
        self.now = 0.0
        self.inbox: dict[int, list[dict]] = {}
        for n in range(players):
            self.join(f"p{n}")

    def deliver(self, outbox: list) -> list:
        for seat, message in outbox:
            seats = [m.seat for m in self.room.members.values() if m.connected] if seat is None else [seat]
            for s in seats:
                self.inbox.setdefault(s, []).append(message)
        return outbox

    def join(self, player: str, period: float = PERIOD) -> list:
        return self.deliver(self.room.join(player, player.upper(), period, self.now))

    def at(self, now: float) -> list:
        self.now = now
        return self.deliver(self.room.tick(now))

    def last(self, seat: int, kind: str) -> dict:
        return next(m for m in reversed(self.inbox.get(seat, [])) if m["type"] == kind)

    def start(self) -> None:
        self.deliver(self.room.start("p0", self.now))
        self.at(self.now + PACE.countdown_s)

    def trial(self, player: str) -> dict:
        return self.last(self.room.members[player].seat, "trial")

    def truth(self) -> str:
        return self.room.plan[self.room.position - 1].emotion

    def answer(self, player: str, after_s: float = 2.5, right: bool = True, reaction_ms: float | None = None) -> list:
        """Answer the trial in play `after_s` seconds after it was sent to this player."""
        member = self.room.members[player]
        trial = self.trial(player)
        self.now = max(self.now, self.room.sent_at[member.seat] + after_s)
        choice = self.truth() if right else next(e for e in EMOTION_KEYS if e != self.truth())
        return self.deliver(self.room.answer(player, trial["trialId"], choice, self.now, reaction_ms))


def test_codes_avoid_look_alikes_and_normalise() -> None:
    assert not set("01OILUV") & set(CODE_ALPHABET)
    code = new_code(lambda c: False)
    assert len(code) == 5 and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(f" {code[:2].lower()}-{code[2:]} ") == code
    for bad in ("ABC", "ABCD0", 12345, None, "A" * 40):
        with pytest.raises(RoomError) as error:
            normalise_code(bad)
        assert error.value.code == "bad_code"
    taken = iter([True, True, False])
    assert new_code(lambda c: next(taken))


def test_the_plan_is_fixed_by_its_seed_and_gets_harder() -> None:
    plan = plan_trials(42, 20)
    assert plan == plan_trials(42, 20) and plan != plan_trials(43, 20)
    assert set(t.emotion for t in plan) == set(EMOTION_KEYS)
    assert plan[0].exposure_ms > plan[-1].exposure_ms


def test_up_to_eight_players_then_room_full_and_no_double_join() -> None:
    table = Table(players=MAX_PLAYERS)
    with pytest.raises(RoomError) as error:
        table.join("p9")
    assert error.value.code == "room_full"
    with pytest.raises(RoomError) as error:
        table.join("p0")
    assert error.value.code == "already_joined"
    assert table.last(1, "room")["players"][-1]["seat"] == MAX_PLAYERS


def test_only_the_host_starts_and_a_duel_needs_two() -> None:
    alone = Table(players=1)
    with pytest.raises(RoomError) as error:
        alone.room.start("p0", 0)
    assert error.value.code == "not_enough_players"
    table = Table()
    with pytest.raises(RoomError) as error:
        table.room.start("p1", 0)
    assert error.value.code == "not_host"


def test_everyone_gets_the_same_face_jittered_and_never_its_name() -> None:
    table = Table(players=3)
    table.join("slow-screen", period=1000 / 30)
    table.start()
    trials = [table.trial(p) for p in ("p0", "p1", "p2", "slow-screen")]
    assert len({t["trialId"] for t in trials}) == 4  # one id per player: an id is no use to anyone else
    assert len({(t["identitySeed"], json.dumps(t["identity"])) for t in trials}) == 1  # the same face
    moving = [{unit for unit, sides in t["expression"]["au"].items() if max(sides) > 0} for t in trials]
    assert all(units == moving[0] for units in moving)  # the same expression...
    assert len({json.dumps(t["expression"]) for t in trials}) == 4  # ...nudged per phone: no shared pose table
    assert trials[0]["exposureFrames"] == 12 and trials[3]["exposureFrames"] == 6  # 200 ms on 60 and 30 Hz
    for trial in trials:
        text = json.dumps(trial).lower()
        assert "variant" not in text and not any(emotion in text for emotion in EMOTION_KEYS)


def test_an_answer_before_the_face_could_be_shown_loses_the_trial() -> None:
    table = Table()
    table.start()
    trial = table.trial("p0")
    shown_s = (trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]) * PERIOD / 1000
    early = table.deliver(table.room.answer("p0", trial["trialId"], table.truth(), table.now + shown_s - 0.2))
    assert [(seat, m.get("code")) for seat, m in early if m["type"] == "error"] == [(1, "too_early")]
    assert table.room.members["p0"].too_early == 1
    with pytest.raises(RoomError) as error:  # no second try: a script cannot probe the clock
        table.room.answer("p0", trial["trialId"], table.truth(), table.now + 3)
    assert error.value.code == "already_answered"
    with pytest.raises(RoomError) as error:
        table.room.answer("p1", trial["trialId"], "happiness", table.now + 1)
    assert error.value.code == "unknown_trial"
    table.answer("p1")
    results = {r["seat"]: r for r in table.last(1, "round")["results"]}
    assert results[1]["correct"] is False and results[1]["answer"] is None  # lost, though it named the truth
    assert [e.player_id for e in table.room.take_evidence()] == ["p1"]  # a false start is no evidence
    assert table.room.members["p0"].outcomes()[0]["flag"] == "too_early"


def test_a_reaction_under_the_human_floor_keeps_the_result_off_the_boards() -> None:
    table = Table()
    table.start()
    trial = table.trial("p0")
    shown_s = (trial["foreperiodFrames"] + trial["exposureFrames"] + trial["maskFrames"]) * PERIOD / 1000
    table.answer("p0", after_s=shown_s + REACTION_FLOOR_MS / 2000)  # 75 ms after the buttons
    table.answer("p1", after_s=shown_s + 0.6)
    results = {r["playerId"]: r for r in table.room.results()}
    assert results["p0"]["unranked"] == "reaction" and results["p1"]["unranked"] is None
    assert table.room.members["p0"].answers[1].reaction_ms == REACTION_FLOOR_MS  # nobody times under the floor
    evidence = table.room.take_evidence()
    assert [(e.player_id, e.correct) for e in evidence] == [("p0", True), ("p1", True)]
    assert evidence[0].stimulus_ms == pytest.approx(trial["exposureFrames"] * PERIOD)
    assert table.room.take_evidence() == []  # weighed once


def test_a_reaction_longer_than_the_trial_has_existed_is_refused() -> None:
    table = Table()
    table.start()
    trial = table.trial("p0")
    with pytest.raises(RoomError) as error:
        table.room.answer("p0", trial["trialId"], table.truth(), table.now + 2.0, reaction_ms=2500)
    assert error.value.code == "bad_timing"
    table.answer("p0", after_s=2.5, reaction_ms=400)  # the trial stayed open for the real answer
    assert table.room.take_evidence()[0].reaction_ms == 400


def test_progress_says_who_answered_but_not_whether_right_until_the_round_closes() -> None:
    table = Table()
    table.start()
    sent = table.answer("p0")
    kinds = [m["type"] for _, m in sent]
    assert kinds == ["accepted", "progress"]
    assert "correct" not in json.dumps([m for _, m in sent])
    assert table.last(2, "progress")["answered"] == [1]
    table.answer("p1", right=False)
    round_ = table.last(2, "round")
    assert round_["emotion"] == table.truth()
    assert [r["correct"] for r in round_["results"]] == [True, False]
    assert round_["standings"][0]["seat"] == 1


def play_out(table: Table, plan: dict[str, list[tuple[bool, float]]]) -> None:
    """Each player's (right?, seconds after sending) per trial; the clock runs through reveals."""
    for position in range(1, table.room.pace.trials + 1):
        assert table.room.position == position and table.room.round_open
        in_order = sorted(plan, key=lambda player: plan[player][position - 1][1])  # the quickest lands first
        for player in in_order:
            right, after = plan[player][position - 1]
            table.answer(player, after_s=after, right=right)
        table.at(table.now + table.room.pace.reveal_s)


def test_right_answers_first_then_speed() -> None:
    table = Table(players=3)
    table.start()
    play_out(table, {
        "p0": [(True, 5.0)] * 4,                  # all right, slow
        "p1": [(True, 2.5)] * 3 + [(False, 2.5)],  # fast but one wrong
        "p2": [(True, 3.0)] * 4,                  # all right, quicker than p0
    })
    done = table.last(1, "done")
    assert [s["seat"] for s in done["standings"]] == [3, 1, 2]
    assert done["winner"] == 3
    assert table.room.state == "done"
    with pytest.raises(RoomError) as error:
        table.room.answer("p0", "t0", "anger", table.now)
    assert error.value.code == "duel_over"


def test_network_delay_is_credited_up_to_the_quota() -> None:
    quota = LagQuota(gain_ms=80)
    assert quota.credit(50) == 50  # under the quota: all of it
    assert quota.credit(1000) == 270  # 240 - 50 + 80 left
    assert quota.credit(1000) == 80  # empty: only what refilled
    table = Table()
    table.room.members["p1"].rtt_ms = 150  # a far-away phone
    table.start()
    table.answer("p0", after_s=2.5)
    table.answer("p1", after_s=2.5 + 0.150)  # the same reaction, 150 ms later through the network
    results = {r["seat"]: r["reactionMs"] for r in table.last(1, "round")["results"]}
    assert results[1] == results[2]


def test_pings_measure_the_round_trip_and_ignore_nonsense() -> None:
    table = Table()
    table.room.pong("p0", 1000.0, 1.2)
    assert table.room.members["p0"].rtt_ms == pytest.approx(200)
    table.room.pong("p0", 5e9, 1.2)  # a "pong" from the future
    table.room.pong("p0", -5e9, 1.2)  # or hours late
    assert table.room.members["p0"].rtt_ms == pytest.approx(200)


def test_a_dropped_player_rejoins_with_nothing_lost() -> None:
    table = Table()
    table.start()
    table.answer("p0")
    table.answer("p1")
    table.at(table.now + PACE.reveal_s)  # trial 2 goes out
    table.answer("p0")
    table.deliver(table.room.disconnect("p1", table.now))
    assert table.at(table.now + PACE.answer_limit_s - 1) == []  # the round waits for their grace...
    table.join("p1")  # ...and they are back, seat and score kept, trial 2 sent again
    assert table.last(2, "joined")["seat"] == 2
    again = table.trial("p1")
    assert again["position"] == 2
    table.answer("p1")
    assert table.last(1, "round")["position"] == 2
    assert table.room.members["p1"].correct == 2


def test_a_player_who_never_comes_back_is_out_and_the_duel_goes_on() -> None:
    table = Table(players=3)
    table.start()
    table.deliver(table.room.disconnect("p2", table.now))
    table.answer("p0")
    table.answer("p1")
    assert table.room.round_open  # waiting for p2's grace
    table.at(table.now + PACE.grace_s)
    assert table.room.members["p2"].out and not table.room.round_open
    table.at(table.now + PACE.reveal_s)
    assert table.room.position == 2
    assert table.trial("p0")["position"] == 2
    standings = table.room.standings()
    assert standings[-1]["seat"] == 3 and standings[-1]["out"]


def test_the_last_player_standing_wins() -> None:
    table = Table()
    table.start()
    table.deliver(table.room.leave("p1", table.now))
    assert table.room.state == "done"
    assert table.last(1, "done")["winner"] == 1


def test_host_leaves_and_the_next_player_hosts() -> None:
    table = Table(players=3)
    table.deliver(table.room.leave("p0", 0))
    assert table.last(2, "host")["seat"] == 2
    assert table.last(3, "room")["host"] == 2
    table.deliver(table.room.start("p1", 0))
    assert table.room.state == "countdown"


def test_a_host_who_drops_passes_hosting_on() -> None:
    table = Table()
    table.deliver(table.room.disconnect("p0", 0))
    assert table.room.host == "p1"


def test_late_joiners_watch_then_play_the_rematch() -> None:
    table = Table()
    table.start()
    table.join("late")
    late = table.room.members["late"]
    assert late.role == "spectator" and table.last(late.seat, "joined")["role"] == "spectator"
    table.answer("p0")
    table.answer("p1")
    assert table.last(late.seat, "progress")  # spectators see progress...
    assert not any(m["type"] == "trial" for m in table.inbox[late.seat])  # ...never a face to tip anyone off
    play_rest = {p: [(True, 2.5)] * 4 for p in ("p0", "p1")}
    table.at(table.now + PACE.reveal_s)
    for _ in range(3):
        for player in play_rest:
            table.answer(player)
        table.at(table.now + PACE.reveal_s)
    assert table.room.state == "done"
    with pytest.raises(RoomError) as error:
        table.room.start("p0", table.now)
    assert error.value.code == "already_started"
    table.deliver(table.room.rematch("p1", table.now))
    assert table.last(1, "room")["rematch"] == [2]
    table.deliver(table.room.rematch("p0", table.now))
    assert table.room.state == "countdown" and late.role == "player"
    assert all(m.correct == 0 for m in table.room.members.values())
    table.at(table.now + PACE.countdown_s)
    assert table.trial("late")["position"] == 1


def test_unanswered_trials_count_wrong_at_the_limit() -> None:
    table = Table()
    table.start()
    table.answer("p0")
    table.at(table.now + PACE.answer_limit_s)
    result = {r["seat"]: r for r in table.last(1, "round")["results"]}
    assert result[2]["answer"] is None and not result[2]["correct"]
    assert result[2]["reactionMs"] == PACE.answer_limit_s * 1000


def test_idle_rooms_close() -> None:
    table = Table()
    table.deliver(table.room.leave("p0", 0))
    table.deliver(table.room.leave("p1", 0))
    assert table.room.abandoned(0)
