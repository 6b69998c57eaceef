"""Writing many rows at once for the deadline refresh: COPY into a temporary table, then
one INSERT (or upsert) from it.

The ORM's ``bulk_create`` builds a model instance and binds every value in Python; on a
first refresh of an authority that cost more than working the deadlines out. COPY sends
the rows as a stream the database parses itself. PostgreSQL refuses COPY into a table
with row-level security, so the rows go through a temporary table (dropped at commit)
and the INSERT is checked against the transaction's authority context as any other.
Table and column names are composed as identifiers, never pasted into the text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from psycopg import sql


def _names(columns: Sequence[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(name) for name in columns)


def _stage(wrapper, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> sql.Identifier:
    """COPY ``rows`` into an empty temporary table shaped like ``table``'s ``columns``."""
    target, staging = sql.Identifier(table), sql.Identifier(f"staging_{table}")
    names = _names(columns)
    wrapper.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            "SELECT {names} FROM {target} WITH NO DATA"
        ).format(staging=staging, names=names, target=target)
    )
    wrapper.execute(sql.SQL("TRUNCATE {}").format(staging))
    with wrapper.cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, names)) as copy:
        for row in rows:
            copy.write_row(row)
    return staging


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    names = _names(columns)
    with transaction.atomic(savepoint=False), connection.cursor() as wrapper:
        staging = _stage(wrapper, table, columns, rows)
        wrapper.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                sql.Identifier(table), names, names, staging
            )
        )


def upsert_rows(
    *,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple],
    conflict: Sequence[str],
    update: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert ``rows`` into ``table``, updating ``update`` where a row with the same
    ``conflict`` columns exists; returns the ``returning`` columns of every row written.
    One COPY into a temporary table (dropped at commit) and one INSERT ... ON CONFLICT."""
    names = _names(columns)
    sets = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in update
    )
    with transaction.atomic(savepoint=False), connection.cursor() as wrapper:
        staging = _stage(wrapper, table, columns, rows)
        insert = sql.SQL(
            "INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "
            "ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
        ).format(
            target=sql.Identifier(table),
            names=names,
            staging=staging,
            conflict=_names(conflict),
            sets=sets,
        )
        if returning:
            insert += sql.SQL(" RETURNING {}").format(_names(returning))
        wrapper.execute(insert)
        return wrapper.fetchall() if returning else []
