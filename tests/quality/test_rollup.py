"""The roll-up rules of a rubric (quality.rollup), on tables of cases: weighted score
bands (Red/Amber/Green, the Ofsted-style scale) and the counting rule (St Helens' Gold,
Green, Amber, Red), and what makes a rubric unsound."""

from fractions import Fraction

import pytest

from quality.rollup import GradeRule, overall_rank, rubric_problems, weighted_score

RAG = [
    GradeRule(1, "Green", 75, None, None),
    GradeRule(2, "Amber", 50, None, None),
    GradeRule(3, "Red", None, None, None),
]
OFSTED = [
    GradeRule(1, "Outstanding", 85, None, None),
    GradeRule(2, "Good", 65, None, None),
    GradeRule(3, "Requires improvement", 40, None, None),
    GradeRule(4, "Inadequate", 0, None, None),
]
#: St Helens-style: Gold = all gold but one green; Green = all green or better but two
#: amber; Amber = at most two red (any grade); Red = the rest.
GGAR = [
    GradeRule(1, "Gold", None, 1, 2),
    GradeRule(2, "Green", None, 2, 3),
    GradeRule(3, "Amber", None, 2, None),
    GradeRule(4, "Red", None, None, None),
]
GOLD, GREEN, AMBER, RED = 1, 2, 3, 4


#: (scale size, [(weight, rank)]) -> weighted score
SCORES = {
    (3, ((100, 1),)): Fraction(100),
    (3, ((100, 3),)): Fraction(0),
    (3, ((100, 2),)): Fraction(50),
    (4, ((100, 2),)): Fraction(200, 3),
    (4, ((100, 3),)): Fraction(100, 3),
    (3, ((60, 1), (40, 3))): Fraction(60),
    (3, ((50, 1), (25, 2), (25, 3))): Fraction(125, 2),
    (2, ((30, 1), (70, 2))): Fraction(30),
    # weights given that add up to less than 100 (a criterion does not apply) are scaled
    (3, ((30, 1), (30, 3))): Fraction(50),
    (3, ()): Fraction(0),
    (3, ((0, 1),)): Fraction(0),
}


@pytest.mark.parametrize("case", SCORES, ids=str)
def test_weighted_score(case):
    size, given = case
    assert weighted_score(scale_size=size, given=list(given)) == SCORES[case]


@pytest.mark.parametrize("given", [[(100, 0)], [(100, 4)], [(-5, 1)]], ids=str)
def test_a_grade_off_the_scale_is_refused(given):
    with pytest.raises(ValueError):
        weighted_score(scale_size=3, given=given)
    with pytest.raises(ValueError):
        overall_rank(roll_up="counting", scale=GGAR[:3], given=given)


#: [(weight, rank)] -> overall rank on the Red/Amber/Green bands (75, 50)
RAG_CASES = {
    ((100, 1),): 1,
    ((50, 1), (50, 2)): 1,  # exactly 75: Green
    ((40, 1), (60, 2)): 2,  # 70
    ((50, 2), (50, 2)): 2,  # exactly 50: Amber
    ((49, 2), (51, 3)): 3,  # 24.5
    ((50, 1), (50, 3)): 2,  # 50
    ((49, 1), (51, 3)): 3,  # 49
    ((100, 3),): 3,
    ((12, 3), (88, 1)): 1,  # 88
    ((26, 3), (74, 1)): 2,  # 74
}


@pytest.mark.parametrize("given", RAG_CASES, ids=str)
def test_rag_bands(given):
    assert overall_rank(roll_up="bands", scale=RAG, given=list(given)) == RAG_CASES[given]


#: [(weight, rank)] -> overall rank on the Ofsted-style bands (85, 65, 40, 0)
OFSTED_CASES = {
    ((100, 1),): 1,
    ((55, 1), (45, 2)): 1,  # 85
    ((54, 1), (46, 2)): 2,  # 84.67
    ((100, 2),): 2,  # 66.67
    ((40, 1), (20, 2), (40, 4)): 3,  # 53.33
    ((20, 2), (80, 3)): 3,  # 40
    ((19, 2), (81, 3)): 4,  # 39.67
    ((100, 4),): 4,
}


