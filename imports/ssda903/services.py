"""``ssda903_import``: the one entry point the command, the Celery task and the portal
call. Everything is checked first; any error stops the import and nothing is written.
Otherwise the changes are written in one transaction (the caller's database context:
RLS keeps them inside the authority), with bulk reads and writes (no query per row),
an audit event per child created or changed plus a summary event, and the children's
PEP deadlines and tasks worked out once for all the children changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from children import hooks
from children.models import CarePeriod, Child, Placement
from epep.audit.models import AuditEvent
from epep.audit.requestid import current_path, current_request_id
from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.actor import Actor
from epep.tenancy.models import LocalAuthority

from .. import permissions
from . import codes
from .plan import CHILD_FIELDS, PLACEMENT_FIELDS, ChildPlan, Existing, plan_child
from .problems import WARNING, Problem, in_order
from .reader import read_table
from .validate import validate

#: Checked by the import itself (a foreign key's check is a query per row).
_RELATIONS = ["child", "local_authority"]

Progress = Callable[[str, int, int], None]

#: A child the file adds: the extract has no names, so the record says so until the
#: Virtual School (or the social worker) enters them.
NEW_CHILD_FIRST_NAME = "Child"


class StaleImport(Exception):
    """The data changed since the preview: the confirmed import would not do what was shown."""


@dataclass
class ImportResult:
    dry_run: bool
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    placements_created: int = 0
    in_care: int = 0
    left_care: int = 0
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    #: What the import does, summed up: the portal's confirm refuses when it differs.
    fingerprint: str = ""
    episodes: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        """Exactly the command's ``--json`` object."""
        return {
            "dry_run": self.dry_run,
            "children_created": self.children_created,
            "children_updated": self.children_updated,
            "children_unchanged": self.children_unchanged,
            "placements_created": self.placements_created,
            "in_care": self.in_care,
            "left_care": self.left_care,
            "warnings": [p.as_dict() for p in self.warnings],
            "errors": [p.as_dict() for p in self.errors],
        }


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _read(files: dict[str, bytes | None]):
    tables, problems = {}, []
    for name, data in files.items():
        if data is None:
            continue
        table, found = read_table(data, file=name, required=codes.REQUIRED[name])
        tables[name] = table
        problems += found
    return tables, problems


def _existing(la: LocalAuthority, child_ids) -> dict[str, Existing]:
    """What is recorded for the file's children: three queries whatever their number."""
    rows = Child.objects.filter(local_authority=la, la_child_id__in=list(child_ids)).values(
        "pk", "la_child_id", *CHILD_FIELDS
    )
    existing = {
        row["la_child_id"]: Existing(pk=row["pk"], fields={f: row[f] for f in CHILD_FIELDS})
        for row in rows
    }
    by_pk = {e.pk: e for e in existing.values()}
    for pk, child_pk, started, ended, reason in CarePeriod.objects.filter(
        child_id__in=list(by_pk)
    ).values_list("pk", "child_id", "started_on", "ended_on", "reason_ended"):
        by_pk[child_pk].periods.append((pk, started, ended, reason))
    for row in Placement.objects.filter(child_id__in=list(by_pk)).values(
        "pk", "child_id", "start_date", "end_date", *PLACEMENT_FIELDS
    ):
        by_pk[row["child_id"]].placements.append(
            (row["pk"], row["start_date"], row["end_date"], {f: row[f] for f in PLACEMENT_FIELDS})
        )
    for item in existing.values():
        item.periods.sort(key=lambda r: r[1])
        item.placements.sort(key=lambda r: r[1])
    return existing


def _upn_clashes(la, extract, problems: list) -> None:
    """A UPN another child of the authority (or an earlier row) already has: imported
    without it, said as a warning (a UPN is unique within an authority)."""
    upns = {c.upn for c in extract.children.values() if c.upn}
    holders = dict(
        Child.objects.filter(local_authority=la, upn__in=upns).values_list("upn", "la_child_id")
    )
    for child in sorted(extract.children.values(), key=lambda c: c.row):
        if not child.upn:
            continue
        holder = holders.get(child.upn)
        if holder is not None and holder != child.child_id:
            problems.append(
                Problem(
                    "header",
                    child.row,
                    "UPN",
                    f"Another child in this authority already has the UPN {child.upn}"
                    f"{f' (child {holder})' if holder else ''}: the child is imported "
                    "without it.",
                    WARNING,
                )
            )
            child.upn = ""
        else:
            holders[child.upn] = child.child_id


