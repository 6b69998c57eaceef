"""manage.py seed_demo: fill the database with the demo authorities, schools and children."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from children.stages import academic_year_label
from demo import children as demo


class Command(BaseCommand):
    help = (
        "Seed demo data: Kent, Sefton and Southwark with their Virtual Schools, about 15 "
        "schools (one holding Kent and Southwark children), 60 children in care across every "
        "key stage, their schools, placements and workers, and a demo sign-in for every role "
        f"(password {demo.DEMO_PASSWORD}). Published term dates come from "
        "children/data/term-dates.csv (Kent and Sefton, earlier years); the current academic "
        "year (and the next, from June) is entered as each authority would, marked so in the "
        "term's source. "
        "Safe to run again: only what is missing is created."
    )

    def handle(self, *args, **options) -> None:
        from demo.peps import seed_demo_peps
        from epep.accounts.demo import DEMO_TOTP_SECRET, ensure_demo_mfa

        report = demo.seed_demo()
        peps = seed_demo_peps()
        ensure_demo_mfa()
        # The demo PEPs are written straight to the tables: work every child's deadlines
        # and in-tray tasks out again, once per authority, as the nightly job would.
        from deadlines.services import deadlines_refresh_all
        from epep.tenancy.models import LocalAuthority

        for authority_id in LocalAuthority.objects.values_list("pk", flat=True):
            deadlines_refresh_all(local_authority_id=authority_id)
        write = self.stdout.write

        write(
            f"Demo data as of {report.today:%d %B %Y} "
            f"(academic year {academic_year_label(report.today)})."
        )
        if report.created_anything:
            made = ", ".join(f"{n} {what}" for what, n in report.created.items() if n)
            write(self.style.SUCCESS(f"Created: {made}."))
        else:
            write("Nothing to create: the demo data was already there.")
        totals = report.totals
        write(
            f"In the database: {totals['authorities']} authorities, {totals['schools']} schools, "
            f"{totals['children']} children ({totals['enrolments']} enrolments, "
            f"{totals['placements']} placements, {totals['allocations']} allocations), "
            f"{totals['terms']} terms, {totals['users']} demo users."
        )
        write(
            f"Demo PEPs created now: {peps['finalised']} finalised last term, "
            f"{peps['in_progress']} in progress this term."
        )

        current_year = academic_year_label(report.today)
        for authority, years in report.terms.items():
            entered = report.entered_terms.get(authority, [])
            published = [y for y in years if y not in entered]
            if years:
                parts = []
                if published:
                    parts.append(f"{', '.join(published)} (published)")
                if entered:
                    parts.append(
                        f"{', '.join(entered)} (entered by the authority; the published "
                        "dates are not in the reference data)"
                    )
                write(f"Term dates, {authority}: {'; '.join(parts)}.")
            else:
                write(
                    self.style.WARNING(
                        f"Term dates, {authority}: none. Add them before relying on "
                        "school-day deadlines."
                    )
                )
        if not any(current_year in years for years in report.terms.values()):
            write(self.style.WARNING(f"No authority has term dates for {current_year} yet."))

        write("")
        write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD})")
        write(
            "Two-step sign-in: every demo account uses the authenticator key "
            f"{DEMO_TOTP_SECRET} (add it once to any authenticator app)."
        )
        rows = [(u.role_label, u.where, u.email) for u in report.sign_ins]
        headings = ("Role", "Where", "Email")
        widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(2)]
        write(f"{headings[0]:<{widths[0]}}  {headings[1]:<{widths[1]}}  {headings[2]}")
        write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 5}")
        for role, where, email in rows:
            write(f"{role:<{widths[0]}}  {where:<{widths[1]}}  {email}")
