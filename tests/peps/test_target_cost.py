"""The limit on a target's PP+ cost holds below the form too: in the service and in the
database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from funding.money import MAX_PPPLUS_LINE_PENCE
from peps import services
from peps.models import Target

from .conftest import acting
from .test_cycle import TARGET, start

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_cost_over_the_maximum_with_the_fields_message(world):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        with pytest.raises(ValidationError) as error:
            services.target_save(
                actor=dt,
                pep=pep,
                fields={**TARGET, "ppplus_cost_pence": MAX_PPPLUS_LINE_PENCE + 1},
            )
    assert error.value.message_dict == {"ppplus_cost_pence": ["The cost must be £100,000 or less."]}
    with all_authorities_context():
        assert not Target.objects.exists()


@pytest.mark.parametrize("pence", [MAX_PPPLUS_LINE_PENCE + 1, -1, 2**31 - 1])
def test_the_database_refuses_a_cost_out_of_range(world, pence):
    pep = start(world)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        target = services.target_save(actor=dt, pep=pep, fields=TARGET)
    with all_authorities_context():
        with pytest.raises(IntegrityError), transaction.atomic():
            Target.objects.filter(pk=target.pk).update(ppplus_cost_pence=pence)
        assert Target.objects.get(pk=target.pk).ppplus_cost_pence == TARGET["ppplus_cost_pence"]
