from epep.tenancy.roles import Role

from ..access import roles_required
from ..lists import render_child_list


@roles_required(Role.CARER)
def home(request):
    return render_child_list(
        request, template="portal/carer/home.html", title="Children you care for"
    )
