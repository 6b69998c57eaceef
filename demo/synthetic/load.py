"""The synthetic England: authorities with real LA codes and term dates, schools, children
in care with their histories, five academic years of termly PEPs, and the people who work
with them, planned from one seed (``random.Random``) and written with COPY
(:mod:`demo.synthetic.writer`).

Every child is in care today, on roll at a school (a nursery or college by age) and placed;
some are placed and at school in another authority's area, so many schools hold children
of several authorities. Children are spread over authorities by a skewed size (a few large
counties, many small boroughs). PEPs are written child by child in chunks, so memory does
not grow with the national scale."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from calendars.models import SchoolTerm
from children import stages
from children.models import (
    Allocation,
    CarePeriod,
    Child,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
)
from epep.accounts.models import User
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority, Membership, SchoolRoleEndorsement
from epep.tenancy.roles import Role
from funding.models import Category, PpLine, PpLineTarget
from peps import scales
from peps.models import AttainmentEntry, Pep, PepSection, Target, Transition
from peps.sections import VARIANT_SECTION_KEYS
from peps.variants import variant_for_year
from quality.models import QaReview

from .people import FIRST_NAMES, PLACES, SURNAMES
from .sections import VERSIONS, section_texts
from .writer import Writer

REFERENCE = Path(getattr(settings, "EPEP_REFERENCE_DIR", "/work/shared/reference"))
LA_CODES_CSV = REFERENCE / "la-codes-england-gias.csv"
TERM_DATES_CSV = REFERENCE / "term-dates.csv"
#: The large authority of SCALE=authority (Kent: its published term dates are in the data).
LARGE_AUTHORITY_CODE = "886"
#: Children written per transaction in the PEP phase.
CHUNK = 2000
#: Bench users: social workers with exactly these many children.
BENCH_CASELOADS = (5, 500)
PASSWORD = "synthetic-bench-password-not-secret"
EMAIL_DOMAIN = "synthetic.epep.invalid"


@dataclass(frozen=True)
class Scale:
    name: str
    authorities: int
    children: int
    schools: int
    #: children of the one large authority (the rest spread over the others)
    large_authority: int | None = None
    years: int = 5


SCALES = {
    "authority": Scale("authority", 153, 20_000, 5_500, large_authority=3_000),
    "national": Scale("national", 153, 84_000, 22_000),
}


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    digest: str = ""
    large_authority_id: int | None = None
    bench_users: dict[str, str] = field(default_factory=dict)


def _la_rows() -> list[tuple[str, str]]:
    with LA_CODES_CSV.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    return sorted((code.strip(), name.strip()) for name, code, _ons in rows if code.strip())


def _published_terms() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    with TERM_DATES_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out[row["la_code"]].append(row)
    return out


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _generated_terms(start_year: int, rng: random.Random) -> list[tuple[str, date, date]]:
    """Six half terms of a plausible English school year starting in ``start_year``."""
    shift = rng.choice((0, 0, 7))
    sept = _monday_on_or_after(date(start_year, 9, 1)) + timedelta(days=2)  # a Wednesday
    autumn_half = _monday_on_or_after(date(start_year, 10, 21)) + timedelta(days=shift)
    jan = _monday_on_or_after(date(start_year + 1, 1, 2))
    feb_half = _monday_on_or_after(date(start_year + 1, 2, 12))
    easter = _monday_on_or_after(date(start_year + 1, 3, 30))
    may_half = _monday_on_or_after(date(start_year + 1, 5, 25))
    return [
        ("Autumn 1", sept, autumn_half - timedelta(days=3)),
        ("Autumn 2", autumn_half + timedelta(days=7), date(start_year, 12, 19)),
        ("Spring 1", jan, feb_half - timedelta(days=3)),
        ("Spring 2", feb_half + timedelta(days=7), easter - timedelta(days=3)),
        ("Summer 1", easter + timedelta(days=14), may_half - timedelta(days=3)),
        ("Summer 2", may_half + timedelta(days=7), date(start_year + 1, 7, 22)),
    ]


def _sizes(scale: Scale, codes: list[str], rng: random.Random) -> list[int]:
    """Children per authority: skewed (log-normal), summing to ``scale.children``."""
    weights = [rng.lognormvariate(0, 0.75) for _ in codes]
    total = scale.children
    fixed = {}
    if scale.large_authority and LARGE_AUTHORITY_CODE in codes:
        fixed[codes.index(LARGE_AUTHORITY_CODE)] = min(scale.large_authority, total)
    rest = total - sum(fixed.values())
    free = [i for i in range(len(codes)) if i not in fixed]
    weight = sum(weights[i] for i in free) or 1
    sizes = [0] * len(codes)
    for i in free:
        sizes[i] = max(1, int(rest * weights[i] / weight))
    for i, n in fixed.items():
        sizes[i] = n
    # Rounding: give or take the last few children to the largest free authorities.
    diff = total - sum(sizes)
    order = sorted(free, key=lambda i: -sizes[i]) or list(fixed)
    k = 0
    while diff:
        i = order[k % len(order)]
        step = 1 if diff > 0 else -1
        if sizes[i] + step >= 1:
            sizes[i] += step
            diff -= step
        k += 1
    return sizes


def _upn(rng: random.Random, la_code: str, serial: int) -> str:
    from children.identifiers import upn_check_letter

    first12 = f"{la_code}{rng.randint(1000, 9999)}{serial % 100000:05d}"[:12]
    return upn_check_letter(first12) + first12


def _allocation(ours: dict, staff: dict, role: Role, start, end, rng) -> dict:
    pool = staff[role]
    worker = pool[rng.randrange(len(pool))]
    return {**ours, "worker": worker, "kind": role.value, "start_date": start, "end_date": end}


def _split(start: date, end: date, parts: int, rng: random.Random) -> list[date]:
    """``parts`` start dates: ``start`` then sorted days strictly inside (start, end)."""
    span = (end - start).days
    if parts <= 1 or span < parts * 30:
        return [start]
    cuts = sorted(rng.sample(range(15, span - 14), parts - 1))
    return [start, *(start + timedelta(days=c) for c in cuts)]


class _Plan:
    def __init__(self, *, scale: Scale, seed: int, today: date, dry: bool = False) -> None:
        self.scale = scale
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        loaded_at = timezone.make_aware(datetime.combine(today, time(6, 0)))
        self.loaded_at = loaded_at
        self.writer = Writer(rng=random.Random(seed + 1), loaded_at=loaded_at, dry=dry)
        self.password = make_password(PASSWORD, salt=f"synthetic{seed}")
        self.users: list[dict] = []
        self.memberships: list[dict] = []
        self.report = Report()

    # People -------------------------------------------------------------------------
    def _user(self, kind: str, la_code: str, n: int) -> int:
        rng = self.rng
        self.users.append(
            {
                "email": f"{kind}{n}.{la_code}@{EMAIL_DOMAIN}",
                "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "password": self.password,
                "date_joined": self.loaded_at,
            }
        )
        return len(self.users) - 1

    def _member(self, user: int, role: str, la: int, *, school=None, child=None) -> int:
        self.memberships.append(
            {"user": user, "role": role, "local_authority": la, "school": school, "child": child}
        )
        return len(self.memberships) - 1


def seed_synthetic(*, scale: Scale, seed: int, today: date, dry: bool = False) -> Report:
    """Plan and write the whole dataset into the current (empty) database. ``dry``: plan
    it and work out its digest without writing anything."""
    plan = _Plan(scale=scale, seed=seed, today=today, dry=dry)
    rng, w = plan.rng, plan.writer
    # Authorities --------------------------------------------------------------------
    all_las = _la_rows()
    if scale.large_authority:
        large = [r for r in all_las if r[0] == LARGE_AUTHORITY_CODE]
        others = [r for r in all_las if r[0] != LARGE_AUTHORITY_CODE]
        chosen = large + rng.sample(others, min(scale.authorities - 1, len(others)))
    else:
        chosen = rng.sample(all_las, min(scale.authorities, len(all_las)))
    chosen.sort()
    codes = [c for c, _ in chosen]
    sizes = _sizes(scale, codes, rng)
    with transaction.atomic():
        w.write(
            LocalAuthority,
            [
                {
                    "name": name,
                    "code": code,
                    "virtual_school_name": f"{name} Virtual School",
                    "first_pep_limit": rng.choice((10, 10, 20)),
                }
                for code, name in chosen
            ],
            keep_ids=True,
        )
    la_ids = w.ids[LocalAuthority]
    if LARGE_AUTHORITY_CODE in codes:
        plan.report.large_authority_id = la_ids[codes.index(LARGE_AUTHORITY_CODE)]

    # Schools: in each authority's area, in proportion to its children ----------------
    school_rows: list[dict] = []
    by_la_phase: dict[tuple[int, str], list[int]] = defaultdict(list)
    total_children = sum(sizes)
    kinds = (
        [("primary", "community", "Primary School")] * 70
        + [("primary", "academy", "Primary Academy")] * 8
        + [("secondary", "academy", "Academy")] * 9
        + [("secondary", "foundation", "High School")] * 3
        + [("not_applicable", "special", "Special School")] * 4
        + [("not_applicable", "alternative_provision", "Learning Centre")] * 2
        + [("16_plus", "further_education", "College")] * 2
        + [("nursery", "nursery", "Nursery")] * 2
    )
    urn = 100000
    for la, (code, size) in enumerate(zip(codes, sizes, strict=True)):
        n = max(6, round(scale.schools * size / total_children))
        forced = ["primary", "secondary", "16_plus", "nursery"]
        for i in range(n):
            phase, kind, suffix = rng.choice(kinds)
            if i < len(forced):  # every area has each phase at least once
                phase, kind, suffix = next(k for k in kinds if k[0] == forced[i])
            urn += rng.randint(1, 3)
            by_la_phase[(la, phase)].append(len(school_rows))
            school_rows.append(
                {
                    "urn": str(urn),
                    "name": f"{rng.choice(PLACES)} {rng.choice(PLACES)} {suffix}",
                    "phase": phase,
                    "type": kind,
                    "la_code": code,
                    "postcode": f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}ZZ",
                    "opened_on": date(1960 + rng.randint(0, 60), 9, 1),
                }
            )
    with transaction.atomic():
        w.write(School, school_rows, keep_ids=True)

    # Staff of every authority ---------------------------------------------------------
    staff: dict[int, dict[str, list[int]]] = {}
    for la, (code, size) in enumerate(zip(codes, sizes, strict=True)):
        people: dict[str, list[int]] = {}
        for role, count in (
            (Role.VS_HEAD, 1),
            (Role.VS_OFFICER, max(1, size // 150)),
            (Role.LA_ADMIN, 1),
            (Role.SOCIAL_WORKER, max(1, size // 15)),
            (Role.IRO, max(1, size // 60)),
            (Role.PERSONAL_ADVISER, max(1, size // 40)),
        ):
            people[role] = []
            for n in range(count):
                user = plan._user(role.value.replace("_", "-"), code, n + 1)
                plan._member(user, role, la)
                people[role].append(user)
        staff[la] = people
    bench: dict[int, int] = {}
    if plan.report.large_authority_id is not None:
        la = codes.index(LARGE_AUTHORITY_CODE)
        for caseload in BENCH_CASELOADS:
            user = plan._user(f"bench-sw-{caseload}-", LARGE_AUTHORITY_CODE, 1)
            plan._member(user, Role.SOCIAL_WORKER, la)
            bench[caseload] = user
            plan.report.bench_users[f"social_worker_{caseload}"] = plan.users[user]["email"]

    # Children and their histories -----------------------------------------------------
    year_start = stages.academic_year_start(today)
    first_day = date(year_start.year - scale.years + 1, 9, 1)
    children: list[dict] = []
    care: list[dict] = []
    enrolments: list[dict] = []
    placements: list[dict] = []
    allocations: list[dict] = []
    carer_links: list[tuple[int, int]] = []  # (placement, user)
    on_roll: dict[int, set[int]] = defaultdict(set)  # school -> authorities (current)
    school_first_la: dict[int, int] = {}
    nc_weights = [2, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 10, 8]  # years -1..13
    serial = 0
    enrolment_of: list[list[tuple[date, date | None, int]]] = []
    for la, (code, size) in enumerate(zip(codes, sizes, strict=True)):
        for _ in range(size):
            serial += 1
            child = len(children)
            nc_year = rng.choices(range(-1, 14), weights=nc_weights)[0]
            cohort = year_start.year - (nc_year + 5)  # born Sep cohort .. Aug cohort+1
            dob = date(cohort, 9, 1) + timedelta(days=rng.randint(0, 364))
            earliest = max(dob + timedelta(days=30), date(today.year - 8, 1, 1))
            span = (today - timedelta(days=20) - earliest).days
            entered = earliest + timedelta(days=int(span * rng.random() ** 0.6))
            gender = rng.choice(("male", "female", "male", "female", "other"))
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(SURNAMES)
            children.append(
                {
                    "local_authority": la,
                    "legal_first_name": first,
                    "legal_last_name": last,
                    "preferred_name": first if rng.random() < 0.9 else first[:3],
                    "date_of_birth": dob,
                    "gender": gender,
                    "upn": _upn(rng, code, serial),
                    "entered_care_on": entered,
                    "legal_status": rng.choice(("C2", "C2", "C2", "V2", "J2", "E1")),
                    "sen_status": rng.choices(("none", "sen_support", "ehcp"), (55, 28, 17))[0],
                    "is_uasc": nc_year >= 9 and rng.random() < 0.12,
                    "la_child_id": f"{code}-{serial:06d}",
                }
            )
            # An earlier period of care, for some.
            if rng.random() < 0.1 and (entered - dob).days > 800:
                start = dob + timedelta(days=rng.randint(200, (entered - dob).days - 400))
                end = start + timedelta(days=rng.randint(60, 300))
                if end < entered:
                    care.append(
                        {
                            "local_authority": la,
                            "child": child,
                            "started_on": start,
                            "ended_on": end,
                            "reason_ended": "E4A",
                        }
                    )
            care.append({"local_authority": la, "child": child, "started_on": entered})
            # Schools: mostly in the authority's area, some placed out of authority.
            away = rng.random() < 0.2 and len(codes) > 1
            area = rng.randrange(len(codes)) if away else la
            if away and area == la:
                area = (la + 1) % len(codes)
            # Enrolments: from before care began (or from nursery), one or more schools.
            history_start = max(
                entered - timedelta(days=rng.randint(0, 300)), dob + timedelta(days=3 * 365)
            )
            history_start = min(history_start, today - timedelta(days=5))
            moves = _split(history_start, today, rng.choice((1, 1, 1, 2, 2, 3)), rng)
            own = []
            for k, start in enumerate(moves):
                end = moves[k + 1] if k + 1 < len(moves) else None
                on = end - timedelta(days=1) if end else today
                year = stages.national_curriculum_year(dob, on)
                phase = (
                    "nursery"
                    if year < 0
                    else "primary"
                    if year <= 6
                    else "secondary"
                    if year <= 11
                    else "16_plus"
                )
                if end is None and year <= 11 and (entered - dob).days > 0 and rng.random() < 0.06:
                    phase = "not_applicable"
                where = area if (end is None or rng.random() < 0.7) else la
                pool = by_la_phase.get((where, phase)) or by_la_phase[(where, "primary")]
                school = pool[rng.randrange(len(pool))] if rng.random() < 0.7 else pool[0]
                enrolments.append(
                    {
                        "local_authority": la,
                        "child": child,
                        "school": school,
                        "start_date": start,
                        "end_date": end,
                    }
                )
                own.append((start, end, school))
                if end is None:
                    on_roll[school].add(la)
                    school_first_la.setdefault(school, la)
            enrolment_of.append(own)
            # Placements since entering care.
            kinds_ = ("foster", "foster", "foster", "kinship", "residential", "supported")
            starts = _split(entered, today, rng.choice((1, 1, 2, 2, 3, 4)), rng)
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else None
                kind = rng.choice(kinds_ if nc_year >= 11 else kinds_[:5])
                placements.append(
                    {
                        "local_authority": la,
                        "child": child,
                        "placement_type": kind,
                        "start_date": start,
                        "end_date": end,
                        "placement_postcode": school_rows[own[-1][2]]["postcode"],
                    }
                )
                if end is None and kind in ("foster", "kinship") and rng.random() < 0.6:
                    carer = plan._user("carer", code, len(placements))
                    plan._member(carer, Role.CARER, la)
                    carer_links.append((len(placements) - 1, carer))

            # Allocations: social workers change; one IRO; a personal adviser from 16.
            ours = {"local_authority": la, "child": child}
            starts = _split(entered, today, rng.choice((1, 2, 3)), rng)
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else None
                allocations.append(
                    _allocation(ours, staff[la], Role.SOCIAL_WORKER, start, end, rng)
                )
            allocations.append(_allocation(ours, staff[la], Role.IRO, entered, None, rng))
            if nc_year >= 11:
                start = max(entered, today - timedelta(days=200))
                allocations.append(
                    _allocation(ours, staff[la], Role.PERSONAL_ADVISER, start, None, rng)
                )
            if nc_year >= 8 and rng.random() < 0.08:
                young = plan._user("young-person", code, child)
                plan._member(young, Role.YOUNG_PERSON, la, child=child)
    # The bench social workers take over the current allocation of that many children.
    if bench:
        la = codes.index(LARGE_AUTHORITY_CODE)
        theirs = [c for c, row in enumerate(children) if row["local_authority"] == la]
        current = {
            a["child"]: a
            for a in allocations
            if a["kind"] == Role.SOCIAL_WORKER.value and a["end_date"] is None
        }
        offset = 0
        for caseload, user in sorted(bench.items()):
            for c in theirs[offset : offset + caseload]:
                current[c]["worker"] = user
            offset += caseload

    # Designated teachers at every school with children on roll, endorsed by every
    # authority with children there.
    dt_members: list[tuple[int, int, int, int]] = []  # membership, user, school, adding LA
    for school in sorted(on_roll):
        la = school_first_la[school]
        user = plan._user("designated-teacher", school_rows[school]["urn"], 1)
        member = plan._member(user, Role.DESIGNATED_TEACHER, la, school=school)
        dt_members.append((member, user, school, la))

    with transaction.atomic():
        w.write(User, plan.users, keep_ids=True)
    with authority_context(local_authority_ids=la_ids):
        w.write(SchoolTerm, list(_term_rows(codes, scale, today, rng)))
        w.write(Child, children, keep_ids=True)
        w.write(CarePeriod, care)
        w.write(Enrolment, enrolments)
        w.write(Placement, placements, keep_ids=True)
        w.write(Allocation, allocations)
        w.write(Membership, plan.memberships, keep_ids=True)
        w.write(
            PlacementCarer,
            [
                {"local_authority": placements[p]["local_authority"], "placement": p, "user": u}
                for p, u in carer_links
            ],
        )
        w.write(
            SchoolRoleEndorsement,
            [
                {
                    "local_authority": la,
                    "membership": member,
                    "user": user,
                    "school": school,
                    "role": Role.DESIGNATED_TEACHER.value,
                    "state": SchoolRoleEndorsement.State.ENDORSED.value,
                    "requested_by_authority": None if la == adding else adding,
                    "decided_at": plan.loaded_at,
                }
                for member, user, school, adding in dt_members
                for la in sorted(on_roll[school])
            ],
        )

    # PEPs, child by child in chunks ------------------------------------------------------
    texts = section_texts(random.Random(seed + 2), today)
    dt_of_school = {school: user for _m, user, school, _la in dt_members}
    years = [
        stages.academic_year_label(date(first_day.year + k, 10, 1)) for k in range(scale.years)
    ]
    for start in range(0, len(children), CHUNK):
        _write_peps(
            plan,
            children=children,
            first=start,
            last=min(start + CHUNK, len(children)),
            enrolment_of=enrolment_of,
            staff=staff,
            dt_of_school=dt_of_school,
            texts=texts,
            years=years,
            la_ids=la_ids,
        )
    plan.report.counts = dict(w.counts)
    plan.report.digest = w.digest
    return plan.report


def _term_rows(codes, scale: Scale, today: date, rng: random.Random):
    published = _published_terms()
    first = stages.academic_year_start(today).year - scale.years + 1
    for la, code in enumerate(codes):
        rows = published.get(code, [])
        have = {r["academic_year"] for r in rows}
        for r in rows:
            yield {
                "local_authority": la,
                "academic_year": r["academic_year"],
                "name": r["term_name"],
                "start_date": date.fromisoformat(r["start_date"]),
                "end_date": date.fromisoformat(r["end_date"]),
                "source": r["source_ref"],
            }
        for year in range(first, first + scale.years + 1):
            label = f"{year}-{(year + 1) % 100:02d}"
            if label in have:
                continue
            for name, start, end in _generated_terms(year, rng):
                yield {
                    "local_authority": la,
                    "academic_year": label,
                    "name": name,
                    "start_date": start,
                    "end_date": end,
                    "source": "Synthetic (benchmark dataset)",
                }


TERM_MEETING_MONTH = {"autumn": (10, 0), "spring": (2, 1), "summer": (6, 1)}
OPEN_STATUSES = (
    ("draft", 30),
    ("meeting_held", 10),
    ("submitted", 15),
    ("approved", 10),
    ("finalised", 35),
)
PATH = ("draft", "meeting_held", "submitted", "approved", "finalised")


def _write_peps(
    plan: _Plan,
    *,
    children,
    first,
    last,
    enrolment_of,
    staff,
    dt_of_school,
    texts,
    years,
    la_ids,
) -> None:
    w, today = plan.writer, plan.today
    peps: list[dict] = []
    extras: list[tuple[int, str, int, date]] = []  # pep position, status, author, meeting
    for c in range(first, last):
        row = children[c]
        rng = random.Random(f"{plan.seed}:{c}")
        la = row["local_authority"]
        sws = staff[la][Role.SOCIAL_WORKER]
        previous = None
        for year in years:
            start_year = int(year[:4])
            for term in ("autumn", "spring", "summer"):
                month, plus = TERM_MEETING_MONTH[term]
                meeting = date(start_year + plus, month, rng.randint(3, 26))
                if meeting < row["entered_care_on"] + timedelta(days=10) or meeting > today:
                    continue
                nc_year = stages.national_curriculum_year(row["date_of_birth"], meeting)
                if not -1 <= nc_year <= 13:
                    continue
                stage = stages.key_stage(nc_year)
                status = "finalised"
                school = next(
                    (
                        s
                        for s0, e, s in enrolment_of[c]
                        if s0 <= meeting and (e is None or e > meeting)
                    ),
                    enrolment_of[c][0][2],
                )
                author = sws[rng.randrange(len(sws))]
                finalised = timezone.make_aware(
                    datetime.combine(min(meeting + timedelta(days=14), today), time(15, 0))
                )
                peps.append(
                    {
                        "local_authority": la,
                        "child": c,
                        "academic_year": year,
                        "term": term,
                        "kind": "initial" if previous is None else "termly",
                        "variant": variant_for_year(nc_year),
                        "school": school,
                        "year_group": nc_year,
                        "key_stage": stage,
                        "meeting_date": meeting,
                        "status": status,
                        "previous": previous,
                        "created_by": author,
                        "created_at": finalised - timedelta(days=34),
                        "submitted_at": finalised - timedelta(days=7),
                        "finalised_at": finalised,
                    }
                )
                previous_index = len(peps) - 1
                extras.append((previous_index, status, author, meeting))
                previous = ("chunk", previous_index)
        # Only the child's latest PEP may be in progress (one open PEP per child).
        if previous is not None and extras[-1][3] + timedelta(days=120) > today:
            status = rng.choices([s for s, _ in OPEN_STATUSES], [n for _, n in OPEN_STATUSES])[0]
            position, _old, author, meeting = extras[-1]
            extras[-1] = (position, status, author, meeting)
            pep = peps[position]
            pep["status"] = status
            if status == "draft":
                pep["meeting_date"] = None
            if PATH.index(status) < 2:
                pep["submitted_at"] = None
            if status != "finalised":
                pep["finalised_at"] = None
    # Previous PEPs are positions within this chunk: ids are known once allocated.
    with authority_context(local_authority_ids=la_ids):
        base = len(w.ids.get(Pep, []))
        for p in peps:
            if p["previous"] is not None:
                p["previous"] = base + p["previous"][1]
        w.write(Pep, peps, keep_ids=True)
        sections, attainment, targets, transitions = [], [], [], []
        for position, status, author, meeting in extras:
            pep = peps[position]
            rng = random.Random(f"{plan.seed}:pep:{base + position}")
            done = PATH.index(status)
            teacher = dt_of_school.get(pep["school"], author)
            written = pep["created_at"] + timedelta(days=5)
            for i, key in enumerate(VARIANT_SECTION_KEYS[pep["variant"]]):
                filled = done >= 1 or rng.random() < 0.5
                sections.append(
                    {
                        "local_authority": pep["local_authority"],
                        "pep": base + position,
                        "key": key,
                        "data": texts[key][rng.randrange(VERSIONS)] if filled else "{}",
                        "version": 1 if filled else 0,
                        "updated_at": written + timedelta(hours=i * 5) if filled else None,
                        "updated_by": (author if key.endswith("views") else teacher)
                        if filled
                        else None,
                    }
                )
            scale = [v for v, _ in scales.SCALES.get(pep["key_stage"], ())]
            for i, subject in enumerate(scales.default_subjects(pep["key_stage"])):
                attainment.append(
                    {
                        "local_authority": pep["local_authority"],
                        "pep": base + position,
                        "subject": subject,
                        "baseline": rng.choice(scale) if scale else "",
                        "current": (rng.choice(scale) if scale else "") if done >= 1 else "",
                        "target": scale[0] if scale else "",
                        "position": i,
                    }
                )
            for i in range(rng.choice((1, 2, 2, 3))):
                reviewed = status == "finalised" and not (
                    pep["finalised_at"] and pep["finalised_at"].date() + timedelta(days=120) > today
                )
                targets.append(
                    {
                        "local_authority": pep["local_authority"],
                        "pep": base + position,
                        "description": rng.choice(
                            (
                                "Read a chapter book independently",
                                "Join one after-school club",
                                "Attend every lesson on time",
                                "Learn times tables to 12",
                                "Complete a work experience week",
                            )
                        ),
                        "success_measure": "Checked at the next PEP meeting",
                        "responsible": "Designated teacher",
                        "due_date": meeting + timedelta(days=70 + i),
                        "strategy": "Weekly check-in with the key adult",
                        "expected_outcome": "More confidence in class",
                        "ppplus_cost_pence": rng.choice((None, None, 25000, 45000, 60000)),
                        "outcome": rng.choice(("achieved", "partly", "not_achieved"))
                        if reviewed
                        else "",
                        "outcome_comment": "Reviewed at the next PEP meeting." if reviewed else "",
                        "created_at": pep["created_at"],
                    }
                )
            officers = staff[pep["local_authority"]][Role.VS_OFFICER]
            officer = officers[rng.randrange(len(officers))]
            for k in range(done):
                vs = k >= 2
                transitions.append(
                    {
                        "local_authority": pep["local_authority"],
                        "pep": base + position,
                        "from_status": PATH[k],
                        "to_status": PATH[k + 1],
                        "by": officer if vs else author,
                        "role": "vs_officer" if vs else "social_worker",
                        "at": pep["created_at"] + timedelta(days=20 + 3 * k),
                    }
                )
        w.write(PepSection, sections)
        w.write(AttainmentEntry, attainment)
        target_base = len(w.ids.get(Target, []))
        w.write(Target, targets, keep_ids=True)
        w.write(Transition, transitions)
        lines, links, reviews = _funding_and_quality(
            plan, peps=peps, base=base, targets=targets, target_base=target_base, staff=staff
        )
        w.write(PpLine, lines, keep_ids=True)
        w.write(PpLineTarget, links)
        w.write(QaReview, reviews)


def _funding_and_quality(plan: _Plan, *, peps, base, targets, target_base, staff):
    """PP+ lines for the targets that carry a cost (approved once the PEP is finalised,
    waiting otherwise), and QA: a completed review of every PEP finalised in the last
    year, an assigned one for every PEP submitted now (the QA queue)."""
    today = plan.today
    line_base = len(plan.writer.ids.get(PpLine, []))
    lines, links, reviews = [], [], []
    categories = [c.value for c in Category]
    for t, target in enumerate(targets):
        cost = target["ppplus_cost_pence"]
        pep = peps[target["pep"] - base]
        if not cost:
            continue
        rng = random.Random(f"{plan.seed}:line:{target_base + t}")
        officers = staff[pep["local_authority"]][Role.VS_OFFICER]
        officer = officers[rng.randrange(len(officers))]
        requested = pep["created_at"] + timedelta(days=15)
        decided = pep["status"] == "finalised"
        meeting = pep["meeting_date"] or requested.date()
        lines.append(
            {
                "local_authority": pep["local_authority"],
                "pep": target["pep"],
                "child": pep["child"],
                "school": pep["school"],
                "financial_year": meeting.year if meeting.month >= 4 else meeting.year - 1,
                "academic_year": pep["academic_year"],
                "term": pep["term"],
                "what": target["description"],
                "provider": "School",
                "category": categories[rng.randrange(len(categories))],
                "amount_pence": cost,
                "approved_pence": cost if decided else None,
                "status": "approved" if decided else "requested",
                "decided_by": officer if decided else None,
                "decided_at": pep["finalised_at"] if decided else None,
                "requested_by": pep["created_by"],
                "requested_at": requested,
            }
        )
        links.append(
            {
                "local_authority": pep["local_authority"],
                "line": line_base + len(lines) - 1,
                "target": target_base + t,
            }
        )
    for position, pep in enumerate(peps):
        recent = pep["finalised_at"] and pep["finalised_at"].date() > today - timedelta(days=365)
        if not (recent or pep["status"] == "submitted"):
            continue
        rng = random.Random(f"{plan.seed}:qa:{base + position}")
        officers = staff[pep["local_authority"]][Role.VS_OFFICER]
        submitted = pep["submitted_at"]
        done = pep["status"] != "submitted"
        reviews.append(
            {
                "local_authority": pep["local_authority"],
                "pep": base + position,
                "submitted_at": submitted,
                "officer": officers[rng.randrange(len(officers))],
                "assigned_at": submitted + timedelta(hours=4),
                "status": "completed" if done else "assigned",
                "started_at": submitted + timedelta(days=1) if done else None,
                "outcome": "approved" if done else "",
                "summary": "A clear plan with SMART targets." if done else "",
                "completed_at": submitted + timedelta(days=2) if done else None,
            }
        )
    return lines, links, reviews


def refresh_deadlines(*, today: date) -> int:
    """Work out every child's deadlines and in-tray tasks, authority by authority (the
    deadlines' own bulk refresh). Returns how many children it covered."""
    from deadlines.services import deadlines_refresh_all

    covered = 0
    for la_id in LocalAuthority.objects.order_by("pk").values_list("pk", flat=True):
        covered += deadlines_refresh_all(local_authority_id=la_id, today=today)
    return covered
