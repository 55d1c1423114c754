"""Same seed, same answers: do two revisions' staircases pick, estimate and store exactly the same?

Simulated players play drills as game.drills drives the procedures (an overall procedure and one per emotion,
each emotion anchored to the overall level, a session per drill, some states rebuilt from JSON between drills);
every pick, threshold, stored state, posterior (its bytes) and fair play's P(correct) from the fit the drill
began with goes into a record; where the revision has them, procedures are trimmed as game.drills trims them.
With ``--against REV`` the same players are played by the code of git revision REV (its tree extracted to a
temporary folder) and the records compared: a speed-up of the procedure must leave them identical.

Run: ``.venv/bin/python bench/staircase_identity.py --players 40 --drills 4 --against 953757e``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMOTIONS = ("anger", "contempt", "disgust", "fear", "happiness", "sadness", "surprise")
CANDIDATES = tuple(frames * 1000 / 60 for frames in range(1, 31))  # whole frames at 60 Hz, ms


def play(players: int, drills: int, trials: int) -> list[str]:
    """One line per player: every value the procedures produced, in order."""
    from game.staircase import Staircase

    lines = []
    for player in range(players):
        rng = random.Random(player)
        true_threshold = math.log10(rng.uniform(15, 150))
        procedures = {name: Staircase("exposure") for name in ("all", *EMOTIONS)}
        record: list[object] = []
        at = 1.7e9 + rng.uniform(0, 1e6)
        for drill in range(drills):
            if drill and rng.random() < 0.5:  # a new socket: the states as stored
                procedures = {name: Staircase.from_json(p.to_json()) for name, p in procedures.items()}
            at += rng.choice((3600.0, 86_400.0, 10 * 86_400.0))
            true_threshold -= rng.uniform(0, 0.15)  # players improve
            overall = procedures["all"]
            own_fit = overall.fit() if hasattr(overall, "fit") else overall.copy()  # fair play's, as game.drills
            for procedure in procedures.values():
                procedure.begin_session(at)
            for _ in range(trials):
                emotion = rng.choice(EMOTIONS)
                procedure, overall = procedures[emotion], procedures["all"]
                procedure.anchor(overall.level())
                x = procedure.next_stimulus(CANDIDATES)
                p = 1 / 7 + (1 - 1 / 7 - 0.02) * (1 - math.exp(-(10 ** (2.5 * (math.log10(x) - true_threshold)))))
                correct = rng.random() < p
                overall.update(x, correct)
                procedure.update(x, correct)
                procedure.anchor(overall.level())
                if hasattr(procedure, "trim"):  # as game.drills does once an emotion's trial is answered
                    procedure.trim()
                    overall.trim(keep_posterior=True)
                record += [x, overall.to_json(), procedure.to_json()]
                if own_fit.trials:
                    record.append(own_fit.p_correct(x))
            for name, procedure in procedures.items():
                estimate = procedure.threshold()
                record += [name, repr(tuple(estimate)), repr(procedure.level()), procedure.drift_weights(),
                           hashlib.sha256(procedure.posterior().tobytes()).hexdigest()]
                if hasattr(procedure, "trim"):  # as game.drills does at a drill's end
                    procedure.trim()
        lines.append(json.dumps(record))
    return lines


def extracted(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "game"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--drills", type=int, default=4)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--against", metavar="REV")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.against:
        sys.path.insert(0, str(args.root))
        print("\n".join(play(args.players, args.drills, args.trials)))
        return
    command = [sys.executable, __file__, "--players", str(args.players), "--drills", str(args.drills),
               "--trials", str(args.trials)]
    ours = subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        root = extracted(args.against, Path(tmp))
        theirs = subprocess.run([*command, "--root", str(root)], check=True, capture_output=True,
                                text=True).stdout.splitlines()
    values = sum(len(json.loads(line)) for line in ours)
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    print(f"{args.players} players x {args.drills} drills x {args.trials} trials: {values} values "
          f"(picks, stored states, thresholds, levels, drift weights, posterior hashes)")
    print(f"players whose records differ from {args.against}'s: {len(differing)}"
          + (f" (first: player {differing[0]})" if differing else " (identical)"))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
