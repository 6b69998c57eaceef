"""QA admin: grading."""
