"""Every tenant table is built the same way: the model subclasses TenantModel (a direct,
protected local_authority key) and the table has an index that starts with
local_authority_id, so row-level security and every authority filter can use it."""

import pytest
from django.apps import apps
from django.db import connection, models

from epep.tenancy.models import LocalAuthority, TenantModel

pytestmark = pytest.mark.django_db

# Tables with an authority column and row-level security that are not TenantModels: their
# authority is optional, so the row can belong to no authority. Keep this list short.
NOT_TENANT_MODEL: dict[str, str] = {
    "audit_auditevent": "events without an authority (sign-in, platform support) are logged too",
    "accounts_useragreement": "the product's default agreement belongs to no authority",
    "accounts_agreementacceptance": "accepting the product's default agreement names none",
}


# Tenant models whose rows go with their authority (on_delete CASCADE, as before TenantModel):
# an authority's own calendar.
CASCADE_WITH_AUTHORITY = {
    "calendars.SchoolTerm": "an authority's term dates are part of the authority",
    "calendars.SchoolClosure": "an authority's closure days are part of the authority",
    "calendars.SubmissionDate": "an authority's return dates are part of the authority",
}


def _rls_tables() -> set[str]:
    """Tables with an authority column and row-level security."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'"
            " WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND EXISTS ("
            "  SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            "  AND a.attname = 'local_authority_id' AND NOT a.attisdropped)"
        )
        return {name for (name,) in cursor.fetchall()}


def _tables_with_authority_index() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        rows = cursor.fetchall()
    return {
        table
        for table, definition in rows
        if "(local_authority_id)" in definition or "(local_authority_id," in definition
    }


def _models_by_table() -> dict[str, type[models.Model]]:
    return {
        model._meta.db_table: model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


def test_every_table_with_row_level_security_is_a_tenant_model():
    by_table = _models_by_table()
    rls = _rls_tables()
    assert {"children_child", "peps_pep", "tenancy_membership", "notifications_notification"} <= rls
    not_tenant = sorted(
        table
        for table in rls
        if table in by_table
        and not issubclass(by_table[table], TenantModel)
        and table not in NOT_TENANT_MODEL
    )
    assert not_tenant == [], f"subclass epep.tenancy.models.TenantModel: {not_tenant}"
    without_model = sorted(rls - set(by_table))
    assert without_model == [], f"row-level security on tables without a model: {without_model}"


def test_every_tenant_table_has_an_index_on_its_authority():
    by_table = _models_by_table()
    tenant_tables = {
        table for table, model in by_table.items() if issubclass(model, TenantModel)
    } | (_rls_tables() & set(by_table))
    missing = sorted(tenant_tables - _tables_with_authority_index())
    assert missing == [], f"no index starting with local_authority_id: {missing}"


def test_every_tenant_model_has_row_level_security_and_a_protected_authority_key():
    rls = _rls_tables()
    for model in apps.get_models():
        if not issubclass(model, TenantModel) or model._meta.proxy:
            continue
        field = model._meta.get_field("local_authority")
        assert field.related_model is LocalAuthority, model
        if model._meta.label not in CASCADE_WITH_AUTHORITY:
            assert field.remote_field.on_delete is models.PROTECT, model
        assert field.db_index and not field.null, model
        assert model._meta.db_table in rls, f"{model._meta.db_table} has no row-level security"


def test_the_tenant_base_is_abstract():
    assert TenantModel._meta.abstract
