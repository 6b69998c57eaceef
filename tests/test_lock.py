"""requirements.lock covers pyproject.toml.

Every dependency and [dev] dependency in pyproject.toml must be in the lock at a version
pyproject.toml allows, with the packages its extras (``psycopg[binary,pool]``,
``django-allauth[mfa]``) bring in, and every line of the lock pinned with hashes. It fails
when pyproject.toml was changed without ``make lock``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def parse_lock(text: str) -> tuple[dict[str, Requirement], list[str]]:
    """The lock's requirements by canonical name, and lines that are not pinned with hashes."""
    pins: dict[str, Requirement] = {}
    bad: list[str] = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line.split(" --hash=", 1)[0].strip())
        pins[canonicalize_name(requirement.name)] = requirement
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or not HASH.search(line):
            bad.append(f"{requirement.name}: not pinned with == and --hash in requirements.lock")
    return pins, bad


def installed_requires(name: str) -> list[str]:
    return metadata.requires(name) or []


def lock_problems(
    pyproject: str, lock: str, requires: Callable[[str], list[str]] = installed_requires
) -> list[str]:
    """What is wrong between pyproject.toml's text and requirements.lock's text ([] if
    nothing). ``requires(name)`` gives a distribution's declared requirements (its
    metadata), to see which packages an extra brings in."""
    project = tomllib.loads(pyproject)["project"]
    wanted = project.get("dependencies", []) + project.get("optional-dependencies", {}).get(
        "dev", []
    )
    pins, problems = parse_lock(lock)
    for line in wanted:
        requirement = Requirement(line)
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{line!r} is in pyproject.toml but not in requirements.lock")
            continue
        version = next(iter(pin.specifier)).version
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(
                f"requirements.lock has {pin.name}=={version}, outside pyproject.toml's {line!r}"
            )
        for extra in sorted(requirement.extras):
            for needed in map(Requirement, requires(requirement.name)):
                if needed.marker is None or not needed.marker.evaluate({"extra": extra}):
                    continue
                if canonicalize_name(needed.name) not in pins:
                    problems.append(
                        f"{requirement.name}[{extra}] needs {needed.name}, "
                        "which is not in requirements.lock"
                    )
    return problems


def test_requirements_lock_covers_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text()
    lock = (ROOT / "requirements.lock").read_text()
    problems = lock_problems(pyproject, lock)
    assert not problems, "run `make lock`:\n  " + "\n  ".join(problems)


# The check itself must be able to fail: small made-up files.

PYPROJECT = """
[project]
dependencies = ["django>=6.0,<6.2", "psycopg[binary]>=3.2,<4"]
[project.optional-dependencies]
dev = ["pytest>=8"]
"""
H = "--hash=sha256:" + "0" * 64
LOCK = f"""# made up
django==6.1.3 \\
    {H}
    # via epep (pyproject.toml)
psycopg==3.3.9 \\
    {H}
psycopg-binary==3.3.9 ; implementation_name != 'pypy' \\
    {H}
pytest==9.2.0 \\
    {H}
"""


def fake_requires(name):
    assert name == "psycopg"
    return ['psycopg-binary==3.3.9; implementation_name != "pypy" and extra == "binary"']


def test_the_made_up_lock_passes():
    assert lock_problems(PYPROJECT, LOCK, fake_requires) == []


def test_a_dependency_missing_from_the_lock_fails():
    pyproject = PYPROJECT.replace('"pytest>=8"', '"pytest>=8", "Some_New.Package>=1"')
    assert lock_problems(pyproject, LOCK, fake_requires) == [
        "'Some_New.Package>=1' is in pyproject.toml but not in requirements.lock"
    ]


def test_a_locked_version_that_pyproject_no_longer_allows_fails():
    pyproject = PYPROJECT.replace("django>=6.0,<6.2", "django>=6.2")
    assert lock_problems(pyproject, LOCK, fake_requires) == [
        "requirements.lock has django==6.1.3, outside pyproject.toml's 'django>=6.2'"
    ]


def test_a_package_an_extra_brings_in_must_be_locked():
    lock = LOCK.replace(f"psycopg-binary==3.3.9 ; implementation_name != 'pypy' \\\n    {H}\n", "")
    assert lock_problems(PYPROJECT, lock, fake_requires) == [
        "psycopg[binary] needs psycopg-binary, which is not in requirements.lock"
    ]


def test_lock_lines_need_an_exact_pin_and_a_hash():
    lock = LOCK.replace(f"pytest==9.2.0 \\\n    {H}", "pytest>=9.2.0")
    assert lock_problems(PYPROJECT, lock, fake_requires) == [
        "pytest: not pinned with == and --hash in requirements.lock"
    ]
