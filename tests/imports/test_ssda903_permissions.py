"""imports.permissions.can_import_ssda903 for every role (no database)."""

from __future__ import annotations

from epep.tenancy.roles import Role
from imports.permissions import can_import_ssda903

from ..permission_matrix import actor, allowed


def test_the_virtual_school_and_administrators_import():
    assert allowed(can_import_ssda903) == {Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN}


def test_no_one_without_an_authority_or_actor_imports():
    assert not can_import_ssda903(None)
    assert not can_import_ssda903(actor(Role.VS_HEAD, authorities=()))
