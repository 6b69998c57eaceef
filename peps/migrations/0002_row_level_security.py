"""Row-level security on every PEP table; composite keys tie each row to its child's (and
its PEP's) authority."""

from django.db import migrations

from epep.tenancy.rls import composite_child_fk, composite_fk, enable_rls

PEP_TABLES = [
    "peps_pepsection",
    "peps_attainmententry",
    "peps_target",
    "peps_action",
    "peps_transition",
]


class Migration(migrations.Migration):
    dependencies = [("peps", "0001_initial")]

    operations = [
        enable_rls("peps_pep"),
        enable_rls("peps_attachment"),
        *[enable_rls(table) for table in PEP_TABLES],
        composite_child_fk("peps_pep"),
        composite_child_fk("peps_attachment"),
        *[composite_fk(table, column="pep_id", target="peps_pep") for table in PEP_TABLES],
        composite_fk("peps_target", column="reviewed_in_id", target="peps_pep"),
        composite_fk("peps_attachment", column="pep_id", target="peps_pep"),
        composite_fk("peps_pep", column="previous_id", target="peps_pep"),
    ]
