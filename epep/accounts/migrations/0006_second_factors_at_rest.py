"""Second factors at rest (docs/architecture.md, "Accounts and sign-in").

1. Existing TOTP secrets and recovery-code seeds, stored in the clear before
   ``epep.accounts.mfa.MFAAdapter``, are encrypted with the first MFA_ENCRYPTION_KEYS key.
   Already-encrypted values are left alone, so this can run on any state.
2. ``mfa_authenticator`` and ``usersessions_usersession`` get row-level security, enabled
   and forced, on ``user_id``: readable only by the person (``app.user_id``) or for the one
   account being handled (``app.account_user_id``, ``epep.accounts.context``).
3. ``epep_user_has_second_factor(user_id)``, SECURITY DEFINER: whether someone has set up
   two-step sign-in, for the People pages and the admin, without reading their secrets.
   Executable only by the application role (granted after every migrate,
   ``epep.accounts.signals``). Row-level security is forced for the owner too, so the
   function names the account for its one statement and restores the caller's value.
"""

from django.db import migrations

from epep.accounts.context import own_records_clause
from epep.tenancy.rls import enable_rls

HAS_SECOND_FACTOR = """
CREATE FUNCTION epep_user_has_second_factor(p_user_id bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_previous text := current_setting('app.account_user_id', true);
    v_found boolean;
BEGIN
    PERFORM set_config('app.account_user_id', coalesce(p_user_id::text, ''), true);
    SELECT EXISTS (SELECT 1 FROM public.mfa_authenticator WHERE user_id = p_user_id)
      INTO v_found;
    PERFORM set_config('app.account_user_id', coalesce(v_previous, ''), true);
    RETURN v_found;
END
$$
"""


def encrypt_existing_second_factors(apps, schema_editor):
    """Encrypt every plain TOTP secret and recovery-code seed. Works with or without row
    level security on the table: each person's rows are read in their own context."""
    from epep.accounts.mfa import SECRET_FIELDS, encrypt_plain_secrets

    Authenticator = apps.get_model("mfa", "Authenticator")
    User = apps.get_model("accounts", "User")
    alias = schema_editor.connection.alias
    setting = "app.account_user_id"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [setting])
        (previous,) = cursor.fetchone()
        user_ids = User.objects.using(alias).order_by("pk").values_list("pk", flat=True)
        for user_id in user_ids.iterator():
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, str(user_id)])
            for authenticator in Authenticator.objects.using(alias).filter(
                user_id=user_id, type__in=list(SECRET_FIELDS)
            ):
                if encrypt_plain_secrets(authenticator.type, authenticator.data):
                    authenticator.save(update_fields=["data"])
        cursor.execute("SELECT set_config(%s, %s, true)", [setting, previous or ""])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_public_id"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing_second_factors, migrations.RunPython.noop),
        enable_rls("mfa_authenticator", using=own_records_clause()),
        enable_rls("usersessions_usersession", using=own_records_clause()),
        migrations.RunSQL(
            sql=[
                HAS_SECOND_FACTOR,
                "REVOKE ALL ON FUNCTION epep_user_has_second_factor(bigint) FROM PUBLIC",
            ],
            reverse_sql=["DROP FUNCTION IF EXISTS epep_user_has_second_factor(bigint)"],
        ),
    ]
