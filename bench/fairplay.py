"""Fair play: how often simulated honest players and cheaters are held, and whether a public board ever shows them.

Honest players of every skill (75%-correct thresholds from the best plausible human, 30 ms, to
novices at 400 ms; slopes 1.2-5; lapses 0-5%) on 60-240 Hz displays, at a person's pace and with a
person's reaction times (a quarter of them tap blindly at once after flashes they missed), including a
group of fast, accurate experts at the model's limit who play long sessions back to back. Cheaters:
pose readers on 60 and 240 Hz displays, a careful reader who misses on purpose, a refresh liar, an
instant bot (its drills never rank: answers under the reaction floor), a metronome, and a sleeper who
turns a reader on later.

Every simulated drill runs the game's own pure rules: the same QUEST+ procedures choose each exposure
(game.staircase, one per emotion plus the overall fit, as game.drills does), the same rounding to
display frames (game.rounds) and the same evidence, holds and waits (game.plausibility). Per kind of
player it prints held/n, the median drills to a hold, how many a public board ever showed (for a
cheater: after it began to cheat), and how many drills' results waited. A smaller run then plays
real drills over the real server (gunicorn, WebSocket) to check the wiring agrees.

Run: ``.venv/bin/python bench/fairplay.py [--honest-drills 10000] [--seed 1] [--no-server]``
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from game import plausibility, rounds  # noqa: E402
from game.emotions import EMOTION_KEYS  # noqa: E402
from game.fairplay import PROBATION_TRIALS  # noqa: E402
from game.plausibility import GUESS, HUMAN_BEST  # noqa: E402
from game.staircase import Staircase  # noqa: E402

CRITERION = 0.75


@dataclass
class Player:
    """A simulated player: what they really see and how they answer, and how they pace themselves."""

    kind: str
    claimed_hz: float  # the refresh rate the browser reports
    real_hz: float  # the display's real rate (differs only for a liar)
    answer: Callable[[random.Random, float], bool]  # (rng, real exposure ms) -> right?
    reaction: Callable[[random.Random], float]  # ms from the buttons to the tap, as reported
    dwell: Callable[[random.Random], float]  # s between a result and asking for the next trial
    drills: int
    session: int = 10  # drills in a row before a long break
    human: bool = True
    guess_below_ms: float = 0.0  # a flash shorter than this (really shown), half the time: a blind tap at once
    learns_to: float = 1.0  # by the last drill the threshold has shrunk by this factor (log-linearly)


@dataclass(frozen=True)
class Weibull:
    """A person: a 7AFC log-Weibull with a 75%-correct threshold (ms), a slope and a lapse rate."""

    threshold_ms: float
    slope: float
    lapse: float

    def __call__(self, rng: random.Random, exposure_ms: float) -> bool:
        weibull = (CRITERION - GUESS) / (1 - GUESS - self.lapse)
        alpha = math.log10(self.threshold_ms) - math.log10(-math.log1p(-weibull)) / self.slope
        p = GUESS + (1 - GUESS - self.lapse) * -math.expm1(-(10 ** (self.slope * (math.log10(exposure_ms) - alpha))))
        return rng.random() < p


@dataclass(frozen=True)
class Reader:
    """A script reading the pose: right this often, whatever the flash."""

    p: float

    def __call__(self, rng: random.Random, _exposure_ms: float) -> bool:
        return rng.random() < self.p


@dataclass(frozen=True)
class LogNormal:
    median: float
    sigma: float
    low: float = 0.0

    def __call__(self, rng: random.Random) -> float:
        return max(self.low, rng.lognormvariate(math.log(self.median), self.sigma))


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def __call__(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


weibull_answer, lognormal = Weibull, LogNormal


def honest(rng: random.Random, drills: int, expert: bool = False) -> Player:
    hz = rng.choices((60, 90, 120, 144, 240), weights=(60, 5, 20, 5, 10))[0]
    if expert:  # at the very limit the model allows, quick and steady, long sessions
        threshold, slope, lapse = HUMAN_BEST["exposure"] * math.exp(rng.uniform(0, math.log(1.3))), 5.0, 0.0
        reaction, dwell, session = lognormal(rng.uniform(300, 450), rng.uniform(0.2, 0.3)), lognormal(0.5, 0.3, 0.3), 40
    else:
        threshold = HUMAN_BEST["exposure"] * math.exp(rng.uniform(0, math.log(400 / HUMAN_BEST["exposure"])))
        slope, lapse = math.exp(rng.uniform(math.log(1.2), math.log(5))), rng.uniform(0, 0.05)
        reaction = lognormal(rng.uniform(350, 1500), rng.uniform(0.2, 0.5))
        dwell, session = lognormal(rng.uniform(0.6, 2.0), 0.4, 0.3), rng.randint(1, 15)
    quick = threshold * 0.6 if rng.random() < 0.25 else 0.0  # a quarter tap blindly after flashes they missed
    return Player("expert" if expert else "honest", hz, hz, weibull_answer(threshold, slope, lapse), reaction, dwell,
                  drills, session, guess_below_ms=quick)


def learner(rng: random.Random, drills: int) -> Player:
    """An honest player who gets 2-4x sharper over their drills: their own past fit keeps underrating them."""
    player = honest(rng, drills)
    start = HUMAN_BEST["exposure"] * math.exp(rng.uniform(math.log(3), math.log(400 / HUMAN_BEST["exposure"])))
    player.answer = Weibull(start, player.answer.slope, player.answer.lapse)
    player.kind, player.learns_to = "learner", 1 / rng.uniform(2, min(4, start / HUMAN_BEST["exposure"]))
    return player


def cheaters(rng: random.Random, drills: int) -> list[Player]:
    human_rt, human_dwell = lognormal(700, 0.35), lognormal(1.0, 0.4, 0.3)
    reader = Reader
    return [
        Player("reader 60 Hz", 60, 60, reader(0.99), human_rt, human_dwell, drills, human=False),
        Player("reader 240 Hz", 240, 240, reader(0.99), human_rt, human_dwell, drills, human=False),
        Player("careful reader (90% right)", 60, 60, reader(0.9), human_rt, human_dwell, drills, human=False),
        Player("refresh liar (60 Hz as 240)", 240, 60, weibull_answer(60, 2.5, 0.02), human_rt, human_dwell, drills,
               human=False),
        Player("instant bot", 60, 60, reader(0.99), Uniform(5, 40), Uniform(0, 0), drills, session=1000,
               human=False),
        Player("metronome (400 ms)", 60, 60, weibull_answer(50, 2.5, 0.02), Uniform(400, 400), human_dwell, drills,
               human=False),
        Player("sleeper (honest, then reader)", 60, 60, weibull_answer(200, 2.5, 0.02), human_rt, human_dwell, drills,
               human=False),
    ]


@dataclass
class Outcome:
    kind: str
    drills: int = 0
    held_after: int | None = None  # drills completed when first held
    public_drills: int = 0  # drills whose points a public board showed
    cheat_public_drills: int = 0  # ...of them, drills after the player began to cheat (its cheating results shown)
    waited_drills: int = 0  # drills past probation whose results waited off public boards (doubt or vetting)
    unranked_drills: int = 0
    reasons: list[str] = field(default_factory=list)
    peak: float = 0.0
    peaks: dict[str, float] = field(default_factory=dict)  # the highest each component reached


def play(player: Player, seed: int) -> Outcome:
    """One player's drills through the real procedures and evidence; the clock is simulated."""
    rng = random.Random(seed)
    claimed_period, real_period = 1000 / player.claimed_hz, 1000 / player.real_hz
    candidates = rounds.exposure_candidates(claimed_period)
    procedures = {emotion: Staircase("exposure") for emotion in ("all", *EMOTION_KEYS)}
    state, outcome, now, trials = plausibility.State(), Outcome(player.kind), 1_000_000.0, 0
    status, base = "ok", player.answer
    answer, cheated = base, False
    cheats_from = player.drills // 2 if player.kind.startswith("sleeper") else 0
    for drill in range(player.drills):
        if player.kind.startswith("sleeper") and drill == cheats_from:
            answer = Reader(0.99)
        if player.learns_to != 1.0:
            answer = Weibull(base.threshold_ms * player.learns_to ** (drill / (player.drills - 1)), base.slope,
                             base.lapse)
        own = Staircase.from_json(procedures["all"].to_json())
        for procedure in procedures.values():  # a drill is a session of every procedure, as in game.drills
            procedure.begin_session(now)
        level = math.log10(procedures["all"].threshold().value)
        for emotion in EMOTION_KEYS:  # each emotion moves with the overall level between drills (anchored once a
            procedures[emotion].anchor(level)  # drill here, after each answer in game.drills: cheaper, near enough)
        plan = rounds.plan_emotions(rng, rounds.TRIALS_PER_DRILL)
        unranked, points, streak = False, 0, 0
        for emotion in plan:
            exposure_ms = procedures[emotion].next_stimulus(candidates)
            frames = rounds.frames_for(exposure_ms, claimed_period)
            shown_ms = frames * claimed_period  # what the server believes
            display_s = (rng.uniform(*rounds.FOREPERIOD_MS) + frames * real_period + rounds.MASK_MS) / 1000
            correct = answer(rng, frames * real_period)
            reaction = player.reaction(rng)
            if frames * real_period < player.guess_below_ms and rng.random() < 0.5:
                correct, reaction = rng.random() < GUESS, rng.uniform(80, 220)
            now += max(display_s + reaction / 1000, display_s - rounds.ANSWER_ALLOWANCE_MS / 1000) + 0.05
            unranked |= reaction < plausibility.REACTION_FLOOR_MS
            plausibility.observe_answer(state, axis="exposure", stimulus=shown_ms, correct=correct,
                                        reaction_ms=reaction, own_p=own.p_correct(shown_ms) if own.trials else None,
                                        own_trials=own.trials)
            for name in (emotion, "all"):
                procedures[name].update(shown_ms, correct)
            streak = streak + 1 if correct else 0
            if correct:
                points += round(10 * math.sqrt(500 / max(shown_ms, rounds.RANKED_EXPOSURE_FLOOR_MS))
                                * (1 + 0.1 * min(streak - 1, 10)))
            trials += 1
            now += player.dwell(rng)
        plausibility.observe_drill(state, at=now, points=points)
        assessment = plausibility.assess(state)
        cheated |= not player.human and drill >= cheats_from
        outcome.peak = max(outcome.peak, assessment.score)
        for name, value in assessment.components.items():
            outcome.peaks[name] = max(outcome.peaks.get(name, 0.0), value)
        outcome.drills += 1
        outcome.unranked_drills += unranked
        if assessment.held and status == "ok":
            status, outcome.held_after, outcome.reasons = "held", drill + 1, assessment.reasons
        waits = plausibility.waits(state)
        if status == "ok" and trials >= PROBATION_TRIALS and not unranked:
            outcome.waited_drills += waits
            if not waits:  # the board shows all the player's entries, earlier ones included
                outcome.public_drills += 1
                outcome.cheat_public_drills += cheated
        now += 5 if (drill + 1) % player.session else rng.uniform(1800, 20 * 3600)
    return outcome


