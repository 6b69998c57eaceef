"""Writing planned rows straight into PostgreSQL: ids taken from each table's own sequence
in one statement, rows streamed with COPY into a temporary table and moved across with one
INSERT ... SELECT (``deadlines.bulk.insert_rows``) inside the caller's authority context,
because row-level security refuses a COPY into a tenant table.

A planned row is a dict keyed by field name. A relation given by its field name
(``child``) holds the *position* of the related row in what was written for that model
(``Writer.ids``); given by its column name (``child_id``) it holds a database id as is.
Fields left out take the model's default: a fresh UUID from the plan's random generator
(so the same seed gives the same ``public_id``), ``loaded_at`` for timestamps set on
creation, an empty string or NULL where the field allows it. Every row also feeds a
digest of what was written, so two runs with the same seed can be compared."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models
from django.utils import timezone

from deadlines.bulk import insert_rows
from epep.tenancy import clock

_NOW_DEFAULTS = {timezone.now, clock.now}


class Writer:
    def __init__(self, *, rng, loaded_at: datetime, dry: bool = False) -> None:
        #: ``dry``: plan and digest only, nothing written (ids are made up)
        self.dry = dry
        self.rng = rng
        self.loaded_at = loaded_at
        self.ids: dict[type[models.Model], list[int]] = {}
        self.counts: dict[str, int] = {}
        self._digest = hashlib.sha256()

    @property
    def digest(self) -> str:
        return self._digest.hexdigest()

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _allocate(self, model: type[models.Model], count: int) -> list[int]:
        if not count:
            return []
        if self.dry:
            start = len(self.ids.get(model, []))
            return list(range(start + 1, start + count + 1))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _fill(self, field: models.Field, row: dict):
        if field.name in row:
            value = row[field.name]
            if field.is_relation and value is not None:
                return self.ids[field.related_model][value]
            return value
        if field.attname in row:
            return row[field.attname]
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            return self.loaded_at
        if field.has_default():
            default = field.default
            if default is uuid.uuid4:
                return self.new_uuid()
            if default in _NOW_DEFAULTS:
                return self.loaded_at
            return default() if callable(default) else default
        if field.null:
            return None
        if field.blank and isinstance(field, models.CharField | models.TextField):
            return ""
        raise ValueError(f"{field.model.__name__}.{field.name} has no value and no default")

    def write(
        self, model: type[models.Model], rows: Sequence[dict], *, keep_ids: bool = False
    ) -> list[int]:
        """Insert ``rows`` into ``model``'s table; with ``keep_ids`` their ids are taken
        first and appended to ``self.ids[model]`` (for the rows that refer to them)."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]
        ids: list[int] = []
        if keep_ids:
            ids = self._allocate(model, len(rows))
            columns = ["id", *columns]
            self.ids.setdefault(model, []).extend(ids)
        digest = self._digest
        json_fields = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}

        def tuples() -> Iterable[tuple]:
            for n, row in enumerate(rows):
                values = [self._fill(f, row) for f in fields]
                for i in json_fields:
                    if not isinstance(values[i], str):
                        values[i] = json.dumps(values[i], sort_keys=True)
                # The digest reads positions, not ids: the same plan, the same digest.
                digest.update(repr((model._meta.label, [row.get(f.name) for f in fields])).encode())
                yield (ids[n], *values) if keep_ids else tuple(values)

        if rows and self.dry:
            for _ in tuples():
                pass
        elif rows:
            insert_rows(model._meta.db_table, columns, tuples())
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        return ids
