from epep.tenancy.roles import ALLOCATED_ROLES, Role

from ..access import roles_required
from ..lists import render_child_list

TITLES = {
    Role.SOCIAL_WORKER: "My children",
    Role.PERSONAL_ADVISER: "My young people",
    Role.IRO: "Children I review",
}


@roles_required(*ALLOCATED_ROLES)
def home(request):
    return render_child_list(
        request,
        template="portal/caseload/home.html",
        title=TITLES[request.actor.role],
        searchable=True,
    )
