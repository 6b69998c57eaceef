"""Existing school memberships: an owner and endorsements (see 0003's docstring).

Before: a designated teacher's or school staff member's membership named a school and no
authority, so any authority could create one at any school, and the person then saw every
authority's children on roll there; row-level security could not stop it (rows with no
authority were readable and insertable with no context).

After:
- every membership names an authority (the one that added the person), so memberships
  are ordinary tenant rows: with no context the application role can neither read nor
  insert them; the person reads their own;
- ``SchoolRoleEndorsement``: one row per (school membership, authority), a tenant row of
  the endorsing authority; a school role sees an authority's children only while that
  authority's endorsement is in force;
- existing school memberships are given to the authority the school stands in (or that
  invited the person), endorsed by it; every other authority with children on roll there
  is asked (pending): nobody keeps access another authority never gave;
- ``school_authorities_on_roll(school_id)``: a SECURITY DEFINER function returning only
  the ids of the authorities with a child on roll at a school today, so the service that
  asks them to endorse needs no wider context.
"""

from django.db import migrations

SCHOOL_ROLES = ("designated_teacher", "school_staff")


def assign_school_memberships(apps, schema_editor):
    """Give every school membership an owner and endorsements (see the module docstring).
    Row-level security is forced for the owner too: widen the context for this step."""
    LocalAuthority = apps.get_model("tenancy", "LocalAuthority")
    Membership = apps.get_model("tenancy", "Membership")
    Endorsement = apps.get_model("tenancy", "SchoolRoleEndorsement")
    Invitation = apps.get_model("accounts", "Invitation")
    Enrolment = apps.get_model("children", "Enrolment")
    from django.utils import timezone

    every = ",".join(str(i) for i in LocalAuthority.objects.values_list("id", flat=True))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.la_ids', %s, true)", [every])
    by_code = dict(LocalAuthority.objects.values_list("code", "id"))
    now = timezone.now()
    today = timezone.localdate()
    for membership in Membership.objects.filter(
        role__in=SCHOOL_ROLES, local_authority__isnull=True
    ).select_related("school", "user"):
        on_roll = set(
            Enrolment.objects.filter(school_id=membership.school_id, start_date__lte=today)
            .exclude(end_date__lte=today)
            .values_list("local_authority_id", flat=True)
        )
        invited_by = (
            Invitation.objects.filter(
                email__iexact=membership.user.email,
                role=membership.role,
                school_id=membership.school_id,
                accepted_at__isnull=False,
            )
            .order_by("accepted_at")
            .values_list("local_authority_id", flat=True)
            .first()
        )
        owner = by_code.get(membership.school.la_code) or invited_by or min(on_roll, default=None)
        if owner is None:
            # No authority has anything to do with this school: nobody vouches for it.
            owner = min(by_code.values())
            membership.is_active = False
        membership.local_authority_id = owner
        membership.save(update_fields=["local_authority", "is_active"])
        Endorsement.objects.create(
            local_authority_id=owner,
            membership=membership,
            user_id=membership.user_id,
            school_id=membership.school_id,
            role=membership.role,
            state="endorsed",
            decided_at=now,
        )
        for authority_id in sorted(on_roll - {owner}):
            Endorsement.objects.create(
                local_authority_id=authority_id,
                membership=membership,
                user_id=membership.user_id,
                school_id=membership.school_id,
                role=membership.role,
                requested_by_authority_id=owner,
            )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.la_ids', '', true)")



class Migration(migrations.Migration):
    dependencies = [("tenancy", "0003_school_role_endorsements")]

    operations = [
        migrations.RunPython(assign_school_memberships, migrations.RunPython.noop),
    ]
