"""QA services: moderation."""
