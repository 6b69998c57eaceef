import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from children.permissions import today
from children.selectors import children_for
from children.services.help import help_request_send
from epep.tenancy import clock
from epep.tenancy.roles import Role
from meetings.models import MeetingStatus
from peps.selectors import current_pep

from ..access import roles_required
from ..lists import render_child_list
from .forms import HelpForm

#: what a target without a summary in the child's words says instead of the
#: professional wording
EXPLAIN_LATER = "Your teacher will explain this one."


def _next_meeting(pep):
    """The child's next PEP meeting, if one is booked for a time still to come. A young
    person is told when it is, never whether the professionals' deadline was missed."""
    meeting = pep.meetings.current() if pep is not None else None
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    return meeting if meeting.starts_at > clock.now() else None


def _my_child(request):
    return children_for(actor=request.actor, day=today(), own_pages=True).first()


@roles_required(Role.YOUNG_PERSON)
def home(request):
    child = _my_child(request)
    pep = current_pep(child=child) if child is not None else None
    meeting = _next_meeting(pep)
    targets = [
        target.child_summary.strip() or EXPLAIN_LATER
        for target in (pep.targets.only("child_summary") if pep is not None else ())
    ]
    actions = list(pep.actions.only("description", "owner")) if pep is not None else []
    return render_child_list(
        request,
        template="portal/young_person/home.html",
        title="My school plan",
        own_pages=True,
        extra={
            "next_meeting": meeting,
            "people": list(meeting.attendees.select_related("user")) if meeting else [],
            "targets": targets,
            "actions": actions,
            "help_form": HelpForm(initial={"tap": uuid.uuid4()}),
        },
    )


@roles_required(Role.YOUNG_PERSON)
@require_POST
def ask_for_help(request):
    child = _my_child(request)
    if child is None:
        raise Http404("No record")
    form = HelpForm(request.POST)
    # A tap without a valid id is still a child asking for help: send it under a new id.
    tap = form.cleaned_data["tap"] if form.is_valid() else uuid.uuid4()
    sent = help_request_send(actor=request.actor, child=child, tap_id=tap)
    messages.success(request, f"We've told {sent.told}. They will get in touch.")
    return redirect("portal:young_person:home")
