"""The children list every role's home page is built on."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from children.permissions import in_care_on, today
from children.selectors import children_for
from deadlines.models import DeadlineKind
from deadlines.selectors import StateCalendars, next_deadline_annotations, open_tasks_for
from peps import permissions as pep_permissions
from peps.selectors import open_section_requests_for

from .task_links import with_links

PAGE_SIZE = 50
TASKS_PAGE_SIZE = 25
SECTION_REQUESTS_SHOWN = 25


def _next_deadline(child, states: StateCalendars):
    due = getattr(child, "next_deadline_due", None)
    if due is None:
        return None
    return {
        "due": due,
        "label": DeadlineKind(child.next_deadline_kind).label,
        "state": states.state(la_id=child.local_authority_id, due=due),
    }


def child_rows(children, day, states: StateCalendars | None = None):
    states = states or StateCalendars(day)
    return [
        {
            "child": child,
            "year_group": child.year_group_label(day),
            "key_stage": child.key_stage(day),
            "school": child.current_school_name or "No school place",
            "authority": child.local_authority,
            "next_deadline": _next_deadline(child, states),
        }
        for child in children
    ]


def task_rows(tasks, states: StateCalendars):
    return [
        {"task": task, "state": states.state(la_id=task.local_authority_id, due=task.due_date)}
        for task in tasks
    ]


def task_page_context(request, states: StateCalendars) -> dict:
    """One page of the actor's in-tray (``TASKS_PAGE_SIZE`` tasks, ``?tasks_page=N``),
    its links keeping the children list's search and page."""
    page = Paginator(open_tasks_for(actor=request.actor), TASKS_PAGE_SIZE).get_page(
        request.GET.get("tasks_page")
    )
    keep = {key: request.GET[key] for key in ("q", "page") if request.GET.get(key)}
    asked = (
        open_section_requests_for(actor=request.actor, limit=SECTION_REQUESTS_SHOWN + 1)
        if pep_permissions.can_be_asked_for_sections(request.actor)
        else []
    )
    return {
        # Sections the actor has been asked to write (``peps.SectionRequest``), oldest
        # first, beside their tasks: one query, for the roles that can be asked only.
        "section_requests": asked[:SECTION_REQUESTS_SHOWN],
        "more_section_requests": len(asked) > SECTION_REQUESTS_SHOWN,
        "tasks": with_links(request.actor, task_rows(page.object_list, states)),
        "tasks_page": page,
        "tasks_page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "tasks_filter_query": urlencode(keep),
    }


def render_child_list(
    request, *, template, title, searchable=False, extra=None, annotations=None, own_pages=False
):
    """``annotations``: more per-child values computed in the children's own query (so
    the page's query count stays the same however many children it lists); ``own_pages``:
    the young person's own page (``children.selectors.children_for``)."""
    day = today()
    # Children in care only: a former child in care is on the Virtual School's own list.
    children = (
        children_for(actor=request.actor, day=day, own_pages=own_pages)
        .filter(in_care_on(day))
        .annotate(**next_deadline_annotations(), **(annotations or {}))
    )
    query = request.GET.get("q", "").strip() if searchable else ""
    if "\x00" in query:
        # No name or UPN holds a NUL character, and PostgreSQL refuses to compare one.
        children = children.none()
    elif query:
        children = children.filter(
            Q(legal_first_name__icontains=query)
            | Q(legal_last_name__icontains=query)
            | Q(preferred_name__icontains=query)
            | Q(upn__iexact=query)
        )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    states = StateCalendars(day)
    rows = child_rows(page.object_list, day, states)
    authorities = sorted({row["authority"].name for row in rows})
    context = {
        "title": title,
        "rows": rows,
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "filter_query": urlencode({"q": query}) if query else "",
        "query": query,
        "searchable": searchable,
        **task_page_context(request, states),
        "show_authority": len(request.actor.db_authority_ids) > 1 or len(authorities) > 1,
    }
    context.update(extra or {})
    return render(request, template, context)
