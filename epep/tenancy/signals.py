"""After every migrate, grant the application role exactly what it needs.

The application role owns nothing: it gets DML on tables and use of sequences, no
UPDATE or DELETE on audit events, no writes to the migration history, and EXECUTE on the
one function that records refused look-ups.
"""

from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from psycopg import sql

APPEND_ONLY_TABLES = ["audit_auditevent"]
READ_ONLY_TABLES = ["django_migrations"]
RECORD_REFUSAL_FUNCTION = (
    "public.audit_record_refusal(uuid, bigint, text, text, timestamptz, text, text, text)"
)
#: Refused look-ups of objects belonging to a child: epep/audit/migrations/0006_*.py.
RECORD_OBJECT_REFUSAL_FUNCTION = (
    "public.audit_record_object_refusal(text, uuid, bigint, text, text, timestamptz, text, text,"
    " text)"
)
#: Which authorities have a child on roll at a school (ids only): see
#: epep/tenancy/migrations/0005_school_role_rls.py.
AUTHORITIES_ON_ROLL_FUNCTION = "public.school_authorities_on_roll(bigint)"
#: Events without a person (role "system"): epep/audit/migrations/0005_events_have_an_actor.py.
RECORD_SYSTEM_EVENT_FUNCTION = (
    "public.audit_record_system_event(bigint, text, text, text, uuid, jsonb, timestamptz,"
    " text, text)"
)
#: The only functions of ours the application role may execute.
APPLICATION_FUNCTIONS = [
    RECORD_REFUSAL_FUNCTION,
    RECORD_OBJECT_REFUSAL_FUNCTION,
    RECORD_SYSTEM_EVENT_FUNCTION,
    AUTHORITIES_ON_ROLL_FUNCTION,
]


def grant_application_role(using: str = "default") -> None:
    connection = connections[using]
    role = settings.DATABASE_APP_ROLE
    if not role or connection.settings_dict.get("USER") == role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return
        ident = sql.Identifier(role)
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(ident),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        ]
        for table in APPEND_ONLY_TABLES:
            statements.append(
                sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                    sql.Identifier(table), ident
                )
            )
        for table in READ_ONLY_TABLES:
            statements.append(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                    sql.Identifier(table), ident
                )
            )
        # Refused look-ups are recorded through one SECURITY DEFINER function (see
        # epep/audit/migrations/0004_refusal_functions.py), and one tells which
        # authorities to ask to endorse a school role: the only functions of ours the
        # application role may execute.
        for function in APPLICATION_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:
                statements.append(
                    sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), ident)
                )
        for statement in statements:
            cursor.execute(statement.as_string(cursor.connection))


@receiver(post_migrate)
def _grant_after_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate fires once per app after all migrations ran; once is enough.
    if sender.label == "tenancy":
        grant_application_role(using)
