"""QA selectors: queue."""
