from children.permissions import today
from children.selectors import children_for
from epep.tenancy import clock
from epep.tenancy.roles import Role
from meetings.models import MeetingStatus
from peps.selectors import current_pep

from ..access import roles_required
from ..lists import render_child_list


def _next_meeting(child):
    """The child's next PEP meeting, if one is booked for a time still to come. A young
    person is told when it is, never whether the professionals' deadline was missed."""
    pep = current_pep(child=child) if child is not None else None
    meeting = pep.meetings.current() if pep is not None else None
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    return meeting if meeting.starts_at > clock.now() else None


@roles_required(Role.YOUNG_PERSON)
def home(request):
    day = today()
    child = children_for(actor=request.actor, day=day).first()
    return render_child_list(
        request,
        template="portal/young_person/home.html",
        title="My page",
        # A deadline already passed is the professionals' business: the page says only
        # what comes next ("today" lets the template show a due date still ahead).
        extra={"next_meeting": _next_meeting(child), "today": day},
    )
