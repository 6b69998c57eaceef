"""The QA permission matrix: every rule in ``quality.permissions``, every role, about no
object, an object of their own authority and one of another authority, from the tables
below."""

import inspect
from types import SimpleNamespace

import pytest

from epep.tenancy.roles import Role
from quality import permissions
from tests.permission_matrix import AWAY, HOME, ME, ROLES, SOMEONE_ELSE, actor, allowed

HEAD = {Role.VS_HEAD}
VS = {Role.VS_HEAD, Role.VS_OFFICER}
NOBODY: set[Role] = set()
#: the professionals around a child (not carers, the young person or LA administrators)
FEEDBACK = set(Role) - {Role.CARER, Role.YOUNG_PERSON, Role.LA_ADMIN}

OURS = SimpleNamespace(local_authority_id=HOME)
THEIRS = SimpleNamespace(local_authority_id=AWAY)

#: rule -> (roles allowed about no object, about our authority's, about another's)
RULES = {
    permissions.can_use_qa: (VS, VS, NOBODY),
    permissions.can_assign_qa: (VS, VS, NOBODY),
    permissions.can_edit_rubric: (HEAD, HEAD, NOBODY),
    permissions.can_edit_qa_policy: (HEAD | {Role.LA_ADMIN}, HEAD | {Role.LA_ADMIN}, NOBODY),
    permissions.can_decide_funding: (HEAD, HEAD, NOBODY),
    permissions.can_draw_moderation_sample: (HEAD, HEAD, NOBODY),
    permissions.can_assign_moderator: (HEAD, HEAD, NOBODY),
    permissions.can_resolve_moderation: (HEAD, HEAD, NOBODY),
    permissions.can_export_qa: (VS, VS, NOBODY),
    # the PEP was reached through the child's access path: the authority is not asked again
    permissions.can_read_qa_feedback: (FEEDBACK, FEEDBACK, FEEDBACK),
}

#: rules about an object with a person attached (tested on their own tables below)
PERSONAL_RULES = {
    permissions.can_grade,
    permissions.can_moderate,
    permissions.can_edit_rubric_version,
}


def test_every_rule_is_in_a_table():
    public = {
        function
        for name, function in inspect.getmembers(permissions, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == permissions.__name__
    }
    assert public == set(RULES) | PERSONAL_RULES


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_rules(rule):
    none, ours, theirs = RULES[rule]
    assert allowed(rule) == none
    assert allowed(rule, OURS) == ours
    assert allowed(rule, THEIRS) == theirs


def test_nobody_without_a_role_is_let_through():
    for rule in [*RULES, *PERSONAL_RULES]:
        assert rule(None) is False, rule.__name__
        assert rule(SimpleNamespace(role=None, authority_ids=frozenset({HOME}))) is False


def _review(*, authority=HOME, officer=ME):
    return SimpleNamespace(local_authority_id=authority, officer_id=officer)


#: (whose review, where) -> the roles that may grade it
GRADERS = {
    ("no review", HOME): VS,
    ("mine", HOME): VS,
    ("someone else's", HOME): HEAD,
    ("mine", AWAY): NOBODY,
    ("someone else's", AWAY): NOBODY,
}


@pytest.mark.parametrize("case", GRADERS, ids=str)
def test_who_grades_a_review(case):
    whose, authority = case
    review = (
        None
        if whose == "no review"
        else _review(authority=authority, officer=ME if whose == "mine" else SOMEONE_ELSE)
    )
    assert allowed(permissions.can_grade, review) == GRADERS[case]


#: (who graded the sampled PEP first, where) -> the roles that may grade it again, blind
MODERATORS = {
    ("no item", HOME): VS,
    ("me", HOME): NOBODY,
    ("someone else", HOME): VS,
    ("someone else", AWAY): NOBODY,
}


@pytest.mark.parametrize("case", MODERATORS, ids=str)
def test_who_moderates_a_sampled_pep(case):
    first, authority = case
    item = (
        None
        if first == "no item"
        else SimpleNamespace(
            local_authority_id=authority,
            original=_review(officer=ME if first == "me" else SOMEONE_ELSE),
        )
    )
    assert allowed(permissions.can_moderate, item) == MODERATORS[case]


#: (the version's status, where, asked about) -> the roles that may change it
RUBRIC_EDITORS = {
    (None, HOME, "rubric"): HEAD,
    ("draft", HOME, "rubric"): HEAD,
    ("draft", HOME, "criterion"): HEAD,
    ("in_force", HOME, "rubric"): NOBODY,
    ("retired", HOME, "criterion"): NOBODY,
    ("draft", AWAY, "rubric"): NOBODY,
    ("draft", AWAY, "criterion"): NOBODY,
}


@pytest.mark.parametrize("case", RUBRIC_EDITORS, ids=str)
def test_who_changes_a_rubric_version(case):
    status, authority, part = case
    rubric = (
        None if status is None else SimpleNamespace(status=status, local_authority_id=authority)
    )
    obj = (
        SimpleNamespace(rubric=rubric, local_authority_id=authority)
        if part == "criterion"
        else rubric
    )
    assert allowed(permissions.can_edit_rubric_version, obj) == RUBRIC_EDITORS[case]


def test_a_virtual_school_head_of_two_authorities_acts_in_both():
    both = actor(Role.VS_HEAD, authorities=(HOME, AWAY))
    assert permissions.can_edit_rubric(both, THEIRS)
    assert permissions.can_decide_funding(both, THEIRS)
    assert all(
        rule(actor(Role.VS_HEAD), THEIRS) is False
        for rule in RULES
        if rule is not permissions.can_read_qa_feedback
    )


def test_every_role_is_in_the_tables():
    assert set(ROLES) == set(Role)
