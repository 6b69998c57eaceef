"""QA services: assignment."""
