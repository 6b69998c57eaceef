"""manage.py import_ssda903 --authority 886 --header header.csv --episodes episodes.csv
[--uasc uasc.csv] [--dry-run] [--json]: the council's SSDA903 extract (see
``imports.ssda903``). Exit status 0 when it imported (or, with ``--dry-run``, would
import), 1 when errors stopped it. ``--json`` prints exactly one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from epep.tenancy.context import authority_context
from imports.selectors import authority_by_code
from imports.ssda903.problems import Problem
from imports.ssda903.services import ImportResult, ssda903_import_files


class Command(BaseCommand):
    help = "Import an authority's SSDA903 extract (header, episodes and UASC CSV files)."

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, help="the authority's DfE LA code")
        parser.add_argument("--header", required=True, help="the header file (CSV)")
        parser.add_argument("--episodes", required=True, help="the episodes file (CSV)")
        parser.add_argument("--uasc", help="the UASC file (CSV), if there is one")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        dry_run, as_json = options["dry_run"], options["json"]
        files, missing = {}, []
        for name in ("header", "episodes", "uasc"):
            if options[name] is None:
                continue
            path = Path(options[name])
            if path.is_file():
                files[name] = path.read_bytes()
            else:
                missing.append(Problem(name, 0, "", f"There is no file {path}."))
        authority = authority_by_code(options["authority"])
        if authority is None:
            missing.append(
                Problem("", 0, "", f"No authority has the LA code {options['authority']}.")
            )
        if missing:
            self._finish(ImportResult(dry_run=dry_run, errors=missing), as_json)
            return
        with authority_context(local_authority_ids=[authority.pk]):
            result = ssda903_import_files(
                actor=None, local_authority=authority, files=files, dry_run=dry_run
            )
        self._finish(result, as_json)

    def _finish(self, result: ImportResult, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_json()))
        else:
            for problem in [*result.errors, *result.warnings]:
                kind = "Error" if problem.is_error else "Warning"
                self.stderr.write(
                    f"{kind}: {problem.file} row {problem.row} {problem.column}: {problem.message}"
                )
            counts = {
                k: v
                for k, v in result.as_json().items()
                if isinstance(v, int) and not isinstance(v, bool)
            }
            summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
            if not result.errors:
                verb = "Would import" if result.dry_run else "Imported"
                self.stdout.write(f"{verb}: {summary}.")
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s): nothing was imported.", returncode=1
            )
