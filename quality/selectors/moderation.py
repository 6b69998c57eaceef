"""QA selectors: moderation."""
