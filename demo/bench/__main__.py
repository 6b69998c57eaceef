"""python -m demo.bench: run the benchmark's measurements against the synthetic dataset's
database (DATABASE_URL and DATABASE_OWNER_URL name it; scripts/bench.sh sets them), write
.local/bench/results.json and print a table with pass or fail per goal."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

#: The goals of issue 16 (a benchmark, not a test: reported, never asserted).
QUERY_BUDGET = 15
PDF_RATIO, PDF_SECONDS = 1.5, 1.0
SWEEP_SECONDS, REPEAT_SHARE = 60, 0.1
RLS_RATIO = 1.2
LOAD_RATIO = 3


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.bench")
    import django

    django.setup()
    from django.db import connection

    from demo.bench import measure
    from demo.synthetic import database

    name = connection.settings_dict["NAME"]
    held = database.marker_at(os.environ["DATABASE_OWNER_URL"])
    if held is None:
        print(f"{name} holds no synthetic dataset: run seed_synthetic first.", file=sys.stderr)
        return 2
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))

    def wanted(part: str) -> bool:
        return not only or part in only

    day = measure.today()
    counts = held["counts"]
    results: dict = {
        "scale": held["scale"],
        "seed": held["seed"],
        "dataset": {
            "authorities": counts.get("tenancy.LocalAuthority"),
            "children": counts.get("children.Child"),
            "schools": counts.get("children.School"),
            "peps": counts.get("peps.Pep"),
        },
    }
    large = held["details"].get("large_authority_id")
    la_id = large or _largest_authority()
    if wanted("queries"):
        pages, who = measure.queries(day)
        results["pages"] = pages
        results["queries_measured_with"] = who
    if wanted("load"):
        from demo.bench import load

        plan = measure.page_plan(day)
        targets = {"bare": (plan["child page"][1].user, "/bench/bare/")}
        targets.update({name: (large.user, url) for name, (_s, large, _u, url) in plan.items()})
        measured, web_mb = load.run(
            targets,
            users=int(os.environ.get("BENCH_USERS", "50")),
            seconds=float(os.environ.get("BENCH_SECONDS", "10")),
            workers=int(os.environ.get("BENCH_WORKERS", "2")),
        )
        results["bare"] = {k: measured["bare"][k] for k in ("p50_ms", "p95_ms")}
        bare_p95 = measured["bare"]["p95_ms"] or 0
        for name, m in measured.items():
            if name == "bare":
                continue
            page = results.setdefault("pages", {}).setdefault(name, {})
            page.update({k: m[k] for k in ("p50_ms", "p95_ms", "errors")})
            page["ratio_p95"] = (
                round(m["p95_ms"] / bare_p95, 2) if m["p95_ms"] and bare_p95 else None
            )
        results["memory_mb"] = {"web": web_mb}
    if wanted("sweep"):
        # The first refresh, from nothing, was timed when the dataset was loaded; forcing
        # it again (BENCH_SWEEP_FORCE=1) redoes every child.
        force = os.environ.get("BENCH_SWEEP_FORCE") == "1"
        results["sweep"] = measure.sweep(day, force=force)
        if not force:
            results["sweep"]["seconds"] = held["details"].get("refresh_seconds")
    if wanted("rls"):
        results["rls"] = measure.rls(
            app_url=os.environ["DATABASE_URL"],
            owner_url=os.environ["DATABASE_OWNER_URL"],
            la_id=la_id,
            day=day,
        )
    if wanted("pdf"):
        results["pdf"] = measure.pdf(la_id=la_id)
    out = Path(os.environ.get("BENCH_RESULTS", ".local/bench/results.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _print_table(results)
    print(f"\nWritten to {out}.")
    return 0


def _largest_authority() -> int:
    from django.db.models import Count

    from epep.tenancy.context import all_authorities_context
    from epep.tenancy.models import LocalAuthority

    with all_authorities_context():
        return (
            LocalAuthority.objects.annotate(n=Count("children"))
            .order_by("-n")
            .values_list("pk")[0][0]
        )


def _print_table(results: dict) -> None:
    rows: list[tuple[str, str, str, bool]] = []
    if "bare" in results:
        bare = results["bare"]
        rows.append(("load: bare", f"p50 {bare['p50_ms']} ms, p95 {bare['p95_ms']} ms", "", True))
    for page, m in results.get("pages", {}).items():
        if "ratio_p95" in m:
            rows.append(
                (
                    f"load: {page}",
                    f"p95 {m['p95_ms']} ms = {m['ratio_p95']} x bare, {m['errors']} errors",
                    f"<= {LOAD_RATIO} x bare, 0 errors",
                    m["ratio_p95"] is not None and m["ratio_p95"] <= LOAD_RATIO and not m["errors"],
                )
            )
    for page, m in results.get("pages", {}).items():
        if "queries_small" not in m:
            continue
        small, large = m["queries_small"], m["queries_large"]
        rows.append(
            (
                f"queries: {page}",
                f"{small} / {large}",
                f"<= {QUERY_BUDGET}, equal",
                small <= QUERY_BUDGET and small == large,
            )
        )
    if (sweep := results.get("sweep")) and sweep.get("seconds") is not None:
        rows.append(
            (
                f"sweep: {sweep['children']} children",
                f"{sweep['seconds']} s",
                f"<= {SWEEP_SECONDS} s (national)",
                sweep["seconds"] <= SWEEP_SECONDS,
            )
        )
        rows.append(
            (
                "sweep repeated, nothing changed",
                f"{sweep['repeat_seconds']} s",
                f"<= {int(REPEAT_SHARE * 100)}% of the sweep",
                sweep["repeat_seconds"] <= REPEAT_SHARE * sweep["seconds"],
            )
        )
    if rls := results.get("rls"):
        rows.append(
            (
                "RLS: children list, app role / owner",
                f"{rls['ratio']} ({rls['app_ms']} / {rls['owner_ms']} ms)",
                f"<= {RLS_RATIO}",
                rls["ratio"] <= RLS_RATIO,
            )
        )
    if pdf := results.get("pdf"):
        rows.append(
            (
                "PEP PDF / WeasyPrint, empty stylesheet",
                f"{pdf['ratio']} ({pdf['median_s']} s)",
                f"<= {PDF_RATIO}, <= {PDF_SECONDS} s",
                pdf["ratio"] <= PDF_RATIO and pdf["median_s"] <= PDF_SECONDS,
            )
        )
    data = results["dataset"]
    print(
        f"\nmake bench SCALE={results['scale']}: {data['authorities']} authorities, "
        f"{data['children']} children, {data['schools']} schools, {data['peps']} PEPs\n"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else [0, 0, 0]
    for what, value, goal, ok in rows:
        print(
            f"{what:<{widths[0]}}  {value:<{widths[1]}}  {goal:<{widths[2]}}  "
            f"{'pass' if ok else 'FAIL'}"
        )


if __name__ == "__main__":
    sys.exit(main())
