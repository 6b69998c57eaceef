"""QA admin: rubrics."""