def _play_args(args: tuple[Player, int]) -> Outcome:
    return play(*args)


def summarise(outcomes: list[Outcome]) -> list[dict]:
    rows = []
    for kind in dict.fromkeys(o.kind for o in outcomes):
        group = [o for o in outcomes if o.kind == kind]
        held = [o for o in group if o.held_after is not None]
        rows.append({
            "kind": kind, "n": len(group), "drills": sum(o.drills for o in group), "held": len(held),
            "after": statistics.median(o.held_after for o in held) if held else float("nan"),
            "reasons": ", ".join(sorted({r for o in held for r in o.reasons})),
            "public": sum(o.public_drills > 0 for o in group),
            "cheat_public": sum(o.cheat_public_drills > 0 for o in group),
            "waited": sum(o.waited_drills for o in group),
        })
    return rows


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'players':34} {'n':>5} {'drills':>7} {'held':>5} {'rate':>8} {'held after':>10} {'ever public':>11} "
          f"{'cheat shown':>11} {'waited':>6}  reasons")
    for r in rows:
        print(f"{r['kind']:34} {r['n']:5d} {r['drills']:7d} {r['held']:5d} {r['held'] / r['n']:8.2%} "
              f"{r['after']:10.1f} {r['public']:11d} {r['cheat_public']:11d} {r['waited']:6d}  {r['reasons']}")


