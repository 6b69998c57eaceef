"""NCSC password advice: length, no composition rules, guessable words refused."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from epep.accounts.models import User


def errors(password: str) -> list[str]:
    try:
        validate_password(password, User(email="jo.bloggs@example.org", full_name="Jo Bloggs"))
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "lantern orchard pebble violin",
        "a" + "x7Q!" * 3,
        "x" * 64 + " long passphrases are welcome " + "y" * 100,
        "839274619283",  # no composition rules: digits only is allowed if long enough
        "ALL CAPITALS WITH SPACES",
    ],
)
def test_long_passwords_and_passphrases_are_accepted(password):
    assert errors(password) == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "This password is too short. It must contain at least 12 characters."),
        ("Password123!", "This password would be easy to guess"),
        ("password1234", "This password is too common."),
        ("Kent2024!Kent", "This password would be easy to guess"),
        ("VirtualSchool1", "This password would be easy to guess"),
        ("P@ssw0rdP@ssw0rd", "This password would be easy to guess"),
        ("SeftonCouncil2025", "This password would be easy to guess"),
        ("ePEP-ePEP-ePEP-2026", "This password would be easy to guess"),
        ("Summer2024!!!", "This password would be easy to guess"),
        ("x" * 1001, "Your password must be 1000 characters or fewer."),
    ],
)
def test_guessable_passwords_are_refused_with_a_specific_message(password, message):
    assert any(m.startswith(message) for m in errors(password)), errors(password)
