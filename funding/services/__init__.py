"""Writes of Pupil Premium Plus, one module per entity. Import from the module
(``funding.services.lines``), not from here."""
