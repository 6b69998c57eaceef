"""manage.py attachments_cleanup_orphans: remove stored document files that have no row.

A document's file is written before its row; if the transaction then rolls back (a
failure after the upload service returned, a crash), the file stays behind with no row
pointing at it. This removes such files, and temporary files left by an interrupted
write, once they are older than ``--grace-minutes`` (a younger file may belong to an
upload whose transaction is still open). Safe to run at any time, for example nightly.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from epep.tenancy.context import all_authorities_context
from peps import attachments
from peps.models import Attachment


class Command(BaseCommand):
    help = "Remove stored document files with no Attachment row (older than the grace period)."

    def add_arguments(self, parser):
        parser.add_argument("--grace-minutes", type=int, default=60)
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files without removing them."
        )

    def handle(self, *args, grace_minutes: int, dry_run: bool, **options) -> None:
        with all_authorities_context():
            known = set(Attachment.objects.values_list("storage_name", flat=True))
        found = attachments.orphans(known, older_than=timedelta(minutes=grace_minutes))
        for path in found:
            if not dry_run:
                path.unlink(missing_ok=True)
            self.stdout.write(f"{'Would remove' if dry_run else 'Removed'} {path}")
        done = "found" if dry_run else "removed"
        self.stdout.write(self.style.SUCCESS(f"{len(found)} orphaned file(s) {done}."))