def server_run(players: int, seed: int) -> None:
    """Real drills over the real server: honest-paced players stay public, a pose reader never is."""
    import tempfile

    import sqlite_utils
    from conftest import DrillClient, emotion_of, stored_trial
    from harness import LiveServer

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "bench.db", env={"GLIMPSE_ANSWER_CLOCK_SCALE": "0"}).start()
        try:
            db = sqlite_utils.Database(server.database)
            started = time.perf_counter()
            outcomes = []
            for index in range(players):
                reader = index == 0
                player = DrillClient(server)
                threshold = 60 * math.exp(rng.uniform(0, math.log(5)))
                answer = weibull_answer(threshold, 2.5, 0.02)
                player.ask({"type": "hello", "v": 1})
                for _ in range(3):
                    player.send({"type": "start", "refreshMs": 16.667})
                    player.receive()
                    trial = player.receive()
                    while True:
                        truth = emotion_of(server, trial["trialId"])  # in flight: not stored yet
                        right = True if reader else answer(rng, trial["exposureFrames"] * 1000 / 60)
                        wrong = next(e for e in EMOTION_KEYS if e != truth)
                        reply = player.answer(trial, truth if right else wrong)
                        if reply.get("done"):
                            player.receive()
                            break
                        trial = player.ask({"type": "next"})
                player_id = stored_trial(db, trial["trialId"])["player_id"]
                status = db["fairplay"].get(player_id)["status"]
                hidden = db["players"].get(player_id)["board_hidden"]
                outcomes.append(("reader" if reader else "honest", status, hidden))
                player.close()
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
    honest_held = sum(status == "held" for kind, status, _ in outcomes if kind == "honest")
    reader_status = [(status, hidden) for kind, status, hidden in outcomes if kind == "reader"]
    print(f"\nreal server: {players - 1} honest players x 3 drills: {honest_held} held; "
          f"pose reader: status {reader_status[0][0]}, board_hidden {reader_status[0][1]} ({elapsed:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--honest-drills", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-server", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    per_player = 25
    population = [honest(rng, per_player) for _ in range(args.honest_drills // per_player)]
    experts = [honest(rng, 60, expert=True) for _ in range(max(1, args.honest_drills // 600))]
    learners = [learner(rng, 30) for _ in range(max(1, args.honest_drills // 100))]
    bad = [player for _ in range(20) for player in cheaters(rng, 12)]
    jobs = [(player, rng.getrandbits(32)) for player in (*population, *experts, *learners, *bad)]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        outcomes = list(pool.map(_play_args, jobs, chunksize=8))
    elapsed = time.perf_counter() - started
    honest_outcomes = [o for o in outcomes if o.kind in ("honest", "expert", "learner")]
    honest_drills = sum(o.drills for o in honest_outcomes)
    print_table(f"simulated players ({elapsed:.0f} s, seed {args.seed}); 'held after' = median drills completed "
                "when first held; 'ever public' = players a public board showed; 'cheat shown' = ...with results "
                "from after they began to cheat; 'waited' = drills past probation whose results waited off public "
                "boards (doubt or vetting), short of a hold", summarise(outcomes))
    held = sum(o.held_after is not None for o in honest_outcomes)
    peaks = sorted(o.peak for o in honest_outcomes)
    waited = sum(o.waited_drills for o in honest_outcomes)
    print(f"\nhonest: {held} held in {honest_drills} drills ({len(honest_outcomes)} players); highest score "
          f"{peaks[-1]:.2f}, 99th percentile {peaks[int(0.99 * (len(peaks) - 1))]:.2f} (held at 1.00); "
          f"{waited} drills ({waited / honest_drills:.2%}) waited off public boards")
    components = {name: max(o.peaks.get(name, 0.0) for o in honest_outcomes) for name in honest_outcomes[0].peaks}
    print("honest players' highest value of each component (held at 1.00): "
          + ", ".join(f"{name} {value:.2f}" for name, value in components.items()))
    if not args.no_server:
        server_run(6, args.seed)


if __name__ == "__main__":
    main()
