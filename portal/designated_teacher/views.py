from epep.tenancy.roles import Role

from ..access import roles_required
from ..lists import render_child_list


@roles_required(Role.DESIGNATED_TEACHER)
def home(request):
    return render_child_list(
        request,
        template="portal/designated_teacher/home.html",
        title="Children in care at your school",
        searchable=True,
    )


@roles_required(Role.SCHOOL_STAFF)
def shared(request):
    return render_child_list(
        request,
        template="portal/designated_teacher/shared.html",
        title="Children shared with you",
    )
