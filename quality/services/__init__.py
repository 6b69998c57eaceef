"""Writes of quality assurance, one module per entity. Import from the module
(``quality.services.grading``), not from here."""
