from contextlib import contextmanager

import pytest

from epep.tenancy.actor import acting_as


@contextmanager
def acting(user, role=None):
    """Work as ``user`` (in ``role``) inside one transaction with their database context,
    as a request would."""
    with acting_as(user, role) as actor:
        yield actor


@pytest.fixture
def as_user():
    return acting
