"""QA services: rubrics."""
