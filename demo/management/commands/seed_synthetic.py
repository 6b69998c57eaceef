"""manage.py seed_synthetic: the synthetic England for the benchmark, in its own database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from demo.synthetic import database
from demo.synthetic.load import SCALES, Scale


class Command(BaseCommand):
    help = (
        "Build the synthetic dataset for `make bench` in its own database (epep_bench on the "
        "same server, created and migrated first): 153 authorities with real LA codes and "
        "term dates, schools, children in care with their histories, five academic years "
        "of termly PEPs, and users for every role, written with COPY and reproducible from "
        "--seed. --scale authority (one authority of 3,000 children in a 20,000-child "
        "world) or national (84,000 children). Reuses the database when it already holds "
        "the same scale and seed (--force rebuilds it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", default="authority", choices=[*SCALES, "custom"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--database", default=database.DEFAULT_NAME)
        parser.add_argument("--force", action="store_true", help="drop and rebuild")
        parser.add_argument("--authorities", type=int, default=2, help="--scale custom")
        parser.add_argument("--children", type=int, default=60, help="--scale custom")
        parser.add_argument("--schools", type=int, default=12, help="--scale custom")
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--here",
            action="store_true",
            help="load into the database of DATABASE_URL as it is (used by the command itself)",
        )

    def handle(self, *args, **options) -> None:
        scale = SCALES.get(options["scale"]) or Scale(
            "custom", options["authorities"], options["children"], options["schools"]
        )
        if options["here"]:
            self._load(scale, options)
            return
        name = options["database"]
        database.urls(name)  # refuses the application's and the tests' databases
        held = database.marker(name)
        wanted = {"scale": scale.name, "seed": options["seed"]}
        if held and {k: held[k] for k in wanted} == wanted and not options["force"]:
            self.stdout.write(
                f"{name} already holds scale={scale.name} seed={options['seed']} "
                f"(digest {held['digest'][:12]}): reused."
            )
            database.migrate(name)
            return
        database.ensure_database(name, drop=bool(held) or options["force"])
        self.stdout.write(f"Migrating {name}...")
        database.migrate(name)
        _app, owner = database.urls(name)
        argv = [
            sys.executable,
            "manage.py",
            "seed_synthetic",
            "--here",
            "--scale",
            options["scale"],
            "--seed",
            str(options["seed"]),
            "--authorities",
            str(options["authorities"]),
            "--children",
            str(options["children"]),
            "--schools",
            str(options["schools"]),
        ]
        if options["today"]:
            argv += ["--today", options["today"].isoformat()]
        done = subprocess.run(  # noqa: S603 (this command, our own arguments)
            argv, cwd=database.ROOT, env={**os.environ, "DATABASE_URL": owner}, check=False
        )
        if done.returncode:
            raise CommandError("Loading the synthetic dataset failed.")

    def _load(self, scale: Scale, options) -> None:
        from django.db import connection

        from demo.synthetic.load import refresh_deadlines, seed_synthetic
        from epep.tenancy import clock

        today = options["today"] or clock.today()
        started = time.monotonic()
        report = seed_synthetic(scale=scale, seed=options["seed"], today=today)
        loaded = time.monotonic() - started
        self.stdout.write(f"Loaded in {loaded:.0f} s: {json.dumps(report.counts)}")
        started = time.monotonic()
        covered = refresh_deadlines(today=today)
        refresh = time.monotonic() - started
        self.stdout.write(f"Deadlines worked out for {covered} children in {refresh:.0f} s.")
        details = {
            "today": today.isoformat(),
            "load_seconds": round(loaded, 1),
            "refresh_seconds": round(refresh, 1),
            "large_authority_id": report.large_authority_id,
            "bench_users": report.bench_users,
        }
        with connection.cursor() as cursor:
            # Statistics for the planner: COPY leaves the new tables unanalysed.
            started = time.monotonic()
            cursor.execute("ANALYZE")
            self.stdout.write(f"Analysed in {time.monotonic() - started:.0f} s.")
            cursor.execute("SELECT to_regclass(%s)", [database.MARKER])
            if cursor.fetchone()[0]:
                cursor.execute(
                    "INSERT INTO synthetic_dataset (scale, seed, digest, counts, details) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [
                        scale.name,
                        options["seed"],
                        report.digest,
                        json.dumps(report.counts),
                        json.dumps(details),
                    ],
                )
        self.stdout.write(self.style.SUCCESS(f"Digest {report.digest}."))
