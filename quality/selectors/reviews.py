"""QA selectors: reviews."""