@pytest.mark.parametrize("given", OFSTED_CASES, ids=str)
def test_ofsted_bands(given):
    assert overall_rank(roll_up="bands", scale=OFSTED, given=list(given)) == OFSTED_CASES[given]


#: criterion grades (ranks, 8 areas, weights ignored) -> overall grade by counting
GGAR_CASES = {
    (GOLD,) * 8: GOLD,
    (GOLD,) * 7 + (GREEN,): GOLD,  # "all gold but one green"
    (GOLD,) * 6 + (GREEN, GREEN): GREEN,
    (GOLD,) * 7 + (AMBER,): GREEN,  # the one below gold is worse than green
    (GOLD,) * 7 + (RED,): AMBER,  # below green, and worse than amber
    (GREEN,) * 8: GREEN,
    (GREEN,) * 6 + (AMBER, AMBER): GREEN,
    (GREEN,) * 5 + (AMBER,) * 3: AMBER,
    (GREEN,) * 6 + (AMBER, RED): AMBER,
    (GREEN,) * 6 + (RED, RED): AMBER,
    (AMBER,) * 8: AMBER,
    (AMBER,) * 5 + (RED,) * 3: RED,
    (RED,) * 8: RED,
    (GOLD,): GOLD,
    (): GOLD,  # nothing graded below gold
}


@pytest.mark.parametrize("ranks", GGAR_CASES, ids=str)
def test_gold_green_amber_red_counting(ranks):
    given = [(10, rank) for rank in ranks]
    assert overall_rank(roll_up="counting", scale=GGAR, given=given) == GGAR_CASES[ranks]


def test_counting_ignores_weights_and_bands_ignore_counts():
    heavy_red = [(90, RED), (10, GOLD)]
    assert overall_rank(roll_up="counting", scale=GGAR, given=heavy_red) == AMBER
    assert overall_rank(roll_up="counting", scale=GGAR, given=[(90, GOLD), (10, RED)]) == AMBER
    one_red = [(5, 3)] + [(95, 1)]
    assert overall_rank(roll_up="bands", scale=RAG, given=one_red) == 1


def test_a_counting_grade_without_a_floor_allows_any_grade_below():
    scale = [
        GradeRule(1, "Green", None, 1, None),
        GradeRule(2, "Amber", None, 0, None),
        GradeRule(3, "Red", None, None, None),
    ]
    assert overall_rank(roll_up="counting", scale=scale, given=[(1, 1), (1, 3)]) == 1
    assert overall_rank(roll_up="counting", scale=scale, given=[(1, 2), (1, 2)]) == 2
    assert overall_rank(roll_up="counting", scale=scale, given=[(1, 2), (1, 3)]) == 3


def test_the_scale_may_come_in_any_order():
    shuffled = [RAG[2], RAG[0], RAG[1]]
    assert overall_rank(roll_up="bands", scale=shuffled, given=[(100, 1)]) == 1


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        overall_rank(roll_up="average", scale=RAG, given=[(100, 1)])


def _g(rank, label, min_score=None, allowance=None, floor=None):
    return GradeRule(rank, label, min_score, allowance, floor)


TEN = [10] * 10

