"""Which emotions a player mixes up, directly."""

from game.emotions import EMOTION_KEYS
from game.stats import most_confused


def empty() -> dict[str, dict[str, int]]:
    return {shown: dict.fromkeys(EMOTION_KEYS, 0) for shown in EMOTION_KEYS}


def test_the_pair_mixed_up_most_either_way_is_named_with_its_tell() -> None:
    matrix = empty()
    matrix["fear"]["surprise"], matrix["surprise"]["fear"] = 3, 2
    matrix["anger"]["disgust"] = 4
    matrix["fear"]["fear"] = 30  # right answers never count as confusion
    found = most_confused(matrix)
    assert found is not None and sorted(found["pair"]) == ["fear", "surprise"] and found["times"] == 5
    assert "brows" in found["tip"]


def test_a_pair_that_is_not_a_known_lookalike_gets_both_sets_of_cues() -> None:
    matrix = empty()
    matrix["happiness"]["anger"] = 2
    found = most_confused(matrix)
    assert found is not None and "Happiness:" in found["tip"] and "Anger:" in found["tip"]


def test_no_mistakes_no_pair() -> None:
    assert most_confused(empty()) is None
