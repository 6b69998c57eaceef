"""Role navigation: what each role's service navigation offers."""

from django.urls import reverse

from .permissions import can_open_authority_settings, can_set_email_reminders
from .roles import Role

ROLE_HOME_URL = {
    Role.VS_HEAD: "portal:virtual_school:home",
    Role.VS_OFFICER: "portal:virtual_school:home",
    Role.LA_ADMIN: "portal:virtual_school:home",
    Role.SOCIAL_WORKER: "portal:caseload:home",
    Role.PERSONAL_ADVISER: "portal:caseload:home",
    Role.IRO: "portal:caseload:home",
    Role.DESIGNATED_TEACHER: "portal:designated_teacher:home",
    Role.SCHOOL_STAFF: "portal:designated_teacher:shared",
    Role.CARER: "portal:carer:home",
    Role.YOUNG_PERSON: "portal:young_person:home",
}

HOME_LABEL = {
    Role.VS_HEAD: "Children in care",
    Role.VS_OFFICER: "Children in care",
    Role.LA_ADMIN: "Children in care",
    Role.SOCIAL_WORKER: "My children",
    Role.PERSONAL_ADVISER: "My young people",
    Role.IRO: "My children",
    Role.DESIGNATED_TEACHER: "Children at my school",
    Role.SCHOOL_STAFF: "Children shared with me",
    Role.CARER: "Children I care for",
    Role.YOUNG_PERSON: "My page",
}


def role_home_url(role) -> str:
    return reverse(ROLE_HOME_URL.get(role, "portal:no_role"))


def navigation_for(request, actor) -> list[dict]:
    from epep.accounts.permissions import can_open_people_pages

    if actor is None:
        return []
    items = []
    if actor.role is not None:
        items.append({"label": HOME_LABEL[actor.role], "url": role_home_url(actor.role)})
    if can_open_people_pages(actor):
        # LA administrators and Virtual School staff: account administration
        # (portal.people), whose pages all live under this one.
        items.append({"label": "People", "url": reverse("portal:people:list"), "section": True})
    if can_open_authority_settings(actor):
        # The authority's PEP policy and school calendar (portal.authority_settings).
        items.append(
            {
                "label": "Settings",
                "url": reverse("portal:authority_settings:index"),
                "section": True,
            }
        )
    if can_set_email_reminders(actor):
        # Everyone with a role but the young person gets reminders: each or one a day.
        items.append(
            {"label": "Email settings", "url": reverse("portal:notifications:preferences")}
        )
    if len(actor.available_roles) > 1:
        items.append({"label": "Change role", "url": reverse("portal:switch_role")})
    for item in items:
        if item.pop("section", False):
            item["active"] = request.path.startswith(item["url"])
        else:
            item["active"] = request.path == item["url"]
    return items
