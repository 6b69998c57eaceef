"""Factories for tests. Tenant rows are created inside their own authority's context
(row-level security refuses them otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model

from children.identifiers import upn_check_letter
from children.models import (
    Allocation,
    Child,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
)
from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import SCHOOL_ROLES, Role


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates the row inside a context for its own authority."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        la = kwargs.get("local_authority")
        la_id = la.pk if la is not None else kwargs.get("local_authority_id")
        with authority_context(local_authority_ids=[la_id]):
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct horse battery staple")


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Authority {n}")
    code = factory.Sequence(lambda n: f"{800 + n % 199:03d}")
    virtual_school_name = factory.LazyAttribute(lambda o: f"{o.name} Virtual School")


_urns = iter(range(118000, 999999))


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.LazyFunction(lambda: str(next(_urns)))
    name = factory.Sequence(lambda n: f"School {n}")
    phase = School.Phase.PRIMARY
    type = School.Type.ACADEMY
    la_code = "886"
    postcode = "ME14 1XX"


_serials = iter(range(1, 10**6))


def make_upn(la_code: str = "886") -> str:
    rest = f"{la_code}{next(_serials) % 10000:04d}26{next(_serials) % 1000:03d}"
    return upn_check_letter(rest) + rest


class ChildFactory(TenantFactory):
    class Meta:
        model = Child

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    legal_first_name = factory.Faker("first_name", locale="en_GB")
    legal_last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = date(2015, 3, 14)
    gender = Child.Gender.FEMALE
    upn = factory.LazyAttribute(lambda o: make_upn(o.local_authority.code))
    entered_care_on = date(2022, 5, 1)
    legal_status = Child.LegalStatus.C2


class EnrolmentFactory(TenantFactory):
    class Meta:
        model = Enrolment

    child = factory.SubFactory(ChildFactory)
    local_authority = factory.SelfAttribute("child.local_authority")
    school = factory.SubFactory(SchoolFactory)
    start_date = date(2023, 9, 1)


class PlacementFactory(TenantFactory):
    class Meta:
        model = Placement
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    local_authority = factory.SelfAttribute("child.local_authority")
    placement_type = Placement.Type.FOSTER
    start_date = date(2023, 1, 1)

    @factory.post_generation
    def carers(self, create, extracted, **kwargs):
        for carer in extracted or []:
            PlacementCarerFactory(placement=self, user=carer)


class PlacementCarerFactory(TenantFactory):
    class Meta:
        model = PlacementCarer

    placement = factory.SubFactory(PlacementFactory)
    local_authority = factory.SelfAttribute("placement.local_authority")
    user = factory.SubFactory(UserFactory)


class AllocationFactory(TenantFactory):
    class Meta:
        model = Allocation

    child = factory.SubFactory(ChildFactory)
    local_authority = factory.SelfAttribute("child.local_authority")
    worker = factory.SubFactory(UserFactory)
    kind = Role.SOCIAL_WORKER
    start_date = date(2023, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.VS_OFFICER
    local_authority = factory.SubFactory(LocalAuthorityFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        la = kwargs.get("local_authority")
        with authority_context(local_authority_ids=[la.pk] if la else []):
            return super()._create(model_class, *args, **kwargs)


def school_membership(*, user, role=Role.DESIGNATED_TEACHER, school, endorsed_by, pending=()):
    """A school role recorded by the first of ``endorsed_by``, endorsed by each of them
    (and asked of ``pending``), as accepting invitations and decisions would leave it."""
    from django.utils import timezone

    from epep.tenancy.models import SchoolRoleEndorsement

    owner = endorsed_by[0]
    membership = MembershipFactory(user=user, role=role, local_authority=owner, school=school)
    for la, state in [(la, "endorsed") for la in endorsed_by] + [(la, "pending") for la in pending]:
        with authority_context(local_authority_ids=[la.pk]):
            SchoolRoleEndorsement.objects.create(
                membership=membership,
                local_authority=la,
                user=user,
                school=school,
                role=role,
                state=state,
                decided_at=timezone.now() if state == "endorsed" else None,
                requested_by_authority=None if la == owner else owner,
            )
    return membership


def endorse(user, authority, role=Role.DESIGNATED_TEACHER):
    """``authority`` also lets ``user``'s school role see its children (as if it had
    said yes to the request)."""
    from django.utils import timezone

    from epep.tenancy.models import SchoolRoleEndorsement

    with authority_context(local_authority_ids=[], user_id=user.pk):
        membership = Membership.objects.get(user=user, role=role)
    with authority_context(local_authority_ids=[authority.pk]):
        endorsement, _ = SchoolRoleEndorsement.objects.update_or_create(
            membership=membership,
            local_authority=authority,
            defaults={
                "user": user,
                "school_id": membership.school_id,
                "role": role,
                "state": "endorsed",
                "decided_at": timezone.now(),
            },
        )
    return endorsement


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def ready_for_work(user, roles) -> None:
    """What a real user does once: set up two-step sign-in and accept the product's
    default agreement for each role. Tests of the gate itself start without these."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from epep.accounts.context import account_context
    from epep.accounts.models import AgreementAcceptance, UserAgreement

    with account_context(user_id=user.pk):  # second factors: epep.accounts.context
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, TOTP_SECRET)
    with authority_context(local_authority_ids=[], user_id=user.pk):
        for agreement in UserAgreement.objects.filter(
            local_authority__isnull=True, role__in=[Role(r).value for r in roles]
        ):
            AgreementAcceptance.objects.get_or_create(user=user, agreement=agreement)


