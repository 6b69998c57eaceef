"""Every audit event the application writes names its actor: the person in this
transaction's context (``app.user_id``).

Before, ``audit_append`` admitted any row without an authority and ``audit_read`` showed
rows with neither an authority nor a user to everyone, so a forged event with no actor and
no authority was readable by every person. Now:

- ``audit_append`` (everyone): the row's user is the current ``app.user_id`` (never NULL),
  and its authority is one of ``app.la_ids`` or none (a sign-out everywhere, accepting the
  product's default agreement, platform support on a person of no authority).
- ``audit_read``: rows of the context's authorities; a row without an authority only by
  the person it is about.
- System events (no person: a PDF archived by a background job, records created by the
  demo seed or an import) go through ``audit_record_system_event``, a ``SECURITY DEFINER``
  function like ``audit_record_refusal``: it always writes role ``system``, needs an
  authority already in the caller's ``app.la_ids`` and refuses while a person is in the
  context. Its insert is admitted by ``audit_append_system``, a policy for the owner
  role only (the role running this migration, which owns the functions); the application
  role is never the owner nor a member of it. The application role is granted EXECUTE
  after every migrate (``epep.tenancy.signals``).

``audit_record_refusal`` keeps working: the refused person is the context's user, and the
function puts the child's authority into ``app.la_ids`` for its insert. It can no longer
write a refusal for anybody else, or for nobody.
"""

from django.db import migrations

from epep.tenancy.rls import la_clause, user_clause

TABLE = "audit_auditevent"

OLD_READ = (
    f"{la_clause()} OR (local_authority_id IS NULL AND (user_id IS NULL OR {user_clause()}))"
)
OLD_APPEND = f"local_authority_id IS NULL OR {la_clause()}"

READ = f"{la_clause()} OR (local_authority_id IS NULL AND {user_clause()})"
APPEND = f"user_id IS NOT NULL AND {user_clause()} AND (local_authority_id IS NULL OR {la_clause()})"
APPEND_SYSTEM = (
    f"user_id IS NULL AND role = 'system' AND local_authority_id IS NOT NULL AND {la_clause()}"
)

RECORD_SYSTEM_EVENT = """
CREATE FUNCTION audit_record_system_event(
    p_local_authority_id bigint,
    p_action text,
    p_object_type text,
    p_object_id text,
    p_child_public_id uuid,
    p_detail jsonb,
    p_occurred_at timestamptz,
    p_request_id text,
    p_path text
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF p_local_authority_id IS NULL THEN
        RAISE EXCEPTION 'A system audit event needs an authority.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF coalesce(current_setting('app.user_id', true), '') <> '' THEN
        RAISE EXCEPTION 'A person is acting: record the event as theirs, not as the system.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.audit_auditevent (
        occurred_at, user_id, user_email, role, local_authority_id, action, object_type,
        object_id, child_public_id, request_id, path, detail
    ) VALUES (
        coalesce(p_occurred_at, now()),
        NULL,
        '',
        'system',
        p_local_authority_id,
        left(p_action, 40),
        left(coalesce(p_object_type, ''), 60),
        left(coalesce(p_object_id, ''), 64),
        p_child_public_id,
        left(coalesce(p_request_id, ''), 64),
        left(coalesce(p_path, ''), 300),
        coalesce(p_detail, '{}'::jsonb)
    );
END
$$
"""

RECORD_SYSTEM_EVENT_SIGNATURE = (
    "audit_record_system_event(bigint, text, text, text, uuid, jsonb, timestamptz, text, text)"
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_refusal_functions")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"DROP POLICY audit_read ON {TABLE}",
                f"DROP POLICY audit_append ON {TABLE}",
                f"CREATE POLICY audit_read ON {TABLE} FOR SELECT USING ({READ})",
                f"CREATE POLICY audit_append ON {TABLE} FOR INSERT WITH CHECK ({APPEND})",
                f"CREATE POLICY audit_append_system ON {TABLE} FOR INSERT TO CURRENT_USER"
                f" WITH CHECK ({APPEND_SYSTEM})",
                RECORD_SYSTEM_EVENT,
                f"REVOKE ALL ON FUNCTION {RECORD_SYSTEM_EVENT_SIGNATURE} FROM PUBLIC",
            ],
            reverse_sql=[
                f"DROP FUNCTION IF EXISTS {RECORD_SYSTEM_EVENT_SIGNATURE}",
                f"DROP POLICY audit_append_system ON {TABLE}",
                f"DROP POLICY audit_append ON {TABLE}",
                f"DROP POLICY audit_read ON {TABLE}",
                f"CREATE POLICY audit_read ON {TABLE} FOR SELECT USING ({OLD_READ})",
                f"CREATE POLICY audit_append ON {TABLE} FOR INSERT WITH CHECK ({OLD_APPEND})",
            ],
        ),
    ]