def _no_episode_warning(record) -> Problem:
    return Problem(
        "header",
        record.row,
        "CHILD",
        f"The child {record.child_id} has no episode in the episodes file, so nothing says "
        "when they entered care: they are not added.",
        WARNING,
    )


def _check_actor(actor: Actor | None, la: LocalAuthority) -> None:
    if actor is None:
        return
    if not permissions.can_import_ssda903(actor) or la.pk not in actor.authority_ids:
        raise PermissionDenied("You cannot import this authority's SSDA903 extract.")


def ssda903_import(
    *,
    actor: Actor | None,
    local_authority: LocalAuthority,
    header: bytes,
    episodes: bytes,
    uasc: bytes | None = None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the extract and, unless ``dry_run`` or it has errors, apply it for
    ``local_authority``. ``actor`` is the person importing (``None``: the system, e.g. the
    command, in the authority's database context). ``expected_fingerprint`` (the
    portal's confirm): raise :class:`StaleImport` and write nothing unless the import
    still does exactly what the preview showed."""
    _check_actor(actor, local_authority)
    progress = progress or _no_progress
    result = ImportResult(dry_run=dry_run)
    progress("reading", 0, 1)
    tables, problems = _read({"header": header, "episodes": episodes, "uasc": uasc})
    if not problems:
        progress("checking", 0, 1)
        extract, problems = validate(tables, today=clock.today())
        result.episodes = extract.episode_count
    result.errors = in_order(p for p in problems if p.is_error)
    if result.errors:
        result.warnings = in_order(p for p in problems if not p.is_error)
        return result
    with transaction.atomic():
        _upn_clashes(local_authority, extract, problems)
        existing = _existing(local_authority, extract.children)
        plans: list[ChildPlan] = []
        for record in sorted(extract.children.values(), key=lambda c: c.row):
            known = existing.get(record.child_id)
            if known is None and not record.episodes:
                problems.append(_no_episode_warning(record))
                continue
            plans.append(plan_child(record, known))
        result.warnings = in_order(p for p in problems if not p.is_error)
        _count(result, plans)
        result.fingerprint = _fingerprint(plans)
        if expected_fingerprint is not None and expected_fingerprint != result.fingerprint:
            raise StaleImport(
                "The children's records or the files changed since the preview: nothing was "
                "imported. Check the new preview."
            )
        if dry_run:
            return result
        _apply(actor, local_authority, plans, result, progress)
        result.applied = True
    return result


def ssda903_import_files(
    *, actor: Actor | None, local_authority: LocalAuthority, files: dict, **options
) -> ImportResult:
    """:func:`ssda903_import` of ``files`` (``{"header": bytes, "episodes": bytes,
    "uasc": bytes}``, the UASC file optional)."""
    return ssda903_import(
        actor=actor,
        local_authority=local_authority,
        header=files["header"],
        episodes=files["episodes"],
        uasc=files.get("uasc"),
        **options,
    )


def _count(result: ImportResult, plans: list[ChildPlan]) -> None:
    for plan in plans:
        if plan.is_new:
            result.children_created += 1
        elif plan.changed:
            result.children_updated += 1
        else:
            result.children_unchanged += 1
        result.placements_created += len(plan.placements.create)
        if plan.in_care:
            result.in_care += 1
        else:
            result.left_care += 1


def _fingerprint(plans: list[ChildPlan]) -> str:
    digest = hashlib.sha256()
    for plan in plans:
        digest.update(repr(plan.fingerprint()).encode())
    return digest.hexdigest()


# --- Writing --------------------------------------------------------------------------------


def _apply(actor, la, plans: list[ChildPlan], result: ImportResult, progress: Progress) -> None:
    changed = [p for p in plans if p.changed]
    total = len(changed)
    progress("writing", 0, total)
    now = timezone.now()
    new = [p for p in changed if p.is_new]
    created = []
    for plan in new:
        child = Child(
            local_authority_id=la.pk,
            la_child_id=plan.child_id,
            legal_first_name=NEW_CHILD_FIRST_NAME,
            legal_last_name=plan.child_id,
            **plan.fields,
        )
        child.full_clean(
            exclude=["local_authority"], validate_unique=False, validate_constraints=False
        )
        created.append(child)
    Child.objects.bulk_create(created, batch_size=1000)
    for plan, child in zip(new, created, strict=True):
        plan.pk = child.pk
    updated = [p for p in changed if p not in new and p.changed_fields]
    if updated:
        children = Child.objects.in_bulk([p.pk for p in updated])
        for plan in updated:
            child = children[plan.pk]
            for name in CHILD_FIELDS:
                setattr(child, name, plan.fields[name])
            child.updated_at = now
        Child.objects.bulk_update(
            list(children.values()), [*CHILD_FIELDS, "updated_at"], batch_size=1000
        )
    progress("writing", total // 3, total)
    _write_rows(CarePeriod, la, [(p.pk, p.periods) for p in changed], end="ended_on")
    progress("writing", 2 * total // 3, total)
    _write_rows(Placement, la, [(p.pk, p.placements) for p in changed], end="end_date")
    public_ids = dict(
        Child.objects.filter(pk__in=[p.pk for p in changed]).values_list("pk", "public_id")
    )
    _audit(actor, la, changed, public_ids, result)
    hooks.children_changed(child_ids=[p.pk for p in changed], local_authority_id=la.pk, robust=True)
    progress("done", total, total)


def _write_rows(model, la, changes: list[tuple[int, object]], *, end: str) -> None:
    """Remove, then end (or change) and finally create, so no step overlaps a row the
    next one replaces."""
    deletes = [pk for _, c in changes for pk in c.delete]
    if deletes:
        model.objects.filter(pk__in=deletes).delete()
    updates = {pk: values for _, c in changes for pk, values in c.update}
    if updates:
        rows = model.objects.in_bulk(list(updates))
        # Rows that end (or end earlier) first, then the rest.
        closing = [pk for pk, v in updates.items() if v.get(end, "") is not None]
        opening = [pk for pk in updates if pk not in set(closing)]
        for group in (closing, opening):
            if not group:
                continue
            names = sorted({name for pk in group for name in updates[pk]})
            for pk in group:
                for name, value in updates[pk].items():
                    setattr(rows[pk], name, value)
            model.objects.bulk_update([rows[pk] for pk in group], names, batch_size=1000)
    creates = []
    for child_pk, c in changes:
        for values in c.create:
            row = model(child_id=child_pk, local_authority_id=la.pk, **values)
            row.full_clean(
                exclude=["child", "local_authority"],
                validate_unique=False,
                validate_constraints=False,
            )
            creates.append(row)
    model.objects.bulk_create(creates, batch_size=1000)


def _audit(actor, la, changed: list[ChildPlan], public_ids: dict, result: ImportResult) -> None:
    """An event per child created or changed (in one statement), and one for the import."""
    events = []
    for plan in changed:
        detail = {
            "source": "ssda903",
            "la_child_id": plan.child_id,
            "fields": sorted(plan.fields) if plan.is_new else plan.changed_fields,
            "care_periods": _counts(plan.periods),
            "placements": _counts(plan.placements),
        }
        events.append(("create" if plan.is_new else "update", str(public_ids[plan.pk]), detail))
    if actor is not None and events:
        request_id, path = current_request_id.get(), current_path.get()
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    user=actor.user,
                    user_email=actor.user.email,
                    role=str(actor.role),
                    local_authority_id=la.pk,
                    action=action,
                    object_type="children.child",
                    object_id=public_id,
                    child_public_id=public_id,
                    request_id=request_id,
                    path=path,
                    detail=detail,
                )
                for action, public_id, detail in events
            ],
            batch_size=1000,
        )
    elif events:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT audit_record_system_event(%s::bigint, e.action, 'children.child', "
                "e.id, e.id::uuid, e.detail::jsonb, %s::timestamptz, %s::text, %s::text) "
                "FROM unnest(%s::text[], %s::text[], %s::text[]) AS e(action, id, detail)",
                [
                    la.pk,
                    timezone.now(),
                    current_request_id.get(),
                    current_path.get(),
                    [e[0] for e in events],
                    [e[1] for e in events],
                    [json.dumps(e[2], default=str) for e in events],
                ],
            )
    audit_record(
        acting_user=actor.user if actor else None,
        role=actor.role if actor else "system",
        action="import",
        object_type="imports.ssda903",
        local_authority_id=la.pk,
        detail={**result.as_json(), "warnings": len(result.warnings), "errors": 0},
    )


def _counts(changes) -> dict:
    return {
        "created": len(changes.create),
        "changed": len(changes.update),
        "removed": len(changes.delete),
    }
