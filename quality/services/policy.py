"""QA services: policy."""
