"""How criterion grades become an overall grade: pure functions, no database.

A rubric's scale is a list of :class:`GradeRule`, best first (rank 1). Two roll-up rules:

- ``"bands"``: each criterion scores a share of its weight by its grade (the best grade all
  of it, the worst none, the ones between evenly spaced); the weighted score (0-100) earns
  the best grade whose ``min_score`` it reaches.
- ``"counting"``: "Gold = every criterion gold except at most one, and that one green": a
  grade holds when at most ``allowance`` criteria are graded below it, none of them worse
  than ``allowance_floor_rank``. The overall grade is the best grade that holds; the worst
  grade is what is left.

``rubric_problems`` says in plain words what is wrong with a rubric's scale and weights
before it can be published (the admin shows it next to the fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

BANDS = "bands"
COUNTING = "counting"
MIN_GRADES, MAX_GRADES = 2, 6


@dataclass(frozen=True)
class GradeRule:
    rank: int  # 1 = best
    label: str
    min_score: int | None  # bands: lowest weighted score 0-100 for this grade
    allowance: int | None  # counting: criteria that may be below this grade
    allowance_floor_rank: int | None  # counting: ...but no worse than this rank (None: any)


def _check_ranks(scale_size: int, given: Sequence[tuple[int, int]]) -> None:
    if scale_size < MIN_GRADES:
        raise ValueError(f"A scale needs at least {MIN_GRADES} grades.")
    for weight, rank in given:
        if not 1 <= rank <= scale_size:
            raise ValueError(f"Grade rank {rank} is not on a scale of {scale_size} grades.")
        if weight < 0:
            raise ValueError("A weight cannot be negative.")


def weighted_score(*, scale_size: int, given: list[tuple[int, int]]) -> Fraction:
    """The weighted score (0-100) of criteria graded ``given`` = ``[(weight, rank), ...]``.

    A criterion at rank ``r`` scores ``(scale_size - r) / (scale_size - 1)`` of its weight.
    The result is scaled to the weights given, so a criterion left out (it does not apply
    to this child) neither helps nor harms; with a rubric's weights adding up to 100 the
    scaling changes nothing. No criteria (or all of weight 0) score 0."""
    _check_ranks(scale_size, given)
    total = sum(weight for weight, _ in given)
    if total == 0:
        return Fraction(0)
    earned = sum(Fraction(weight * (scale_size - rank), scale_size - 1) for weight, rank in given)
    return earned * 100 / total


def _ordered(scale: Sequence[GradeRule]) -> list[GradeRule]:
    return sorted(scale, key=lambda g: g.rank)


def overall_rank(*, roll_up: str, scale: list[GradeRule], given: list[tuple[int, int]]) -> int:
    """The rank of the overall grade of criteria graded ``given`` = ``[(weight, rank), ...]``
    under ``roll_up`` (``"bands"`` or ``"counting"``) on ``scale``."""
    grades = _ordered(scale)
    if not grades:
        raise ValueError("A scale needs grades.")
    worst = grades[-1]
    if roll_up == BANDS:
        score = weighted_score(scale_size=len(grades), given=given)
        for grade in grades[:-1]:
            if grade.min_score is not None and score >= grade.min_score:
                return grade.rank
        return worst.rank
    if roll_up == COUNTING:
        _check_ranks(len(grades), given)
        ranks = [rank for _, rank in given]
        for grade in grades[:-1]:
            if grade.allowance is None:
                continue
            below = [rank for rank in ranks if rank > grade.rank]
            if len(below) > grade.allowance:
                continue
            floor = grade.allowance_floor_rank
            if floor is not None and any(rank > floor for rank in below):
                continue
            return grade.rank
        return worst.rank
    raise ValueError(f"Unknown roll-up rule {roll_up!r}.")


def rubric_problems(
    *, roll_up: str, scale: list[GradeRule], weights: list[int]
) -> dict[str, list[str]]:
    """What stops a rubric with this roll-up rule, scale and criterion weights from being
    used, in plain words keyed by field: ``weights``, ``grades``, ``min_score``,
    ``allowance``, ``allowance_floor``, ``roll_up``. Empty when it is sound."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not weights:
        add("weights", "Add at least one criterion.")
    else:
        total = sum(weights)
        if total != 100:
            add("weights", f"The criteria's weights must add up to 100; they add up to {total}.")
        if any(w < 0 or w > 100 for w in weights):
            add("weights", "Each weight must be between 0 and 100.")

    grades = _ordered(scale)
    n = len(grades)
    if not MIN_GRADES <= n <= MAX_GRADES:
        add("grades", f"A scale has {MIN_GRADES} to {MAX_GRADES} grades; this one has {n}.")
    if [g.rank for g in grades] != list(range(1, n + 1)):
        add("grades", "Number the grades 1, 2, 3 … from the best, with no gaps or repeats.")
    labels = [g.label.strip().lower() for g in grades]
    if any(not label for label in labels):
        add("grades", "Give every grade a name.")
    elif len(set(labels)) != len(labels):
        add("grades", "Give each grade a different name.")
    if problems.get("grades"):
        return problems

    worst = grades[-1]
    if roll_up == BANDS:
        for grade in grades[:-1]:
            if grade.min_score is None:
                add("min_score", f"Give {grade.label} the lowest score that earns it.")
            elif not 0 <= grade.min_score <= 100:
                add("min_score", f"{grade.label}'s lowest score must be between 0 and 100.")
        if worst.min_score not in (None, 0):
            add(
                "min_score",
                f"{worst.label} is the worst grade: it is what is left, so leave its lowest "
                "score blank (or 0).",
            )
        if "min_score" not in problems:
            for better, worse in zip(grades, grades[1:], strict=False):
                if (better.min_score or 0) <= (worse.min_score or 0):
                    add(
                        "min_score",
                        f"{better.label} needs a higher lowest score than {worse.label} "
                        f"({better.min_score or 0} is not above {worse.min_score or 0}).",
                    )
    elif roll_up == COUNTING:
        for grade in grades[:-1]:
            if grade.allowance is None:
                add(
                    "allowance",
                    f"Say how many criteria may be graded below {grade.label} (0 for none).",
                )
            elif grade.allowance < 0:
                add("allowance", f"{grade.label}'s allowance cannot be negative.")
            floor = grade.allowance_floor_rank
            if floor is not None and not grade.rank < floor <= n:
                add(
                    "allowance_floor",
                    f'{grade.label}\'s "no worse than" grade must be a grade below {grade.label}.',
                )
        if worst.allowance is not None or worst.allowance_floor_rank is not None:
            add(
                "allowance",
                f"{worst.label} is the worst grade: it is what is left, so leave its "
                "allowance blank.",
            )
    else:
        add("roll_up", "Choose weighted score bands or a counting rule.")
    return problems
