"""School roles rest on each authority's say-so (issue 8).

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

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0003_row_level_security'),
        ('accounts', '0005_user_public_id'),
        ('tenancy', '0002_row_level_security'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SchoolRoleEndorsement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('role', models.CharField(choices=[('vs_head', 'Virtual School Head'), ('vs_officer', 'Virtual School officer'), ('la_admin', 'Local authority administrator'), ('social_worker', 'Social worker'), ('personal_adviser', 'Personal adviser'), ('designated_teacher', 'Designated teacher'), ('school_staff', 'School staff'), ('carer', 'Carer'), ('iro', 'Independent reviewing officer'), ('young_person', 'Young person')], max_length=30)),
                ('state', models.CharField(choices=[('pending', 'Waiting for a decision'), ('endorsed', 'Can see our children'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], default='pending', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['school__name', 'user__full_name'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='membership',
            name='tenancy_membership_authority_roles_have_la',
        ),
        migrations.AlterField(
            model_name='membership',
            name='local_authority',
            field=models.ForeignKey(help_text='The authority that recorded this role (for a school role: that added the person; other authorities endorse them separately).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='tenancy.localauthority'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='school',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='school_memberships', to='children.school'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.UniqueConstraint(fields=('id', 'user', 'school'), name='tenancy_membership_id_user_school'),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='local_authority',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='school_role_endorsements', to='tenancy.localauthority'),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='membership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='endorsements', to='tenancy.membership'),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='requested_by_authority',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.localauthority'),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='children.school'),
        ),
        migrations.AddField(
            model_name='schoolroleendorsement',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='schoolroleendorsement',
            index=models.Index(fields=['user', 'state'], name='endorsement_user_state_idx'),
        ),
        migrations.AddIndex(
            model_name='schoolroleendorsement',
            index=models.Index(fields=['school', 'local_authority'], name='endorsement_school_la_idx'),
        ),
        migrations.AddConstraint(
            model_name='schoolroleendorsement',
            constraint=models.UniqueConstraint(fields=('membership', 'local_authority'), name='tenancy_endorsement_one_per_authority'),
        ),
        migrations.AddConstraint(
            model_name='schoolroleendorsement',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['designated_teacher', 'school_staff'])), name='tenancy_endorsement_school_role'),
        ),
        migrations.AddConstraint(
            model_name='schoolroleendorsement',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['pending', 'endorsed', 'declined', 'withdrawn'])), name='tenancy_endorsement_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='schoolroleendorsement',
            constraint=models.CheckConstraint(condition=models.Q(('state', 'pending'), ('decided_at__isnull', False), _connector='OR'), name='tenancy_endorsement_decision_recorded'),
        ),
    
    ]
