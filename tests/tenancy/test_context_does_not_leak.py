"""Context is set per transaction: the next request on the same connection starts empty."""

import pytest
from django.db import connection

from epep.tenancy.roles import Role


@pytest.mark.django_db(transaction=True)
def test_a_request_leaves_no_authority_context_behind_on_the_connection(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get("/virtual-school/")
    assert response.status_code == 200
    assert world.a.child.display_name in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting('app.la_ids', true), '')")
        assert cursor.fetchone()[0] == ""
        cursor.execute("SELECT count(*) FROM children_child")
        assert cursor.fetchone()[0] == 0
