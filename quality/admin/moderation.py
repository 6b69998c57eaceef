"""QA admin: moderation and exports.

- the list of the authority's termly moderation samples, and "Draw this term's sample"
  (academic year and term; the authority's share shown);
- a sample's page: how it was drawn (share, population, seed) and its sampled PEPs with
  the original officer, the moderator (assigned there by the Virtual School Head), the
  status and the resolution; grades are shown only once the second grading is finished
  (the moderator grades blind on the QA review's page);
- the resolve form of a disagreement, the agreement report (per officer, per criterion);
- the export page: a term's QA results as CSV or XLSX.

Rows come from ``quality.selectors.moderation`` (scoped to the actor, row-level security
underneath); every write is a ``quality.services.moderation`` service.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from children.stages import academic_year_label, academic_year_start
from epep.admin_site import RoleAdmin
from epep.exports import attachment_header
from epep.tenancy import clock
from peps.models import Term

from .. import exports, permissions
from ..models import ModerationResolution, ModerationSample, ReviewStatus
from ..selectors.moderation import (
    access_item_by_id,
    access_sample_by_id,
    agreement_by_criterion,
    agreement_by_officer,
    completed_qa_years,
    sample_items,
    samples_for,
)
from ..selectors.queue import qa_officers_for, qa_policy_for
from ..services.moderation import moderation_assign, moderation_resolve, sample_draw


def _actor(request):
    return getattr(request, "actor", None)


def _messages_of(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)])) or "You cannot do this."


def _review_url(review_id) -> str | None:
    try:
        return reverse("admin:quality_qareview_change", args=[review_id])
    except NoReverseMatch:
        return None


def academic_year_choices(*extra: str) -> list[tuple[str, str]]:
    """This academic year, the one before, and any in ``extra``, newest first."""
    start = academic_year_start(clock.today())
    years = {academic_year_label(start), academic_year_label(start.replace(year=start.year - 1))}
    years.update(year for year in extra if year)
    return [(year, year) for year in sorted(years, reverse=True)]


class DescribedErrors:
    """Each field with an error says so to assistive technology: ``aria-invalid`` and the
    error message (beside the field, ``<name>-error``) as its description."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{name}-error"


class TermForm(DescribedErrors, forms.Form):
    academic_year = forms.ChoiceField(
        label="Academic year", error_messages={"required": "Choose the academic year."}
    )
    term = forms.ChoiceField(
        label="Term",
        choices=[("", "Choose the term"), *Term.choices],
        error_messages={"required": "Choose the term."},
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [
            ("", "Choose the academic year"),
            *academic_year_choices(*years),
        ]


class ExportForm(TermForm):
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("xlsx", "Excel spreadsheet (XLSX)"), ("csv", "CSV (comma-separated values)")],
        widget=forms.RadioSelect,
        initial="xlsx",
        error_messages={"required": "Choose a format."},
    )


class AssignForm(forms.Form):
    moderator = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label="Moderator",
        error_messages={
            "required": "Choose who grades this PEP again.",
            "invalid_choice": "Choose someone of your Virtual School.",
        },
    )

    def __init__(self, *args, actor, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderator"].queryset = qa_officers_for(actor=actor).exclude(
            pk=item.original.officer_id
        )


