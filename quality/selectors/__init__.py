"""Reads of quality assurance, scoped to the actor, one module per part. Import from the
module (``quality.selectors.queue``)."""
