"""A child's access log: who has viewed or changed the record, and who tried and was
refused. For the child's Virtual School and the authority's administrators only.

Built from the audit events (``epep.audit.selectors.child_access_log``). Reading the log
and downloading it are themselves audited ("view_access_log", "export_access_log").

The CSV is built in memory inside the request rather than streamed: a streaming
response is iterated after the view returns, outside the request's transaction, so its
queries would run with no row-level-security context (and see nothing) and the export
event could not be recorded in the same transaction as the read. One child's log is
small enough (hundreds to a few thousand rows) to build at once.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import wraps
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from children.selectors import access_child_by_id
from epep.audit.models import AuditEvent
from epep.audit.permissions import ACCESS_LOG_READERS, can_read_access_log, can_read_access_logs
from epep.audit.selectors import LONDON, Person, child_access_log
from epep.audit.services import audit_record, audit_record_refusal
from epep.exports import attachment_header, csv_row, download_name
from epep.tenancy import clock
from epep.tenancy.roles import Role

from ..access import roles_required
from ..forms import GovukDateInput

PAGE_SIZE = 100

ROLE_LABELS = {
    **{role.value: role.label for role in Role},
    "system": "System",
    "platform_admin": "Platform administrator",
}

#: What each kind of object is called in a sentence.
OBJECT_NAMES = {
    "children.child": "the record",
    "children.enrolment": "a school place",
    "children.placement": "a placement",
    "children.placementcarer": "a placement's carers",
    "children.allocation": "a worker's allocation",
    "children.childaccessgrant": "access given by name",
}

CSV_HEADER = ["When", "Name", "Email", "Role", "What", "Action", "Request id"]


# --- presentation -------------------------------------------------------------------


def _day(value) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def describe(event: AuditEvent) -> str:
    """The event in plain English, as the Virtual School would say it."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    thing = OBJECT_NAMES.get(event.object_type, "the record")
    action = event.action
    if action == "view":
        text = f"Viewed {thing}"
    elif action == "create":
        text = "Created the record" if thing == "the record" else f"Added {thing}"
    elif action == "update":
        text = f"Changed {thing}"
        if fields := detail.get("fields"):
            text += f" ({', '.join(str(f).replace('_', ' ') for f in fields)})"
    elif action == "delete":
        text = f"Deleted {thing}"
    elif action == "grant":
        text = f"Gave access to {detail.get('grantee') or 'someone'}"
        if expires_on := detail.get("expires_on"):
            text += f" until {_day(expires_on)}"
    elif action == "revoke":
        text = f"Withdrew access from {detail.get('grantee') or 'someone'}"
    elif action == "access_refused":
        page = "the access log" if "/access-log" in event.path else "the record"
        text = f"Tried to open {page} and was refused"
    elif action == "view_access_log":
        text = "Viewed this access log"
    elif action == "export_access_log":
        text = "Downloaded this access log"
    else:
        text = action.replace("_", " ").capitalize()
    if detail.get("via") == "admin":
        text += " in the admin"
    return text


def row_for(event: AuditEvent) -> dict:
    user = event.user
    return {
        "when": event.occurred_at,
        "name": user.full_name if user else ("System" if not event.user_email else ""),
        "email": event.user_email,
        "role": ROLE_LABELS.get(event.role, event.role),
        "what": describe(event),
        "action": event.action,
        "request_id": event.request_id,
        # Where a long value may wrap in the table (<wbr>); copying still gives it whole.
        "request_id_parts": [
            event.request_id[i : i + 16] for i in range(0, len(event.request_id), 16)
        ],
        "email_parts": event.user_email.replace("@", "\n@").split("\n"),
    }


# --- filters ------------------------------------------------------------------------


def person_key(user_id: int) -> str:
    """An opaque, stable key for a person in the filter: the URL never carries a
    sequential user id or an email address (query strings end up in logs)."""
    return salted_hmac("portal.access-log.person", str(user_id), algorithm="sha256").hexdigest()[
        :16
    ]