#: (rule, scale, weights) -> the fields with problems (empty: sound)
PROBLEMS = {
    "sound RAG bands": ("bands", RAG, TEN, set()),
    "sound Ofsted bands (worst 0)": ("bands", OFSTED, [100], set()),
    "sound counting": ("counting", GGAR, [25, 25, 25, 25], set()),
    "weights add up to 90": ("bands", RAG, [10] * 9, {"weights"}),
    "weights add up to 110": ("counting", GGAR, [50, 60], {"weights"}),
    "no criteria": ("bands", RAG, [], {"weights"}),
    "one grade": ("bands", [_g(1, "Pass")], TEN, {"grades"}),
    "seven grades": ("bands", [_g(r, f"G{r}", 100 - r) for r in range(1, 8)], TEN, {"grades"}),
    "ranks with a gap": ("bands", [_g(1, "A", 50), _g(3, "B")], TEN, {"grades"}),
    "ranks repeated": ("bands", [_g(1, "A", 50), _g(1, "B")], TEN, {"grades"}),
    "two grades named alike": ("bands", [_g(1, "Red", 50), _g(2, "red ")], TEN, {"grades"}),
    "a grade without a name": ("bands", [_g(1, " ", 50), _g(2, "B")], TEN, {"grades"}),
    "bands: a grade without a lowest score": (
        "bands",
        [_g(1, "Green", 75), _g(2, "Amber"), _g(3, "Red")],
        TEN,
        {"min_score"},
    ),
    "bands overlap (Amber above Green)": (
        "bands",
        [_g(1, "Green", 50), _g(2, "Amber", 60), _g(3, "Red")],
        TEN,
        {"min_score"},
    ),
    "bands equal": (
        "bands",
        [_g(1, "Green", 60), _g(2, "Amber", 60), _g(3, "Red")],
        TEN,
        {"min_score"},
    ),
    "bands: the worst grade has a lowest score": (
        "bands",
        [_g(1, "Green", 75), _g(2, "Amber", 50), _g(3, "Red", 20)],
        TEN,
        {"min_score"},
    ),
    "bands: a second-worst grade at 0 leaves the worst unreachable": (
        "bands",
        [_g(1, "Green", 75), _g(2, "Amber", 0), _g(3, "Red")],
        TEN,
        {"min_score"},
    ),
    "bands: a lowest score above 100": (
        "bands",
        [_g(1, "Green", 101), _g(2, "Red")],
        TEN,
        {"min_score"},
    ),
    "counting: a grade without an allowance": (
        "counting",
        [_g(1, "Gold", allowance=1), _g(2, "Green"), _g(3, "Red")],
        TEN,
        {"allowance"},
    ),
    "counting: a floor at the grade itself": (
        "counting",
        [_g(1, "Gold", allowance=1, floor=1), _g(2, "Red")],
        TEN,
        {"allowance_floor"},
    ),
    "counting: a floor off the scale": (
        "counting",
        [_g(1, "Gold", allowance=1, floor=3), _g(2, "Red")],
        TEN,
        {"allowance_floor"},
    ),
    "counting: the worst grade has an allowance": (
        "counting",
        [_g(1, "Gold", allowance=1), _g(2, "Red", allowance=3)],
        TEN,
        {"allowance"},
    ),
    "an unknown rule": ("average", RAG, TEN, {"roll_up"}),
    "weights and bands both wrong": (
        "bands",
        [_g(1, "Green", 40), _g(2, "Amber", 50), _g(3, "Red")],
        [50, 40],
        {"weights", "min_score"},
    ),
}


@pytest.mark.parametrize("case", PROBLEMS)
def test_rubric_problems(case):
    roll_up, scale, weights, fields = PROBLEMS[case]
    problems = rubric_problems(roll_up=roll_up, scale=scale, weights=weights)
    assert set(problems) == fields
    for messages in problems.values():
        assert messages and all(isinstance(m, str) and m.endswith(".") for m in messages)


def test_problems_are_in_plain_words():
    problems = rubric_problems(roll_up="bands", scale=RAG, weights=[10] * 9)
    assert problems == {
        "weights": ["The criteria's weights must add up to 100; they add up to 90."]
    }
    overlap = rubric_problems(
        roll_up="bands",
        scale=[_g(1, "Green", 50), _g(2, "Amber", 60), _g(3, "Red")],
        weights=[100],
    )
    assert overlap["min_score"] == [
        "Green needs a higher lowest score than Amber (50 is not above 60)."
    ]
