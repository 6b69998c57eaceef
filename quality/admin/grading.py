"""QA admin: the QA rounds, whose change page is the grading page.

The page shows the PEP (read-only, with a link to it in the portal), the automatic
pre-checks, the rubric the round is graded against (per section its criteria, each with a
grade chosen from the scale, the descriptor of each grade as its hint, and a comment; a
comment per section), the overall grade the roll-up rule gives (after each save: it works
without JavaScript), the override with its reason, the summary for the school, and Save /
Approve / Return. A moderation round is graded blind: its page never shows another
round's grades. Every write goes through ``quality.services.grading``; a refused save
keeps what was typed and says what is wrong beside each field and in an error summary.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from epep.admin_site import RoleAdmin
from peps.models import AttainmentEntry, PepSection, Target
from peps.sections import sections_for

from .. import permissions
from ..models import (
    OPEN_REVIEW_STATUSES,
    Criterion,
    CriterionGrade,
    Descriptor,
    FundingRelease,
    QaReview,
    ReviewKind,
    ReviewOutcome,
    ReviewStatus,
    RubricGrade,
    RubricSection,
    SectionComment,
)
from ..prechecks import prechecks
from ..selectors.reviews import (
    access_review_by_id,
    blind_annotation,
    moderating_blind,
    pep_qa_history,
    reviews_for,
)
from ..services import grading

ACTIONS = {"save": None, "approve": ReviewOutcome.APPROVED, "return": ReviewOutcome.RETURNED}


def _actor(request):
    return getattr(request, "actor", None)


def _pep_summary(pep) -> list[dict]:
    """The PEP's sections as label/value pairs (only what is filled in)."""
    rows = {s.key: s for s in PepSection.objects.filter(pep_id=pep.pk)}
    summary = []
    for definition in sections_for(pep.variant):
        row = rows.get(definition.key)
        data = row.data if row else {}
        fields = [
            {"label": f.label, "value": str(data.get(f.name, "")).strip()}
            for f in definition.fields
            if str(data.get(f.name, "")).strip()
        ]
        summary.append(
            {
                "key": definition.key,
                "title": definition.title,
                "fields": fields,
                "not_obtained": row.not_obtained_reason if row else "",
            }
        )
    return summary


def _error_anchor(key: str, criteria_ids: set[int]) -> str:
    if key.startswith("grade_") and key[6:].isdigit() and int(key[6:]) in criteria_ids:
        return f"id_{key}_0"
    if key == "grade":
        return "id_grade_computed"
    if key == "outcome":
        return "id_outcome_0"
    if key == "__all__":
        return "grading-form"
    return f"id_{key}"


