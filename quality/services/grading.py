"""QA services: grading."""
