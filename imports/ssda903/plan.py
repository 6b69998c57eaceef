"""What an extract changes (pure: no database). For each child in the file: their record's
fields, periods of care and placements as the file describes them, compared with what is
recorded, giving the rows to create, change and remove.

How episodes become records:

- RNE ``S`` starts a period of care on DECOM. An episode whose DEC is set with a REC other
  than ``X1`` ends it (date left care and reason). A child's first episode in the file
  that is not ``S`` continues a period that started before the extract: the recorded
  period covering that day is kept with its real start (or one starts on DECOM).
- RNE ``S``, ``P``, ``T``, ``B`` or ``U`` starts a placement (PLACE mapped to our type,
  see ``codes.PLACE_TYPES``; PLACE, PLACE_PROVIDER, URN and the postcodes kept as they
  are; no carer yet); ``L`` changes the legal status only. A placement ends when the
  next starts or the period of care ends; one that ends the day it starts is not kept.
- The latest episode gives the legal status and category of need.
- The file speaks for the child from their first episode in it: recorded periods and
  placements that start on or after that day and are not in the file are removed, one
  running into it ends that day. Earlier history is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from children.models import CarePeriod

from . import codes
from .validate import ChildRecord

CHILD_FIELDS = (
    "gender",
    "date_of_birth",
    "upn",
    "is_uasc",
    "legal_status",
    "category_of_need",
    "entered_care_on",
    "left_care_on",
)
PLACEMENT_FIELDS = (
    "placement_type",
    "ssda903_place",
    "place_provider",
    "provider_urn",
    "placement_postcode",
    "home_postcode",
    "reason_place_change",
)
#: A recorded period the file shows has ended, but not how (a new period began).
UNKNOWN_END = CarePeriod.LeavingReason.E8


@dataclass
class Period:
    start: date
    start_known: bool
    end: date | None = None
    reason: str = ""


@dataclass
class PlacementRow:
    start: date
    start_known: bool
    end: date | None
    fields: dict


@dataclass
class Existing:
    """What is recorded for one child (read in bulk by the service)."""

    pk: int
    fields: dict
    #: (pk, started_on, ended_on, reason_ended)
    periods: list[tuple] = field(default_factory=list)
    #: (pk, start_date, end_date, {PLACEMENT_FIELDS})
    placements: list[tuple] = field(default_factory=list)


@dataclass
class Changes:
    """Rows to create (dicts), change ((pk, dict of new values)) and remove (pks)."""

    create: list[dict] = field(default_factory=list)
    update: list[tuple[int, dict]] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)


@dataclass
class ChildPlan:
    child_id: str
    pk: int | None
    fields: dict
    changed_fields: list[str]
    periods: Changes
    placements: Changes
    #: Not recorded yet (``pk`` is set once the import creates the child).
    is_new: bool = False

    @property
    def changed(self) -> bool:
        return self.is_new or bool(self.changed_fields or self.periods or self.placements)

    @property
    def in_care(self) -> bool:
        return self.fields["left_care_on"] is None

    def fingerprint(self) -> tuple:
        def rows(changes: Changes) -> tuple:
            return (
                tuple(sorted(repr(sorted(d.items())) for d in changes.create)),
                tuple(sorted((pk, repr(sorted(d.items()))) for pk, d in changes.update)),
                tuple(sorted(changes.delete)),
            )

        return (
            self.child_id,
            self.pk,
            repr(sorted(self.fields.items())) if self.is_new else tuple(self.changed_fields),
            repr([(f, self.fields[f]) for f in self.changed_fields]),
            rows(self.periods),
            rows(self.placements),
        )


def periods_of(record: ChildRecord) -> list[tuple[Period, list]]:
    """The periods of care the episodes describe, each with its episodes."""
    periods: list[tuple[Period, list]] = []
    current = None
    for episode in record.episodes:
        if current is None or episode.rne == codes.STARTS_CARE:
            if current is not None and current[0].end is None:
                # A new period began while the last was open: it ended, reason unknown
                # (one that began the same day lasted no day and is not kept).
                current[0].end = episode.decom
                current[0].reason = UNKNOWN_END
                if current[0].start >= episode.decom:
                    periods.pop()
            current = (Period(episode.decom, episode.rne == codes.STARTS_CARE), [])
            periods.append(current)
        current[1].append(episode)
        if episode.ends_care:
            current[0].end = episode.dec
            current[0].reason = episode.rec
            current = None
    return periods


def placements_of(period: Period, episodes: list) -> list[PlacementRow]:
    groups: list[list] = []
    for episode in episodes:
        if not groups or episode.rne in codes.STARTS_PLACEMENT:
            groups.append([])
        groups[-1].append(episode)
    rows = []
    for i, group in enumerate(groups):
        first = group[0]
        end = groups[i + 1][0].decom if i + 1 < len(groups) else period.end
        if end is not None and end <= first.decom:
            continue
        before = groups[i - 1][-1].reason_place_change if i else ""
        rows.append(
            PlacementRow(
                start=first.decom,
                start_known=first.rne in codes.STARTS_PLACEMENT,
                end=end,
                fields={
                    "placement_type": codes.PLACE_TYPES[first.place],
                    "ssda903_place": first.place,
                    "place_provider": first.place_provider,
                    "provider_urn": first.urn,
                    "placement_postcode": first.pl_post,
                    "home_postcode": first.home_post,
                    "reason_place_change": before,
                },
            )
        )
    return rows


def _covering(rows, day: date):
    for row in rows:
        start, end = row[1], row[2]
        if start <= day and (end is None or end > day):
            return row
    return None


def _reconcile(
    wanted: list, recorded: list[tuple], *, values, recorded_values, end_key: str
) -> Changes:
    """Match the file's rows with the recorded ones (same start; a row whose start is
    not in the file takes over the recorded row covering its first day)."""
    changes = Changes()
    if not wanted:
        return changes
    window = wanted[0].start
    by_start = {row[1]: row for row in recorded}
    matched: set[int] = set()
    for item in wanted:
        row = by_start.get(item.start)
        if row is None and not item.start_known:
            row = _covering(recorded, item.start)
        if row is not None and row[0] not in matched:
            matched.add(row[0])
            item.start = row[1]
            new = values(item)
            old = recorded_values(row)
            diff = {k: v for k, v in new.items() if old.get(k) != v}
            if diff:
                changes.update.append((row[0], diff))
        else:
            changes.create.append(values(item))
    for row in recorded:
        if row[0] in matched:
            continue
        if row[1] >= window:
            changes.delete.append(row[0])
        elif row[2] is None or row[2] > window:
            changes.update.append((row[0], {end_key: window, **_closing(end_key)}))
    return changes


def _closing(end_key: str) -> dict:
    return {"reason_ended": UNKNOWN_END} if end_key == "ended_on" else {}


def plan_child(record: ChildRecord, existing: Existing | None) -> ChildPlan:
    periods = periods_of(record)
    period_rows = [period for period, _ in periods]
    placement_rows = [
        row for period, episodes in periods for row in placements_of(period, episodes)
    ]
    recorded_periods = existing.periods if existing else []
    recorded_placements = existing.placements if existing else []
    period_changes = _reconcile(
        period_rows,
        recorded_periods,
        values=lambda p: {"started_on": p.start, "ended_on": p.end, "reason_ended": p.reason},
        recorded_values=lambda r: {"started_on": r[1], "ended_on": r[2], "reason_ended": r[3]},
        end_key="ended_on",
    )
    placement_changes = _reconcile(
        placement_rows,
        recorded_placements,
        values=lambda p: {"start_date": p.start, "end_date": p.end, **p.fields},
        recorded_values=lambda r: {"start_date": r[1], "end_date": r[2], **r[3]},
        end_key="end_date",
    )
    latest = record.episodes[-1] if record.episodes else None
    last_period = period_rows[-1] if period_rows else None
    fields = {
        "gender": record.gender,
        "date_of_birth": record.date_of_birth,
        "upn": record.upn,
        "is_uasc": record.is_uasc,
    }
    if existing is not None:
        for name in ("legal_status", "category_of_need", "entered_care_on", "left_care_on"):
            fields[name] = existing.fields[name]
        if not record.upn:
            fields["upn"] = existing.fields["upn"]
    if latest is not None:
        fields["legal_status"] = latest.ls
        fields["category_of_need"] = latest.cin
    if last_period is not None:
        fields["entered_care_on"] = last_period.start
        fields["left_care_on"] = last_period.end
    changed = []
    if existing is not None:
        changed = [name for name in CHILD_FIELDS if existing.fields[name] != fields[name]]
    return ChildPlan(
        child_id=record.child_id,
        pk=existing.pk if existing else None,
        fields=fields,
        changed_fields=changed,
        periods=period_changes,
        placements=placement_changes,
        is_new=existing is None,
    )
