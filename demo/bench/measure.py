"""The measurements of `make bench`, against the synthetic dataset (demo/synthetic) in its
own database: query counts per page for a user with few and with many children, the
deadline sweep (all children, then again with nothing changed), row-level security's cost
on the hottest list query, and the PEP PDF against WeasyPrint with an empty stylesheet."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from unittest import mock

import psycopg
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from children.models import Allocation, Child, Enrolment, current_on
from epep.accounts.models import User
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import Role
from peps.models import Pep

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT ", "RELEASE SAVEPOINT ")


@dataclass
class Who:
    user: User
    role: str
    children: int


def ready_for_work(user, roles) -> None:
    """Two-step sign-in set up and the default agreements accepted, as a real user has."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from epep.accounts.context import account_context
    from epep.accounts.models import AgreementAcceptance, UserAgreement

    with account_context(user_id=user.pk):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with authority_context(local_authority_ids=[], user_id=user.pk):
        for agreement in UserAgreement.objects.filter(
            local_authority__isnull=True, role__in=list(roles)
        ):
            AgreementAcceptance.objects.get_or_create(user=user, agreement=agreement)


def _social_worker(caseload: int, day) -> Who:
    user = User.objects.get(email__startswith=f"bench-sw-{caseload}-")
    with all_authorities_context():
        n = Allocation.objects.filter(current_on(day), worker=user, kind="social_worker").count()
    return Who(user, Role.SOCIAL_WORKER.value, n)


def _authority_officers(day) -> tuple[Who, Who]:
    """The Virtual School officers of the smallest and of the largest authority."""
    with all_authorities_context():
        sizes = (
            LocalAuthority.objects.annotate(
                n=Count("children", filter=Q(children__left_care_on=None))
            )
            .filter(n__gt=0)
            .order_by("n", "pk")
            .values_list("pk", "n")
        )
        sizes = list(sizes)
        out = []
        for la_id, n in (sizes[0], sizes[-1]):
            member = Membership.objects.filter(role=Role.VS_OFFICER, local_authority_id=la_id)
            out.append(Who(member.order_by("pk").first().user, Role.VS_OFFICER.value, n))
    return out[0], out[1]


def _teachers(day) -> tuple[Who, Who]:
    """Designated teachers of the school with fewest and with most children on roll."""
    with all_authorities_context():
        counts = list(
            Enrolment.objects.filter(current_on(day))
            .values("school_id")
            .annotate(n=Count("child"))
            .order_by("n", "school_id")
            .values_list("school_id", "n")
        )
        out = []
        for school_id, n in (counts[0], counts[-1]):
            member = Membership.objects.filter(role=Role.DESIGNATED_TEACHER, school_id=school_id)
            out.append(Who(member.order_by("pk").first().user, Role.DESIGNATED_TEACHER.value, n))
    return out[0], out[1]


def _a_child_and_pep(who: Who, day) -> tuple[str, str]:
    with all_authorities_context():
        child_id = (
            Allocation.objects.filter(
                current_on(day), worker=who.user, kind=who.role, child__peps__isnull=False
            )
            .order_by("child_id")
            .values_list("child_id", flat=True)
            .first()
        )
        child = Child.objects.get(pk=child_id)
        pep = Pep.objects.filter(child=child).order_by("-created_at").first()
    return str(child.public_id), str(pep.public_id)


def _count(client: Client, url: str) -> int:
    now = time.time()
    with mock.patch("time.time", return_value=now):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    # Statements, not transaction control (as the tests' query budgets count them).
    return sum(not q["sql"].startswith(TRANSACTION_CONTROL) for q in captured.captured_queries)


def page_plan(day) -> dict[str, tuple[Who, Who, str, str]]:
    """The pages measured: name -> (user with few children, user with many, their URLs)."""
    sw_small, sw_large = _social_worker(5, day), _social_worker(500, day)
    vs_small, vs_large = _authority_officers(day)
    dt_small, dt_large = _teachers(day)
    for who in (sw_small, sw_large, vs_small, vs_large, dt_small, dt_large):
        ready_for_work(who.user, [who.role])
    small_child, small_pep = _a_child_and_pep(sw_small, day)
    large_child, large_pep = _a_child_and_pep(sw_large, day)
    pages = {
        "social worker home (in-tray)": (sw_small, sw_large, "/caseload/", "/caseload/"),
        "child page": (
            sw_small,
            sw_large,
            f"/children/{small_child}/",
            f"/children/{large_child}/",
        ),
        "PEP page": (sw_small, sw_large, f"/peps/{small_pep}/", f"/peps/{large_pep}/"),
        "PEP history": (
            sw_small,
            sw_large,
            f"/children/{small_child}/peps/",
            f"/children/{large_child}/peps/",
        ),
        "Virtual School home (dashboard)": (
            vs_small,
            vs_large,
            "/virtual-school/",
            "/virtual-school/",
        ),
        "designated teacher home": (
            dt_small,
            dt_large,
            "/designated-teacher/",
            "/designated-teacher/",
        ),
        # Every section of the Virtual School Head's figures (reports/), this academic year.
        "Virtual School dashboard (reports)": (
            vs_small,
            vs_large,
            "/virtual-school/reports/",
            "/virtual-school/reports/",
        ),
        # The Virtual School's QA queue, in the admin.
        "QA queue": (
            vs_small,
            vs_large,
            "/admin/quality/qaqueueentry/",
            "/admin/quality/qaqueueentry/",
        ),
    }
    return pages


