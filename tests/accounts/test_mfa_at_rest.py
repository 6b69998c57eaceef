"""Second factors at rest: TOTP secrets and recovery-code seeds are encrypted in the
database (epep.accounts.mfa), keys rotate, and the authenticator and session tables show
the application role nothing outside a person's own context (epep.accounts.context)."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.usersessions.models import UserSession
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from epep.accounts.checks import mfa_encryption_keys
from epep.accounts.context import account_context, current_account_user_id
from epep.accounts.mfa import (
    UndecryptableSecret,
    decrypt_secret,
    encrypt_secret,
    user_has_second_factor,
)
from epep.tenancy.context import authority_context, set_db_context
from epep.tenancy.roles import Role

from ..factories import TOTP_SECRET, UserFactory
from .helpers import PASSWORD, authenticators_of, sign_in, totp_code

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
MIGRATION = importlib.import_module("epep.accounts.migrations.0006_second_factors_at_rest")


def raw_data(user, kind: str) -> str:
    """The ``data`` column exactly as PostgreSQL holds it, read in the person's context."""
    with account_context(user_id=user.pk), connection.cursor() as cursor:
        cursor.execute(
            "SELECT data::text FROM mfa_authenticator WHERE user_id = %s AND type = %s",
            [user.pk, kind],
        )
        (value,) = cursor.fetchone()
    return value


def no_context_count(table: str) -> int:
    """Rows the application role sees in ``table`` with no user or account context."""
    with transaction.atomic(), connection.cursor() as cursor:
        set_db_context()
        cursor.execute("SELECT set_config('app.account_user_id', '', true)")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed table name)
        return cursor.fetchone()[0]


@pytest.fixture
def worker(world):
    return world.a.users[Role.SOCIAL_WORKER]


# --- encrypted at rest ---------------------------------------------------------------------


def test_mfa_secrets_are_unreadable_as_plain_text_in_the_database(worker):
    with account_context(user_id=worker.pk):
        codes = RecoveryCodes.activate(worker).generate_codes()
    totp = raw_data(worker, "totp")
    recovery = raw_data(worker, "recovery_codes")

    assert TOTP_SECRET not in totp
    stored_secret = json.loads(totp)["secret"]
    assert stored_secret.startswith("gAAAAA")  # a Fernet token
    assert Fernet(settings.MFA_ENCRYPTION_KEYS[0]).decrypt(stored_secret).decode() == TOTP_SECRET

    seed = Fernet(settings.MFA_ENCRYPTION_KEYS[0]).decrypt(json.loads(recovery)["seed"]).decode()
    assert re.fullmatch(r"[0-9a-f]{80}", seed)
    assert seed not in recovery
    assert not re.search(r"[0-9a-f]{80}", recovery)
    assert not any(code in recovery for code in codes)


def test_sign_in_with_a_code_from_the_encrypted_secret_still_works(worker):
    assert json.loads(raw_data(worker, "totp"))["secret"] != TOTP_SECRET
    client = Client()
    response = sign_in(client, worker.email)
    assert response.status_code == 302 and "2fa" not in response["Location"]
    assert client.get("/caseload/").status_code == 200


def test_demo_accounts_store_the_published_key_encrypted_and_sign_in_with_it(world):
    from epep.accounts.demo import DEMO_DOMAIN, DEMO_TOTP_SECRET, ensure_demo_mfa

    demo = UserFactory(email=f"carer@kent.{DEMO_DOMAIN}")
    assert ensure_demo_mfa() == 1
    assert ensure_demo_mfa() == 0  # once only
    stored = json.loads(raw_data(demo, "totp"))["secret"]
    assert DEMO_TOTP_SECRET not in raw_data(demo, "totp")
    assert decrypt_secret(stored) == DEMO_TOTP_SECRET
    client = Client()
    response = sign_in(client, demo.email, secret=DEMO_TOTP_SECRET)
    assert response.status_code == 302 and "2fa" not in response["Location"]
    assert "_auth_user_id" in client.session


def test_a_wrong_code_is_still_refused(worker):
    client = Client()
    client.post("/accounts/login/", {"login": worker.email, "password": PASSWORD})
    wrong = "000000" if totp_code() != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert client.get("/caseload/").status_code == 302


def test_a_plain_value_written_into_the_table_is_refused_not_used(worker):
    """Someone who can write to the database but has no key cannot plant a secret they
    know: decrypt accepts only tokens made with a configured key."""
    with pytest.raises(UndecryptableSecret):
        decrypt_secret(TOTP_SECRET)
    with pytest.raises(UndecryptableSecret):
        decrypt_secret(Fernet(Fernet.generate_key()).encrypt(b"JBSWY3DP").decode())


