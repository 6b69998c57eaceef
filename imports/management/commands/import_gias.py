"""manage.py import_gias edubasealldata.csv: the schools list from Get Information About
Schools (the DfE download as published). Safe to run nightly: see ``imports.gias``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.gias import gias_import


class Command(BaseCommand):
    help = "Create and update schools by URN from a GIAS establishment download (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="edubasealldata<date>.csv, as downloaded")
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Skip the rows with a problem and apply the rest (by default any problem "
            "means nothing is written).",
        )

    def handle(self, *args, file: str, skip_bad_rows: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = gias_import(data=path.read_bytes(), strict=not skip_bad_rows, file_name=path.name)
        for problem in result.problems:
            self.stderr.write(f"Problem: {problem}")
        for school in result.attended:
            self.stdout.write(f"Children attend: {school}")
        counts = ", ".join(f"{name} {value}" for name, value in result.counts().items())
        if not result.applied:
            raise CommandError(f"Nothing was written ({counts}).")
        self.stdout.write(self.style.SUCCESS(f"Schools: {counts}."))
