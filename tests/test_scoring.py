import pytest

from game.scoring import difficulty_points, score_answer, streak_multiplier


def test_shorter_flashes_and_fainter_faces_are_worth_more() -> None:
    assert difficulty_points(500) == 10
    assert difficulty_points(500) < difficulty_points(100) < difficulty_points(33.3) < difficulty_points(16.7)
    assert difficulty_points(200, intensity=0.25) == 2 * difficulty_points(200)


def test_a_wrong_answer_earns_nothing_and_breaks_the_streak() -> None:
    assert score_answer(False, 7, 50) == (0, 0)


def test_an_answer_streak_multiplies_points_up_to_double() -> None:
    first, streak = score_answer(True, 0, 500)
    assert (first, streak) == (10, 1)
    assert score_answer(True, 1, 500) == (11, 2)
    assert streak_multiplier(11) == pytest.approx(2.0) and streak_multiplier(50) == pytest.approx(2.0)
