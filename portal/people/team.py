"""Setting a worker's team from the People pages (the LA administrator): a small form for
one social worker, personal adviser or IRO role."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from epep.accounts import permissions, selectors
from epep.accounts.services import person_scope
from epep.accounts.services.people import acting_authority
from epep.accounts.services.teams import membership_team_set

from ..access import service_errors


class TeamForm(forms.Form):
    team = forms.CharField(
        label="Team",
        required=False,
        max_length=80,
        help_text="For example, Children in Care Team 2. Leave it empty if they have none.",
        error_messages={"max_length": "Enter a team name of 80 characters or fewer."},
    )


@require_http_methods(["GET", "POST"])
def membership_team(request, person_id: UUID, membership_id: int):
    actor = getattr(request, "actor", None)
    if not permissions.can_manage_people(actor):
        raise Http404("Page not found")
    person = selectors.access_person_by_id(actor=actor, person_id=person_id)
    scope = person_scope(authority=acting_authority(actor), person=person)
    membership = next((m for m in scope.ours if m.pk == membership_id), None)
    if membership is None or not permissions.can_set_team(actor, membership):
        raise Http404("Page not found")
    form = TeamForm(request.POST or None, initial={"team": membership.team})
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            membership_team_set(actor=actor, membership=membership, team=form.cleaned_data["team"])
        if call.ok:
            name = person.full_name or person.email
            messages.success(request, f"{name}’s team is saved.")
            return redirect("portal:people:person", person_id=person.public_id)
    return render(
        request,
        "portal/people/team.html",
        {
            "title": f"{person.full_name or person.email}’s team",
            "form": form,
            "person": person,
            "membership": membership,
        },
    )
