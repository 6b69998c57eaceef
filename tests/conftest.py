"""Test set-up: real PostgreSQL, and every test running as the application role.

The test database is created and migrated as the owner (settings.test); this fixture
then switches the connection to the application role named in DATABASE_URL, so row-level
security applies in every test exactly as in production.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import date

import pytest
from django.conf import settings
from django.db import connections
from psycopg import sql

from epep.tenancy import clock

from .factories import World, build_world


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="YYYY-MM-DD",
        type=date.fromisoformat,
        help="Run as if today were this date (Europe/London, from noon): the application's "
        "clock, test data and the Celery workers the tests start all follow.",
    )


def pytest_configure(config):
    day = config.getoption("--clock", default=None)
    if day is not None:
        value = clock.setting_for(day)
        os.environ["EPEP_TEST_CLOCK"] = value  # for processes the tests start
        settings.EPEP_TEST_CLOCK = value


def pytest_report_header(config):
    if config.getoption("--clock", default=None) is not None:
        return f"clock: today is {clock.today():%A %-d %B %Y} (--clock)"
    return None


@pytest.fixture
def clock_at():
    """Set the application's clock for this test: ``clock_at(date(2028, 2, 29))`` (a date
    starts at noon in London; the clock runs on from there). Not seen by Celery workers
    the test starts; use ``--clock`` for those."""
    with ExitStack() as stack:
        yield lambda to: stack.enter_context(clock.travel(to))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    app = settings.APP_DATABASE
    default = connections["default"]
    with django_db_blocker.unblock():
        with default.cursor() as cursor:
            # Test databases only: transactional tests empty tables with TRUNCATE, which
            # the application role is never granted at runtime.
            cursor.execute(
                sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}")
                .format(sql.Identifier(app["USER"]))
                .as_string(cursor.connection)
            )
    owner = {key: default.settings_dict[key] for key in ("USER", "PASSWORD")}
    connections.close_all()
    for target in {
        id(d): d for d in (settings.DATABASES["default"], default.settings_dict)
    }.values():
        target["USER"], target["PASSWORD"] = app["USER"], app["PASSWORD"]
    yield
    connections.close_all()
    for target in {
        id(d): d for d in (settings.DATABASES["default"], default.settings_dict)
    }.values():
        target.update(owner)


@pytest.fixture
def world(db) -> World:
    """Two authorities (Kent and Sefton), a school shared by both, and a user of every
    role in each authority, with children in and out of each circle."""
    return build_world()


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own key space in the shared Redis cache (rate limits, used
    two-step codes), so tests neither leak into each other nor into parallel runs."""
    import uuid

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }
