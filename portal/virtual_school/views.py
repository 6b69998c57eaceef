from epep.tenancy.models import SchoolRoleEndorsement
from epep.tenancy.permissions import can_endorse_school_roles
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES
from epep.tenancy.selectors import endorsements_of_authority

from ..access import roles_required
from ..lists import render_child_list
from ..reports.views import home_summary


@roles_required(*AUTHORITY_WIDE_ROLES)
def home(request):
    actor = request.actor
    waiting = 0
    if can_endorse_school_roles(actor):
        waiting = (
            endorsements_of_authority(actor.authorities[0].pk)
            .filter(state=SchoolRoleEndorsement.State.PENDING)
            .count()
        )
    return render_child_list(
        request,
        template="portal/virtual_school/home.html",
        title="Children in care",
        searchable=True,
        extra={"endorsements_waiting": waiting, "report_summary": home_summary(request)},
    )
