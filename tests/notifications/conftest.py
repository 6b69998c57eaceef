"""Two authorities and a few people to remind."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..factories import LocalAuthorityFactory, UserFactory


@dataclass
class People:
    kent: object
    sefton: object
    teacher: object  # wants each reminder as it happens
    worker: object  # will choose the daily digest in some tests
    officer: object  # Virtual School officer: gets escalations


@pytest.fixture
def people(db) -> People:
    return People(
        kent=LocalAuthorityFactory(name="Kent", code="886", virtual_school_name="Kent VS"),
        sefton=LocalAuthorityFactory(name="Sefton", code="343", virtual_school_name="Sefton VS"),
        teacher=UserFactory(email="teacher@example.org", full_name="Tess Teacher"),
        worker=UserFactory(email="worker@example.org", full_name="Sam Worker"),
        officer=UserFactory(email="officer@example.org", full_name="Olu Officer"),
    )
