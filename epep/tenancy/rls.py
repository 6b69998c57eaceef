"""Row-level security policies, written into migrations with ``RunSQL``.

The allowed ids are parsed once per statement by a sub-select (the inline form re-parses
per row and is far slower on scans).
"""

from django.db import migrations

LA_IDS = "(SELECT string_to_array(current_setting('app.la_ids', true), ',')::bigint[])"
SCHOOL_IDS = "(SELECT string_to_array(current_setting('app.school_ids', true), ',')::bigint[])"
USER_ID = "(SELECT nullif(current_setting('app.user_id', true), '')::bigint)"


def la_clause(column: str = "local_authority_id") -> str:
    return f"{column} = ANY ({LA_IDS}::bigint[])"


def school_clause(column: str = "school_id") -> str:
    return f"{column} = ANY ({SCHOOL_IDS}::bigint[])"


def user_clause(column: str = "user_id") -> str:
    return f"{column} = {USER_ID}"


def enable_rls(table: str, *, using: str | None = None) -> migrations.RunSQL:
    """Enable and force RLS on ``table`` with one policy for every command."""
    expression = using or la_clause()
    return migrations.RunSQL(
        sql=[
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY tenant_isolation ON {table} USING ({expression}) "
            f"WITH CHECK ({expression})",
        ],
        reverse_sql=[
            f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ],
    )


def composite_child_fk(
    table: str, *, column: str = "child_id", child_table: str = "children_child"
) -> migrations.RunSQL:
    """Foreign-key checks ignore RLS: make (child_id, local_authority_id) reference the
    child's own (id, local_authority_id), so a row can never point at another authority's
    child."""
    name = f"{table}_child_same_la_fk"
    return migrations.RunSQL(
        sql=(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}, local_authority_id)"
            f" REFERENCES {child_table} (id, local_authority_id) DEFERRABLE INITIALLY DEFERRED"
        ),
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )


def composite_fk(table: str, *, column: str, target: str) -> migrations.RunSQL:
    """``(column, local_authority_id)`` must match ``target``'s ``(id, local_authority_id)``
    (which needs a unique constraint on those two columns)."""
    name = f"{table}_{column}_same_la_fk"
    return migrations.RunSQL(
        sql=(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}, local_authority_id)"
            f" REFERENCES {target} (id, local_authority_id) DEFERRABLE INITIALLY DEFERRED"
        ),
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )
