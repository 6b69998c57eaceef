"""Every "may this actor …" rule lives in a permissions module (docs/architecture.md,
"Permissions and access"): read the source and fail if a role set or a check of the
actor's role is spelt anywhere else, or if a permission function is never named in a
test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = [
    "calendars",
    "children",
    "deadlines",
    "demo",
    "epep",
    "funding",
    "meetings",
    "peps",
    "portal",
    "quality",
    "voice",
]
#: Where role sets and role checks belong.
PERMISSION_MODULES = {"permissions.py"}
ALLOWED = {
    "epep/tenancy/roles.py",  # the roles and their shared groups
    "portal/access.py",  # roles_required: the screens of one role
    # Who is reminded or assigned work (a query over allocations and memberships), not a
    # question about what an actor may do.
    "deadlines/reminders.py",
    "deadlines/services.py",
}
#: Directories never scanned: data, migrations (history), the demo seed (pure data).
SKIPPED_PARTS = {"migrations", "management", "templates", "static", "__pycache__"}


def _source_files():
    for directory in SOURCE_DIRS:
        base = ROOT / directory
        if not base.exists():
            continue
        for path in sorted(base.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if SKIPPED_PARTS & set(relative.parts):
                continue
            if relative.parts[0] == "demo":
                continue
            yield relative, path


def _is_role_member(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
        and node.attr.isupper()
    )


def _is_role_set(node) -> bool:
    """A set, frozenset, tuple or list literal with a ``Role.X`` member."""
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return any(_is_role_member(element) for element in node.elts)
    return False


def _is_actor_role(node) -> bool:
    """``actor.role``, ``request.actor.role``, ``self.actor.role``."""
    if not (isinstance(node, ast.Attribute) and node.attr == "role"):
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id == "actor"
    return isinstance(owner, ast.Attribute) and owner.attr == "actor"


def _problems(relative: Path, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if _is_role_set(node):
            found.append(f"{relative}:{node.lineno}: a role set")
        if isinstance(node, ast.Compare) and _is_actor_role(node.left):
            if any(isinstance(op, ast.In | ast.NotIn | ast.Eq | ast.NotEq) for op in node.ops):
                found.append(f"{relative}:{node.lineno}: a check of the actor's role")
    return found


def test_role_sets_and_role_checks_live_in_permission_modules():
    problems = []
    for relative, path in _source_files():
        if relative.name in PERMISSION_MODULES or str(relative) in ALLOWED:
            continue
        problems += _problems(relative, path)
    assert problems == [], (
        "Ask the app's permissions module instead (docs/architecture.md):\n" + "\n".join(problems)
    )


def test_the_checker_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "EDITORS = frozenset({Role.VS_HEAD, Role.VS_OFFICER})\n"
        "def view(request, actor):\n"
        "    if actor.role in EDITORS: pass\n"
        "    if request.actor.role == Role.CARER: pass\n"
        "    if actor.role is None: pass\n"
        "    if pep.role in EDITORS: pass\n"
    )
    assert _problems(Path("views.py"), sample) == [
        "views.py:1: a role set",
        "views.py:3: a check of the actor's role",
        "views.py:4: a check of the actor's role",
    ]


def _permission_functions():
    for relative, path in _source_files():
        if relative.name not in PERMISSION_MODULES:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("can_"):
                yield relative, node.name


def test_every_permission_function_is_named_in_a_test():
    tests = "\n".join(
        p.read_text()
        for p in (ROOT / "tests").rglob("*.py")
        if p.resolve() != Path(__file__).resolve()
    )
    functions = list(_permission_functions())
    assert len(functions) > 20
    untested = [
        f"{relative}: {name}"
        for relative, name in functions
        if not re.search(rf"\b{re.escape(name)}\b", tests)
    ]
    assert untested == [], "Add them to the app's tests/<app>/test_permissions.py matrix"
