"""Demo data: three authorities, their schools, children in care and everyone around them.

Used by ``manage.py seed_demo``. Everything here is fictional except the authorities' DfE
codes and the published term dates (``children/data/term-dates.csv``, with their sources).
Years those dates do not reach (the current academic year, and the next from June) get the
usual pattern of six half terms, entered as each authority would and marked as such in
``SchoolTerm.source`` (:data:`ENTERED_TERMS_SOURCE`).
School URNs are in the unused 990001+ range; email addresses end in ``.invalid``.

Two halves:

- :func:`build_plan` is pure: from today's date it works out every child (names, dates of
  birth chosen so that year groups come out right in the current academic year, ULNs,
  dates entering care, a few within the last two weeks) and their dated school, placement
  and allocation history. A fixed seed makes it deterministic for a given day. UPNs
  depend on the fixed cast alone (:func:`demo_upn`), so a later run on another day finds
  the same children.
- :func:`seed_demo` writes the plan. It is idempotent: rows are found by natural keys (LA
  code, school URN, email, UPN; for dated records the child with the school, the carers or
  the worker) and only missing ones are created, through the services in
  ``children.services`` so that each write is validated and audited. Tenant rows are
  written inside ``all_authorities_context()``.

Nothing here prints; the command reports what :func:`seed_demo` returns.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from calendars.models import SchoolTerm
from children import services, stages
from children.identifiers import (
    UPN_ALPHABET,
    is_valid_uln,
    is_valid_upn,
    uln_check_digit,
    upn_check_letter,
)
from children.models import Allocation, Child, Enrolment, Placement, School, current_on
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import ROLE_ORDER, SCHOOL_ROLES, Role

SEED = 20240901
DEMO_PASSWORD = "demo-password-1234"
DEMO_DOMAIN = "demo.epep.invalid"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
SHARED_SCHOOL_URN = "990001"
SHARED_DT_EMAIL = f"dt@shared-school.{DEMO_DOMAIN}"
#: The shared school's second designated teacher: a colleague to share (delegate) a child with.
SHARED_DT2_EMAIL = f"dt2@shared-school.{DEMO_DOMAIN}"
SHARED_DT2_NAME = "Daniel Mensah"
#: The published term dates are reference data kept with the children app.
TERM_DATES_CSV = Path(stages.__file__).resolve().parent / "data" / "term-dates.csv"
#: The academic year the demo's UPNs were written for (their "year allocated" digits).
UPN_COHORT_YEAR = 2026

Phase = School.Phase
SchoolType = School.Type
PlacementType = Placement.Type
Sen = Child.SenStatus
Legal = Child.LegalStatus


# ---------------------------------------------------------------------------------------------
# The fixed cast
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoritySpec:
    slug: str
    name: str
    code: str
    virtual_school_name: str
    first_pep_limit: int
    first_pep_unit: str
    review_cadence: str
    max_targets_per_term: int = 4

    @property
    def domain(self) -> str:
        return f"{self.slug}.{DEMO_DOMAIN}"


AUTHORITIES: tuple[AuthoritySpec, ...] = (
    AuthoritySpec(
        "kent",
        "Kent",
        "886",
        "Kent Virtual School",
        10,
        LocalAuthority.PepDayUnit.WORKING_DAYS,
        LocalAuthority.ReviewCadence.SIX_MONTHLY,
    ),
    AuthoritySpec(
        "sefton",
        "Sefton",
        "343",
        "Sefton Virtual School",
        10,
        LocalAuthority.PepDayUnit.WORKING_DAYS,
        LocalAuthority.ReviewCadence.TERMLY,
        max_targets_per_term=4,
    ),
    AuthoritySpec(
        "southwark",
        "Southwark",
        "210",
        "Southwark Virtual School",
        20,
        LocalAuthority.PepDayUnit.SCHOOL_DAYS,
        LocalAuthority.ReviewCadence.SIX_MONTHLY,
    ),
)
AUTHORITY_BY_CODE = {a.code: a for a in AUTHORITIES}


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str


@dataclass(frozen=True)
class SchoolSpec:
    key: str
    urn: str
    name: str
    phase: str
    type: str
    la_code: str
    postcode: str
    #: DfE establishment number (4 digits) used in the UPNs this school allocates
    estab: str
    #: the NC year pupils normally join in (-1 nursery, 0 reception, 7, 12); None for special
    #: schools and alternative provision, which children join at any age
    entry_year: int | None
    designated_teacher: Person


def _designated_teacher_person(local: str, la_slug: str, name: str) -> Person:
    return Person(f"{local}@{la_slug}.{DEMO_DOMAIN}", name)


SCHOOLS: tuple[SchoolSpec, ...] = (
    # Kent (886). Darent Vale, in Dartford near the London border, also holds Southwark
    # children placed with foster carers in Kent.
    SchoolSpec(
        "darent-vale", SHARED_SCHOOL_URN, "Darent Vale Academy", Phase.SECONDARY,
        SchoolType.ACADEMY, "886", "DA1 5RL", "4190", 7,
        Person(SHARED_DT_EMAIL, "Rachel Osei"),
    ),
    SchoolSpec(
        "orchard-way", "990002", "Orchard Way Primary School", Phase.PRIMARY,
        SchoolType.COMMUNITY, "886", "ME15 8QA", "2417", 0,
        _designated_teacher_person("dt", "kent", "Sarah Bennett"),
    ),
    SchoolSpec(
        "stour-meadow", "990003", "Stour Meadow Primary School", Phase.PRIMARY,
        SchoolType.ACADEMY, "886", "TN24 9QX", "2583", 0,
        _designated_teacher_person("dt.stourmeadow", "kent", "Neil Hargreaves"),
    ),
    SchoolSpec(
        "harbour-view", "990004", "Harbour View Academy", Phase.SECONDARY,
        SchoolType.ACADEMY, "886", "CT19 6LJ", "4128", 7,
        _designated_teacher_person("dt.harbourview", "kent", "Anita Dhillon"),
    ),
    SchoolSpec(
        "saltings", "990005", "Saltings Nursery School", Phase.NURSERY,
        SchoolType.NURSERY, "886", "CT9 3NQ", "1026", -1,
        _designated_teacher_person("dt.saltings", "kent", "Lucy Vaughan"),
    ),
    SchoolSpec(
        "weald-oak", "990006", "Weald Oak School", Phase.NOT_APPLICABLE,
        SchoolType.SPECIAL, "886", "TN9 2JP", "7047", None,
        _designated_teacher_person("dt.wealdoak", "kent", "Martin Cole"),
    ),
    SchoolSpec(
        "thanet-coast", "990007", "Thanet Coast College", Phase.SIXTEEN_PLUS,
        SchoolType.FURTHER_EDUCATION, "886", "CT10 1PN", "8012", 12,
        _designated_teacher_person("dt.thanetcoast", "kent", "Yvette Lambert"),
    ),
    # Sefton (343)
    SchoolSpec(
        "crosby-marsh", "990008", "Crosby Marsh High School", Phase.SECONDARY,
        SchoolType.FOUNDATION, "343", "L23 9XE", "4071", 7,
        _designated_teacher_person("dt", "sefton", "Karen Lyons"),
    ),
    SchoolSpec(
        "marine-lake", "990009", "Marine Lake Primary School", Phase.PRIMARY,
        SchoolType.COMMUNITY, "343", "PR9 0DZ", "2139", -1,  # has a nursery class
        _designated_teacher_person("dt.marinelake", "sefton", "Philip Ashcroft"),
    ),
    SchoolSpec(
        "netherton-moss", "990010", "Netherton Moss Primary School", Phase.PRIMARY,
        SchoolType.VOLUNTARY_AIDED, "343", "L30 5RH", "3318", 0,
        _designated_teacher_person("dt.nethertonmoss", "sefton", "Donna Finnegan"),
    ),
    SchoolSpec(
        "sefton-bridge", "990011", "Sefton Bridge Learning Centre", Phase.NOT_APPLICABLE,
        SchoolType.ALTERNATIVE_PROVISION, "343", "L20 3JN", "1104", None,
        _designated_teacher_person("dt.seftonbridge", "sefton", "Andrew Kerr"),
    ),
    SchoolSpec(
        "hesketh", "990012", "Hesketh Sixth Form College", Phase.SIXTEEN_PLUS,
        SchoolType.FURTHER_EDUCATION, "343", "PR9 7DR", "8604", 12,
        _designated_teacher_person("dt.hesketh", "sefton", "Fiona Blundell"),
    ),
    # Southwark (210)
    SchoolSpec(
        "surrey-docks", "990013", "Surrey Docks Academy", Phase.SECONDARY,
        SchoolType.ACADEMY, "210", "SE16 6QW", "4262", 7,
        _designated_teacher_person("dt", "southwark", "Kofi Asamoah"),
    ),
    SchoolSpec(
        "burgess-park", "990014", "Burgess Park Primary School", Phase.PRIMARY,
        SchoolType.COMMUNITY, "210", "SE5 0RP", "2731", 0,
        _designated_teacher_person("dt.burgesspark", "southwark", "Eleanor Fry"),
    ),
    SchoolSpec(
        "rye-lane", "990015", "Rye Lane Nursery School", Phase.NURSERY,
        SchoolType.NURSERY, "210", "SE15 4ST", "1009", -1,
        _designated_teacher_person("dt.ryelane", "southwark", "Sophie Tan"),
    ),
    SchoolSpec(
        "grove-vale", "990016", "Grove Vale School", Phase.NOT_APPLICABLE,
        SchoolType.SPECIAL, "210", "SE22 8EF", "7015", None,
        _designated_teacher_person("dt.grovevale", "southwark", "Ibrahim Sesay"),
    ),
)  # fmt: skip
SCHOOL_BY_KEY = {s.key: s for s in SCHOOLS}

#: Each authority's "main" school: its designated teacher is ``dt@<authority>`` and the
#: demo school-staff member works there.
MAIN_SCHOOL = {"886": "orchard-way", "343": "crosby-marsh", "210": "surrey-docks"}


@dataclass(frozen=True)
class Household:
    key: str
    placement_type: str
    carers: tuple[Person, ...]


CARER_KIND = {
    PlacementType.FOSTER: "foster carer",
    PlacementType.KINSHIP: "kinship carer",
    PlacementType.RESIDENTIAL: "children's home key worker",
    PlacementType.SUPPORTED: "supported accommodation key worker",
    PlacementType.PARENTS: "parent",
    PlacementType.ADOPTION: "prospective adopter",
}


def _households(la_slug: str, *rows: tuple) -> tuple[Household, ...]:
    """Rows of (key, placement type, (email local part, name), ...)."""
    return tuple(
        Household(
            key,
            kind,
            tuple(Person(f"{local}@{la_slug}.{DEMO_DOMAIN}", name) for local, name in people),
        )
        for key, kind, *people in rows
    )


F, K, R, S = (
    PlacementType.FOSTER,
    PlacementType.KINSHIP,
    PlacementType.RESIDENTIAL,
    PlacementType.SUPPORTED,
)

HOUSEHOLDS: dict[str, tuple[Household, ...]] = {
    "886": _households(
        "kent",
        # The one household of two carers: a couple fostering a brother and sister.
        ("whitfield", F, ("carer", "Tracey Whitfield"), ("carer.mark.whitfield", "Mark Whitfield")),
        ("barker", F, ("carer.linda.barker", "Linda Barker")),
        ("gurung", F, ("carer.sita.gurung", "Sita Gurung")),
        ("okonkwo", F, ("carer.grace.okonkwo", "Grace Okonkwo")),
        ("price", F, ("carer.janet.price", "Janet Price")),
        ("fletcher", K, ("carer.pauline.fletcher", "Pauline Fletcher")),
        ("ashworth", PlacementType.ADOPTION, ("carer.helen.ashworth", "Helen Ashworth")),
        ("oakwood", R, ("carer.oakwood-house", "Dean Marsh")),
        ("harbour-lodge", S, ("carer.harbour-lodge", "Kemi Adeyemi")),
    ),
    "343": _households(
        "sefton",
        ("kelly", F, ("carer", "Joanne Kelly")),
        ("mccann", F, ("carer.paul.mccann", "Paul McCann")),
        ("doherty", F, ("carer.sharon.doherty", "Sharon Doherty")),
        ("quinn", F, ("carer.ruth.quinn", "Ruth Quinn")),
        ("taylor", K, ("carer.brian.taylor", "Brian Taylor")),
        ("walker", PlacementType.PARENTS, ("carer.kerry.walker", "Kerry Walker")),
        ("ainsdale", R, ("carer.ainsdale-lodge", "Lee Gallagher")),
        ("marine-court", S, ("carer.marine-court", "Stacey Byrne")),
    ),
    "210": _households(
        "southwark",
        ("campbell", F, ("carer", "Bernice Campbell")),
        ("adebayo", F, ("carer.femi.adebayo", "Femi Adebayo")),
        ("rodriguez", F, ("carer.maria.rodriguez", "Maria Rodriguez")),
        # Lives in Dartford: the Southwark children she fosters attend Darent Vale Academy.
        ("grant", F, ("carer.susan.grant", "Susan Grant")),
        ("reid", F, ("carer.yvonne.reid", "Yvonne Reid")),
        ("henry", K, ("carer.gloria.henry", "Gloria Henry")),
        ("camberwell", R, ("carer.camberwell-house", "Tunde Bakare")),
        ("bermondsey", S, ("carer.bermondsey-place", "Ellie Ward")),
    ),
}

HOUSEHOLDS_BY_KEY = {code: {h.key: h for h in rows} for code, rows in HOUSEHOLDS.items()}

#: Authority staff: (role, email local part, full name). "sw" is the demo social worker with
#: the realistic caseload; "sw2" holds the rest (and the earlier allocations).
STAFF: dict[str, tuple[tuple[Role, str, str], ...]] = {
    "886": (
        (Role.VS_HEAD, "vsh", "Claire Summers"),
        (Role.VS_OFFICER, "vso", "Tom Reilly"),
        (Role.LA_ADMIN, "la-admin", "Priya Nair"),
        (Role.SOCIAL_WORKER, "sw", "Amara Nwosu"),
        (Role.SOCIAL_WORKER, "sw2", "Gareth Lloyd"),
        (Role.PERSONAL_ADVISER, "pa", "Kirsty Palmer"),
        (Role.IRO, "iro", "Robert Hale"),
        (Role.SCHOOL_STAFF, "staff", "Emma Collins"),
    ),
    "343": (
        (Role.VS_HEAD, "vsh", "Jennifer Molloy"),
        (Role.VS_OFFICER, "vso", "Steven Rimmer"),
        (Role.LA_ADMIN, "la-admin", "Gemma Harrison"),
        (Role.SOCIAL_WORKER, "sw", "Laura Doyle"),
        (Role.SOCIAL_WORKER, "sw2", "Mohammed Rahman"),
        (Role.PERSONAL_ADVISER, "pa", "Craig Fitzgerald"),
        (Role.IRO, "iro", "Patricia Lunt"),
        (Role.SCHOOL_STAFF, "staff", "Sean Maguire"),
    ),
    "210": (
        (Role.VS_HEAD, "vsh", "Olu Adewale"),
        (Role.VS_OFFICER, "vso", "Nadia Haddad"),
        (Role.LA_ADMIN, "la-admin", "Chris Porter"),
        (Role.SOCIAL_WORKER, "sw", "Ama Boateng"),
        (Role.SOCIAL_WORKER, "sw2", "Tomasz Zielinski"),
        (Role.PERSONAL_ADVISER, "pa", "Jade Morgan"),
        (Role.IRO, "iro", "Ruth Abrahams"),
        (Role.SCHOOL_STAFF, "staff", "Marcus Fenton"),
    ),
}


@dataclass(frozen=True)
class ChildSpec:
    """One child, described by what matters; names and exact dates are drawn in the plan."""

    year: int  # national curriculum year in the current academic year
    sex: str  # "f" or "m"
    school: str | None  # school key; None: no school place
    home: str  # household key
    prev_school: str | None = None
    prev_home: str | None = None
    sen: str = Sen.NONE
    legal: str = Legal.C2
    #: entered care this many days ago (a range to draw from); default by legal status
    entered: tuple[int, int] | None = None
    sw: str = "sw"  # "sw" or "sw2"
    prev_sw: bool = False  # first allocated to sw2, then to sw
    uasc_language: str | None = None
    family: str | None = None  # siblings share a family key (and a surname)
    surname: str | None = None
    temp_upn: bool = False
    young_person: bool = False  # has the authority's demo young-person sign-in


def _child_spec(year, sex, school, home, **kw) -> ChildSpec:
    return ChildSpec(year, sex, school, home, **kw)


# Short names for the table below.
SUPPORT, EHCP = Sen.SEN_SUPPORT, Sen.EHCP
C1, E1, V2 = Legal.C1, Legal.E1, Legal.V2


def _recent(days: int) -> tuple[int, int]:
    """Entered care exactly ``days`` ago (a first PEP is due soon)."""
    return (days, days)


CHILDREN: dict[str, tuple[ChildSpec, ...]] = {
    "886": (
        _child_spec(-1, "m", "saltings", "ashworth", prev_home="barker", legal=E1, sw="sw2"),
        _child_spec(0, "f", "orchard-way", "whitfield", family="A"),
        _child_spec(3, "m", "orchard-way", "whitfield", family="A", prev_home="price", sen=SUPPORT),
        _child_spec(1, "f", "stour-meadow", "gurung"),
        _child_spec(2, "m", "orchard-way", "fletcher", sen=SUPPORT),
        _child_spec(4, "f", "stour-meadow", "price", legal=C1, entered=_recent(4)),
        _child_spec(5, "m", "weald-oak", "barker", prev_school="stour-meadow", sen=EHCP),
        _child_spec(6, "f", "orchard-way", "gurung", sen=SUPPORT),
        _child_spec(7, "m", "darent-vale", "okonkwo", prev_school="orchard-way", young_person=True),
        _child_spec(
            8,
            "f",
            "harbour-view",
            "oakwood",
            prev_home="barker",
            sen=SUPPORT,
            prev_sw=True,
        ),
        _child_spec(9, "m", "darent-vale", "okonkwo", sen=EHCP),
        _child_spec(
            9,
            "f",
            "harbour-view",
            "oakwood",
            prev_school="darent-vale",
            sen=SUPPORT,
            prev_sw=True,
        ),
        _child_spec(10, "m", "darent-vale", "price", legal=V2, uasc_language="Arabic", sw="sw2"),
        _child_spec(10, "f", "weald-oak", "oakwood", sen=EHCP),
        _child_spec(
            11,
            "m",
            "harbour-view",
            "barker",
            legal=V2,
            uasc_language="Tigrinya",
            sw="sw2",
        ),
        _child_spec(
            11,
            "m",
            None,
            "price",
            legal=V2,
            uasc_language="Pashto",
            entered=_recent(3),
            sw="sw2",
            temp_upn=True,
        ),
        _child_spec(12, "f", "thanet-coast", "harbour-lodge", sen=EHCP),
        _child_spec(12, "m", "darent-vale", "gurung", sen=SUPPORT),
        _child_spec(13, "m", "thanet-coast", "harbour-lodge", prev_school="harbour-view"),
        _child_spec(6, "m", "weald-oak", "barker", sen=EHCP),
    ),
    "343": (
        _child_spec(-1, "f", "marine-lake", "kelly", legal=E1),
        _child_spec(0, "m", "netherton-moss", "walker", surname="Walker", sw="sw2"),
        _child_spec(1, "m", "marine-lake", "kelly", family="B", sen=SUPPORT),
        _child_spec(2, "f", "netherton-moss", "doherty", legal=C1, entered=_recent(9)),
        _child_spec(4, "f", "marine-lake", "kelly", family="B", sen=SUPPORT),
        _child_spec(
            3,
            "m",
            "netherton-moss",
            "taylor",
            family="C",
            surname="Taylor",
            prev_home="quinn",
        ),
        _child_spec(5, "f", "netherton-moss", "mccann", sen=EHCP),
        _child_spec(6, "m", "marine-lake", "mccann", prev_school="netherton-moss", sen=SUPPORT),
        _child_spec(7, "f", "crosby-marsh", "doherty", prev_school="netherton-moss"),
        _child_spec(8, "m", "crosby-marsh", "ainsdale", prev_home="mccann", sen=EHCP, prev_sw=True),
        _child_spec(9, "f", "crosby-marsh", "doherty", young_person=True),
        _child_spec(9, "m", "sefton-bridge", "ainsdale", prev_school="crosby-marsh", sen=EHCP),
        _child_spec(10, "f", "crosby-marsh", "quinn", legal=C1, entered=_recent(11)),
        _child_spec(
            10,
            "m",
            "sefton-bridge",
            "ainsdale",
            prev_school="crosby-marsh",
            legal=V2,
            sen=EHCP,
            sw="sw2",
        ),
        _child_spec(11, "f", "crosby-marsh", "mccann", sen=SUPPORT, prev_sw=True),
        _child_spec(11, "m", "crosby-marsh", "taylor", family="C", surname="Taylor", sen=SUPPORT),
        _child_spec(
            12,
            "m",
            "hesketh",
            "marine-court",
            legal=V2,
            uasc_language="Kurdish",
            sw="sw2",
        ),
        _child_spec(12, "f", "hesketh", "marine-court", sen=EHCP),
        _child_spec(13, "f", "hesketh", "marine-court", prev_school="crosby-marsh", sw="sw2"),
        _child_spec(7, "m", "crosby-marsh", "quinn", sen=SUPPORT),
    ),
    "210": (
        _child_spec(-1, "m", "rye-lane", "campbell", legal=E1),
        _child_spec(0, "f", "burgess-park", "campbell", legal=C1, entered=_recent(6)),
        _child_spec(1, "f", "burgess-park", "henry", family="D", surname="Henry"),
        _child_spec(2, "m", "burgess-park", "henry", family="D", surname="Henry", sen=SUPPORT),
        _child_spec(3, "m", "grove-vale", "adebayo", sen=EHCP),
        _child_spec(4, "f", "burgess-park", "rodriguez", sen=SUPPORT),
        _child_spec(5, "m", "burgess-park", "adebayo", prev_home="campbell", prev_sw=True),
        _child_spec(6, "f", "burgess-park", "rodriguez", sen=SUPPORT),
        _child_spec(7, "m", "surrey-docks", "campbell", prev_school="burgess-park"),
        _child_spec(8, "f", "darent-vale", "grant", prev_school="surrey-docks", prev_home="reid"),
        _child_spec(9, "f", None, "camberwell", prev_school="surrey-docks", prev_sw=True),
        _child_spec(10, "m", "surrey-docks", "adebayo", sen=EHCP, young_person=True),
        _child_spec(10, "f", "grove-vale", "camberwell", sen=EHCP),
        _child_spec(11, "m", "darent-vale", "grant", sen=SUPPORT),
        _child_spec(
            11,
            "f",
            "surrey-docks",
            "reid",
            legal=V2,
            uasc_language="Tigrinya",
            sw="sw2",
            temp_upn=True,
        ),
        _child_spec(9, "m", "surrey-docks", "camberwell", legal=C1, entered=_recent(12)),
        _child_spec(12, "m", "darent-vale", "grant", sw="sw2"),
        _child_spec(12, "f", "surrey-docks", "bermondsey", sen=SUPPORT, sw="sw2"),
        _child_spec(
            13,
            "m",
            "surrey-docks",
            "bermondsey",
            prev_home="camberwell",
            sen=EHCP,
            sw="sw2",
        ),
        _child_spec(7, "f", "surrey-docks", "rodriguez"),
    ),
}


# Names: (girls, boys, surnames, possible first languages other than English).
Names = tuple[str, ...]
BACKGROUNDS: dict[str, tuple[Names, Names, Names, Names]] = {
    "white_british": (
        (
            "Olivia",
            "Amelia",
            "Isla",
            "Ava",
            "Lily",
            "Freya",
            "Grace",
            "Evie",
            "Poppy",
            "Ruby",
            "Chloe",
            "Megan",
            "Jessica",
            "Leah",
            "Skye",
            "Demi",
            "Holly",
            "Kayla",
            "Jade",
            "Ellie",
        ),
        (
            "Oliver",
            "George",
            "Harry",
            "Jack",
            "Noah",
            "Leo",
            "Charlie",
            "Alfie",
            "Freddie",
            "Archie",
            "Riley",
            "Tyler",
            "Kai",
            "Mason",
            "Callum",
            "Ethan",
            "Reece",
            "Dylan",
            "Lewis",
            "Jamie",
        ),
        (
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Wilson",
            "Evans",
            "Roberts",
            "Walker",
            "Wright",
            "Hughes",
            "Edwards",
            "Green",
            "Hall",
            "Wood",
            "Harris",
            "Turner",
            "Hill",
            "Cooper",
            "Ward",
            "Morris",
            "Baker",
            "Fletcher",
            "Barlow",
            "Pearce",
        ),
        (),
    ),
    "irish": (
        ("Niamh", "Siobhan", "Ciara", "Aoife", "Erin", "Caitlin"),
        ("Liam", "Connor", "Sean", "Ciaran", "Declan", "Kieran"),
        ("Murphy", "O'Brien", "Doherty", "McCann", "Byrne", "Gallagher", "Quinn", "O'Neill"),
        (),
    ),
    "nigerian": (
        ("Chiamaka", "Adaeze", "Folake", "Precious", "Blessing", "Temitope", "Ifeoma"),
        ("Tobi", "Chidi", "Emeka", "Daniel", "Samuel", "Tunde", "Ayomide"),
        ("Okafor", "Adeyemi", "Okonkwo", "Adebayo", "Eze", "Balogun", "Nwachukwu"),
        (),
    ),
    "ghanaian": (
        ("Abena", "Ama", "Esi", "Akosua", "Efua"),
        ("Kwame", "Kofi", "Kwabena", "Yaw", "Nana"),
        ("Mensah", "Owusu", "Asante", "Boateng", "Appiah"),
        ("Twi",),
    ),
    "caribbean": (
        ("Shanice", "Aaliyah", "Tia", "Kiara", "Jada", "Naomi"),
        ("Marcus", "Jerome", "Andre", "Jaden", "Tyrese", "Malachi"),
        ("Campbell", "Francis", "Williams", "Bailey", "Reid", "Thompson", "Clarke", "Gordon"),
        (),
    ),
    "south_asian": (
        ("Amira", "Zainab", "Fatima", "Maryam", "Aisha", "Inaya"),
        ("Mohammed", "Yusuf", "Ibrahim", "Ayaan", "Zayn", "Hamza"),
        ("Ahmed", "Hussain", "Khan", "Ali", "Iqbal", "Rahman", "Chowdhury", "Mahmood"),
        ("Urdu", "Bengali"),
    ),
    "polish": (
        ("Zofia", "Oliwia", "Maja", "Lena", "Alicja"),
        ("Kacper", "Jakub", "Filip", "Szymon", "Mateusz"),
        ("Nowak", "Mazur", "Kaczmarek", "Sikora", "Krawczyk"),
        ("Polish",),
    ),
    "romanian": (
        ("Andreea", "Ioana", "Bianca", "Daria"),
        ("Andrei", "Stefan", "Ionut", "Darius"),
        ("Popescu", "Ionescu", "Munteanu", "Dumitru"),
        ("Romanian",),
    ),
    "nepali": (
        ("Anisha", "Srijana", "Prisha"),
        ("Bikash", "Sagar", "Aayush"),
        ("Gurung", "Rai", "Limbu", "Tamang"),
        ("Nepali",),
    ),
    "latin_american": (
        ("Valentina", "Camila", "Sofia"),
        ("Mateo", "Santiago", "Samuel"),
        ("Gomez", "Restrepo", "Gonzalez", "Castillo"),
        ("Spanish", "Portuguese"),
    ),
    "vietnamese": (
        ("Linh", "Thu", "Mai"),
        ("Minh", "Duc", "Bao"),
        ("Nguyen", "Tran", "Pham"),
        ("Vietnamese",),
    ),
    "turkish": (
        ("Elif", "Zeynep", "Ecem"),
        ("Emre", "Mert", "Kerem"),
        ("Demir", "Yilmaz", "Kaya"),
        ("Turkish",),
    ),
}

BACKGROUND_WEIGHTS = {
    "886": {
        "white_british": 11,
        "nigerian": 1,
        "ghanaian": 1,
        "caribbean": 1,
        "south_asian": 1,
        "polish": 2,
        "romanian": 1,
        "nepali": 1,
    },
    "343": {"white_british": 12, "irish": 5, "nigerian": 1, "south_asian": 1, "polish": 1},
    "210": {
        "white_british": 4,
        "irish": 1,
        "nigerian": 4,
        "ghanaian": 3,
        "caribbean": 5,
        "latin_american": 2,
        "south_asian": 1,
        "vietnamese": 1,
        "turkish": 1,
        "polish": 1,
    },
}

#: Unaccompanied asylum-seeking children: (girls, boys, surnames) by first language.
UASC_NAMES = {
    "Arabic": (
        ("Amna", "Salma"),
        ("Mohamed", "Osman", "Abdelrahman"),
        ("Abdalla", "Ibrahim", "Adam"),
    ),
    "Tigrinya": (
        ("Senait", "Yordanos", "Helen"),
        ("Yonas", "Filmon", "Merhawi"),
        ("Tesfay", "Gebremedhin", "Haile", "Berhane"),
    ),
    "Pashto": (("Marwa",), ("Rahmatullah", "Hamid", "Naveed"), ("Ahmadzai", "Stanikzai", "Safi")),
    "Kurdish": (("Shilan",), ("Rebwar", "Karwan", "Hemin"), ("Rasul", "Aziz", "Omar")),
}

PREFERRED = {
    "Jessica": "Jess",
    "Olivia": "Liv",
    "Chiamaka": "Chi",
    "Abdelrahman": "Abdul",
    "Rahmatullah": "Rahmat",
    "Mohammed": "Mo",
    "Jakub": "Kuba",
    "Samuel": "Sam",
    "Daniel": "Danny",
    "Alicja": "Ala",
    "Malachi": "Kai",
}


# ---------------------------------------------------------------------------------------------
# The plan (pure)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRecord:
    """A dated record: an enrolment (key = school key), placement (household key) or
    allocation (key = worker's email local part, with the kind)."""

    key: str
    start: date
    end: date | None = None
    kind: str = ""


@dataclass
class PlannedChild:
    la_code: str
    index: int
    spec: ChildSpec
    first_name: str
    last_name: str
    preferred_name: str
    gender: str
    date_of_birth: date
    upn: str
    uln: str
    entered_care_on: date
    legal_status: str
    sen_status: str
    ehcp_review_date: date | None
    is_uasc: bool
    first_language: str
    enrolments: list[PlannedRecord] = field(default_factory=list)
    placements: list[PlannedRecord] = field(default_factory=list)
    allocations: list[PlannedRecord] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"


@dataclass
class Plan:
    today: date
    children: list[PlannedChild]


def _between(rng: random.Random, lo: date, hi: date) -> date:
    """A day from lo to hi inclusive (lo if the range is empty)."""
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _school_day(year: int) -> date:
    """The first weekday on or after 3 September: the demo's first day of term."""
    day = date(year, 9, 3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def date_of_birth_for_year(rng: random.Random, nc_year: int, today: date) -> date:
    """A date of birth that puts the child in ``nc_year`` in today's academic year (and,
    for Year 13, still under 18 today where the calendar allows)."""
    start_year = stages.academic_year_start(today).year
    earliest = date(start_year - nc_year - 5, 9, 1)
    latest = date(start_year - nc_year - 4, 8, 31)
    if nc_year == stages.LAST_NC_YEAR:
        earliest = max(earliest, min(latest, _birthday(today, -18) + timedelta(days=1)))
    dob = _between(rng, earliest, latest)
    assert stages.national_curriculum_year(dob, today) == nc_year
    return dob


def _join_date(rng: random.Random, school: SchoolSpec, nc_year: int, today: date) -> date:
    """When a child now in ``nc_year`` would have joined ``school`` without moving school."""
    start_year = stages.academic_year_start(today).year
    if school.entry_year is None:
        years_back = rng.randint(0, max(0, min(3, nc_year + 1)))
    else:
        years_back = max(0, nc_year - school.entry_year)
    return min(_school_day(start_year - years_back), today)


def _entered_range(spec: ChildSpec, age_days: int) -> tuple[int, int]:
    if spec.entered:
        lo, hi = spec.entered
    else:
        lo, hi = {
            Legal.C1: (45, 240),
            Legal.E1: (400, 4 * 365),
            Legal.V2: (60, 540),
        }.get(spec.legal, (200, 8 * 365))
    if spec.prev_home or spec.prev_sw or spec.prev_school:
        lo = max(lo, 120)
    return lo, max(lo, min(hi, age_days - 30))


def demo_upn(code: str, index: int, spec: ChildSpec) -> str:
    """The child's UPN: a function of the spec alone (never of today or the random draws), so
    that it stays the natural key of the demo child whenever the command runs again.

    Positions 2-13: the authority's code; the establishment number of the first school the
    child attended in the authority (its main school if none); the year the number was
    allocated, counted from :data:`UPN_COHORT_YEAR` (the start of schooling, or arrival for
    a newly arrived child); a serial. A temporary UPN ends in a letter."""
    school_key = spec.prev_school or spec.school
    school = SCHOOL_BY_KEY[school_key] if school_key else None
    if school is None or school.la_code != code:
        school = SCHOOL_BY_KEY[MAIN_SCHOOL[code]]
    if spec.uasc_language or spec.temp_upn:
        year = UPN_COHORT_YEAR
    else:
        year = UPN_COHORT_YEAR - spec.year - (1 if school.entry_year == -1 else 0)
    body = f"{code}{school.estab}{min(year, UPN_COHORT_YEAR) % 100:02d}"
    if spec.temp_upn:
        body += f"{index:02d}{UPN_ALPHABET[index % len(UPN_ALPHABET)]}"
    else:
        body += f"{index:03d}"
    upn = upn_check_letter(body) + body
    assert is_valid_upn(upn), upn
    return upn


def _uln(rng: random.Random) -> str:
    while True:
        first9 = str(rng.randint(100_000_000, 999_999_999))
        check = uln_check_digit(first9)
        if check is not None:
            uln = f"{first9}{check}"
            assert is_valid_uln(uln)
            return uln


def _names(
    rng: random.Random,
    code: str,
    index: int,
    spec: ChildSpec,
    families: dict[str, tuple[str, str]],
    used: set[tuple[str, str]],
) -> tuple[str, str, str, str]:
    """(first name, last name, preferred name, first language) for one child."""
    first_language = "English"
    if spec.uasc_language:
        girls, boys, surnames = UASC_NAMES[spec.uasc_language]
        first_language = spec.uasc_language
        last_name = rng.choice(surnames)
    else:
        if spec.family and spec.family in families:
            background, last_name = families[spec.family]
        else:
            weights = BACKGROUND_WEIGHTS[code]
            background = rng.choices(list(weights), weights=list(weights.values()))[0]
            last_name = spec.surname or rng.choice(BACKGROUNDS[background][2])
            if spec.family:
                families[spec.family] = (background, last_name)
        girls, boys, _, languages = BACKGROUNDS[background]
        if languages and rng.random() < 0.4:
            first_language = rng.choice(languages)
    pool = girls if spec.sex == "f" else boys
    # First names are not repeated within an authority while the pool lasts, and no two
    # children share a full name (so siblings always differ).
    free = [n for n in pool if (n, last_name) not in used]
    fresh = [n for n in free if n not in {f for f, _ in used}]
    if not free:
        raise ValueError(f"{code} child {index}: no unused first name left")
    first_name = rng.choice(fresh or free)
    used.add((first_name, last_name))
    preferred = PREFERRED.get(first_name, "") if rng.random() < 0.6 else ""
    return first_name, last_name, preferred, first_language


def _placements(
    rng: random.Random, spec: ChildSpec, entered: date, today: date
) -> list[PlannedRecord]:
    if not spec.prev_home:
        return [PlannedRecord(spec.home, entered)]
    move = _between(rng, entered + timedelta(days=30), today - timedelta(days=14))
    if not entered < move <= today:
        raise ValueError("placement move dates do not fit")
    return [PlannedRecord(spec.prev_home, entered, move), PlannedRecord(spec.home, move)]


def _enrolments(
    rng: random.Random, spec: ChildSpec, entered: date, home_move: date | None, today: date
) -> list[PlannedRecord]:
    def joined(school: SchoolSpec) -> date:
        start = _join_date(rng, school, spec.year, today)
        if spec.uasc_language:
            # Newly arrived in the country: no school here before entering care.
            start = max(start, entered + timedelta(days=rng.randint(15, 45)))
        return min(start, today)

    current = SCHOOL_BY_KEY[spec.school] if spec.school else None
    if not spec.prev_school:
        return [PlannedRecord(current.key, joined(current))] if current else []
    prev = SCHOOL_BY_KEY[spec.prev_school]
    prev_start = joined(prev)
    earliest = max(entered + timedelta(days=14), prev_start + timedelta(days=60))
    if (
        current is not None
        and current.entry_year is not None
        and (prev.entry_year is None or prev.entry_year < current.entry_year)
    ):
        # Moved up a phase (primary to secondary, school to college).
        move = joined(current)
    elif home_move:
        # Changed school a few weeks after moving home.
        move = min(
            max(earliest, home_move + timedelta(days=rng.randint(5, 30))),
            today - timedelta(days=7),
        )
    elif current:
        # Moved school within a phase.
        move = _between(rng, earliest, today - timedelta(days=20))
    else:
        # Lost the place in the last few months and has none yet.
        move = _between(rng, max(earliest, today - timedelta(days=90)), today - timedelta(days=20))
    if not prev_start < move <= today:
        raise ValueError("school move dates do not fit")
    records = [PlannedRecord(prev.key, prev_start, move)]
    if current:
        records.append(PlannedRecord(current.key, move))
    return records


def _allocations(
    rng: random.Random, spec: ChildSpec, dob: date, entered: date, today: date
) -> list[PlannedRecord]:
    sw = Role.SOCIAL_WORKER
    if spec.prev_sw:
        if spec.sw != "sw":
            raise ValueError("a handover goes from sw2 to sw")
        handover = _between(rng, entered + timedelta(days=30), today - timedelta(days=7))
        records = [
            PlannedRecord("sw2", entered, handover, kind=sw),
            PlannedRecord(spec.sw, handover, kind=sw),
        ]
    else:
        records = [PlannedRecord(spec.sw, entered, kind=sw)]
    records.append(PlannedRecord("iro", entered, kind=Role.IRO))
    if spec.year >= 12:
        start = min(max(entered, _birthday(dob, 16)), today)
        records.append(PlannedRecord("pa", start, kind=Role.PERSONAL_ADVISER))
    return records


def _plan_child(
    rng: random.Random,
    code: str,
    index: int,
    spec: ChildSpec,
    today: date,
    families: dict[str, tuple[str, str]],
    used_names: set[tuple[str, str]],
) -> PlannedChild:
    if spec.home not in HOUSEHOLDS_BY_KEY[code] or (
        spec.prev_home and spec.prev_home not in HOUSEHOLDS_BY_KEY[code]
    ):
        raise ValueError("unknown household")
    first_name, last_name, preferred, language = _names(
        rng, code, index, spec, families, used_names
    )
    dob = date_of_birth_for_year(rng, spec.year, today)
    lo, hi = _entered_range(spec, (today - dob).days)
    entered = today - timedelta(days=rng.randint(lo, hi))
    placements = _placements(rng, spec, entered, today)
    home_move = placements[-1].start if spec.prev_home else None
    enrolments = _enrolments(rng, spec, entered, home_move, today)
    allocations = _allocations(rng, spec, dob, entered, today)

    upn = demo_upn(code, index, spec)
    uln = _uln(rng) if spec.year >= 12 else ""
    ehcp_review = today + timedelta(days=rng.randint(21, 330)) if spec.sen == EHCP else None
    return PlannedChild(
        la_code=code,
        index=index,
        spec=spec,
        first_name=first_name,
        last_name=last_name,
        preferred_name=preferred,
        gender=Child.Gender.FEMALE if spec.sex == "f" else Child.Gender.MALE,
        date_of_birth=dob,
        upn=upn,
        uln=uln,
        entered_care_on=entered,
        legal_status=spec.legal,
        sen_status=spec.sen,
        ehcp_review_date=ehcp_review,
        is_uasc=bool(spec.uasc_language),
        first_language=language,
        enrolments=enrolments,
        placements=placements,
        allocations=allocations,
    )


def build_plan(today: date, *, seed: int = SEED) -> Plan:
    """Work out every demo child and their history as of ``today``. Pure and deterministic:
    the same day and seed give the same children."""
    rng = random.Random(seed)
    children: list[PlannedChild] = []
    for authority in AUTHORITIES:
        families: dict[str, tuple[str, str]] = {}
        used_names: set[tuple[str, str]] = set()
        for index, spec in enumerate(CHILDREN[authority.code], start=1):
            try:
                children.append(
                    _plan_child(rng, authority.code, index, spec, today, families, used_names)
                )
            except ValueError as error:
                raise ValueError(f"Demo child {index} of {authority.name}: {error}") from error
    return Plan(today=today, children=children)


# ---------------------------------------------------------------------------------------------
# Users and sign-ins
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role | None  # None: the Django superuser
    la_code: str | None = None  # authority-bound roles
    school_urn: str | None = None  # designated teacher, school staff
    child_upn: str | None = None  # young person
    role_label: str = ""
    where: str = ""
    group: str = ""  # authority code the sign-in is listed under


def demo_users(plan: Plan) -> list[DemoUser]:
    """Every demo account with its one membership, in the order they are listed."""
    users: list[DemoUser] = []
    for authority in AUTHORITIES:
        code = authority.code
        main = SCHOOL_BY_KEY[MAIN_SCHOOL[code]]
        for role, local, name in STAFF[code]:
            email = f"{local}@{authority.domain}"
            if role in SCHOOL_ROLES:
                users.append(
                    DemoUser(
                        email,
                        name,
                        role,
                        school_urn=main.urn,
                        role_label=role.label,
                        where=main.name,
                        group=code,
                    )
                )
            else:
                users.append(
                    DemoUser(
                        email,
                        name,
                        role,
                        la_code=code,
                        role_label=role.label,
                        where=authority.name,
                        group=code,
                    )
                )
        for household in HOUSEHOLDS[code]:
            label = f"Carer ({CARER_KIND[household.placement_type]})"
            for carer in household.carers:
                users.append(
                    DemoUser(
                        carer.email,
                        carer.full_name,
                        Role.CARER,
                        la_code=code,
                        role_label=label,
                        where=authority.name,
                        group=code,
                    )
                )
        young = next(c for c in plan.children if c.la_code == code and c.spec.young_person)
        users.append(
            DemoUser(
                f"yp@{authority.domain}",
                young.display_name,
                Role.YOUNG_PERSON,
                la_code=code,
                child_upn=young.upn,
                role_label=Role.YOUNG_PERSON.label,
                where=f"{authority.name} (their own record)",
                group=code,
            )
        )
        for school in SCHOOLS:
            if school.la_code != code:
                continue
            where = school.name
            if school.urn == SHARED_SCHOOL_URN:
                where += " (Kent and Southwark children)"
            teachers = [school.designated_teacher]
            if school.urn == SHARED_SCHOOL_URN:
                teachers.append(Person(SHARED_DT2_EMAIL, SHARED_DT2_NAME))
            for teacher in teachers:
                users.append(
                    DemoUser(
                        teacher.email,
                        teacher.full_name,
                        Role.DESIGNATED_TEACHER,
                        school_urn=school.urn,
                        role_label=Role.DESIGNATED_TEACHER.label,
                        where=where,
                        group=code,
                    )
                )
    users.append(
        DemoUser(
            ADMIN_EMAIL,
            "Demo Administrator",
            None,
            role_label="Site administrator",
            where="Django admin (superuser)",
            group="",
        )
    )
    order = {code: i for i, code in enumerate(a.code for a in AUTHORITIES)}
    roles = {role: i for i, role in enumerate(ROLE_ORDER)}
    users.sort(key=lambda u: (order.get(u.group, 99), roles.get(u.role, 99)))
    return users


# ---------------------------------------------------------------------------------------------
# Writing (idempotent)
# ---------------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    today: date
    created: Counter
    totals: dict[str, int]
    terms: dict[str, list[str]]  # authority name -> academic years with terms
    sign_ins: list[DemoUser]
    #: authority name -> the years of ``terms`` the demo entered (ENTERED_TERMS_SOURCE)
    entered_terms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


#: How the demo marks term dates it entered itself (``SchoolTerm.source``): the years whose
#: published dates are not in the reference data, entered as each authority would.
ENTERED_TERMS_SOURCE = (
    "Entered by the authority (demo): the published dates are not in the reference data"
)
#: The usual pattern of six half terms (England, bank holidays outside the terms' ends).
ENTERED_TERMS: dict[str, tuple[tuple[date, date], ...]] = {
    "2026-27": (
        (date(2026, 9, 3), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 12, 18)),
        (date(2027, 1, 4), date(2027, 2, 12)),
        (date(2027, 2, 22), date(2027, 3, 25)),
        (date(2027, 4, 12), date(2027, 5, 28)),
        (date(2027, 6, 7), date(2027, 7, 21)),
    ),
    "2027-28": (
        (date(2027, 9, 2), date(2027, 10, 22)),
        (date(2027, 11, 1), date(2027, 12, 17)),
        (date(2028, 1, 4), date(2028, 2, 11)),
        (date(2028, 2, 21), date(2028, 3, 31)),
        (date(2028, 4, 18), date(2028, 5, 26)),
        (date(2028, 6, 5), date(2028, 7, 21)),
    ),
}
#: Kent numbers its six terms; the others name half terms.
TERM_NAMES = {
    "886": tuple(f"Term {n}" for n in range(1, 7)),
    None: ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"),
}


def term_years_wanted(today: date) -> list[str]:
    """The academic years every demo authority needs term dates for: the one containing
    ``today`` and, from June, the next (deadlines reach 20 school days ahead)."""
    years = [stages.academic_year_label(today)]
    if today.month in (6, 7, 8):
        years.append(stages.academic_year_label(today + timedelta(days=100)))
    return years


def read_term_dates(path: Path = TERM_DATES_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class _Passwords:
    """Hash the demo password once per run (PBKDF2 is deliberately slow, and every demo
    account shares the printed password anyway)."""

    def __init__(self) -> None:
        self._hash: str | None = None

    @property
    def hash(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def _ensure_authorities(created: Counter) -> dict[str, LocalAuthority]:
    result = {}
    for spec in AUTHORITIES:
        la = LocalAuthority.objects.filter(code=spec.code).first()
        if la is None:
            la = LocalAuthority(
                name=spec.name,
                code=spec.code,
                virtual_school_name=spec.virtual_school_name,
                first_pep_limit=spec.first_pep_limit,
                first_pep_unit=spec.first_pep_unit,
                review_cadence=spec.review_cadence,
                max_targets_per_term=spec.max_targets_per_term,
            )
            la.full_clean()
            la.save()
            created["authorities"] += 1
        result[spec.code] = la
    return result


def _ensure_schools(created: Counter) -> dict[str, School]:
    result = {}
    for spec in SCHOOLS:
        school = School.objects.filter(urn=spec.urn).first()
        if school is None:
            school = School(
                urn=spec.urn,
                name=spec.name,
                phase=spec.phase,
                type=spec.type,
                la_code=spec.la_code,
                postcode=spec.postcode,
            )
            school.full_clean()
            school.save()
            created["schools"] += 1
        result[spec.key] = school
    return result


def _ensure_user(email: str, full_name: str, passwords: _Passwords, created: Counter, **extra):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # The password is set only when the account is made: a changed one is kept.
        user = User.objects.create_user(email, password=None, full_name=full_name, **extra)
        user.password = passwords.hash
        user.save(update_fields=["password"])
        created["users"] += 1
    return user


def _ensure_terms(authorities: dict[str, LocalAuthority], created: Counter, today: date) -> None:
    for row in read_term_dates():
        la = authorities.get(row["la_code"])
        if la is None:
            continue
        if SchoolTerm.objects.filter(
            local_authority=la, academic_year=row["academic_year"], name=row["term_name"]
        ).exists():
            continue
        term = SchoolTerm(
            local_authority=la,
            academic_year=row["academic_year"],
            name=row["term_name"],
            start_date=date.fromisoformat(row["start_date"]),
            end_date=date.fromisoformat(row["end_date"]),
            source=row["source_ref"],
        )
        term.full_clean()
        term.save()
        created["terms"] += 1
    # Years the reference data does not reach: entered as each authority would, and marked.
    for la in authorities.values():
        names = TERM_NAMES.get(la.code, TERM_NAMES[None])
        for year in term_years_wanted(today):
            if year not in ENTERED_TERMS or la.terms.filter(academic_year=year).exists():
                continue
            for name, (start, end) in zip(names, ENTERED_TERMS[year], strict=True):
                term = SchoolTerm(
                    local_authority=la,
                    academic_year=year,
                    name=name,
                    start_date=start,
                    end_date=end,
                    source=ENTERED_TERMS_SOURCE,
                )
                term.full_clean()
                term.save()
                created["terms"] += 1


def _ensure_child(planned: PlannedChild, la: LocalAuthority, created: Counter) -> Child:
    child = Child.objects.filter(upn=planned.upn).first()
    if child is None:
        child = services.child_create(
            actor=None,
            local_authority=la,
            legal_first_name=planned.first_name,
            legal_last_name=planned.last_name,
            preferred_name=planned.preferred_name,
            date_of_birth=planned.date_of_birth,
            gender=planned.gender,
            upn=planned.upn,
            uln=planned.uln,
            entered_care_on=planned.entered_care_on,
            legal_status=planned.legal_status,
            sen_status=planned.sen_status,
            ehcp_review_date=planned.ehcp_review_date,
            is_uasc=planned.is_uasc,
            first_language=planned.first_language,
        )
        created["children"] += 1
    return child


def _ensure_history(
    planned: PlannedChild,
    child: Child,
    schools: dict[str, School],
    carers: dict[str, list],
    workers: dict[str, object],
    created: Counter,
) -> None:
    """Dated records, found by child with school / carers / worker and kind."""
    for record in planned.enrolments:
        school = schools[record.key]
        if not Enrolment.objects.filter(child=child, school=school).exists():
            services.enrolment_start(
                actor=None,
                child=child,
                school=school,
                start_date=record.start,
                end_date=record.end,
            )
            created["enrolments"] += 1
    for record in planned.placements:
        household = HOUSEHOLDS_BY_KEY[planned.la_code][record.key]
        people = carers[record.key]
        if not Placement.objects.filter(
            child=child, placement_type=household.placement_type, carer_links__user=people[0]
        ).exists():
            services.placement_start(
                actor=None,
                child=child,
                placement_type=household.placement_type,
                carers=people,
                start_date=record.start,
                end_date=record.end,
            )
            created["placements"] += 1
    for record in planned.allocations:
        worker = workers[record.key]
        if not Allocation.objects.filter(child=child, kind=record.kind, worker=worker).exists():
            services.allocation_start(
                actor=None,
                child=child,
                worker=worker,
                kind=record.kind,
                start_date=record.start,
                end_date=record.end,
            )
            created["allocations"] += 1


def _ensure_membership(user, created: Counter, **fields) -> Membership:
    membership = Membership.objects.filter(user=user, **fields).first()
    if membership is None:
        membership = Membership(user=user, **fields)
        membership.full_clean()
        membership.save()
        created["memberships"] += 1
    return membership


def _ensure_endorsements(membership: Membership, authority_ids: set[int], created: Counter):
    """A school role as the demo shows it: endorsed by the authority that added the
    person and by every other authority with children on roll at the school (as if each
    had said yes to the request)."""
    from epep.tenancy.models import SchoolRoleEndorsement

    for authority_id in sorted(authority_ids):
        endorsement, made = SchoolRoleEndorsement.objects.get_or_create(
            membership=membership,
            local_authority_id=authority_id,
            defaults={
                "user_id": membership.user_id,
                "school_id": membership.school_id,
                "role": membership.role,
                "state": SchoolRoleEndorsement.State.ENDORSED,
                "decided_at": timezone.now(),
                "requested_by_authority_id": None
                if authority_id == membership.local_authority_id
                else membership.local_authority_id,
            },
        )
        if not made and endorsement.state == SchoolRoleEndorsement.State.PENDING:
            # Asked when the children were enrolled: the demo authority said yes.
            endorsement.state = SchoolRoleEndorsement.State.ENDORSED
            endorsement.decided_at = timezone.now()
            endorsement.save(update_fields=["state", "decided_at"])
        created["endorsements"] += made


def seed_demo(*, today: date | None = None) -> SeedReport:
    """Create whatever part of the demo data is missing, in one transaction."""
    today = today or clock.today()
    plan = build_plan(today)
    users_wanted = demo_users(plan)
    created: Counter = Counter()
    passwords = _Passwords()
    with transaction.atomic():
        # No row-level security on authorities, schools and users.
        authorities = _ensure_authorities(created)
        schools = _ensure_schools(created)
        schools_by_urn = {s.urn: s for s in schools.values()}
        accounts = {
            u.email: _ensure_user(u.email, u.full_name, passwords, created)
            for u in users_wanted
            if u.role not in (None, Role.YOUNG_PERSON)
        }
        if not get_user_model().objects.filter(email__iexact=ADMIN_EMAIL).exists():
            _ensure_user(
                ADMIN_EMAIL,
                "Demo Administrator",
                passwords,
                created,
                is_staff=True,
                is_superuser=True,
            )

        # Everything below is tenant data.
        with all_authorities_context():
            _ensure_terms(authorities, created, today)
            children = {}
            for planned in plan.children:
                children[planned.upn] = _ensure_child(
                    planned, authorities[planned.la_code], created
                )
            for demo in users_wanted:
                if demo.role == Role.YOUNG_PERSON:
                    # Named after their own record as stored (made on an earlier day, perhaps).
                    name = children[demo.child_upn].display_name
                    accounts[demo.email] = _ensure_user(demo.email, name, passwords, created)
            school_memberships = []
            for demo in users_wanted:
                if demo.role is None:
                    continue
                school = schools_by_urn[demo.school_urn] if demo.school_urn else None
                # A school role is recorded by the authority the school stands in.
                la_code = school.la_code if demo.role in SCHOOL_ROLES else demo.la_code
                membership = _ensure_membership(
                    accounts[demo.email],
                    created,
                    role=demo.role,
                    local_authority=authorities[la_code],
                    school=school,
                    child=children[demo.child_upn] if demo.child_upn else None,
                )
                if demo.role in SCHOOL_ROLES:
                    school_memberships.append(membership)
            for authority in AUTHORITIES:
                carers = {
                    h.key: [accounts[p.email] for p in h.carers] for h in HOUSEHOLDS[authority.code]
                }
                workers = {
                    local: accounts[f"{local}@{authority.domain}"]
                    for local in ("sw", "sw2", "pa", "iro")
                }
                for planned in plan.children:
                    if planned.la_code == authority.code:
                        _ensure_history(
                            planned, children[planned.upn], schools, carers, workers, created
                        )

            for membership in school_memberships:
                on_roll = set(
                    Enrolment.objects.filter(
                        current_on(today), school_id=membership.school_id
                    ).values_list("local_authority_id", flat=True)
                )
                _ensure_endorsements(membership, on_roll | {membership.local_authority_id}, created)

            ids = [la.pk for la in authorities.values()]
            totals = {
                "authorities": LocalAuthority.objects.count(),
                "schools": School.objects.count(),
                "children": Child.objects.filter(local_authority_id__in=ids).count(),
                "enrolments": Enrolment.objects.filter(local_authority_id__in=ids).count(),
                "placements": Placement.objects.filter(local_authority_id__in=ids).count(),
                "allocations": Allocation.objects.filter(local_authority_id__in=ids).count(),
                "terms": SchoolTerm.objects.filter(local_authority_id__in=ids).count(),
                "users": get_user_model().objects.filter(email__iendswith=DEMO_DOMAIN).count(),
            }
            terms = {
                la.name: sorted(set(la.terms.values_list("academic_year", flat=True)))
                for la in authorities.values()
            }
            entered_terms = {
                la.name: sorted(
                    set(
                        la.terms.filter(source=ENTERED_TERMS_SOURCE).values_list(
                            "academic_year", flat=True
                        )
                    )
                )
                for la in authorities.values()
            }
    return SeedReport(
        today=today,
        created=created,
        totals=totals,
        terms=terms,
        entered_terms=entered_terms,
        sign_ins=users_wanted,
    )
