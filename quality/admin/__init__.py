"""The QA workspace in the admin, one module per part (each registers its pages)."""

from . import grading, moderation, queue, rubrics  # noqa: F401
