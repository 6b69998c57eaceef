"""Which way imports may point (docs/architecture.md, Layers), read from the source with
``ast``, not by importing it. Imports inside functions count too.

- ``epep/`` (the core) imports no domain app, screen or demo; ``epep/urls.py`` and
  ``epep/celery.py`` are the roof and may import anything; migrations keep their
  historical imports.
- A domain app (children, calendars, peps, meetings, deadlines, funding) imports neither
  ``portal`` nor ``demo``.
- ``children`` imports none of the apps built on it (calendars, peps, meetings,
  deadlines, funding).
- ``calendars`` imports none of the apps built on it (meetings, deadlines, peps,
  funding); ``peps`` imports neither ``deadlines``, ``meetings`` nor ``quality`` (what
  follows a PEP's change is a ``children.hooks`` receiver); ``quality`` does not import
  ``funding`` (funding asks quality which grades release PP+).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

DOMAIN = (
    "children",
    "calendars",
    "peps",
    "meetings",
    "deadlines",
    "quality",
    "voice",
    "funding",
    "reports",
    "imports",
)


@dataclass(frozen=True)
class Rule:
    name: str
    #: top-level package the rule is about
    package: str
    #: top-level packages it must not import
    forbidden: tuple[str, ...]
    #: paths (relative to ROOT, POSIX) the rule does not apply to
    exempt: tuple[str, ...] = ()


RULES = [
    Rule(
        "core imports no domain app",
        "epep",
        (*DOMAIN, "portal", "demo"),
        exempt=("epep/urls.py", "epep/celery.py"),
    ),
    *(Rule(f"{app} imports no screen or demo", app, ("portal", "demo")) for app in DOMAIN),
    Rule(
        "children imports no app built on it",
        "children",
        ("calendars", "peps", "meetings", "deadlines", "quality", "voice", "funding"),
    ),
    *(
        Rule(
            f"{app} stays below reports and imports",
            app,
            ("reports", "imports"),
        )
        for app in DOMAIN
        if app not in ("reports", "imports")
    ),
    Rule("reports imports not imports", "reports", ("imports",)),
    Rule("imports imports not reports", "imports", ("reports",)),
    Rule(
        "calendars imports no app built on it",
        "calendars",
        ("meetings", "deadlines", "peps", "quality", "funding"),
    ),
    Rule(
        "peps imports neither deadlines, meetings, quality nor voice",
        "peps",
        ("deadlines", "meetings", "quality", "voice"),
    ),
    Rule("quality imports not funding (funding asks quality)", "quality", ("funding",)),
]

#: Known exceptions, (path, imported package). Add one only with a comment saying whose
#: work removes it.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


CHILDREN_RULE = next(
    rule for rule in RULES if rule.package == "children" and "peps" in rule.forbidden
)
CALENDARS_RULE = next(rule for rule in RULES if rule.name.startswith("calendars imports no app"))
PEPS_RULE = next(rule for rule in RULES if rule.name.startswith("peps imports neither"))


def _resolve(module: str | None, level: int, path: str) -> str:
    """The absolute module an import names (relative imports resolved against ``path``)."""
    if level == 0:
        return module or ""
    # A package's __init__ counts as a module of it: level 1 is the package either way.
    parts = Path(path).with_suffix("").parts
    base = parts[: len(parts) - level]
    return ".".join([*base, *([module] if module else [])])


def imported_modules(source: str, path: str) -> list[tuple[int, str]]:
    """Every module ``source`` imports, with its line, at any depth (functions too)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node.module, node.level, path)
            found.append((node.lineno, module))
            if not node.module:
                # ``from . import x``: x may be a module of the package.
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def violations(rule: Rule, source: str, path: str) -> list[str]:
    found = []
    for line, module in imported_modules(source, path):
        top = module.split(".")[0]
        if top in rule.forbidden and (path, top) not in KNOWN_EXCEPTIONS:
            found.append(f"{path}:{line} imports {module} ({rule.name})")
    return found


def _sources(rule: Rule):
    for file in sorted((ROOT / rule.package).rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        if "migrations" in file.parts or path in rule.exempt:
            continue
        yield path, file.read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_imports_point_down(rule):
    if not (ROOT / rule.package).is_dir():
        pytest.skip(f"no {rule.package}/ yet")
    found = [v for path, source in _sources(rule) for v in violations(rule, source, path)]
    assert not found, "\n".join(found)


# --- the checker itself can fail ------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "path", "source", "expected_line"),
    [
        (RULES[0], "epep/tenancy/middleware.py", "from children.permissions import x\n", 1),
        (RULES[0], "epep/accounts/services.py", "def f():\n    import peps.models\n", 2),
        (RULES[0], "epep/x.py", "import os\nfrom demo import children\n", 2),
        (RULES[0], "epep/x.py", "def f():\n    from portal.views import v\n", 2),
        (RULES[1], "children/models.py", "from portal import views\n", 1),
        (RULES[4], "meetings/services.py", "def f():\n    from demo.peps import p\n", 2),
        (CHILDREN_RULE, "children/x.py", "def f():\n    from meetings import deadlines\n", 2),
        (CHILDREN_RULE, "children/x.py", "import deadlines.services\n", 1),
        (CHILDREN_RULE, "children/selectors.py", "from funding.models import Grant\n", 1),
        (CHILDREN_RULE, "children/x.py", "from calendars.days import add_school_days\n", 1),
        (CALENDARS_RULE, "calendars/x.py", "def f():\n    from deadlines import services\n", 2),
        (CALENDARS_RULE, "calendars/admin.py", "from meetings.models import Meeting\n", 1),
        (PEPS_RULE, "peps/services.py", "def f():\n    from deadlines.services import x\n", 2),
        (PEPS_RULE, "peps/x.py", "import meetings.models\n", 1),
    ],
)
def test_the_checker_reports_the_module_and_line(rule, path, source, expected_line):
    found = violations(rule, source, path)
    assert found and found[0].startswith(f"{path}:{expected_line} ")


@pytest.mark.parametrize(
    ("rule", "path", "source"),
    [
        (RULES[0], "epep/x.py", "from epep.tenancy import clock\nimport django\n"),
        (RULES[0], "epep/accounts/x.py", "from . import hooks\nfrom ..tenancy import actor\n"),
        (CHILDREN_RULE, "children/x.py", "from epep.tenancy.models import LocalAuthority\n"),
        (CHILDREN_RULE, "children/x.py", "from .models import Child\nimport childrenish\n"),
        (RULES[1], "peps/x.py", "from children.models import Child\n"),
        (PEPS_RULE, "peps/x.py", "from children.hooks import children_changed\n"),
        (CALENDARS_RULE, "calendars/x.py", "from children.models import School\n"),
    ],
)
def test_the_checker_lets_allowed_imports_through(rule, path, source):
    assert violations(rule, source, path) == []


def test_relative_imports_are_resolved():
    assert _resolve("models", 1, "children/services.py") == "children.models"
    assert _resolve(None, 2, "epep/accounts/services.py") == "epep"
    assert _resolve("x", 1, "demo/__init__.py") == "demo.x"
