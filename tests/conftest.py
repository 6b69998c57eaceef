"""Test set-up: real PostgreSQL, and every test running as the application role.

The test database is created and migrated as the owner (settings.test); this fixture
then switches the connection to the application role named in DATABASE_URL, so row-level
security applies in every test exactly as in production.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from psycopg import sql

from .factories import World, build_world


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