@dataclass
class Authority:
    la: LocalAuthority
    users: dict[Role, object] = field(default_factory=dict)
    #: a child in every circle of this authority's users (allocated, placed, on roll)
    child: Child | None = None
    #: a child of this authority outside every personal circle
    other_child: Child | None = None


@dataclass
class World:
    a: Authority
    b: Authority
    shared_school: School
    school_a: School
    all_children: list[Child]
    #: Sefton Primary: in Sefton's area, only Sefton's ``other_child`` on roll
    school_b: School | None = None


def make_authority(la: LocalAuthority, school: School, shared_school: School) -> Authority:
    auth = Authority(la=la)
    tag = la.code
    for role in Role:
        user = UserFactory(email=f"{role.value}.{tag}@example.org", full_name=f"{role.label} {tag}")
        auth.users[role] = user
    auth.child = ChildFactory(
        local_authority=la, legal_first_name="In", legal_last_name=f"Circle{tag}"
    )
    auth.other_child = ChildFactory(
        local_authority=la, legal_first_name="Out", legal_last_name=f"Circle{tag}"
    )
    EnrolmentFactory(child=auth.child, school=shared_school)
    EnrolmentFactory(child=auth.other_child, school=school)
    PlacementFactory(child=auth.child, carers=[auth.users[Role.CARER]])
    PlacementFactory(child=auth.other_child, carers=[UserFactory()])
    for kind in (Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.IRO):
        AllocationFactory(child=auth.child, worker=auth.users[kind], kind=kind)
        AllocationFactory(child=auth.other_child, worker=UserFactory(), kind=kind)
    for role, user in auth.users.items():
        if role in SCHOOL_ROLES:
            school_membership(user=user, role=role, school=shared_school, endorsed_by=[la])
        elif role == Role.YOUNG_PERSON:
            MembershipFactory(user=user, role=role, local_authority=la, child=auth.child)
        else:
            MembershipFactory(user=user, role=role, local_authority=la)
        ready_for_work(user, [role])
    return auth


def ensure_default_agreements() -> None:
    """The product's default agreements come from a data migration; transactional tests
    empty every table afterwards, so put them back (idempotent)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("epep.accounts.migrations.0004_default_agreements")
    with authority_context(local_authority_ids=[]):
        migration.create(apps, None)


def build_world() -> World:
    ensure_default_agreements()
    kent = LocalAuthorityFactory(name="Kent", code="886", virtual_school_name="Kent Virtual School")
    sefton = LocalAuthorityFactory(
        name="Sefton", code="343", virtual_school_name="Sefton Virtual School"
    )
    shared = SchoolFactory(name="Shared Academy")
    school_a = SchoolFactory(name="Kent Primary")
    school_b = SchoolFactory(name="Sefton Primary", la_code="343")
    a = make_authority(kent, school_a, shared)
    b = make_authority(sefton, school_b, shared)
    return World(
        a=a,
        b=b,
        shared_school=shared,
        school_a=school_a,
        all_children=[a.child, a.other_child, b.child, b.other_child],
        school_b=school_b,
    )


def yesterday() -> date:
    return clock.today() - timedelta(days=1)
