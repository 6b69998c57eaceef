"""QA admin: the authority's rubric, version by version, and the PP+ decision on a grade
that releases PP+ only by decision.

Every version is listed (``quality.selectors.rubrics.rubrics_for``: the actor's
authority's only); Virtual School officers read them, the Virtual School Head changes a
draft (``permissions.can_edit_rubric_version``: a version in force or retired is
read-only), publishes it, or starts a new version from the one in force. A save that
would leave the weights not adding up to 100, or grades that overlap, is refused with the
problem next to the table and in an error summary; nothing is saved.

``funding_decision_view(request, review_pk)`` is the small form the grading page links to
(helper C's QaReview admin registers it as ``admin:quality_qareview_funding``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from children.admin import BoundedInline, LabelledInlineFormSet
from epep.admin_site import RoleAdmin
from epep.audit.admin_mixins import AuditedAdminMixin

from .. import default_rubric, permissions
from ..models import Criterion, Descriptor, Rubric, RubricGrade, RubricSection, RubricStatus
from ..rollup import GradeRule, rubric_problems
from ..selectors.funding_gate import ppplus_release
from ..selectors.reviews import access_review_by_id
from ..selectors.rubrics import criteria_for, rubric_in_force, rubrics_for
from ..services.funding_gate import review_decide_funding
from ..services.rubrics import (
    rubric_draft_new_version,
    rubric_lock_draft,
    rubric_publication_problems,
    rubric_publish,
)


def _actor(request):
    return getattr(request, "actor", None)


def _show_on_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: beside the field it names, else above."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _field_anchor(form, name: str) -> str:
    return f"#{form[name].id_for_label}" if name in form.fields else ""


def error_summary(adminform, inline_admin_formsets) -> list[tuple[str, str]]:
    """Every error on a change page as (message, link to the field or table), for the
    error summary at the top."""
    items: list[tuple[str, str]] = []
    if adminform is not None:
        form = adminform.form
        for name, errors in form.errors.items():
            anchor = _field_anchor(form, name) if name != "__all__" else ""
            items.extend((str(e), anchor) for e in errors)
    for inline in inline_admin_formsets or []:
        formset = inline.formset
        group = f"#{formset.prefix}-group"
        items.extend((str(e), group) for e in formset.non_form_errors())
        for index, form in enumerate(formset.forms):
            for name, errors in form.errors.items():
                anchor = _field_anchor(form, name) if name != "__all__" else group
                row = f"{formset.model._meta.verbose_name} {index + 1}"
                items.extend((f"{row.capitalize()}: {e}", anchor) for e in errors)
    return items


class _PrecheckChoice:
    """A criterion's automatic pre-check is chosen from the ones there are."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "precheck":
            return forms.ChoiceField(
                label="Automatic pre-check",
                choices=default_rubric.PRECHECK_CHOICES,
                required=False,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class _RubricPart:
    """An inline of one part of a rubric version: read by Virtual School staff, changed
    by the Virtual School Head while the version is a draft."""

    def has_view_permission(self, request, obj=None):
        return permissions.can_use_qa(_actor(request), obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and permissions.can_edit_rubric_version(_actor(request), obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and permissions.can_edit_rubric_version(_actor(request), obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and permissions.can_edit_rubric_version(_actor(request), obj)


class QaLabelledFormSet(LabelledInlineFormSet):
    """``LabelledInlineFormSet`` for tables with a choice of another row (a grade, a
    section): the admin wraps such a select in a ``RelatedFieldWidgetWrapper`` whose
    ``attrs`` are not the select's own, so the row's label is given to the select itself;
    and the choices are read once for the whole table."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not hasattr(self, "_choices"):
            self._choices = {}
        for name, field in form.fields.items():
            inner = getattr(field.widget, "widget", None)
            label = field.widget.attrs.get("aria-label")
            if inner is not None and label:
                inner.attrs = {**inner.attrs, "aria-label": label}
            if isinstance(field, forms.ModelChoiceField):
                # one query for the table, not one for each row's select
                if name not in self._choices:
                    self._choices[name] = list(field.choices)
                field.choices = self._choices[name]


class GradeFormSet(QaLabelledFormSet):
    """The scale must hold together with the version's roll-up rule (2 to 6 grades
    numbered from the best, score bands that do not overlap, an allowance for each
    counting grade)."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        rank_of = {form.instance.pk: form.cleaned_data["rank"] for form in kept if form.instance.pk}
        scale = [
            GradeRule(
                rank=form.cleaned_data["rank"],
                label=form.cleaned_data["label"],
                min_score=form.cleaned_data.get("min_score"),
                allowance=form.cleaned_data.get("allowance"),
                allowance_floor_rank=(
                    rank_of.get(form.cleaned_data["allowance_floor"].pk)
                    if form.cleaned_data.get("allowance_floor")
                    else None
                ),
            )
            for form in kept
        ]
        problems = rubric_problems(roll_up=self.instance.roll_up, scale=scale, weights=[100])
        messages_ = [m for field, ms in problems.items() if field != "weights" for m in ms]
        if messages_:
            raise ValidationError(messages_)


class CriterionFormSet(QaLabelledFormSet):
    """The criteria's weights must add up to 100."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        weights = [
            form.cleaned_data.get("weight") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        problems = rubric_problems(
            roll_up=self.instance.roll_up,
            scale=[GradeRule(1, "Best", 1, 0, None), GradeRule(2, "Worst", None, None, None)],
            weights=weights,
        )
        if problems.get("weights"):
            raise ValidationError(problems["weights"])


class RubricGradeInline(_RubricPart, BoundedInline):
    model = RubricGrade
    formset = GradeFormSet
    fields = ["rank", "label", "colour", "min_score", "allowance", "allowance_floor", "funding"]
    verbose_name = "grade"
    verbose_name_plural = "Grades (best first)"
    MAX_ROWS = 6
    max_num = 6

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        labels = {
            "min_score": "Lowest score (bands)",
            "allowance": "Criteria allowed below (counting)",
            "allowance_floor": "…no worse than (counting)",
            "funding": "PP+",
        }
        for name, label in labels.items():
            if name in fields:
                fields[name].label = label
        if "allowance_floor" in fields:
            fields["allowance_floor"].queryset = (
                RubricGrade.objects.filter(rubric=obj) if obj else RubricGrade.objects.none()
            )
        return formset


class RubricSectionInline(_RubricPart, BoundedInline):
    model = RubricSection
    fields = ["order", "title", "pep_section"]
    verbose_name = "section"
    verbose_name_plural = "Sections"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "pep_section" in formset.form.base_fields:
            formset.form.base_fields["pep_section"].label = "PEP section (optional)"
        return formset


class CriterionInline(_PrecheckChoice, _RubricPart, BoundedInline):
    model = Criterion
    formset = CriterionFormSet
    fields = ["order", "section", "title", "weight", "precheck", "descriptors"]
    readonly_fields = ["descriptors"]
    verbose_name = "criterion"
    verbose_name_plural = "Criteria (weights add up to 100)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        if "section" in fields:
            fields["section"].queryset = (
                RubricSection.objects.filter(rubric=obj) if obj else RubricSection.objects.none()
            )
        return formset

    @admin.display(description="Descriptors")
    def descriptors(self, obj):
        if obj is None or obj.pk is None:
            return "Save first"
        url = reverse("admin:quality_criterion_change", args=[obj.pk])
        return format_html(
            '<a href="{}">Descriptors<span class="qa-visually-hidden"> of “{}”</span></a>',
            url,
            obj.title,
        )


class NewVersionForm(forms.Form):
    scale = forms.ChoiceField(
        label="Grade scale",
        choices=[("", "Keep the scale of the version in force")] + default_rubric.SCALE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text="Another scale replaces the grades and the roll-up rule; the default "
        "criteria get descriptors for every grade of it.",
    )


@admin.register(Rubric)
class RubricAdmin(AuditedAdminMixin, RoleAdmin):
    may_view = permissions.can_use_qa
    may_change = permissions.can_edit_rubric_version

    list_display = ["__str__", "status", "roll_up", "in_force_from"]
    list_display_links = ["__str__"]
    fields = ["name", "roll_up", "version", "status", "in_force_from"]
    readonly_fields = ["version", "status", "in_force_from"]
    inlines = [RubricGradeInline, RubricSectionInline, CriterionInline]
    change_form_template = "admin/quality/rubric/change_form.html"
    change_list_template = "admin/quality/rubric/change_list.html"

    def get_queryset(self, request):
        return rubrics_for(actor=_actor(request))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new-version/", view(self.new_version_view), name="quality_rubric_new_version"),
            path("<int:pk>/publish/", view(self.publish_view), name="quality_rubric_publish"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        actor = _actor(request)
        context["error_summary"] = error_summary(
            context.get("adminform"), context.get("inline_admin_formsets")
        )
        context["may_publish"] = obj is not None and permissions.can_edit_rubric_version(actor, obj)
        context["may_start_version"] = permissions.can_edit_rubric(actor, obj)
        context["is_nav_sidebar_enabled"] = False  # the rubric's tables need the width
        if obj is not None and obj.status == RubricStatus.DRAFT:
            context["publication_problems"] = [
                message
                for messages_ in rubric_publication_problems(obj).values()
                for message in messages_
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra = {
            "may_start_version": permissions.can_edit_rubric(_actor(request)),
            "title": "QA rubric: every version",
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def save_model(self, request, obj, form, change):
        try:
            rubric_lock_draft(actor=_actor(request), rubric=obj)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        super().save_model(request, obj, form, change)

    def new_version_view(self, request):
        actor = _actor(request)
        if not permissions.can_edit_rubric(actor):
            raise PermissionDenied
        authority = actor.authorities[0]
        form = NewVersionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                draft = rubric_draft_new_version(
                    actor=actor, local_authority=authority, scale=form.cleaned_data["scale"]
                )
            except ValidationError as error:
                _show_on_form(form, error)
            else:
                messages.success(
                    request,
                    f"Version {draft.version} is a draft: change it, then publish it. "
                    "Reviews already started keep the version they started on.",
                )
                return HttpResponseRedirect(reverse("admin:quality_rubric_change", args=[draft.pk]))
        in_force = rubric_in_force(local_authority_id=authority.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Start a new version of the rubric",
            "opts": self.model._meta,
            "form": form,
            "in_force": in_force,
            "summary": [
                (str(e), f"#{form['scale'].id_for_label}") for e in form.errors.get("scale", [])
            ]
            + [(str(e), "") for e in form.non_field_errors()],
        }
        return TemplateResponse(request, "admin/quality/rubric/new_version.html", context)

    def publish_view(self, request, pk):
        actor = _actor(request)
        rubric = self.get_object(request, str(pk))
        if rubric is None or not permissions.can_use_qa(actor, rubric):
            raise PermissionDenied
        change_url = reverse("admin:quality_rubric_change", args=[rubric.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not permissions.can_edit_rubric_version(actor, rubric):
            raise PermissionDenied
        try:
            rubric_publish(actor=actor, rubric=rubric)
        except ValidationError as error:
            messages.error(request, f"Version {rubric.version} was not published.")
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(change_url)
        messages.success(
            request,
            f"Version {rubric.version} is in force: QA started from now on is graded "
            "against it. Reviews already started keep the version they started on.",
        )
        return HttpResponseRedirect(change_url)


class DescriptorFormSet(QaLabelledFormSet):
    """Each descriptor's text is named by its grade ("What Amber looks like")."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "grade" not in form.fields or "text" not in form.fields:
            return
        if not hasattr(self, "_grade_labels"):
            self._grade_labels = {g.pk: g.label for g in form.fields["grade"].queryset}
        grade = form.initial.get("grade") or getattr(form.instance, "grade_id", None)
        label = self._grade_labels.get(grade)
        if label:
            form.fields["text"].widget.attrs["aria-label"] = f"What {label} looks like"


class DescriptorInline(_RubricPart, BoundedInline):
    model = Descriptor
    formset = DescriptorFormSet
    fields = ["grade", "text"]
    verbose_name = "descriptor"
    verbose_name_plural = "Descriptors (what the criterion looks like at each grade)"

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None:
            return 0
        described = set(obj.descriptors.values_list("grade_id", flat=True))
        return sum(1 for g in obj.rubric.grades.all() if g.pk not in described)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        if "grade" in fields:
            fields["grade"].queryset = (
                RubricGrade.objects.filter(rubric=obj.rubric) if obj else RubricGrade.objects.none()
            )
        if "text" in fields:
            fields["text"].widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return formset


@admin.register(Criterion)
class CriterionAdmin(_PrecheckChoice, AuditedAdminMixin, RoleAdmin):
    may_view = permissions.can_use_qa
    may_change = permissions.can_edit_rubric_version

    list_display = ["title", "rubric", "section", "weight"]
    fields = ["rubric_version", "section", "order", "title", "guidance", "weight", "precheck"]
    readonly_fields = ["rubric_version"]
    inlines = [DescriptorInline]
    change_form_template = "admin/quality/rubric/criterion_change_form.html"

    def has_module_permission(self, request):
        return False  # reached from the rubric's page

    def get_queryset(self, request):
        return criteria_for(actor=_actor(request)).select_related("rubric", "section")

    @admin.display(description="Rubric")
    def rubric_version(self, obj):
        url = reverse("admin:quality_rubric_change", args=[obj.rubric_id])
        return format_html('<a href="{}">{}</a>', url, obj.rubric)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "section" in form.base_fields:
            form.base_fields["section"].queryset = (
                RubricSection.objects.filter(rubric_id=obj.rubric_id)
                if obj
                else RubricSection.objects.none()
            )
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, DescriptorInline) and obj is not None and request.method != "POST":
            described = set(obj.descriptors.values_list("grade_id", flat=True))
            kwargs["initial"] = [
                {"grade": g.pk} for g in obj.rubric.grades.all() if g.pk not in described
            ]
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_summary"] = error_summary(
            context.get("adminform"), context.get("inline_admin_formsets")
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        try:
            rubric_lock_draft(actor=_actor(request), rubric=obj.rubric)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_save" in request.POST:
            messages.success(request, f"“{obj.title}” was saved.")
            return HttpResponseRedirect(
                reverse("admin:quality_rubric_change", args=[obj.rubric_id])
            )
        return super().response_change(request, obj)


class FundingDecisionForm(forms.Form):
    release = forms.TypedChoiceField(
        label="Release PP+ for this PEP?",
        choices=[("yes", "Yes, release PP+"), ("no", "No, withhold PP+")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether PP+ is released."},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The school and auditors read it.",
        error_messages={
            "required": "Give the reason for the decision: the school and auditors read it."
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def funding_decision_view(request, review_pk=None, *, object_id=None):
    """The Virtual School Head's PP+ decision on a PEP approved with a grade that releases
    PP+ only by decision (the review's id as ``review_pk``, or ``object_id`` as the QaReview
    admin's URLs name it). Another authority's review is a 404, as a missing one."""
    actor = _actor(request)
    review_pk = review_pk if review_pk is not None else object_id
    if not str(review_pk).isdigit():
        raise Http404("No QA review found")
    review = access_review_by_id(actor=actor, review_id=int(review_pk))
    if not permissions.can_decide_funding(actor, review):
        raise PermissionDenied
    release = ppplus_release(pep_ids=[review.pep_id])[review.pep_id]
    initial = {"version": review.version}
    if review.funding_decision is not None:
        initial |= {
            "release": "yes" if review.funding_decision else "no",
            "reason": review.funding_decision_reason,
        }
    form = FundingDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review_decide_funding(
                actor=actor,
                review=review,
                release=form.cleaned_data["release"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _show_on_form(form, error)
        else:
            messages.success(
                request,
                "PP+ released for this PEP."
                if form.cleaned_data["release"]
                else "PP+ withheld for this PEP.",
            )
            return HttpResponseRedirect(_review_url(review) or request.path)
    summary = [(str(e), "") for e in form.non_field_errors()] + [
        (str(e), f"#{form[name].id_for_label}" if name != "release" else "#id_release_0")
        for name in ("release", "reason")
        for e in form.errors.get(name, [])
    ]
    context = {
        **admin.site.each_context(request),
        "title": "PP+ decision",
        "opts": Rubric._meta,
        "review": review,
        "release": release,
        "form": form,
        "summary": summary,
        "review_url": _review_url(review),
    }
    return TemplateResponse(request, "admin/quality/rubric/funding_decision.html", context)


def _review_url(review) -> str:
    try:
        return reverse("admin:quality_qareview_change", args=[review.pk])
    except NoReverseMatch:
        return ""
