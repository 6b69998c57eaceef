from epep.tenancy.roles import AUTHORITY_WIDE_ROLES

from ..access import roles_required
from ..lists import render_child_list


@roles_required(*AUTHORITY_WIDE_ROLES)
def home(request):
    return render_child_list(
        request,
        template="portal/virtual_school/home.html",
        title="Children in care",
        searchable=True,
    )