# --- rotation --------------------------------------------------------------------------


def test_rotation_old_secrets_still_decrypt_and_the_command_reencrypts_them(worker, settings):
    everyone_elses = list(settings.MFA_ENCRYPTION_KEYS)  # the other test users' secrets
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY, *everyone_elses]
    with account_context(user_id=worker.pk):
        Authenticator.objects.filter(user=worker).delete()
        Authenticator.objects.create(
            user=worker, type="totp", data={"secret": encrypt_secret(TOTP_SECRET)}
        )
        codes = RecoveryCodes.activate(worker).generate_codes()
    old_token = json.loads(raw_data(worker, "totp"))["secret"]

    # A new key goes first; the old ones stay after it: old secrets still work.
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY, *everyone_elses]
    assert decrypt_secret(old_token) == TOTP_SECRET

    with_secrets = sum(1 for u in _all_users() if authenticators_of(u))
    secrets = sum(len(authenticators_of(u)) for u in _all_users())
    out = _rotate()
    assert (
        f"Re-encrypted {secrets} two-step sign-in secrets of {with_secrets} people "
        "with the current key." in out
    )
    assert with_secrets > 1
    totp = json.loads(raw_data(worker, "totp"))["secret"]
    seed = json.loads(raw_data(worker, "recovery_codes"))["seed"]
    assert Fernet(NEW_KEY).decrypt(totp).decode() == TOTP_SECRET
    Fernet(NEW_KEY).decrypt(seed)
    assert "Re-encrypted 0 two-step sign-in secrets of 0 people" in _rotate()  # idempotent

    # The old keys can go: everything works with the new one alone (one sign-in per test:
    # a code is refused the second time).
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    with account_context(user_id=worker.pk):
        instance = Authenticator.objects.get(user=worker, type="recovery_codes")
        assert RecoveryCodes(instance).generate_codes() == codes
    client = Client()
    assert sign_in(client, worker.email).status_code == 302
    assert client.get("/caseload/").status_code == 200


def _all_users():
    from epep.accounts.models import User

    return User.objects.order_by("pk")


