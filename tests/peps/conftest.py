from contextlib import contextmanager

import pytest
from django.db import transaction

from children.permissions import resolve_actor


@contextmanager
def acting(user, role=None):
    """Work as ``user`` (in ``role``) inside one transaction with their database context,
    as a request would."""
    with transaction.atomic():
        yield resolve_actor(user, role)


@pytest.fixture
def as_user():
    return acting
