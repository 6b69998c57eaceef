"""Personal Education Plans: sections, targets and the termly cycle (issue 4)."""
