"""The PEP page: every section, targets, attainment, actions and the cycle.

Works without JavaScript (each part is a form with its own button). With JavaScript,
htmx saves sections as people type (debounced, one save in flight) and swaps in only the
section's status line, so the text being typed is never replaced.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from children.selectors import access_child_by_id
from epep.audit.services import audit_record
from epep.exports import attachment_header
from peps import permissions, scales, selectors, services
from peps.models import PepVariant, Status
from peps.sections import (
    ALL_SECTIONS,
    SECTION_BY_KEY,
    SECTIONS,
    child_views_missing,
    missing_fields,
    sections_for,
)
from quality.permissions import can_read_qa_feedback
from quality.prechecks import prechecks
from quality.selectors.reviews import completed_history

from ..access import actor_required, add_service_errors, service_errors
from .forms import (
    ActionForm,
    MoveForm,
    NotObtainedForm,
    ReviewForm,
    SectionRequestForm,
    StartPepForm,
    TargetForm,
    VariantForm,
    section_form_class,
)


def _pep_url(pep, anchor: str = "") -> str:
    url = reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id})
    return f"{url}#{anchor}" if anchor else url


def _section_blocks(pep, actor, bound: dict | None = None, conflicts: dict | None = None):
    bound = bound or {}
    conflicts = conflicts or {}
    stored = {s.key: s for s in pep.sections.all()}
    blocks = []
    for definition in sections_for(pep.variant):
        section = stored.get(definition.key)
        can_edit = (not pep.is_locked) and permissions.can_edit_section(actor, pep, definition)
        form = bound.get(definition.key)
        if form is None and can_edit:
            form = section_form_class(definition)(
                initial={**(section.data if section else {}), "base_version": section.version},
                prefix=definition.key,
            )
        data = section.data if section else {}
        marked = bool(section and section.not_obtained_reason)
        incomplete = (
            child_views_missing(data)
            if definition.key == "child_views"
            else bool(missing_fields(definition, data))
        )
        chasing = not pep.is_locked and incomplete and not marked
        can_mark = permissions.can_mark_section_not_obtained(actor, pep, definition)
        can_ask = chasing and permissions.can_request_section(actor, pep, definition)
        blocks.append(
            {
                "definition": definition,
                "section": section,
                "not_obtained": marked,
                "open_requests": (getattr(section, "open_requests", None) or []) if section else [],
                "can_ask": can_ask,
                "asked_roles": sorted(
                    role.label.lower() for role in permissions.roles_asked_for_section(definition)
                )
                if can_ask
                else [],
                "can_mark": chasing and can_mark,
                "can_withdraw": not pep.is_locked
                and permissions.can_request_section(actor, pep, definition),
                "can_undo": marked and not pep.is_locked and can_mark,
                "values": [
                    (f.label, (section.data if section else {}).get(f.name, ""), f)
                    for f in definition.fields
                ],
                "form": form,
                "can_edit": can_edit,
                "conflict": conflicts.get(definition.key),
            }
        )
    return blocks


def _problem_anchor(actor, pep, where: str) -> str:
    """Where on the PEP page a missing part is: the field itself when the actor can fill
    it in, else its section (``where``: from ``services.pep_completeness_items``)."""
    if where.startswith("section:"):
        _, key, field = where.split(":", 2)
        if not pep.is_locked and permissions.can_edit_section(actor, pep, key):
            return f"#id_{key}-{field}"
        return f"#section-{key}"
    return {"targets": "#targets", "review": "#review"}.get(where, "#moves-title")


def _attainment_rows(pep):
    previous = {}
    if pep.previous_id:
        previous = {row.subject: row for row in pep.previous.attainment.all()}
    return [
        {"entry": entry, "previous": previous.get(entry.subject)} for entry in pep.attainment.all()
    ]


def _page(request, pep, *, status=200, **overrides):
    actor = request.actor
    flags = permissions.pep_flags(actor, pep)
    moves = flags["moves"]
    problems = []
    if any(m.needs_complete for m in moves):
        problems = [
            {"href": _problem_anchor(actor, pep, where), "message": message}
            for where, message in services.pep_completeness_items(pep)
        ]
    previous_targets = list(selectors.previous_targets(pep=pep))
    can_edit_targets = flags["can_edit_targets"]
    targets = list(pep.targets.all())
    actions = list(pep.actions.all())
    # The Virtual School's automatic pre-checks, for whoever can submit the PEP; its QA
    # feedback once it has been submitted (no query before).
    qa_checks = (
        prechecks(pep=pep, sections=pep.sections.all(), targets=targets, actions=actions)
        if any(m.target == Status.SUBMITTED for m in moves)
        else []
    )
    qa_rounds = (
        completed_history(pep=pep, actor=actor)
        if pep.submitted_at and can_read_qa_feedback(actor, pep)
        else []
    )
    context = {
        "title": f"PEP: {pep.child.display_name}",
        "pep": pep,
        "child": pep.child,
        "blocks": _section_blocks(
            pep, actor, overrides.pop("bound", None), overrides.pop("conflicts", None)
        ),
        "attainment": _attainment_rows(pep),
        "scale": scales.SCALES.get(pep.key_stage, ()),
        "can_edit_attainment": flags["can_edit_attainment"],
        "targets": targets,
        "target_limit": pep.local_authority.max_targets_per_term,
        "can_edit_targets": can_edit_targets,
        "target_form": overrides.pop("target_form", None) or TargetForm(),
        "previous_targets": [
            {
                "target": t,
                "form": overrides.get(f"review_{t.pk}")
                or ReviewForm(initial={"outcome": t.outcome, "outcome_comment": t.outcome_comment}),
            }
            for t in previous_targets
        ],
        "actions": actions,
        "qa_checks": qa_checks,
        "qa_rounds": qa_rounds,
        "action_form": overrides.pop("action_form", None) or ActionForm(),
        "moves": moves,
        "second_person_needed": flags["second_person_needed"],
        "move_form": overrides.pop("move_form", None),
        "variant_form": overrides.pop("variant_form", None)
        or (VariantForm() if flags["can_change_variant"] else None),
        "variant_choices": PepVariant.choices,
        "problems": problems,
        "transitions": list(pep.transitions.select_related("by").all()),
    }
    context.update(overrides)
    return render(request, "portal/peps/detail.html", context, status=status)


@actor_required
@require_http_methods(["GET", "POST"])
def pep_start(request, child_id: UUID):
    child = access_child_by_id(actor=request.actor, child_id=child_id)
    if not permissions.can_start_pep(request.actor, child):
        raise Http404("Page not found")
    form = StartPepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pep = services.pep_start(
                actor=request.actor, child=child, kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_pep_url(pep))
    return render(
        request,
        "portal/peps/start.html",
        {"title": f"Start a PEP for {child.display_name}", "child": child, "form": form},
    )


@actor_required
@require_GET
def pep_detail(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    return _page(request, pep)


@actor_required
@require_POST
def pep_section_save(request, pep_id: UUID, key: str):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    definition = SECTION_BY_KEY.get(key)
    if definition is None or definition not in sections_for(pep.variant):
        raise Http404("No such section")
    form = section_form_class(definition)(request.POST, prefix=key)
    conflict = None
    saved = None
    if form.is_valid():
        data = {f.name: form.cleaned_data.get(f.name, "") for f in definition.fields}
        base_version = form.cleaned_data["override_version"]
        if base_version is None:
            base_version = form.cleaned_data["base_version"]
        try:
            saved = services.pep_section_save(
                actor=request.actor, pep=pep, key=key, data=data, base_version=base_version
            )
        except services.EditConflict as error:
            conflict = error
        except PermissionDenied:
            raise Http404("Page not found") from None
        except ValidationError as error:
            add_service_errors(form, error)
    if request.htmx:
        context = {
            "pep": pep,
            "definition": definition,
            "saved": saved,
            "conflict": conflict,
            "form": form,
            # After a conflict the version stays the one this person started from, so
            # saving as they type keeps being refused until they choose.
            "version": saved.version if saved else form.data.get(f"{key}-base_version"),
        }
        return render(request, "portal/peps/detail.html#section_status", context)
    if saved is not None:
        messages.success(request, f"{definition.title}: saved.")
        return redirect(_pep_url(pep, f"section-{key}"))
    if conflict is not None:
        # Keep the person's text in the form and show both versions; replacing theirs is
        # a deliberate choice (a button carrying their version number).
        return _page(request, pep, status=409, bound={key: form}, conflicts={key: conflict})
    return _page(request, pep, status=400, bound={key: form})


@actor_required
@require_POST
def pep_move(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        if any(name in form.errors for name in MoveForm.HIDDEN):
            raise Http404("Page not found")
        return _page(request, pep, status=400, move_form=form)
    try:
        services.pep_transition(
            actor=request.actor,
            pep=pep,
            target_status=form.cleaned_data["target_status"],
            state_version=form.cleaned_data["state_version"],
            reason=form.cleaned_data.get("reason") or "",
            meeting_date=form.cleaned_data.get("meeting_date"),
        )
    except services.StaleState:
        messages.info(request, "This PEP had already moved on. Here is where it is now.")
        return redirect(_pep_url(pep))
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, pep, status=400, move_form=form)
    messages.success(
        request, f"The PEP is now: {Status(form.cleaned_data['target_status']).label}."
    )
    return redirect(_pep_url(pep))


@actor_required
@require_POST
def pep_variant(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    form = VariantForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            raise Http404("Page not found")
        return _page(request, pep, status=400, variant_form=form)
    try:
        services.pep_variant_change(
            actor=request.actor,
            pep=pep,
            variant=form.cleaned_data["variant"],
            version=form.cleaned_data["version"],
        )
    except services.StaleState as stale:
        messages.info(request, str(stale))
        return redirect(_pep_url(pep))
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, pep, status=400, variant_form=form)
    messages.success(request, f"This PEP is now the {pep.get_variant_display().lower()} form.")
    return redirect(_pep_url(pep))


@actor_required
@require_POST
def target_add(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    form = TargetForm(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "ppplus_cost"}
        fields["ppplus_cost_pence"] = form.cleaned_data["ppplus_cost"]
        with service_errors(form, fields={"ppplus_cost_pence": "ppplus_cost"}) as call:
            services.target_save(actor=request.actor, pep=pep, fields=fields)
        if call.ok:
            messages.success(request, "Target added.")
            return redirect(_pep_url(pep, "targets"))
    return _page(request, pep, status=400, target_form=form)


@actor_required
@require_POST
def target_delete(request, pep_id: UUID, target_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    target = selectors.access_target_by_id(actor=request.actor, target_id=target_id)
    if target.pep_id != pep.pk:
        raise Http404("No such target")
    with service_errors():
        services.target_delete(actor=request.actor, pep=pep, target=target)
    messages.success(request, "Target removed.")
    return redirect(_pep_url(pep, "targets"))


@actor_required
@require_POST
def target_review(request, pep_id: UUID, target_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    target = selectors.access_target_by_id(actor=request.actor, target_id=target_id)
    if pep.previous_id is None or target.pep_id != pep.previous_id:
        raise Http404("No such target")
    form = ReviewForm(request.POST)
    if form.is_valid():
        with service_errors(form) as call:
            services.target_review(
                actor=request.actor,
                pep=pep,
                target=target,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["outcome_comment"],
            )
        if call.ok:
            messages.success(request, "Review saved.")
            return redirect(_pep_url(pep, "review"))
    return _page(request, pep, status=400, **{f"review_{target.pk}": form})


@actor_required
@require_POST
def action_add(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        with service_errors(form) as call:
            services.action_add(actor=request.actor, pep=pep, **form.cleaned_data)
        if call.ok:
            messages.success(request, "Action added.")
            return redirect(_pep_url(pep, "actions"))
    return _page(request, pep, status=400, action_form=form)


@actor_required
@require_POST
def attainment_save(request, pep_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    columns = {
        name: request.POST.getlist(name) for name in ("subject", "baseline", "current", "target")
    }
    rows = []
    for i in range(len(columns["subject"])):
        row = {name: values[i] if i < len(values) else "" for name, values in columns.items()}
        if row["subject"].strip():  # the blank "add a subject" row is ignored
            rows.append(row)
    try:
        services.attainment_save(actor=request.actor, pep=pep, rows=rows)
    except PermissionDenied:
        raise Http404("Page not found") from None
    except ValidationError as error:
        return _page(request, pep, status=400, attainment_errors=error.messages)
    messages.success(request, "Attainment saved.")
    return redirect(_pep_url(pep, "attainment"))


@actor_required
@require_GET
def pep_history(request, child_id: UUID):
    child = access_child_by_id(actor=request.actor, child_id=child_id)
    peps = list(selectors.pep_history(child=child))
    return render(
        request,
        "portal/peps/history.html",
        {
            "title": f"PEPs for {child.display_name}",
            "child": child,
            "peps": peps,
            # every section the child's PEPs have had, whatever their form
            "sections": [
                section
                for section in ALL_SECTIONS
                if any(section in sections_for(pep.variant) for pep in peps)
            ]
            or SECTIONS,
        },
    )


@actor_required
@require_GET
def section_over_time(request, child_id: UUID, key: str):
    child = access_child_by_id(actor=request.actor, child_id=child_id)
    if key == "attainment":
        title = "Attainment and progress"
        definition = None
    else:
        definition = SECTION_BY_KEY.get(key)
        if definition is None:
            raise Http404("No such section")
        title = definition.title
    peps = list(selectors.section_over_time(child=child, key=key))
    return render(
        request,
        "portal/peps/section_over_time.html",
        {
            "title": f"{title} over time",
            "child": child,
            "definition": definition,
            "key": key,
            "peps": peps,
        },
    )


@actor_required
@require_GET
def pep_pdf(request, pep_id: UUID):
    from peps import pdf

    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    try:
        content, filename = pdf.pep_pdf_for_download(pep)
    except pdf.PdfNotReady:
        messages.info(
            request, "The PDF of this finalised PEP is being prepared. Try again in a minute."
        )
        return redirect(_pep_url(pep))
    audit_record(
        acting_user=request.actor.user,
        role=request.actor.role,
        action="download_pdf",
        object_type="peps.pep",
        object_id=str(pep.public_id),
        local_authority_id=pep.local_authority_id,
        child_public_id=pep.child.public_id,
        detail={"draft": pep.status != Status.FINALISED},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(filename)
    return response


def _chased_section(request, pep_id: UUID, key: str, allowed):
    """The PEP and the section a finishing page names (404 unless ``allowed``)."""
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    definition = SECTION_BY_KEY.get(key)
    if definition not in sections_for(pep.variant) or not allowed(request.actor, pep, definition):
        raise Http404("Page not found")
    return pep, definition


@actor_required
@require_http_methods(["GET", "POST"])
def section_request_new(request, pep_id: UUID, key: str):
    """Ask one of the people who write a section to write it."""
    pep, definition = _chased_section(request, pep_id, key, permissions.can_request_section)
    writers = selectors.section_writers(pep=pep, key=key)
    form = SectionRequestForm(request.POST or None, writers=writers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            writer = form.writers[form.cleaned_data["person"]]
            with service_errors(form) as call:
                services.section_request_send(
                    actor=request.actor,
                    pep=pep,
                    section=key,
                    person=writer.user,
                    message=form.cleaned_data["message"],
                    base_url=request.build_absolute_uri("/"),
                )
            if call.ok:
                messages.success(
                    request, f"{writer.user.full_name} has been asked to write this section."
                )
                return redirect(_pep_url(pep, f"section-{key}"))
    return render(
        request,
        "portal/peps/section_request.html",
        {
            "title": f"Ask someone to write {definition.title}",
            "pep": pep,
            "child": pep.child,
            "definition": definition,
            "form": form,
        },
        status=status,
    )


@actor_required
@require_POST
def section_request_withdraw(request, pep_id: UUID, request_id: UUID):
    pep = selectors.access_pep_by_id(actor=request.actor, pep_id=pep_id)
    asked = selectors.access_section_request_by_id(
        actor=request.actor, pep=pep, request_id=request_id
    )
    with service_errors():
        services.section_request_withdraw(actor=request.actor, pep=pep, request=asked)
    messages.success(request, f"The request to {asked.requested_from.full_name} was withdrawn.")
    return redirect(_pep_url(pep, f"section-{asked.section}"))


@actor_required
@require_http_methods(["GET", "POST"])
def section_not_obtained(request, pep_id: UUID, key: str):
    """Record that a section someone else writes could not be obtained, and why."""
    pep, definition = _chased_section(
        request, pep_id, key, permissions.can_mark_section_not_obtained
    )
    form = NotObtainedForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with service_errors(form) as call:
                services.section_mark_not_obtained(
                    actor=request.actor, pep=pep, section=key, reason=form.cleaned_data["reason"]
                )
            if call.ok:
                messages.success(request, f"{definition.title}: recorded as could not be obtained.")
                return redirect(_pep_url(pep, f"section-{key}"))
    return render(
        request,
        "portal/peps/not_obtained.html",
        {
            "title": f"{definition.title} could not be obtained",
            "pep": pep,
            "child": pep.child,
            "definition": definition,
            "form": form,
        },
        status=status,
    )


@actor_required
@require_POST
def section_not_obtained_undo(request, pep_id: UUID, key: str):
    pep, definition = _chased_section(
        request, pep_id, key, permissions.can_mark_section_not_obtained
    )
    with service_errors():
        services.section_unmark_not_obtained(actor=request.actor, pep=pep, section=key)
    messages.success(request, f"{definition.title}: to be written again.")
    return redirect(_pep_url(pep, f"section-{key}"))
