"""A refused look-up of anything that belongs to a child (a PEP, a target, a document, an
access grant, a meeting) is recorded in that child's authority, like a refused child
(migration 0004), so its Virtual School sees it in the child's access log.

- ``audit_object_child(object_type, public_id)``: the registry of the objects that belong
  to a child: for each object type, the statement that finds the child's public id and
  authority from the object's public id (or nothing). Internal only: nobody but the owner
  may execute it. The statements are written here, never read from a table (the
  application role may write every table, and this function runs as the owner).
- ``audit_record_object_refusal(...)``: appends one ``access_refused`` event about the
  requested object: in the child's authority with the child's public id when the object
  exists ("outside circle", or the reason given), with no authority otherwise ("no such
  object", readable only by the person it is about). Returns nothing. The application role
  is granted EXECUTE after every migrate (``epep.tenancy.signals``).

Like the functions of 0004, each widens ``app.la_ids`` for its one statement and restores
the caller's value before returning.
"""

from django.db import migrations

#: object type -> the statement finding (child public id, child authority) from the
#: object's public id ($1). Add a row here (in a new migration) for every new object type
#: that belongs to a child and has a URL.
OBJECT_CHILD = {
    "children.child": (
        "SELECT c.public_id, c.local_authority_id FROM public.children_child c"
        " WHERE c.public_id = $1"
    ),
    "children.childaccessgrant": (
        "SELECT c.public_id, c.local_authority_id FROM public.children_childaccessgrant g"
        " JOIN public.children_child c ON c.id = g.content_object_id WHERE g.public_id = $1"
    ),
    "peps.pep": (
        "SELECT c.public_id, c.local_authority_id FROM public.peps_pep p"
        " JOIN public.children_child c ON c.id = p.child_id WHERE p.public_id = $1"
    ),
    "peps.target": (
        "SELECT c.public_id, c.local_authority_id FROM public.peps_target t"
        " JOIN public.peps_pep p ON p.id = t.pep_id"
        " JOIN public.children_child c ON c.id = p.child_id WHERE t.public_id = $1"
    ),
    "peps.attachment": (
        "SELECT c.public_id, c.local_authority_id FROM public.peps_attachment a"
        " JOIN public.children_child c ON c.id = a.child_id WHERE a.public_id = $1"
    ),
    "meetings.meeting": (
        "SELECT c.public_id, c.local_authority_id FROM public.meetings_meeting m"
        " JOIN public.peps_pep p ON p.id = m.pep_id"
        " JOIN public.children_child c ON c.id = p.child_id WHERE m.public_id = $1"
    ),
}


def _registry() -> str:
    branches = "\n".join(
        f"    ELSIF p_object_type = '{object_type}' THEN\n"
        f"        EXECUTE '{statement}' INTO child_public_id, authority_id USING p_public_id;"
        for object_type, statement in OBJECT_CHILD.items()
    )
    return "    IF false THEN NULL;\n" + branches + "\n    END IF;"


OBJECT_CHILD_FUNCTION = f"""
CREATE FUNCTION audit_object_child(
    p_object_type text, p_public_id uuid, OUT child_public_id uuid, OUT authority_id bigint
)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_previous text := current_setting('app.la_ids', true);
    v_every_authority text;
BEGIN
    SELECT coalesce(string_agg(id::text, ','), '') INTO v_every_authority
      FROM public.tenancy_localauthority;
    PERFORM set_config('app.la_ids', v_every_authority, true);
{_registry()}
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
END
$$
"""  # noqa: S608 (the statements are the constants above, no input)

RECORD_OBJECT_REFUSAL = """
CREATE FUNCTION audit_record_object_refusal(
    p_object_type text,
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
    v_child uuid;
    v_authority bigint;
BEGIN
    SELECT child_public_id, authority_id INTO v_child, v_authority
      FROM audit_object_child(p_object_type, p_requested_id);
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
        left(coalesce(p_object_type, ''), 60),
        p_requested_id::text,
        v_child,
        left(coalesce(p_request_id, ''), 64),
        left(coalesce(p_path, ''), 300),
        jsonb_build_object(
            'reason',
            CASE WHEN v_authority IS NULL THEN
                     CASE WHEN p_object_type = 'children.child' THEN 'no such child'
                          ELSE 'no such object' END
                 ELSE coalesce(p_reason, 'outside circle') END
        )
    );
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
END
$$
"""  # noqa: S608 (the statements are the constants above, no input)

RECORD_OBJECT_REFUSAL_SIGNATURE = (
    "audit_record_object_refusal(text, uuid, bigint, text, text, timestamptz, text, text, text)"
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_events_have_an_actor")]

    operations = [
        migrations.RunSQL(
            sql=[
                OBJECT_CHILD_FUNCTION,
                "REVOKE ALL ON FUNCTION audit_object_child(text, uuid) FROM PUBLIC",
                RECORD_OBJECT_REFUSAL,
                f"REVOKE ALL ON FUNCTION {RECORD_OBJECT_REFUSAL_SIGNATURE} FROM PUBLIC",
            ],
            reverse_sql=[
                f"DROP FUNCTION IF EXISTS {RECORD_OBJECT_REFUSAL_SIGNATURE}",
                "DROP FUNCTION IF EXISTS audit_object_child(text, uuid)",
            ],
        ),
    ]