class AccessLogFilterForm(forms.Form):
    person = forms.ChoiceField(
        label="Person",
        required=False,
        error_messages={"invalid_choice": "Choose a person from the list"},
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text="The first day to include",
        widget=GovukDateInput,
        error_messages={"invalid": "The 'from' date must be a real date, like 2026-11-22"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        help_text="The last day to include",
        widget=GovukDateInput,
        error_messages={"invalid": "The 'to' date must be a real date, like 2026-11-22"},
    )

    def __init__(self, *args, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person_key(p.user_id): p for p in people}
        self.fields["person"].choices = [("", "Everyone")] + [
            (key, f"{p.name} ({p.email})") for key, p in self.people.items()
        ]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    @property
    def chosen_person(self) -> Person | None:
        return self.people.get(self.cleaned_data.get("person") or "")

    def query_string(self) -> str:
        """The filters as a query string, for page and download links."""
        values = {
            "person": self.cleaned_data.get("person") or "",
            "date_from": self.cleaned_data.get("date_from") or "",
            "date_to": self.cleaned_data.get("date_to") or "",
        }
        return urlencode({k: str(v) for k, v in values.items() if v})

    def audit_detail(self) -> dict:
        person = self.chosen_person
        values = {
            "person": person.email if person else "",
            "from": self.cleaned_data["date_from"].isoformat()
            if self.cleaned_data.get("date_from")
            else "",
            "to": self.cleaned_data["date_to"].isoformat()
            if self.cleaned_data.get("date_to")
            else "",
        }
        return {"filters": {k: v for k, v in values.items() if v}}


# --- views --------------------------------------------------------------------------


def _authority_wide_only(view):
    """Only roles that read access logs (``epep.audit.permissions``), and a refusal on role
    is logged like any other refused look-up of this child (the answer is the same 404)."""
    guarded = roles_required(*ACCESS_LOG_READERS)(view)

    @wraps(view)
    def wrapped(request, child_id: UUID, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is not None and actor.role is not None and not can_read_access_logs(actor):
            audit_record_refusal(
                acting_user=actor.user,
                role=actor.role,
                requested_id=child_id,
                reason="not open to their role",
            )
        return guarded(request, child_id=child_id, **kwargs)

    wrapped.allowed_roles = guarded.allowed_roles
    return wrapped


def _load(request, child_id: UUID):
    actor = request.actor
    # The view records its own event ("view_access_log"/"export_access_log") with the
    # filters, instead of a plain "view"; refusals are still logged by the look-up.
    child = access_child_by_id(actor=actor, child_id=child_id, action=None)
    if not can_read_access_log(actor, child.local_authority_id):
        # Another authority's child seen through a grant: its log is not theirs to read.
        audit_record_refusal(
            acting_user=actor.user,
            role=actor.role,
            requested_id=child_id,
            reason="another authority's child",
        )
        raise Http404("No child found")
    people = child_access_log(actor=actor, child=child).people
    form = AccessLogFilterForm(request.GET, people=people)
    return actor, child, form


def _audit(actor, child, action: str, detail: dict) -> None:
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type="children.child",
        object_id=str(child.public_id),
        local_authority_id=child.local_authority_id,
        child_public_id=child.public_id,
        detail=detail,
    )


@never_cache
@_authority_wide_only
@require_GET
def child_access_log_page(request, child_id: UUID):
    actor, child, form = _load(request, child_id)
    context = {
        "title": "Who has viewed or changed this record",
        "child": child,
        "form": form,
        "page": None,
        "page_range": [],
        "rows": [],
        "filter_query": "",
        "filtered": False,
    }
    if form.is_valid():
        person = form.chosen_person
        log = child_access_log(
            actor=actor,
            child=child,
            user_id=person.user_id if person else None,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        page = Paginator(log.events, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            rows=[row_for(event) for event in page.object_list],
            filter_query=form.query_string(),
            filtered=bool(form.query_string()),
        )
        _audit(actor, child, "view_access_log", {**form.audit_detail(), "page": page.number})
    return render(request, "portal/virtual_school/access_log.html", context)


@never_cache
@_authority_wide_only
@require_GET
def child_access_log_csv(request, child_id: UUID):
    actor, child, form = _load(request, child_id)
    if not form.is_valid():
        # The page shows what is wrong with the filters, next to the fields.
        url = reverse("portal:child_access_log", kwargs={"child_id": child.public_id})
        return redirect(f"{url}?{request.GET.urlencode()}")
    person = form.chosen_person
    log = child_access_log(
        actor=actor,
        child=child,
        user_id=person.user_id if person else None,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(CSV_HEADER))
    count = 0
    for event in log.events.iterator(chunk_size=1000):
        row = row_for(event)
        when = timezone.localtime(row["when"], LONDON).isoformat(timespec="seconds")
        writer.writerow(
            csv_row(
                (
                    when,
                    row["name"],
                    row["email"],
                    row["role"],
                    row["what"],
                    row["action"],
                    row["request_id"],
                )
            )
        )
        count += 1
    _audit(actor, child, "export_access_log", {**form.audit_detail(), "rows": count})
    today = clock.today()
    response = HttpResponse(
        # A byte-order mark so spreadsheet programs read the file as UTF-8.
        "\ufeff" + buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
    )
    # Never the child's name: file names end up in download folders and logs.
    response["Content-Disposition"] = attachment_header(
        download_name("access-log", child.public_id, today.isoformat(), extension="csv")
    )
    return response