@admin.register(QaReview)
class QaReviewAdmin(RoleAdmin):
    may_view = permissions.can_use_qa
    list_display = ["child_name", "round", "kind", "officer_name", "status", "grade_label"]
    list_filter = ["status", "kind", "outcome"]
    search_fields = ["pep__child__legal_first_name", "pep__child__legal_last_name"]
    ordering = ["-assigned_at"]
    change_form_template = "admin/quality/qareview/grading.html"

    def get_queryset(self, request):
        actor = _actor(request)
        reviews = reviews_for(actor=actor).select_related("pep__child", "officer", "grade")
        if actor is None:
            return reviews
        return reviews.annotate(blind=blind_annotation(actor=actor))

    @admin.display(description="Child", ordering="pep__child__legal_last_name")
    def child_name(self, review):
        return review.pep.child.display_name

    @admin.display(description="Officer")
    def officer_name(self, review):
        return review.officer.full_name or review.officer.email

    @admin.display(description="Overall grade")
    def grade_label(self, review):
        if getattr(review, "blind", False) and review.kind == ReviewKind.PRIMARY:
            return "Hidden while you moderate this PEP"
        return review.grade.label if review.grade_id else "Not graded"

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/start/",
                self.admin_site.admin_view(self.start_view),
                name="quality_qareview_start",
            ),
        ]
        try:
            from .rubrics import funding_decision_view
        except ImportError:
            pass
        else:
            urls.append(
                path(
                    "<int:object_id>/funding/",
                    self.admin_site.admin_view(funding_decision_view),
                    name="quality_qareview_funding",
                )
            )
        return urls + super().get_urls()

    def _review(self, request, object_id):
        if not str(object_id).isdigit():
            raise Http404("No QA review found")
        return access_review_by_id(actor=_actor(request), review_id=int(object_id))

    def _change_url(self, review) -> str:
        return reverse("admin:quality_qareview_change", args=[review.pk])

    def start_view(self, request, object_id):
        """Start grading (self-assigned when nobody has the PEP): a POST from the page."""
        review = self._review(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            grading.review_start(actor=_actor(request), pep=review.pep)
        except (PermissionDenied, ValidationError) as error:
            text = " ".join(getattr(error, "messages", None) or [str(error)])
            self.message_user(request, text, messages.ERROR)
        return HttpResponseRedirect(self._change_url(review))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        actor = _actor(request)
        review = self._review(request, object_id)
        may_grade = permissions.can_grade(actor, review) and review.status in (OPEN_REVIEW_STATUSES)
        errors: dict[str, list[str]] = {}
        posted = None
        if request.method == "POST":
            if not may_grade:
                raise PermissionDenied
            posted = request.POST
            action = posted.get("action", "save")
            if action not in ACTIONS:
                action = "save"
            try:
                review = self._post(actor, review, posted, action)
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"__all__": error.messages}
                )
                review = self._review(request, object_id)
            except PermissionDenied as error:
                errors = {"__all__": [str(error) or "You cannot grade this PEP."]}
                review = self._review(request, object_id)
            else:
                if action == "save":
                    self.message_user(request, "Grades saved.", messages.SUCCESS)
                elif action == "approve":
                    self.message_user(request, "The PEP is approved.", messages.SUCCESS)
                else:
                    self.message_user(
                        request, "The PEP is returned to the school.", messages.SUCCESS
                    )
                return HttpResponseRedirect(self._change_url(review))
        context = {
            **self.admin_site.each_context(request),
            **_grading_context(actor, review, posted=posted, errors=errors),
            "opts": self.opts,
            "may_grade": may_grade,
            "has_view_permission": True,
            "subtitle": None,
        }
        return TemplateResponse(
            request, self.change_form_template, context, status=400 if errors else 200
        )

    @staticmethod
    def _post(actor, review, posted, action):
        rubric_criteria = list(
            Criterion.objects.filter(rubric_id=review.rubric_id).values_list("pk", flat=True)
        )
        sections = list(
            RubricSection.objects.filter(rubric_id=review.rubric_id).values_list("pk", flat=True)
        )
        grades = {
            pk: (posted.get(f"grade_{pk}") or None, posted.get(f"comment_{pk}", ""))
            for pk in rubric_criteria
        }
        section_comments = {pk: posted.get(f"section_{pk}", "") for pk in sections}
        try:
            version = int(posted.get("version", ""))
        except ValueError:
            version = -1
        with transaction.atomic():
            saved = grading.review_save(
                actor=actor,
                review=review,
                version=version,
                grades=grades,
                section_comments=section_comments,
                summary=posted.get("summary", ""),
            )
            if action == "save":
                return saved
            outcome = ACTIONS[action] if review.kind == ReviewKind.PRIMARY else None
            return grading.review_complete(
                actor=actor,
                review=saved,
                version=saved.version,
                outcome=outcome,
                grade_id=posted.get("grade") or None,
                override_reason=posted.get("override_reason", ""),
                return_reason=posted.get("return_reason", "") if action == "return" else "",
                fixes=posted.get("fixes", "").splitlines() if action == "return" else (),
            )


