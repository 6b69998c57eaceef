"""Pupil Premium Plus costings and payments (a later issue)."""
