"""Server-chosen face traits: balanced, carried by the trial message, stored with the trial, and the
same vocabulary the browser's identity.js draws from."""

from __future__ import annotations

import json
import random
import subprocess
from collections import Counter

import pytest
from conftest import DrillClient, LiveServer, emotion_of, open_db, stored_trial
from harness import ROOT

from game import face_version, identities
from game.emotions import EMOTION_KEYS, EMOTIONS, pose
from game.rounds import CHECKUP_IDENTITY_BIT, SUBTLE_INTENSITIES, plan_trial, trial_message, trial_rng
from game.variants import variant_number


def test_every_skin_type_is_shown_equally_often_whatever_the_emotion() -> None:
    rng = random.Random(5)
    draws = [identities.draw_traits(rng) for _ in range(12_000)]
    skins = Counter(traits.fitzpatrick for traits in draws)
    assert set(skins) == set(identities.FITZPATRICK_TYPES)
    for count in skins.values():
        assert abs(count / len(draws) - 1 / 6) < 0.015, skins
    glasses = sum(traits.glasses for traits in draws) / len(draws)
    assert abs(glasses - identities.GLASSES_SHARE) < 0.02
    hair = Counter(traits.facial_hair for traits in draws)
    assert set(hair) == set(identities.FACIAL_HAIR_KINDS) and 0.46 < hair["none"] / len(draws) < 0.54
    # Per emotion too: the plan draws traits independently of the emotion.
    for emotion in ("anger", "contempt"):
        plans = [plan_trial(trial_rng(9, position, 0), emotion, 16.667, exposure_ms=300, intensity=1.0)
                 for position in range(3000)]
        shares = Counter(plan.traits.fitzpatrick for plan in plans)
        assert min(shares.values()) / len(plans) > 0.13, (emotion, shares)


def test_drawing_traits_leaves_the_seeds_faces_and_timings_as_they_were() -> None:
    """Traits are drawn after everything else, so a drill seed still gives the same identity seed,
    foreperiod and pose as before traits existed."""
    rng = trial_rng(7, 3, 0)
    plan = plan_trial(trial_rng(7, 3, 0), "fear", 16.667, exposure_ms=50, intensity=1.0)
    assert plan.identity_seed == rng.getrandbits(32) & (CHECKUP_IDENTITY_BIT - 1)  # never a checkup face
    rng.uniform(0, 1)
    assert plan.pose == pose("fear", 1.0, rng)


@pytest.mark.parametrize("emotion", EMOTION_KEYS)
def test_the_variant_a_pose_shows_is_recognised_at_every_intensity(emotion: str) -> None:
    wanted = len(EMOTIONS[emotion].variants)
    for intensity in (*SUBTLE_INTENSITIES, 1.0):
        seen = set()
        for seed in range(60):
            shown = pose(emotion, intensity, random.Random(seed))
            number = variant_number(emotion, intensity, shown)
            assert number is not None, (emotion, intensity, shown)
            units = EMOTIONS[emotion].variants[number - 1].units
            assert {str(au) for au in units} == set(shown["au"])
            seen.add(number)
        assert seen == set(range(1, wanted + 1))
    assert variant_number(emotion, 1.0, {"au": {"99": [1, 1]}}) is None


def test_the_browser_draws_from_the_same_trait_values_the_server_sends() -> None:
    script = ("import('./static/js/face/identity.js').then((m) => console.log(JSON.stringify({choices: m.CHOICES, "
              "traits: m.identityFromSeed(12345, {fitzpatrick: 6, glasses: true, facialHair: 'fullBeard'}), "
              "bare: m.identityFromSeed(12345, {fitzpatrick: 1, glasses: false, facialHair: 'none'})})))")
    out = json.loads(subprocess.run(["node", "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=30,
                                    check=True).stdout)
    assert out["choices"]["fitzpatrick"] == list(identities.FITZPATRICK_TYPES)
    assert out["choices"]["facialHair"] == list(identities.FACIAL_HAIR_KINDS)
    assert out["traits"]["skin"]["fitzpatrick"] == 6 and out["traits"]["facialHair"] == "fullBeard"
    assert out["traits"]["glasses"] != "none" and out["bare"]["glasses"] == "none"
    assert out["bare"]["skin"]["fitzpatrick"] == 1 and out["bare"]["facialHair"] == "none"
    # The same seed: everything else about the face stays the seed's.
    assert out["traits"]["faceShape"] == out["bare"]["faceShape"] and out["traits"]["nose"] == out["bare"]["nose"]


def test_the_catalogue_serves_the_trait_tables(live_server: LiveServer) -> None:
    import urllib.request

    with urllib.request.urlopen(live_server.url + "/api/catalogue.json", timeout=10) as response:
        served = json.load(response)["identityTraits"]
    assert served == json.loads(json.dumps(identities.catalogue()))


def test_each_trial_carries_its_traits_and_stores_them_with_its_variant(client: DrillClient,
                                                                        live_server: LiveServer) -> None:
    assert client.ask({"type": "hello", "v": 1})["type"] == "welcome"
    client.send({"type": "start", "refreshMs": 16.667})
    client.receive()
    trial = client.receive()
    seen = []
    for position in range(1, 21):
        traits = trial["identity"]
        assert set(traits) == {"fitzpatrick", "glasses", "facialHair"}
        assert traits["fitzpatrick"] in identities.FITZPATRICK_TYPES and isinstance(traits["glasses"], bool)
        assert traits["facialHair"] in identities.FACIAL_HAIR_KINDS
        client.answer(trial, emotion_of(live_server, trial["trialId"]))
        row = stored_trial(open_db(live_server), trial["trialId"])  # stored with its answer
        assert (row["fitzpatrick"], bool(row["glasses"]), row["facial_hair"]) == (
            traits["fitzpatrick"], traits["glasses"], traits["facialHair"])
        assert row["variant"] is not None  # the pose sent is jittered (fair play); its moving units are the variant's
        units = EMOTIONS[row["emotion"]].variants[row["variant"] - 1].units
        assert {str(au) for au in units} == set(json.loads(row["pose"])["au"])
        assert json.loads(row["pose"]) == trial["expression"]  # what was stored is what was sent
        assert row["face_version"] == face_version.current()  # the drawing the page was served
        seen.append(traits["fitzpatrick"])
        if position < 20:
            trial = client.ask({"type": "next"})
    assert len(set(seen)) >= 3, seen  # 20 faces of one drill are not all one skin type


def test_the_trial_message_carries_traits_not_the_answer() -> None:
    plan = plan_trial(trial_rng(1, 1, 0), "disgust", 16.667, exposure_ms=100, intensity=1.0)
    message = trial_message("abc", plan, 1, 20)
    assert message["identity"] == plan.traits.message()
    assert "disgust" not in repr(message) and "variant" not in message
