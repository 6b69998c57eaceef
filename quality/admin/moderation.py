"""QA admin: moderation."""
