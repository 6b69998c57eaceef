"""Writes of the authority's QA rubric: the default one, new versions and publishing.

A rubric version is a draft until published; publishing puts it in force and retires the
one before. A QA review keeps the version it started on (``QaReview.rubric``), so a new
version changes nothing already graded or being graded.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from epep.audit.services import audit_record_for
from epep.tenancy import clock
from epep.tenancy.models import LocalAuthority

from .. import default_rubric, permissions
from ..default_rubric import ScaleSpec
from ..models import (
    Criterion,
    Descriptor,
    Rubric,
    RubricGrade,
    RubricSection,
    RubricStatus,
)
from ..rollup import rubric_problems
from ..selectors.rubrics import grade_rules, rubric_in_force

NOT_A_DRAFT = (
    "Version {version} is {status}: only a draft can change. Start a new version to make changes."
)


def _lock_authority(local_authority_id: int) -> None:
    """One rubric change at a time per authority (two first reviews both creating the
    default, two publishes at once)."""
    LocalAuthority.objects.select_for_update().filter(pk=local_authority_id).first()


def _next_version(local_authority_id: int) -> int:
    latest = Rubric.objects.filter(local_authority_id=local_authority_id).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


def _create_grades(rubric: Rubric, scale: list[dict]) -> list[RubricGrade]:
    """The grades of ``rubric``, best first: ``scale`` is a list of the grades' fields with
    ``floor_rank`` (the rank of the allowance floor, or ``None``) instead of the floor."""
    grades = RubricGrade.objects.bulk_create(
        [
            RubricGrade(
                local_authority_id=rubric.local_authority_id,
                rubric=rubric,
                rank=rank,
                **{k: v for k, v in fields.items() if k != "floor_rank"},
            )
            for rank, fields in enumerate(scale, start=1)
        ]
    )
    floored = []
    for grade, fields in zip(grades, scale, strict=True):
        if fields["floor_rank"]:
            grade.allowance_floor = grades[fields["floor_rank"] - 1]
            floored.append(grade)
    RubricGrade.objects.bulk_update(floored, ["allowance_floor"])
    return grades


def _spec_grades(scale: ScaleSpec) -> list[dict]:
    labels = [spec.label for spec in scale.grades]
    return [
        {
            "label": spec.label,
            "colour": spec.colour,
            "min_score": spec.min_score,
            "allowance": spec.allowance,
            "funding": spec.funding,
            "floor_rank": labels.index(spec.allowance_floor) + 1 if spec.allowance_floor else None,
        }
        for spec in scale.grades
    ]


def _build_default(*, local_authority_id: int, version: int, created_by=None, scale=None):
    """A new rubric of the default sections and criteria on ``scale`` (a ``ScaleSpec``)."""
    scale = scale or default_rubric.DEFAULT_SCALE
    rubric = Rubric.objects.create(
        local_authority_id=local_authority_id,
        name=default_rubric.DEFAULT_NAME,
        version=version,
        roll_up=scale.roll_up,
        status=RubricStatus.DRAFT,
        created_by=created_by,
    )
    grades = _create_grades(rubric, _spec_grades(scale))
    sections, criteria, texts = [], [], []
    for order, section_spec in enumerate(default_rubric.SECTIONS, start=1):
        section = RubricSection(
            local_authority_id=local_authority_id,
            rubric=rubric,
            order=order,
            title=section_spec.title,
            pep_section=section_spec.pep_section,
        )
        sections.append(section)
        for c_order, spec in enumerate(section_spec.criteria, start=1):
            criteria.append(
                Criterion(
                    local_authority_id=local_authority_id,
                    rubric=rubric,
                    section=section,
                    order=c_order,
                    title=spec.title,
                    guidance=spec.guidance,
                    weight=spec.weight,
                    precheck=spec.precheck,
                )
            )
            texts.append(spec.descriptors)
    RubricSection.objects.bulk_create(sections)
    for criterion in criteria:
        criterion.section_id = criterion.section.pk
    Criterion.objects.bulk_create(criteria)
    Descriptor.objects.bulk_create(
        [
            Descriptor(
                local_authority_id=local_authority_id,
                criterion=criterion,
                grade=grade,
                text=levels[grade_spec.level],
            )
            for criterion, levels in zip(criteria, texts, strict=True)
            for grade, grade_spec in zip(grades, scale.grades, strict=True)
        ]
    )
    return rubric


def _publish(rubric: Rubric) -> None:
    Rubric.objects.filter(
        local_authority_id=rubric.local_authority_id, status=RubricStatus.IN_FORCE
    ).update(status=RubricStatus.RETIRED)
    rubric.status = RubricStatus.IN_FORCE
    rubric.in_force_from = clock.now()
    rubric.save(update_fields=["status", "in_force_from"])


@transaction.atomic
def rubric_for_new_review(*, local_authority, actor=None) -> Rubric:
    """The rubric a QA review starting now is graded against: the authority's rubric in
    force; an authority that has never published one gets the default rubric, published.
    Call inside the authority's database context; the default's publication is recorded
    as ``actor``'s doing (the officer starting the review), or the system's without one."""
    rubric = rubric_in_force(local_authority_id=local_authority.pk)
    if rubric is not None:
        return rubric
    _lock_authority(local_authority.pk)
    rubric = rubric_in_force(local_authority_id=local_authority.pk)
    if rubric is not None:
        return rubric
    rubric = _build_default(
        local_authority_id=local_authority.pk, version=_next_version(local_authority.pk)
    )
    _publish(rubric)
    audit_record_for(actor, rubric, "publish", default=True, version=rubric.version)
    return rubric


def _require_editor(actor, local_authority_id: int) -> None:
    if not permissions.can_edit_rubric(actor) or local_authority_id not in actor.authority_ids:
        raise PermissionDenied("Only the Virtual School Head can change the QA rubric.")


def _copy_scale_descriptors(old_grades, new_grades) -> dict[int, int]:
    """Old grade id for each new grade's rank: the grade at the same place on the scale
    (best to best, worst to worst, evenly between)."""
    old = sorted(old_grades, key=lambda g: g.rank)
    n, m = len(new_grades), len(old)
    mapping = {}
    for grade in new_grades:
        position = round((grade.rank - 1) * (m - 1) / (n - 1)) if n > 1 else 0
        mapping[grade.rank] = old[position].pk
    return mapping


def _copy(source: Rubric, *, version: int, actor, scale: ScaleSpec | None) -> Rubric:
    la_id = source.local_authority_id
    rubric = Rubric.objects.create(
        local_authority_id=la_id,
        name=source.name,
        version=version,
        roll_up=scale.roll_up if scale else source.roll_up,
        status=RubricStatus.DRAFT,
        created_by=actor.user,
    )
    old_grades = list(source.grades.all())
    if scale is None:
        rank_of = {g.pk: g.rank for g in old_grades}
        new_grades = _create_grades(
            rubric,
            [
                {
                    "label": g.label,
                    "colour": g.colour,
                    "min_score": g.min_score,
                    "allowance": g.allowance,
                    "funding": g.funding,
                    "floor_rank": rank_of.get(g.allowance_floor_id),
                }
                for g in old_grades
            ],
        )
        source_grade_for = {g.rank: g.pk for g in old_grades}
        level_for = {}
    else:
        new_grades = _create_grades(rubric, _spec_grades(scale))
        source_grade_for = _copy_scale_descriptors(old_grades, new_grades)
        level_for = {rank: spec.level for rank, spec in enumerate(scale.grades, start=1)}
    default_texts = {
        spec.title: spec.descriptors for s in default_rubric.SECTIONS for spec in s.criteria
    }

    old_sections = list(source.sections.all())
    new_sections = RubricSection.objects.bulk_create(
        [
            RubricSection(
                local_authority_id=la_id,
                rubric=rubric,
                order=s.order,
                title=s.title,
                pep_section=s.pep_section,
            )
            for s in old_sections
        ]
    )
    section_for = {old.pk: new for old, new in zip(old_sections, new_sections, strict=True)}
    old_criteria = list(source.criteria.all())
    new_criteria = Criterion.objects.bulk_create(
        [
            Criterion(
                local_authority_id=la_id,
                rubric=rubric,
                section=section_for[c.section_id],
                order=c.order,
                title=c.title,
                guidance=c.guidance,
                weight=c.weight,
                precheck=c.precheck,
            )
            for c in old_criteria
        ]
    )
    old_texts = {
        (d.criterion_id, d.grade_id): d.text
        for d in Descriptor.objects.filter(criterion__rubric=source)
    }
    descriptors = []
    for old, new in zip(old_criteria, new_criteria, strict=True):
        for grade in new_grades:
            level = level_for.get(grade.rank)
            text = default_texts.get(old.title, {}).get(level) if level else None
            text = text or old_texts.get((old.pk, source_grade_for[grade.rank]))
            if text:
                descriptors.append(
                    Descriptor(local_authority_id=la_id, criterion=new, grade=grade, text=text)
                )
    Descriptor.objects.bulk_create(descriptors)
    return rubric


@transaction.atomic
def rubric_draft_new_version(*, actor, local_authority, scale: str | None = None) -> Rubric:
    """A new draft version (the latest version + 1), a copy of the rubric in force (or of
    the default rubric when none is). ``scale`` (a key of ``default_rubric.SCALES``) puts
    the draft on another grade scale and its roll-up rule; descriptors are carried to the
    grade at the same place on the new scale (the default criteria get their own)."""
    la_id = local_authority.pk
    _require_editor(actor, la_id)
    scale_spec = None
    if scale:
        scale_spec = default_rubric.SCALES.get(scale)
        if scale_spec is None:
            raise ValidationError({"scale": "Choose one of the grade scales offered."})
    _lock_authority(la_id)
    draft = Rubric.objects.filter(local_authority_id=la_id, status=RubricStatus.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"Version {draft.version} is already a draft: change it, or publish it, before "
            "starting another."
        )
    version = _next_version(la_id)
    source = rubric_in_force(local_authority_id=la_id)
    if source is None:
        rubric = _build_default(
            local_authority_id=la_id, version=version, created_by=actor.user, scale=scale_spec
        )
    else:
        rubric = _copy(source, version=version, actor=actor, scale=scale_spec)
    audit_record_for(
        actor,
        rubric,
        "create",
        version=version,
        copied_from=source.version if source else None,
        scale=scale or "",
    )
    return rubric


def rubric_publication_problems(rubric: Rubric) -> dict[str, list[str]]:
    """What stops ``rubric`` from being published, in plain words keyed by field (the
    roll-up's problems, and ``descriptors``: a criterion not described at every grade)."""
    grades = list(rubric.grades.all())
    criteria = list(rubric.criteria.order_by("section__order", "order", "id"))
    problems = rubric_problems(
        roll_up=rubric.roll_up,
        scale=grade_rules(grades),
        weights=[c.weight for c in criteria],
    )
    described = set(
        Descriptor.objects.filter(criterion__rubric=rubric)
        .exclude(text="")
        .values_list("criterion_id", "grade_id")
    )
    for criterion in criteria:
        missing = [g.label for g in grades if (criterion.pk, g.pk) not in described]
        if missing:
            problems.setdefault("descriptors", []).append(
                f"Describe “{criterion.title}” at every grade: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} missing."
            )
    return problems


@transaction.atomic
def rubric_publish(*, actor, rubric: Rubric) -> Rubric:
    """Put a draft in force (from now on, new QA reviews are graded against it) and retire
    the version in force before it. Refused with the problems in plain words when the
    rubric is not sound; nothing changes then."""
    _require_editor(actor, rubric.local_authority_id)
    _lock_authority(rubric.local_authority_id)
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if rubric.status != RubricStatus.DRAFT:
        raise ValidationError(
            NOT_A_DRAFT.format(version=rubric.version, status=rubric.get_status_display().lower())
        )
    problems = rubric_publication_problems(rubric)
    if problems:
        raise ValidationError(problems)
    previous = rubric_in_force(local_authority_id=rubric.local_authority_id)
    _publish(rubric)
    audit_record_for(
        actor,
        rubric,
        "publish",
        version=rubric.version,
        retired=previous.version if previous else None,
    )
    return rubric


@transaction.atomic
def rubric_lock_draft(*, actor, rubric: Rubric) -> Rubric:
    """Before the admin saves a change to a rubric version (its name, grades, sections,
    criteria or descriptors): only the Virtual School Head, only a draft. Locks the row
    for the rest of the save's transaction."""
    _require_editor(actor, rubric.local_authority_id)
    locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
    if locked.status != RubricStatus.DRAFT:
        raise ValidationError(
            NOT_A_DRAFT.format(version=locked.version, status=locked.get_status_display().lower())
        )
    return locked
