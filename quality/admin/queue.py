"""QA admin: queue."""
