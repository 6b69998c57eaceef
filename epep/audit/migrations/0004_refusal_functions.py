"""Refused look-ups of a real child are recorded in that child's authority, so its
Virtual School sees them in the child's access log.

The refused actor's context cannot see the child (that is why they were refused), and the
``audit_append`` policy only lets an actor insert events for their own authorities. Two
``SECURITY DEFINER`` functions, owned by the migrating (owner) role, do the one thing
needed and nothing more:

- ``audit_child_authority(uuid)``: the authority of a child by public id, or NULL. Internal
  only: nobody but the owner may execute it (the application never learns another
  authority's id).
- ``audit_record_refusal(...)``: appends an ``access_refused`` event about a requested
  child id. The function, not the caller, works out the authority and whether the child
  exists; it returns nothing, so the application never reads the row it wrote (which it
  may not be allowed to). The application role is granted EXECUTE on this one function
  after every migrate (``epep.tenancy.signals.grant_application_role``): a migration
  cannot reliably know that role's name.

Row-level security is forced on every table, for the owner too, so each function widens
``app.la_ids`` for its one statement and restores the caller's value before returning
(``set_config(..., true)`` inside a function lasts until the end of the transaction, not
of the function).
"""

from django.db import migrations

CHILD_AUTHORITY = """
CREATE FUNCTION audit_child_authority(p_public_id uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_previous text := current_setting('app.la_ids', true);
    v_every_authority text;
    v_authority bigint;
BEGIN
    SELECT coalesce(string_agg(id::text, ','), '') INTO v_every_authority
      FROM public.tenancy_localauthority;
    PERFORM set_config('app.la_ids', v_every_authority, true);
    SELECT local_authority_id INTO v_authority
      FROM public.children_child WHERE public_id = p_public_id;
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
    RETURN v_authority;
END
$$
"""

RECORD_REFUSAL = """
CREATE FUNCTION audit_record_refusal(
    p_requested_id uuid,
    p_user_id bigint,
    p_user_email text,
    p_role text,
    p_occurred_at timestamptz,
    p_request_id text,
    p_path text,
    p_reason text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_previous text := current_setting('app.la_ids', true);
    v_authority bigint := audit_child_authority(p_requested_id);
BEGIN
    IF v_authority IS NOT NULL THEN
        PERFORM set_config('app.la_ids', v_authority::text, true);
    END IF;
    INSERT INTO public.audit_auditevent (
        occurred_at, user_id, user_email, role, local_authority_id, action, object_type,
        object_id, child_public_id, request_id, path, detail
    ) VALUES (
        coalesce(p_occurred_at, now()),
        p_user_id,
        left(coalesce(p_user_email, ''), 254),
        left(coalesce(p_role, ''), 30),
        v_authority,
        'access_refused',
        'children.child',
        p_requested_id::text,
        CASE WHEN v_authority IS NULL THEN NULL ELSE p_requested_id END,
        left(coalesce(p_request_id, ''), 64),
        left(coalesce(p_path, ''), 300),
        jsonb_build_object(
            'reason',
            CASE WHEN v_authority IS NULL THEN 'no such child'
                 ELSE coalesce(p_reason, 'outside circle') END
        )
    );
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
END
$$
"""

RECORD_REFUSAL_SIGNATURE = (
    "audit_record_refusal(uuid, bigint, text, text, timestamptz, text, text, text)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_row_level_security"),
        ("children", "0003_row_level_security"),
        ("tenancy", "0002_row_level_security"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                CHILD_AUTHORITY,
                "REVOKE ALL ON FUNCTION audit_child_authority(uuid) FROM PUBLIC",
                RECORD_REFUSAL,
                f"REVOKE ALL ON FUNCTION {RECORD_REFUSAL_SIGNATURE} FROM PUBLIC",
            ],
            reverse_sql=[
                f"DROP FUNCTION IF EXISTS {RECORD_REFUSAL_SIGNATURE}",
                "DROP FUNCTION IF EXISTS audit_child_authority(uuid)",
            ],
        ),
    ]