def queries(day) -> tuple[dict, dict]:
    """{page: {queries_small, queries_large}}, and who was measured."""
    pages = page_plan(day)
    out, who = {}, {}
    for name, (small, large, small_url, large_url) in pages.items():
        counts = []
        for person, url in ((small, small_url), (large, large_url)):
            client = Client()
            client.force_login(person.user)
            client.get(url)  # warms caches, records the session's activity
            counts.append(_count(client, url))
        out[name] = {"queries_small": counts[0], "queries_large": counts[1]}
        who[name] = {"children_small": small.children, "children_large": large.children}
    return out, who


def sweep(day, *, force: bool = True) -> dict:
    """Every child's deadlines worked out again (``force``; otherwise left to the caller,
    who has the figure of the first refresh after loading), then the weekly refresh with
    nothing changed, then the nightly one (only what the passing of time can change)."""
    from deadlines.services import deadlines_refresh, deadlines_refresh_all

    with all_authorities_context():
        groups: dict[int, list[int]] = {}
        for pk, la_id in Child.objects.filter(left_care_on=None).values_list(
            "pk", "local_authority_id"
        ):
            groups.setdefault(la_id, []).append(pk)
    started = time.monotonic()
    for la_id, ids in sorted(groups.items()):
        if force:
            deadlines_refresh(child_ids=ids, local_authority_id=la_id, today=day, force=True)
    forced = time.monotonic() - started
    started = time.monotonic()
    covered = sum(deadlines_refresh_all(local_authority_id=la, today=day) for la in groups)
    repeat = time.monotonic() - started
    started = time.monotonic()
    for la in groups:
        deadlines_refresh_all(local_authority_id=la, today=day, changed_only=True)
    nightly = time.monotonic() - started
    return {
        "children": covered,
        "seconds": round(forced, 2) if force else None,
        # The nightly refresh is the sweep as it runs: O(changes).
        "repeat_seconds": round(nightly, 2),
        "weekly_check_seconds": round(repeat, 2),
    }


def _explain_ms(
    conn, query: str, params, *, la_id: int | None, no_force: bool
) -> tuple[float, float, int]:
    """(planning, execution) milliseconds of ``query``, and the rows it returned."""
    with conn.transaction(force_rollback=True):
        if no_force:
            forced = conn.execute(
                "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relkind = 'r'"
            ).fetchall()
            for (table,) in forced:
                conn.execute(
                    sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(
                        sql.Identifier(table)
                    )
                )  # rolled back with the transaction
        if la_id is not None:
            conn.execute("SELECT set_config('app.la_ids', %s, true)", [str(la_id)])
        plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()[0][0]
    return plan["Planning Time"], plan["Execution Time"], plan["Plan"]["Actual Rows"]


def rls(*, app_url: str, owner_url: str, la_id: int, day, runs: int = 15) -> dict:
    """The Virtual School's children list of the large authority (children_for, as the
    officer's pages run it) as the application role in the authority's context, against
    the same statement as the table owner with row-level security off (in a transaction
    that is rolled back). Interleaved; the ratio of the medians."""
    from children.selectors import children_for
    from epep.tenancy.actor import acting_as

    officer = Membership.objects.filter(role=Role.VS_OFFICER, local_authority_id=la_id)
    with all_authorities_context():
        user = officer.order_by("pk").first().user
    with acting_as(user, Role.VS_OFFICER) as actor:
        query, params = children_for(actor=actor, day=day).query.sql_with_params()
    with psycopg.connect(app_url) as app, psycopg.connect(owner_url) as owner:
        with_rls, without = [], []
        for _ in range(runs):
            with_rls.append(_explain_ms(app, query, params, la_id=la_id, no_force=False))
            without.append(_explain_ms(owner, query, params, la_id=None, no_force=True))
    # Execution time: switching row-level security off (ALTER TABLE) makes the owner's
    # planning rebuild its catalogue caches each run, which is no part of the query's cost.
    a = statistics.median(e for _p, e, _n in with_rls)
    b = statistics.median(e for _p, e, _n in without)
    return {
        "ratio": round(a / b, 2),
        "app_ms": round(a, 2),
        "owner_ms": round(b, 2),
        "app_planning_ms": round(statistics.median(p for p, _e, _n in with_rls), 2),
        "owner_planning_ms": round(statistics.median(p for p, _e, _n in without), 2),
        "rows": [with_rls[0][2], without[0][2]],  # the same rows either way
    }


def pdf(*, la_id: int, runs: int = 7) -> dict:
    """A finalised PEP of the large authority: ``render_pep_pdf`` (HTML and PDF) against
    WeasyPrint rendering the same HTML with an empty stylesheet, interleaved."""
    import weasyprint

    from peps.pdf import (
        PDF_OPTIONS,
        STYLESHEET,
        build_pep_html,
        make_url_fetcher,
        render_pep_pdf,
    )

    with authority_context(local_authority_ids=[la_id]):
        pep = (
            Pep.objects.filter(status="finalised")
            .annotate(n=Count("targets"))
            .order_by("-n", "-finalised_at")
            .first()
        )
        html = build_pep_html(pep)
        render_pep_pdf(pep)  # loads fonts and the stylesheet once
        ours, bare = [], []
        for _ in range(runs):
            started = time.perf_counter()
            render_pep_pdf(pep)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            weasyprint.HTML(
                string=html,
                base_url=STYLESHEET.parent.as_uri() + "/",
                url_fetcher=make_url_fetcher(),
            ).write_pdf(stylesheets=[weasyprint.CSS(string="")], **PDF_OPTIONS)
            bare.append(time.perf_counter() - started)
    a, b = statistics.median(ours), statistics.median(bare)
    return {"median_s": round(a, 3), "ratio": round(a / b, 2), "bare_s": round(b, 3)}


def today():
    return clock.today()
