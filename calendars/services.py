"""Writes of an authority's school calendar from the portal's settings pages: the term
dates of an academic year, closures (INSET and polling days) and the termly PEP
submission dates.

Each is one transaction: the permission (``calendars.permissions.can_edit_calendar``),
validation with a message for the field, the model's own checks and constraints as the
last line, an audit event, and ``calendars.hooks.calendar_changed`` so the authority's
open deadlines are worked out again at once."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from epep.audit.services import audit_record
from epep.tenancy.models import LocalAuthority

from .days import long_date
from .hooks import calendar_changed
from .models import SchoolClosure, SchoolTerm, SubmissionDate, academic_year_validator
from .permissions import can_edit_calendar

#: A year holds at most six half terms (or three terms, or Kent's six numbered terms).
MAX_TERMS = 6


def _check(actor, authority: LocalAuthority) -> None:
    if not can_edit_calendar(actor, authority.pk):
        raise PermissionDenied("You can change only your own authority's calendar.")


def _audit(actor, authority, action: str, object_type: str, object_id: str, **detail) -> None:
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        local_authority_id=authority.pk,
        detail=detail,
    )


def academic_year_bounds(academic_year: str) -> tuple[date, date]:
    """The first and last day a term of ``academic_year`` may fall on (as
    ``SchoolTerm.clean``: 1 August to 31 August of the next year). Raises a
    ``ValidationError`` on ``academic_year`` for a label that is not like 2026-27."""
    if not academic_year_validator.regex.match(academic_year or ""):
        raise ValidationError({"academic_year": "Write the academic year like 2026-27."})
    first, second = int(academic_year[:4]), int(academic_year[5:])
    if second != (first + 1) % 100:
        raise ValidationError(
            {"academic_year": "The second year must follow the first, like 2026-27."}
        )
    return date(first, 8, 1), date(first + 1, 8, 31)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _term_errors(terms: list[dict], earliest: date, latest: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    previous = None
    names = set()
    for i, term in enumerate(terms, start=1):
        name, start, end = term.get("name", ""), term.get("start_date"), term.get("end_date")
        if not name:
            errors[f"name_{i}"] = "Enter the name of the term, like Autumn 1"
        elif len(name) > 40:
            errors[f"name_{i}"] = "The name must be 40 characters or fewer"
        elif name.lower() in names:
            errors[f"name_{i}"] = f"Another term of this year is called {name}"
        names.add((name or "").lower())
        if start is None:
            errors[f"start_date_{i}"] = "Enter the first day of the term"
        if end is None:
            errors[f"end_date_{i}"] = "Enter the last day of the term"
        if start is None or end is None:
            previous = None
            continue
        window = f"between {long_date(earliest)} and {long_date(latest)}"
        if not earliest <= start <= latest:
            errors[f"start_date_{i}"] = f"The first day must be {window}"
        if not earliest <= end <= latest:
            errors[f"end_date_{i}"] = f"The last day must be {window}"
        if end < start:
            errors[f"end_date_{i}"] = "The last day must be the same as or after the first day"
        elif previous is not None and start <= previous["end_date"]:
            errors.setdefault(
                f"start_date_{i}",
                f"The first day must be after the last day of {previous['name']} "
                f"({long_date(previous['end_date'])}): terms are in order and do not overlap",
            )
        if end >= start:
            previous = {"name": name, "end_date": end}
    return errors


@transaction.atomic
def term_dates_set(
    *, actor, authority: LocalAuthority, academic_year: str, terms: list[dict], source: str = ""
) -> list[SchoolTerm]:
    """Replace ``authority``'s terms of ``academic_year`` with ``terms``: in order, each a
    dict with ``name``, ``start_date`` and ``end_date`` (the last day of the term), up to
    six (half terms, Kent's numbered terms) or fewer (three terms).

    Errors name the term's place from 1: ``name_1``, ``start_date_1``, ``end_date_1`` …;
    a term of this year must not overlap another year's term."""
    _check(actor, authority)
    earliest, latest = academic_year_bounds(academic_year)
    terms = [
        {**t, "name": " ".join((t.get("name") or "").split())}
        for t in terms
        if (t.get("name") or "").strip() or t.get("start_date") or t.get("end_date")
    ]
    if not terms:
        raise ValidationError({"start_date_1": "Enter the dates of at least one term"})
    if len(terms) > MAX_TERMS:
        raise ValidationError(f"A year has at most {MAX_TERMS} terms or half terms.")
    errors = _term_errors(terms, earliest, latest)
    if errors:
        raise ValidationError(errors)
    others = SchoolTerm.objects.filter(local_authority=authority).exclude(
        academic_year=academic_year
    )
    for i, term in enumerate(terms, start=1):
        clash = (
            others.filter(start_date__lte=term["end_date"], end_date__gte=term["start_date"])
            .order_by("start_date")
            .first()
        )
        if clash:
            errors[f"start_date_{i}"] = (
                f"This term overlaps {clash.academic_year} {clash.name} "
                f"({long_date(clash.start_date)} to {long_date(clash.end_date)})"
            )
    if errors:
        raise ValidationError(errors)
    existing = list(
        SchoolTerm.objects.filter(local_authority=authority, academic_year=academic_year)
    )
    before = [[t.name, _iso(t.start_date), _iso(t.end_date)] for t in existing]
    SchoolTerm.objects.filter(pk__in=[t.pk for t in existing]).delete()
    created = []
    for term in terms:
        row = SchoolTerm(
            local_authority=authority,
            academic_year=academic_year,
            name=term["name"],
            start_date=term["start_date"],
            end_date=term["end_date"],
            source=(source or "Entered by the authority")[:200],
        )
        row.full_clean()
        row.save()
        created.append(row)
    after = [[t.name, _iso(t.start_date), _iso(t.end_date)] for t in created]
    if before != after:
        _audit(
            actor,
            authority,
            "update",
            "calendars.schoolterm",
            academic_year,
            academic_year=academic_year,
            before=before,
            after=after,
        )
        calendar_changed(local_authority_id=authority.pk)
    return created


@transaction.atomic
def closure_add(
    *, actor, authority: LocalAuthority, date: date | None, reason: str, school=None
) -> SchoolClosure:
    """A day every school of ``authority`` (or only ``school``: an INSET day) is closed,
    inside one of the authority's terms."""
    _check(actor, authority)
    reason = " ".join((reason or "").split())
    errors = {}
    if date is None:
        errors["date"] = "Enter the date of the closure"
    if not reason:
        errors["reason"] = "Enter the reason, like INSET day"
    elif len(reason) > 100:
        errors["reason"] = "The reason must be 100 characters or fewer"
    if errors:
        raise ValidationError(errors)
    if SchoolClosure.objects.filter(local_authority=authority, school=school, date=date).exists():
        where = school.name if school is not None else "every school"
        raise ValidationError({"date": f"A closure of {where} is already recorded on that day"})
    closure = SchoolClosure(local_authority=authority, school=school, date=date, reason=reason)
    try:
        closure.full_clean()
    except ValidationError as error:
        problems = error.update_error_dict({})
        if NON_FIELD_ERRORS in problems:
            problems["date"] = problems.pop(NON_FIELD_ERRORS)
        raise ValidationError(problems) from None
    closure.save()
    _audit(
        actor,
        authority,
        "create",
        "calendars.schoolclosure",
        str(closure.public_id),
        date=_iso(closure.date),
        reason=closure.reason,
        school_urn=school.urn if school is not None else None,
    )
    calendar_changed(local_authority_id=authority.pk)
    return closure


@transaction.atomic
def closure_remove(*, actor, closure: SchoolClosure) -> None:
    """The day is a school day again."""
    authority = closure.local_authority
    _check(actor, authority)
    _audit(
        actor,
        authority,
        "delete",
        "calendars.schoolclosure",
        str(closure.public_id),
        date=_iso(closure.date),
        reason=closure.reason,
    )
    closure.delete()
    calendar_changed(local_authority_id=authority.pk)


TERM_ORDER = [SubmissionDate.Term.AUTUMN, SubmissionDate.Term.SPRING, SubmissionDate.Term.SUMMER]


@transaction.atomic
def submission_date_set(
    *, actor, authority: LocalAuthority, academic_year: str, dates: dict[str, date | None]
) -> dict[str, date | None]:
    """Set the termly PEP submission dates of ``academic_year``: ``dates`` maps
    ``autumn``, ``spring`` and ``summer`` to a date, or to ``None`` to have none that
    term. Each falls in the academic year (1 September to 31 August), in term order.
    Errors are keyed by the term."""
    _check(actor, authority)
    earliest, _ = academic_year_bounds(academic_year)
    first, last = date(earliest.year, 9, 1), date(earliest.year + 1, 8, 31)
    unknown = set(dates) - set(TERM_ORDER)
    if unknown:
        raise TypeError(f"Not terms: {', '.join(sorted(unknown))}")
    errors = {}
    previous = None
    for term in TERM_ORDER:
        day = dates.get(term)
        if day is None:
            continue
        if not first <= day <= last:
            errors[term] = (
                f"The date must be in the {academic_year} school year: between "
                f"{long_date(first)} and {long_date(last)}"
            )
        elif day.weekday() >= 5:
            errors[term] = "The date must be a weekday"
        elif previous is not None and day <= previous[1]:
            errors[term] = (
                f"The {term.label.lower()} date must be after the "
                f"{previous[0].label.lower()} date ({long_date(previous[1])})"
            )
        else:
            previous = (term, day)
    if errors:
        raise ValidationError(errors)
    rows = {
        row.term: row
        for row in SubmissionDate.objects.filter(
            local_authority=authority, academic_year=academic_year
        )
    }
    before = {term.value: _iso(rows[term].date) if term in rows else None for term in TERM_ORDER}
    for term in TERM_ORDER:
        if term not in dates:
            continue
        row, day = rows.get(term), dates[term]
        if day is None:
            if row is not None:
                row.delete()
        elif row is None:
            row = SubmissionDate(
                local_authority=authority, academic_year=academic_year, term=term, date=day
            )
            row.full_clean()
            row.save()
        elif row.date != day:
            row.date = day
            row.full_clean()
            row.save(update_fields=["date"])
    after = {
        term.value: _iso(dates[term]) if term in dates else before[term.value]
        for term in TERM_ORDER
    }
    if before != after:
        _audit(
            actor,
            authority,
            "update",
            "calendars.submissiondate",
            academic_year,
            academic_year=academic_year,
            before=before,
            after=after,
        )
        calendar_changed(local_authority_id=authority.pk)
    return {term.value: dates.get(term) for term in TERM_ORDER}