class ResolveForm(DescribedErrors, forms.Form):
    resolution = forms.ChoiceField(
        label="Whose grade stands?",
        choices=[
            (ModerationResolution.ORIGINAL_STANDS.value, "The original grade stands"),
            (ModerationResolution.MODERATED_STANDS.value, "The moderator's grade stands"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whose grade stands."},
    )
    note = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded with the outcome and shown on the sample's page.",
        error_messages={"required": "Enter a note saying why this grade stands."},
    )


def item_status(item) -> str:
    """Where the sampled PEP's second grading is, in words."""
    review = item.moderation
    if review is None:
        return "Not assigned"
    if review.status == ReviewStatus.COMPLETED:
        return "Graded again"
    if review.status == ReviewStatus.IN_PROGRESS:
        return "Being graded again"
    return "Waiting for the moderator"


def item_outcome(item) -> str:
    if (
        item.resolution == ModerationResolution.PENDING
        and item.moderation is not None
        and item.moderation.status == ReviewStatus.COMPLETED
    ):
        return "Disagreed: waiting for the Virtual School Head"
    if item.resolution == ModerationResolution.PENDING:
        return "Waiting for the second grading"
    return item.get_resolution_display()


@admin.register(ModerationSample)
class ModerationSampleAdmin(RoleAdmin):
    """The termly moderation samples of the actor's authority."""

    may_view = permissions.can_use_qa
    may_add = permissions.can_draw_moderation_sample
    list_display = ["term_label", "share", "population", "sample_size", "drawn_by_name", "drawn_at"]
    list_display_links = ["term_label"]
    change_list_template = "admin/quality/moderation/change_list.html"

    def get_queryset(self, request):
        return samples_for(actor=_actor(request))

    @admin.display(description="Term")
    def term_label(self, obj):
        return f"{obj.get_term_display()} {obj.academic_year}"

    @admin.display(description="Share")
    def share(self, obj):
        return f"{obj.share_percent}%"

    @admin.display(description="Sampled")
    def sample_size(self, obj):
        return obj.size

    @admin.display(description="Drawn by")
    def drawn_by_name(self, obj):
        return obj.drawn_by.full_name

    def changelist_view(self, request, extra_context=None):
        actor = _actor(request)
        extra = {
            "may_draw": permissions.can_draw_moderation_sample(actor),
            "may_export": permissions.can_export_qa(actor),
            "title": "Moderation samples",
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="quality_moderationsample_export"),
            path(
                "<int:object_id>/agreement/",
                view(self.agreement_view),
                name="quality_moderationsample_agreement",
            ),
            path(
                "<int:object_id>/items/<int:item_id>/assign/",
                view(self.assign_view),
                name="quality_moderationsample_assign",
            ),
            path(
                "<int:object_id>/items/<int:item_id>/resolve/",
                view(self.resolve_view),
                name="quality_moderationsample_resolve",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "has_view_permission": True,
            **extra,
        }

    def _sample(self, request, object_id):
        return access_sample_by_id(actor=_actor(request), sample_id=object_id)

    def _item(self, request, sample, item_id):
        item = access_item_by_id(actor=_actor(request), item_id=item_id)
        if item.sample_id != sample.pk:
            raise PermissionDenied
        return item

    # --- drawing ------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """Draw this term's sample: academic year and term; the share is the policy's."""
        actor = _actor(request)
        if not permissions.can_draw_moderation_sample(actor):
            raise PermissionDenied
        authority = actor.authorities[0]
        form = TermForm(request.POST or None, years=completed_qa_years(actor=actor))
        if request.method == "POST" and form.is_valid():
            try:
                sample = sample_draw(
                    actor=actor,
                    local_authority=authority,
                    academic_year=form.cleaned_data["academic_year"],
                    term=form.cleaned_data["term"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"{sample}: {sample.items.count()} of {sample.population} completed "
                    "QA reviews sampled.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:quality_moderationsample_change", args=[sample.pk])
                )
        context = self._context(
            request,
            "Draw this term's moderation sample",
            form=form,
            share=qa_policy_for(authority.pk).moderation_share_percent,
        )
        return TemplateResponse(request, "admin/quality/moderation/draw.html", context)

    # --- the sample ---------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        actor = _actor(request)
        if not str(object_id).isdigit():
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        sample = self._sample(request, int(object_id))
        may_assign = permissions.can_assign_moderator(actor, sample)
        officers = list(qa_officers_for(actor=actor)) if may_assign else []
        rows = []
        for item in sample_items(actor=actor, sample=sample):
            completed = (
                item.moderation is not None and item.moderation.status == ReviewStatus.COMPLETED
            )
            rows.append(
                {
                    "item": item,
                    "status": item_status(item),
                    "outcome": item_outcome(item),
                    "completed": completed,
                    "moderators": [u for u in officers if u.pk != item.original.officer_id],
                    "may_assign": may_assign and not completed,
                    "may_resolve": completed
                    and item.resolution == ModerationResolution.PENDING
                    and permissions.can_resolve_moderation(actor, item),
                    "grade_url": _review_url(item.moderation_id)
                    if item.moderation_id
                    and not completed
                    and item.moderation.officer_id == actor.user_id
                    else None,
                }
            )
        context = self._context(
            request,
            f"Moderation sample: {sample.get_term_display()} term {sample.academic_year}",
            sample=sample,
            rows=rows,
        )
        return TemplateResponse(request, "admin/quality/moderation/sample.html", context)

    def assign_view(self, request, object_id, item_id):
        actor = _actor(request)
        sample = self._sample(request, object_id)
        item = self._item(request, sample, item_id)
        back = reverse("admin:quality_moderationsample_change", args=[sample.pk])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        form = AssignForm(request.POST, actor=actor, item=item)
        if not form.is_valid():
            for message in form.errors.get("moderator", []):
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(back)
        moderator = form.cleaned_data["moderator"]
        try:
            moderation_assign(actor=actor, item=item, moderator=moderator)
        except (PermissionDenied, ValidationError) as error:
            self.message_user(request, _messages_of(error), messages.ERROR)
            return HttpResponseRedirect(back)
        self.message_user(
            request,
            f"{item.pep.child.display_name}'s PEP is given to {moderator.full_name} "
            "to grade again.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(back)

    def resolve_view(self, request, object_id, item_id):
        actor = _actor(request)
        sample = self._sample(request, object_id)
        item = self._item(request, sample, item_id)
        if not permissions.can_resolve_moderation(actor, item):
            raise PermissionDenied
        back = reverse("admin:quality_moderationsample_change", args=[sample.pk])
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                moderation_resolve(
                    actor=actor,
                    item=item,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                self.message_user(request, "The outcome is recorded.", messages.SUCCESS)
                return HttpResponseRedirect(back)
        original, moderated = item.original, item.moderation
        completed = moderated is not None and moderated.status == ReviewStatus.COMPLETED
        comparison = []
        if completed:
            theirs = {
                g.criterion_id: g
                for g in moderated.criterion_grades.select_related("criterion", "grade")
            }
            for grade in original.criterion_grades.select_related("criterion", "grade").order_by(
                "criterion__section__order", "criterion__order", "criterion_id"
            ):
                again = theirs.get(grade.criterion_id)
                comparison.append(
                    {
                        "criterion": grade.criterion.title,
                        "original": grade.grade.label,
                        "moderated": again.grade.label if again else "",
                        "same": again is not None and again.grade_id == grade.grade_id,
                    }
                )
        context = self._context(
            request,
            f"Resolve moderation: {item.pep.child.display_name}",
            sample=sample,
            sub_page=True,
            item=item,
            outcome=item_outcome(item),
            form=form,
            completed=completed,
            pending=item.resolution == ModerationResolution.PENDING,
            comparison=comparison,
            back=back,
        )
        return TemplateResponse(request, "admin/quality/moderation/resolve.html", context)

    # --- the agreement report ---------------------------------------------------------------

    def agreement_view(self, request, object_id):
        actor = _actor(request)
        sample = self._sample(request, object_id)
        context = self._context(
            request,
            f"Agreement: {sample.get_term_display()} term {sample.academic_year}",
            sample=sample,
            sub_page=True,
            by_officer=agreement_by_officer(actor=actor, sample=sample),
            by_criterion=agreement_by_criterion(actor=actor, sample=sample),
        )
        return TemplateResponse(request, "admin/quality/moderation/agreement.html", context)

    # --- exports ---------------------------------------------------------------------------

    def export_view(self, request):
        actor = _actor(request)
        if not permissions.can_export_qa(actor):
            raise PermissionDenied
        form = ExportForm(request.POST or None, years=completed_qa_years(actor=actor))
        if request.method == "POST" and form.is_valid():
            download = exports.qa_results_export(
                actor=actor,
                academic_year=form.cleaned_data["academic_year"],
                term=form.cleaned_data["term"],
                file_format=form.cleaned_data["file_format"],
            )
            response = HttpResponse(download.content, content_type=download.content_type)
            response["Content-Disposition"] = attachment_header(download.filename)
            return response
        context = self._context(request, "Export QA results", form=form)
        return TemplateResponse(request, "admin/quality/moderation/export.html", context)