def test_rotation_names_the_accounts_no_key_decrypts(worker, settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    with account_context(user_id=worker.pk):
        Authenticator.objects.filter(user=worker).update(
            data={"secret": encrypt_secret(TOTP_SECRET)}
        )
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(CommandError, match=re.escape(worker.email)):
        _rotate()
    # Nothing of theirs was changed.
    assert Fernet(OLD_KEY).decrypt(json.loads(raw_data(worker, "totp"))["secret"])


def _rotate() -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    return out.getvalue()


# --- the data migration ------------------------------------------------------------------


def test_the_migration_encrypts_plain_secrets_and_leaves_encrypted_ones(worker):
    plain_seed = "ab" * 40
    encrypted_before = json.loads(raw_data(worker, "totp"))["secret"]
    person = UserFactory(email="legacy@example.org")
    with account_context(user_id=person.pk):
        Authenticator.objects.create(user=person, type="totp", data={"secret": TOTP_SECRET})
        Authenticator.objects.create(
            user=person,
            type="recovery_codes",
            data={"seed": plain_seed, "used_mask": 5, "migrated_codes": ["12345678"]},
        )
    assert json.loads(raw_data(person, "totp"))["secret"] == TOTP_SECRET  # as before 0006

    # No context: the migration reads each person's rows in their own.
    MIGRATION.encrypt_existing_second_factors(apps, SimpleNamespace(connection=connection))

    totp = json.loads(raw_data(person, "totp"))
    recovery = json.loads(raw_data(person, "recovery_codes"))
    assert TOTP_SECRET not in json.dumps(totp) and plain_seed not in json.dumps(recovery)
    assert decrypt_secret(totp["secret"]) == TOTP_SECRET
    assert decrypt_secret(recovery["seed"]) == plain_seed
    assert recovery["used_mask"] == 5
    assert [decrypt_secret(c) for c in recovery["migrated_codes"]] == ["12345678"]
    # Already encrypted: left exactly as it was (also on a second run).
    assert json.loads(raw_data(worker, "totp"))["secret"] == encrypted_before
    MIGRATION.encrypt_existing_second_factors(apps, SimpleNamespace(connection=connection))
    assert json.loads(raw_data(person, "totp")) == totp
    # And the person signs in with their code as before.
    response = sign_in(Client(), person.email)
    assert response.status_code == 302 and "2fa" not in response["Location"]


def test_the_migration_refuses_a_token_of_an_unknown_key_rather_than_encrypt_it_again(
    worker, settings
):
    foreign = Fernet(Fernet.generate_key()).encrypt(TOTP_SECRET.encode()).decode()
    with account_context(user_id=worker.pk):
        Authenticator.objects.filter(user=worker, type="totp").update(data={"secret": foreign})
    with pytest.raises(UndecryptableSecret):
        MIGRATION.encrypt_existing_second_factors(apps, SimpleNamespace(connection=connection))


# --- not readable in bulk ------------------------------------------------------------------


def test_with_no_context_the_application_role_reads_no_authenticators_or_sessions(world):
    for user in (world.a.users[Role.VS_HEAD], world.b.users[Role.VS_HEAD]):
        client = Client()
        client.force_login(user)
        assert client.get("/virtual-school/").status_code == 200  # records the session
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.APP_DATABASE["USER"]

    assert no_context_count("mfa_authenticator") == 0
    assert no_context_count("usersessions_usersession") == 0
    with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
        # An authority context is not enough either: these rows belong to people.
        assert Authenticator.objects.count() == 0
        assert UserSession.objects.count() == 0


def test_a_persons_records_are_readable_in_their_own_context_only(world):
    head, other = world.a.users[Role.VS_HEAD], world.b.users[Role.VS_HEAD]
    client = Client()
    client.force_login(head)
    assert client.get("/virtual-school/").status_code == 200

    # The signed-in person's context (app.user_id, as every request sets it)...
    with authority_context(local_authority_ids=[], user_id=head.pk):
        assert list(Authenticator.objects.values_list("user_id", flat=True)) == [head.pk]
        assert list(UserSession.objects.values_list("user_id", flat=True)) == [head.pk]
    # ...or the account being handled (app.account_user_id).
    with account_context(user_id=head.pk):
        assert Authenticator.objects.filter(user=head).count() == 1
        assert UserSession.objects.filter(user=head).count() == 1
    # (A request in a test leaves its context in the test's transaction: clear it.)
    with (
        authority_context(local_authority_ids=[], user_id=other.pk),
        account_context(user_id=other.pk),
    ):
        assert not Authenticator.objects.filter(user=head).exists()
        assert not UserSession.objects.filter(user=head).exists()
        # Nor can another person's row be written in someone else's context.
        with pytest.raises(Exception, match="row-level security"), transaction.atomic():
            Authenticator.objects.create(user=head, type="webauthn", data={})


def test_whether_someone_has_two_step_sign_in_is_answered_without_their_rows(world):
    with_mfa = world.a.users[Role.SOCIAL_WORKER]
    without = UserFactory(email="nomfa@example.org")
    with transaction.atomic():
        set_db_context()
        assert user_has_second_factor(with_mfa.pk) is True
        assert user_has_second_factor(without.pk) is False
        # The function restores the caller's context.
        assert current_account_user_id() is None
        with account_context(user_id=without.pk):
            assert user_has_second_factor(with_mfa.pk) is True
            assert current_account_user_id() == without.pk


def test_an_administrator_resets_someone_elses_two_step_sign_in(world):
    """The account administration path (People → Reset two-step sign-in) reaches the one
    person's authenticators and sessions, although nobody's are readable otherwise."""
    from children.permissions import resolve_actor
    from epep.accounts import services

    worker = world.a.users[Role.IRO]
    theirs = Client()
    assert sign_in(theirs, worker.email).status_code == 302
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.LA_ADMIN])
        assert services.user_mfa_reset(actor=actor, user=worker) == 1
    assert not authenticators_of(worker)
    assert theirs.get("/caseload/").status_code == 302


# --- keys from the environment -----------------------------------------------------------


def test_missing_or_malformed_keys_fail_the_system_check(settings):
    settings.MFA_ENCRYPTION_KEYS = []
    [error] = mfa_encryption_keys()
    assert error.id == "accounts.E001" and "MFA_ENCRYPTION_KEYS is not set" in error.msg
    settings.MFA_ENCRYPTION_KEYS = ["not-a-key"]
    [error] = mfa_encryption_keys()
    assert "must be Fernet keys" in error.msg
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert mfa_encryption_keys() == []


def test_production_settings_require_a_key():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "MFA_ENCRYPTION_KEYS"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="epep.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="epep.example.org",
    )
    script = "from django.conf import settings; print(settings.MFA_ENCRYPTION_KEYS)"
    missing = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert "Set the MFA_ENCRYPTION_KEYS environment variable" in missing.stderr
    given = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "MFA_ENCRYPTION_KEYS": f"{NEW_KEY},{OLD_KEY}"},
        capture_output=True,
        text=True,
    )
    assert given.stdout.strip() == str([NEW_KEY, OLD_KEY]), given.stderr
