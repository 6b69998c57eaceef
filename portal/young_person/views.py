from epep.tenancy.roles import Role

from ..access import roles_required
from ..lists import render_child_list


@roles_required(Role.YOUNG_PERSON)
def home(request):
    return render_child_list(request, template="portal/young_person/home.html", title="My page")