def _grading_context(actor, review, *, posted, errors) -> dict:
    pep = review.pep
    # Blind: a moderation round, or another round of a PEP the viewer is moderating.
    blind = (
        review.kind == ReviewKind.MODERATION
        or moderating_blind(actor=actor, pep_ids=[pep.pk]).exists()
    )
    scale = list(RubricGrade.objects.filter(rubric_id=review.rubric_id).order_by("rank"))
    sections = list(RubricSection.objects.filter(rubric_id=review.rubric_id).order_by("order"))
    criteria = list(Criterion.objects.filter(rubric_id=review.rubric_id))
    descriptors = {
        (d.criterion_id, d.grade_id): d.text
        for d in Descriptor.objects.filter(criterion__rubric_id=review.rubric_id)
    }
    saved = {g.criterion_id: g for g in CriterionGrade.objects.filter(review=review)}
    saved_sections = {c.section_id: c.comment for c in SectionComment.objects.filter(review=review)}
    checks = {c.key: c for c in prechecks(pep=pep)}

    def value(name, default):
        return posted.get(name, "") if posted is not None else default

    criteria_by_section = {}
    for criterion in criteria:
        chosen = value(
            f"grade_{criterion.pk}",
            str(saved[criterion.pk].grade_id) if criterion.pk in saved else "",
        )
        criteria_by_section.setdefault(criterion.section_id, []).append(
            {
                "criterion": criterion,
                "name": f"grade_{criterion.pk}",
                "comment_name": f"comment_{criterion.pk}",
                "comment": value(
                    f"comment_{criterion.pk}",
                    saved[criterion.pk].comment if criterion.pk in saved else "",
                ),
                "errors": errors.get(f"grade_{criterion.pk}", []),
                "comment_errors": errors.get(f"comment_{criterion.pk}", []),
                "precheck": checks.get(criterion.precheck),
                "options": [
                    {
                        "grade": grade,
                        "id": f"id_grade_{criterion.pk}_{i}",
                        "checked": chosen == str(grade.pk),
                        "hint": descriptors.get((criterion.pk, grade.pk), ""),
                    }
                    for i, grade in enumerate(scale)
                ],
            }
        )
    rubric_sections = [
        {
            "section": section,
            "name": f"section_{section.pk}",
            "comment": value(f"section_{section.pk}", saved_sections.get(section.pk, "")),
            "errors": errors.get(f"section_{section.pk}", []),
            "criteria": criteria_by_section.get(section.pk, []),
        }
        for section in sections
    ]
    criteria_ids = {c.pk for c in criteria}
    error_list = [
        {"href": "#" + _error_anchor(key, criteria_ids), "message": message}
        for key, messages_ in errors.items()
        for message in messages_
    ]
    fixes_text = value("fixes", "")
    if posted is None and review.status in OPEN_REVIEW_STATUSES and review.rubric_id:
        fixes_text = "\n".join(grading.default_fixes(review=review))
    chosen_overall = value("grade", "")
    history = [] if blind else list(pep_qa_history(pep=pep))
    return {
        "title": f"QA of {pep.child.display_name}'s PEP",
        "review": review,
        "pep": pep,
        "blind": blind,
        "primary": review.kind == ReviewKind.PRIMARY,
        "open": review.status in OPEN_REVIEW_STATUSES,
        "started": review.rubric_id is not None and review.status != ReviewStatus.ASSIGNED,
        "scale": scale,
        "overall_options": [
            {"grade": g, "id": f"id_grade_{i}", "checked": chosen_overall == str(g.pk)}
            for i, g in enumerate(scale)
        ],
        "overall_computed_checked": not any(str(g.pk) == chosen_overall for g in scale),
        "rubric_sections": rubric_sections,
        "prechecks": list(checks.values()),
        "pep_sections": _pep_summary(pep),
        "targets": list(Target.objects.filter(pep_id=pep.pk)),
        "attainment": list(AttainmentEntry.objects.filter(pep_id=pep.pk)),
        "summary": value("summary", review.summary),
        "override_reason": value("override_reason", review.override_reason),
        "return_reason": value("return_reason", review.return_reason),
        "fixes_text": fixes_text,
        "errors": errors,
        "error_list": error_list,
        "history": history,
        "portal_url": reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id}),
        "start_url": reverse("admin:quality_qareview_start", args=[review.pk]),
        "may_start": permissions.can_grade(actor, review)
        and review.status == ReviewStatus.ASSIGNED,
        **_funding_context(actor, review),
    }


def _funding_context(actor, review) -> dict:
    """An approved PEP whose grade releases PP+ only by a recorded decision: the decision,
    and for the Virtual School Head the link to record it (``quality.admin.rubrics``)."""
    by_decision = (
        review.outcome == ReviewOutcome.APPROVED
        and review.grade_id is not None
        and review.grade.funding == FundingRelease.BY_DECISION
    )
    if not by_decision:
        return {"funding_by_decision": False}
    try:
        url = reverse("admin:quality_qareview_funding", args=[review.pk])
    except NoReverseMatch:
        url = None
    return {
        "funding_by_decision": True,
        "funding_url": url if permissions.can_decide_funding(actor, review) else None,
    }
