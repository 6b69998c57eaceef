"""My Voice in the portal: the child (or the carer helping) answers one question a page,
saves and comes back, and the child chooses what to share; the professionals read what
was shared, add a note and link a point to a target or action ("You said, we did").

Views only ask: fetch with ``access_*``, check the permission, call the service inside
``service_errors`` (refusals come back beside the fields)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from children.selectors import access_child_by_id, children_for
from peps.selectors import access_pep_by_id, current_pep
from portal.access import actor_required, service_errors
from voice import permissions, selectors
from voice.models import VoiceStatus
from voice.questions import Kind, questions_for
from voice.services import my_voice as services

from .forms import AboutForm, LinkForm, NoteForm, ShareForm, question_form

TITLE = "My Voice"
#: a linked target without a summary in the child's words
EXPLAIN_LATER = "Your teacher will explain this one."


def _my_voice(request, my_voice_id: UUID, rule=permissions.can_write_my_voice):
    my_voice = selectors.access_my_voice_by_id(actor=request.actor, my_voice_id=my_voice_id)
    if not rule(request.actor, my_voice):
        raise Http404("Page not found")
    return my_voice


def _next_plan_url(request, my_voice) -> str | None:
    """Once ``my_voice``'s PEP is finalised: where My Voice for the child's next PEP
    starts, when one is open (None: no next PEP yet)."""
    if not my_voice.closed or current_pep(child=my_voice.child) is None:
        return None
    if permissions.can_share_my_voice(request.actor, my_voice):  # the child themself
        return reverse("portal:my_voice:start")
    return reverse("portal:my_voice:start_for_child", kwargs={"child_id": my_voice.child.public_id})


def _answered(my_voice) -> dict:
    return {a.question: a for a in my_voice.answers.all()}


def _next_url(my_voice, answered: dict, actor) -> str:
    """Where "carry on" goes: the first question not answered yet, else sharing (the
    child) or the start page (the carer)."""
    for number, q in enumerate(questions_for(my_voice.band), start=1):
        if q.key not in answered:
            return _question_url(my_voice, number)
    if permissions.can_share_my_voice(actor, my_voice):
        return _url("portal:my_voice:share", my_voice)
    return _url("portal:my_voice:overview", my_voice)


def _url(name, my_voice, **kwargs) -> str:
    return reverse(name, kwargs={"my_voice_id": my_voice.public_id, **kwargs})


def _question_url(my_voice, number: int) -> str:
    return _url("portal:my_voice:question", my_voice, number=number)


@actor_required
@require_http_methods(["GET", "POST"])
def start(request, child_id: UUID | None = None):
    """The child's own My Voice (or, with ``child_id``, the carer helping a child placed
    with them) for their open PEP: started with one button."""
    actor = request.actor
    if not permissions.can_write_my_voice(actor):
        raise Http404("Page not found")
    if child_id is not None:
        child = access_child_by_id(actor=actor, child_id=child_id)
    else:
        child = children_for(actor=actor, own_pages=True).filter(pk__in=actor.child_ids).first()
        if child is None:
            raise Http404("Page not found")
    pep = current_pep(child=child)
    my_voice = selectors.my_voice_for_pep(actor=actor, pep=pep) if pep else None
    if my_voice is not None:
        return redirect(_url("portal:my_voice:overview", my_voice))
    if request.method == "POST" and pep is not None:
        with service_errors() as call:
            my_voice = services.my_voice_start(actor=actor, pep=pep)
        if call.ok:
            return redirect(_url("portal:my_voice:overview", my_voice))
    return render(
        request,
        "portal/my_voice/start.html",
        {"title": TITLE, "pep": pep, "child": child, "helping": child_id is not None},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def overview(request, my_voice_id: UUID):
    my_voice = _my_voice(request, my_voice_id)
    form = AboutForm(
        request.POST or None, initial={"band": my_voice.band, "helped_by": my_voice.helped_by}
    )
    if request.method == "POST" and form.is_valid():
        # A finalised PEP's My Voice: the service refuses, the message shows in the summary.
        with service_errors(form) as call:
            services.my_voice_about(
                actor=request.actor,
                my_voice=my_voice,
                band=form.cleaned_data["band"],
                helped_by=form.cleaned_data["helped_by"],
            )
        if call.ok:
            messages.success(request, "Saved.")
            return redirect(_url("portal:my_voice:overview", my_voice))
    answered = _answered(my_voice)
    questions = questions_for(my_voice.band)
    done = sum(1 for q in questions if q.key in answered)
    return render(
        request,
        "portal/my_voice/overview.html",
        {
            "title": TITLE,
            "my_voice": my_voice,
            "form": form,
            "done": done,
            "total": len(questions),
            "next_url": _next_url(my_voice, answered, request.actor),
            "can_share": permissions.can_share_my_voice(request.actor, my_voice),
            "shared": my_voice.status == VoiceStatus.SHARED,
            "we_did": _we_did(request.actor, my_voice),
            "closed": my_voice.closed,
            "next_plan_url": _next_plan_url(request, my_voice),
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def answer(request, my_voice_id: UUID, number: int):
    my_voice = _my_voice(request, my_voice_id)
    questions = questions_for(my_voice.band)
    if not 1 <= number <= len(questions):
        raise Http404("Page not found")
    q = questions[number - 1]
    answered = _answered(my_voice)
    existing = answered.get(q.key)
    # The carer helping never sees (or overwrites) an answer the child gave.
    hidden = existing is not None and not permissions.can_read_private_answers(
        request.actor, my_voice
    )
    initial = {}
    if existing is not None and not hidden:
        initial = {"text": existing.text, "value": existing.value}
        if q.kind == Kind.PICTURES:
            initial["value"] = existing.value.split(",")
    form = question_form(q, request.POST if request.method == "POST" else None, initial)
    back = (
        _question_url(my_voice, number - 1)
        if number > 1
        else _url("portal:my_voice:overview", my_voice)
    )
    closed = my_voice.closed
    if request.method == "POST" and not hidden and not closed and form.is_valid():
        data = form.cleaned_data
        value = data.get("value", "")
        with service_errors(form) as call:
            services.my_voice_answer(
                actor=request.actor,
                my_voice=my_voice,
                question_key=q.key,
                text=data.get("text", ""),
                value=",".join(value) if isinstance(value, list) else value,
            )
        if call.ok:
            if request.POST.get("go") == "later":
                messages.success(request, "Saved. You can come back and carry on any time.")
                return redirect(_url("portal:my_voice:overview", my_voice))
            if number < len(questions):
                return redirect(_question_url(my_voice, number + 1))
            return redirect(_next_url(my_voice, _answered(my_voice), request.actor))
    return render(
        request,
        "portal/my_voice/question.html",
        {
            "title": TITLE,
            "my_voice": my_voice,
            "question": q,
            "form": form,
            "field": form["text" if q.kind == Kind.TEXT else "value"],
            "number": number,
            "total": len(questions),
            "back": back,
            "hidden": hidden,
            "closed": closed,
            "existing": existing if not hidden else None,
            "words": _words(q, existing) if existing is not None and not hidden else "",
            "next": _question_url(my_voice, number + 1) if number < len(questions) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


def _words(q, answer) -> str:
    """An answer in words: the child's text as typed, or the label of their choice."""
    return answer.text if q.kind == Kind.TEXT else q.answer_label(answer.value)


