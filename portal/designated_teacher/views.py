from epep.tenancy.roles import Role
from epep.tenancy.selectors import endorsements_of_person
from quality.permissions import can_read_qa_feedback
from quality.selectors.reviews import latest_feedback_annotation

from ..access import roles_required
from ..lists import render_child_list
from ..templatetags.ppplus_school import school_panel_annotations


def _endorsements(actor):
    """Which authorities let this person see their children at their school(s), and
    which are still to decide (their own rows)."""
    return list(endorsements_of_person(user_id=actor.user_id, school_ids=actor.school_ids))


@roles_required(Role.DESIGNATED_TEACHER)
def home(request):
    # Each child's latest QA outcome (grade, what to fix) comes in the children's query.
    qa = can_read_qa_feedback(request.actor)
    return render_child_list(
        request,
        template="portal/designated_teacher/home.html",
        title="Children in care at your school",
        searchable=True,
        extra={"endorsements": _endorsements(request.actor), "show_qa_feedback": qa},
        annotations={
            **({"qa_latest": latest_feedback_annotation()} if qa else {}),
            # The PP+ panel's lines (portal.templatetags.ppplus_school), in this query.
            **school_panel_annotations(),
        },
    )


@roles_required(Role.SCHOOL_STAFF)
def shared(request):
    return render_child_list(
        request,
        template="portal/designated_teacher/shared.html",
        title="Children shared with you",
        extra={"endorsements": _endorsements(request.actor)},
    )
