"""QA selectors: rubrics."""
