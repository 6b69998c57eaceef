from django.db import migrations

from epep.tenancy.rls import enable_rls


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [enable_rls("meetings_schoolterm")]