def _answer_rows(my_voice, answers):
    texts = {q.key: q for q in questions_for(my_voice.band)}
    rows = []
    for a in answers:
        q = texts.get(a.question)
        if q is None:  # a question of another band (the band was changed)
            continue
        words = _words(q, a)
        rows.append({"answer": a, "question": q.text, "words": words})
    return rows


def _we_did(actor, my_voice) -> list[dict]:
    """ "You said, we did" for the child: each shared point linked to a target (in the
    child's words when the designated teacher wrote them) or an action."""
    if my_voice.status != VoiceStatus.SHARED or not permissions.can_share_my_voice(actor, my_voice):
        return []
    linked = selectors.visible_answers(actor=actor, my_voice=my_voice).filter(share=True)
    rows = []
    for row in _answer_rows(my_voice, linked):
        a = row["answer"]
        if a.target is not None:
            row["we_did"] = a.target.child_summary.strip() or EXPLAIN_LATER
        elif a.action is not None:
            row["we_did"] = a.action.description
        else:
            continue
        rows.append(row)
    return rows


@actor_required
@require_http_methods(["GET", "POST"])
def share(request, my_voice_id: UUID):
    my_voice = _my_voice(request, my_voice_id, permissions.can_share_my_voice)
    if my_voice.closed:  # the plan is finished: what was shared stays as it is
        return redirect(_url("portal:my_voice:overview", my_voice))
    answers = selectors.visible_answers(actor=request.actor, my_voice=my_voice)
    rows = _answer_rows(my_voice, answers)
    choices = [(row["answer"].question, row["question"]) for row in rows]
    form = ShareForm(
        request.POST or None,
        answers=choices,
        initial={
            "version": my_voice.version,
            "share": [row["answer"].question for row in rows if row["answer"].share],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors(form) as call:
            services.my_voice_share(
                actor=request.actor,
                my_voice=my_voice,
                share=data["share"],
                version=data["version"],
                confirm_none=data["share_nothing"],
            )
        if call.ok:
            return redirect(_url("portal:my_voice:shared", my_voice))
    words = {row["answer"].question: row["words"] for row in rows}
    return render(
        request,
        "portal/my_voice/share.html",
        {
            "title": TITLE,
            "my_voice": my_voice,
            "form": form,
            "options": [
                {"value": key, "question": label, "words": words[key], "id": f"share-{i}"}
                for i, (key, label) in enumerate(choices)
            ],
            "chosen": set(form["share"].value() or ()),
            "asked_to_confirm": "share" in form.errors,
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET"])
def shared(request, my_voice_id: UUID):
    my_voice = _my_voice(request, my_voice_id, permissions.can_share_my_voice)
    count = my_voice.answers.filter(share=True).count()
    return render(
        request,
        "portal/my_voice/shared.html",
        {"title": TITLE, "my_voice": my_voice, "count": count},
    )


# --- The professionals' view -----------------------------------------------------------


def _pep_page(request, pep_id: UUID):
    pep = access_pep_by_id(actor=request.actor, pep_id=pep_id)
    if not permissions.can_note_my_voice(request.actor):
        raise Http404("Page not found")
    my_voice = selectors.my_voice_for_pep(actor=request.actor, pep=pep)
    return pep, my_voice


def _pep_context(request, pep, my_voice, bound=None):
    """The shared answers, each with its note and link forms (``bound``: the answer id and
    the form that came back with errors)."""
    answers = (
        list(selectors.visible_answers(actor=request.actor, my_voice=my_voice)) if my_voice else []
    )
    targets, actions = list(pep.targets.all()), list(pep.actions.all())
    can_link = permissions.can_link_you_said_we_did(request.actor, my_voice)
    rows = _answer_rows(my_voice, answers) if my_voice else []
    for row in rows:
        a = row["answer"]
        current = (
            f"t:{a.target.public_id}" if a.target else (f"a:{a.action_id}" if a.action_id else "")
        )
        row["note_form"] = NoteForm(initial={"note": a.note}, prefix=f"n{a.pk}")
        row["link_form"] = (
            LinkForm(initial={"link": current}, targets=targets, actions=actions, prefix=f"l{a.pk}")
            if can_link
            else None
        )
        if bound and bound[0] == a.pk:
            row[bound[1]] = bound[2]
    return {
        "title": "My Voice",
        "pep": pep,
        "child": pep.child,
        "my_voice": my_voice,
        "rows": rows,
        "shared": my_voice is not None and my_voice.status == VoiceStatus.SHARED,
    }


@actor_required
@require_http_methods(["GET"])
def pep_voice(request, pep_id: UUID):
    pep, my_voice = _pep_page(request, pep_id)
    return render(request, "portal/my_voice/pep.html", _pep_context(request, pep, my_voice))


@actor_required
@require_http_methods(["POST"])
def pep_answer(request, pep_id: UUID, answer_id: UUID):
    pep, my_voice = _pep_page(request, pep_id)
    if my_voice is None:
        raise Http404("Page not found")
    answer = (
        selectors.visible_answers(actor=request.actor, my_voice=my_voice)
        .filter(public_id=answer_id)
        .first()
    )
    if answer is None:
        raise Http404("Page not found")
    answer.my_voice = my_voice
    if request.POST.get("form") == "link":
        form = LinkForm(
            request.POST,
            targets=pep.targets.all(),
            actions=pep.actions.all(),
            prefix=f"l{answer.pk}",
        )
        key = "link_form"
        if form.is_valid():
            kind, _, ref = form.cleaned_data["link"].partition(":")
            target = next((t for t in pep.targets.all() if str(t.public_id) == ref), None)
            action = next((a for a in pep.actions.all() if str(a.pk) == ref), None)
            with service_errors(form) as call:
                services.my_voice_answer_link(
                    actor=request.actor,
                    answer=answer,
                    target=target if kind == "t" else None,
                    action=action if kind == "a" else None,
                )
            if call.ok:
                messages.success(request, "Link saved.")
                return redirect("portal:my_voice:pep", pep_id=pep.public_id)
    else:
        form = NoteForm(request.POST, prefix=f"n{answer.pk}")
        key = "note_form"
        if form.is_valid():
            with service_errors(form) as call:
                services.my_voice_answer_note(
                    actor=request.actor, answer=answer, note=form.cleaned_data["note"]
                )
            if call.ok:
                messages.success(request, "Note saved.")
                return redirect("portal:my_voice:pep", pep_id=pep.public_id)
    context = _pep_context(request, pep, my_voice, bound=(answer.pk, key, form))
    context["form"] = form
    return render(request, "portal/my_voice/pep.html", context, status=400)
