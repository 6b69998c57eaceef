"""The carer's portal: the children placed with them now, each child's next PEP meeting
(with its .ics), the actions the PEP gives the carer, a task to give the carer's views
before the meeting, and the latest finalised PEP to download.

A carer reaches a child only through a current placement (``children.permissions``:
``PlacementCarer``); every page here finds its child or PEP through
``children.selectors.children_for`` / ``peps.selectors.access_pep_by_id``, so a child no
longer placed with them is a 404, the same answer as a page that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.contrib import messages
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject, Lower, Trim
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from children.permissions import in_care_on, today
from children.selectors import children_for
from deadlines.selectors import StateCalendars
from epep.tenancy import clock
from epep.tenancy.roles import Role
from meetings.models import Meeting, MeetingStatus
from peps import permissions as pep_permissions
from peps.models import EDITABLE_STATUSES, Action, Pep, PepSection, Status
from peps.sections import SECTION_BY_KEY
from peps.selectors import access_pep_by_id
from peps.services import EditConflict, pep_section_save

from ..access import roles_required, service_errors
from ..lists import PAGE_SIZE, task_page_context
from .forms import SECTION_KEY, CarerViewsForm, carer_questions

#: An action's owner is free text (``peps.Action.owner``): an action is the carer's when
#: its owner is the carer's own name or one of these words, in any case.
CARER_OWNER_WORDS = ("carer", "carers", "foster carer", "foster carers", "the carer")


def _next_meeting():
    """The child's next scheduled PEP meeting still to come, in the children's query."""
    views = PepSection.objects.filter(pep_id=OuterRef("pep_id"), key=SECTION_KEY)
    meetings = (
        Meeting.objects.filter(
            pep__child=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gt=clock.now()
        )
        .annotate(views_data=Subquery(views.values("data")[:1]))
        .order_by("starts_at")
    )
    return Subquery(
        meetings.values(
            json=JSONObject(
                id="public_id",
                pep_id="pep__public_id",
                pep_status="pep__status",
                starts_at="starts_at",
                location="location",
                online_link="online_link",
                views_data="views_data",
            )
        )[:1]
    )


def _carer_actions(actor, day):
    """The child's actions owned by the carer (by name or as "carer"), due today or later."""
    owners = [actor.user.full_name.strip().lower(), *CARER_OWNER_WORDS]
    actions = (
        Action.objects.filter(pep__child=OuterRef("pk"), due_date__gte=day)
        .annotate(owner_key=Lower(Trim("owner")))
        .filter(owner_key__in=owners)
        .order_by("due_date", "created_at")
    )
    return ArraySubquery(actions.values(json=JSONObject(description="description", due="due_date")))


def _latest_finalised_pep():
    peps = Pep.objects.filter(child=OuterRef("pk"), status=Status.FINALISED).order_by(
        "-finalised_at"
    )
    return Subquery(
        peps.values(json=JSONObject(id="public_id", year="academic_year", term="term"))[:1]
    )


def _meeting_row(meeting: dict | None) -> dict | None:
    if not meeting:
        return None
    return {
        **meeting,
        "starts_at": timezone.localtime(datetime.fromisoformat(meeting["starts_at"])),
        "views_due": meeting["pep_status"] in EDITABLE_STATUSES,
        # The carer's views section of the meeting's PEP has an answer already.
        "views_given": _answered(meeting["views_data"]),
    }


def _answered(data) -> bool:
    """Does the carer's views section's ``data`` hold an answer to any question?"""
    return any(str((data or {}).get(q.name, "")).strip() for q in carer_questions())


def _child_card(child, day) -> dict:
    finalised = child.latest_finalised_pep
    return {
        "child": child,
        "year_group": child.year_group_label(day),
        "school": child.current_school_name or "No school place",
        "meeting": _meeting_row(child.next_meeting),
        "actions": [
            {"description": a["description"], "due": datetime.fromisoformat(a["due"]).date()}
            for a in child.carer_actions
        ],
        "finalised_pep": {**finalised, "term": finalised["term"].capitalize()}
        if finalised
        else None,
    }


@roles_required(Role.CARER)
def home(request):
    day = today()
    children = (
        children_for(actor=request.actor, day=day)
        .filter(in_care_on(day))
        .annotate(
            next_meeting=_next_meeting(),
            carer_actions=_carer_actions(request.actor, day),
            latest_finalised_pep=_latest_finalised_pep(),
        )
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    states = StateCalendars(day)
    return render(
        request,
        "portal/carer/home.html",
        {
            "title": "Children you care for",
            "cards": [_child_card(child, day) for child in page.object_list],
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
            **task_page_context(request, states),
        },
    )


def _scheduled_meeting(pep):
    meeting = pep.meetings.current()
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    return meeting


@roles_required(Role.CARER)
@require_http_methods(["GET", "POST"])
def carer_views(request, pep_id: UUID):
    """Give the carer's views before the meeting: the PEP's "The carer's views" section,
    saved through ``peps.services.pep_section_save`` (a save from an older version is a
    conflict, never an overwrite)."""
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    definition = SECTION_BY_KEY[SECTION_KEY]
    if not pep_permissions.can_edit_section(request.actor, pep, definition):
        raise Http404("Page not found")
    section = next(s for s in pep.sections.all() if s.key == SECTION_KEY)
    context = {
        "title": "Give your views before the meeting",
        "pep": pep,
        "child": pep.child,
        "meeting": _scheduled_meeting(pep),
        "locked": pep.is_locked,
        # Each question with the carer's saved answer (the PEP read-only once finalised).
        "saved": [
            {"question": q.label, "answer": section.data.get(q.name, "")}
            for q in carer_questions()
            if str(section.data.get(q.name, "")).strip()
        ],
        "conflict": None,
    }
    if pep.is_locked:
        return render(request, "portal/carer/views.html", context)
    if request.method == "GET":
        form = CarerViewsForm(initial={**section.data, "base_version": section.version})
        return render(request, "portal/carer/views.html", {**context, "form": form})
    form = CarerViewsForm(request.POST)
    if form.is_valid():
        try:
            with service_errors(form) as call:
                pep_section_save(
                    actor=request.actor,
                    pep=pep,
                    key=SECTION_KEY,
                    data=form.answers(),
                    base_version=form.cleaned_data["base_version"],
                )
        except EditConflict as conflict:
            form = CarerViewsForm(
                initial={**form.answers(), "base_version": conflict.their_version}
            )
            context["conflict"] = conflict
            context["theirs"] = [
                {"question": q.label, "answer": conflict.theirs.get(q.name, "")}
                for q in carer_questions()
                if str(conflict.theirs.get(q.name, "")).strip()
            ]
            return render(request, "portal/carer/views.html", {**context, "form": form}, status=409)
        if call.ok:
            messages.success(request, f"Your views for {pep.child.display_name} are saved.")
            return redirect(reverse("portal:carer:home"))
    return render(request, "portal/carer/views.html", {**context, "form": form}, status=400)
