"""The JSON of synthetic PEP sections: for every section of every form of PEP, a few
filled-in versions built from the section's own fields (``peps.sections``), with the demo's
wording where the demo has it. Made once per run and reused, as serialised text."""

from __future__ import annotations

import json
import random
from datetime import date

from demo.peps import CONTENT
from peps.sections import ALL_SECTIONS, Field

VERSIONS = 6


def _value(field: Field, key: str, rng: random.Random, day: date):
    demo = CONTENT.get(key, {}).get(field.name)
    if field.name == "attendance_percent":
        return f"{rng.uniform(72, 100):.1f}"
    if field.name == "sessions_missed":
        return str(rng.randint(0, 30))
    if field.name == "sessions_possible":
        return str(rng.choice((120, 126, 130, 138)))
    if field.kind == "number":
        return str(rng.randint(0, 3))
    if field.kind == "choice":
        return field.choices[0][0] if rng.random() < 0.8 else rng.choice(field.choices)[0]
    if field.kind == "date":
        return day.isoformat()
    if field.kind == "boolean":
        return rng.random() < 0.7
    if demo:
        return demo
    if not field.required and rng.random() < 0.4:
        return ""
    return f"{field.label.rstrip('?:')}: discussed at the meeting; see the notes of {day:%B %Y}."


def section_texts(rng: random.Random, day: date) -> dict[str, list[str]]:
    """Section key -> ``VERSIONS`` filled-in data, as JSON text."""
    return {
        section.key: [
            json.dumps(
                {f.name: _value(f, section.key, rng, day) for f in section.fields},
                sort_keys=True,
            )
            for _ in range(VERSIONS)
        ]
        for section in ALL_SECTIONS
    }
