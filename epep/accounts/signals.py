"""After every migrate, let the application role execute the accounts app's database
functions (and nothing else of them): see migration accounts/0006."""

from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from psycopg import sql

#: Whether someone has set up two-step sign-in (a boolean, no secrets).
APPLICATION_FUNCTIONS = ["public.epep_user_has_second_factor(bigint)"]


def grant_account_functions(using: str = "default") -> None:
    connection = connections[using]
    role = settings.DATABASE_APP_ROLE
    if not role or connection.settings_dict.get("USER") == role:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return
        for function in APPLICATION_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:
                cursor.execute(
                    sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
                    .format(sql.SQL(function), sql.Identifier(role))
                    .as_string(cursor.connection)
                )


@receiver(post_migrate)
def _grant_after_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "accounts":
        grant_account_functions(using)
