"""The roles a membership can give, and what kind of scope each carries."""

from django.db import models


class Role(models.TextChoices):
    VS_HEAD = "vs_head", "Virtual School Head"
    VS_OFFICER = "vs_officer", "Virtual School officer"
    LA_ADMIN = "la_admin", "Local authority administrator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    DESIGNATED_TEACHER = "designated_teacher", "Designated teacher"
    SCHOOL_STAFF = "school_staff", "School staff"
    CARER = "carer", "Carer"
    IRO = "iro", "Independent reviewing officer"
    YOUNG_PERSON = "young_person", "Young person"


#: Roles that see every child of their authority.
AUTHORITY_WIDE_ROLES = frozenset({Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN})
#: Roles that see the children currently allocated to them (Allocation.kind == role).
ALLOCATED_ROLES = frozenset({Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.IRO})
#: Roles held at a school rather than an authority. School staff see only the children a
#: designated teacher has shared with them.
SCHOOL_ROLES = frozenset({Role.DESIGNATED_TEACHER, Role.SCHOOL_STAFF})
#: Virtual School staff (quality assurance, grants).
VIRTUAL_SCHOOL_ROLES = frozenset({Role.VS_HEAD, Role.VS_OFFICER})
#: Roles held about one child: the carer and the young person themselves.
CHILD_ROLES = frozenset({Role.CARER, Role.YOUNG_PERSON})
#: Roles held by professionals (MFA, explicit grants apply).
PROFESSIONAL_ROLES = frozenset(set(Role) - CHILD_ROLES)

#: The order in which a person's roles are offered when they hold several.
ROLE_ORDER = [
    Role.VS_HEAD,
    Role.VS_OFFICER,
    Role.LA_ADMIN,
    Role.SOCIAL_WORKER,
    Role.PERSONAL_ADVISER,
    Role.IRO,
    Role.DESIGNATED_TEACHER,
    Role.SCHOOL_STAFF,
    Role.CARER,
    Role.YOUNG_PERSON,
]
