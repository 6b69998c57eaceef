"""Attainment scales that fit each key stage (pure data, no database)."""

from __future__ import annotations

EYFS = (("emerging", "Emerging"), ("expected", "Expected"))
PRIMARY = (
    ("pre_key_stage", "Pre-key stage"),
    ("working_towards", "Working towards the expected standard"),
    ("expected", "Working at the expected standard"),
    ("greater_depth", "Working at greater depth"),
)
GCSE = tuple((str(g), f"Grade {g}") for g in range(9, 0, -1)) + (("U", "U (ungraded)"),)
POST_16 = (
    ("A*", "A*"),
    ("A", "A"),
    ("B", "B"),
    ("C", "C"),
    ("D", "D"),
    ("E", "E"),
    ("D*", "Distinction*"),
    ("Dist", "Distinction"),
    ("Merit", "Merit"),
    ("Pass", "Pass"),
    ("L3", "Level 3"),
    ("L2", "Level 2"),
    ("L1", "Level 1"),
    ("Entry", "Entry level"),
    ("U", "U (ungraded)"),
)

SCALES = {
    "EYFS": EYFS,
    "KS1": PRIMARY,
    "KS2": PRIMARY,
    "KS3": GCSE,
    "KS4": GCSE,
    "Post-16": POST_16,
}

EYFS_AREAS = (
    "Communication and language",
    "Personal, social and emotional development",
    "Physical development",
    "Literacy",
    "Mathematics",
    "Understanding the world",
    "Expressive arts and design",
)
CORE_SUBJECTS = ("Reading", "Writing", "Mathematics")
SECONDARY_SUBJECTS = ("English", "Mathematics", "Science")


def scale_for(key_stage: str) -> tuple[tuple[str, str], ...]:
    return SCALES[key_stage]


def default_subjects(key_stage: str) -> tuple[str, ...]:
    if key_stage == "EYFS":
        return EYFS_AREAS
    if key_stage in ("KS1", "KS2"):
        return CORE_SUBJECTS
    if key_stage in ("KS3", "KS4"):
        return SECONDARY_SUBJECTS
    return ()


def label(key_stage: str, value: str) -> str:
    return dict(SCALES.get(key_stage, ())).get(value, value)
