"""Row-level security on every children table, and composite foreign keys so no row can
point at another authority's child (foreign-key checks ignore RLS)."""

from django.db import migrations

from epep.tenancy.rls import composite_child_fk, enable_rls, la_clause, school_clause, user_clause


class Migration(migrations.Migration):
    dependencies = [("children", "0002_initial")]

    operations = [
        enable_rls("children_child"),
        enable_rls("children_placement"),
        enable_rls("children_allocation"),
        # A designated teacher's school reveals which authorities they work with.
        enable_rls("children_enrolment", using=f"{la_clause()} OR {school_clause()}"),
        # A carer's own placement links and a professional's own grants are readable
        # before the authority boundary is known (see children.permissions.resolve_actor).
        enable_rls("children_placementcarer", using=f"{la_clause()} OR {user_clause()}"),
        enable_rls("children_childaccessgrant", using=f"{la_clause()} OR {user_clause()}"),
        composite_child_fk("children_enrolment"),
        composite_child_fk("children_placement"),
        composite_child_fk("children_allocation"),
        composite_child_fk("children_childaccessgrant", column="content_object_id"),
        migrations.RunSQL(
            sql=[
                "ALTER TABLE children_placement ADD CONSTRAINT children_placement_id_la_unique"
                " UNIQUE (id, local_authority_id)",
                "ALTER TABLE children_placementcarer ADD CONSTRAINT"
                " children_placementcarer_same_la_fk FOREIGN KEY (placement_id, local_authority_id)"
                " REFERENCES children_placement (id, local_authority_id)"
                " DEFERRABLE INITIALLY DEFERRED",
            ],
            reverse_sql=[
                "ALTER TABLE children_placementcarer DROP CONSTRAINT"
                " children_placementcarer_same_la_fk",
                "ALTER TABLE children_placement DROP CONSTRAINT children_placement_id_la_unique",
            ],
        ),
    ]
