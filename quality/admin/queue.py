"""QA admin: the queue of submitted PEPs (filters, search, assignment) and the
authority's QA policy.

Rows come from ``quality.selectors.queue.queue_for`` (the portal's access path, row-level
security underneath); every filter's choices are the actor's authority's own. How long a
PEP has waited is counted in working days from its submission; a PEP waiting longer than
the authority's turnaround (``QaPolicy``, 10 working days by default) is late."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from calendars.days import LONDON, working_days_between
from epep.admin_site import RoleAdmin
from epep.tenancy import clock
from peps.models import Term

from .. import permissions
from ..models import QaPolicy, QaQueueEntry
from ..selectors.queue import (
    DEFAULT_TURNAROUND_WORKING_DAYS,
    access_queue_entry_by_id,
    qa_due_date,
    qa_officers_for,
    qa_policies_for,
    qa_policy_for,
    queue_for,
    waiting_working_days,
)
from ..services.assignment import review_assign
from ..services.policy import qa_policy_update

KEY_STAGES = [
    ("EYFS", "Early years (EYFS)"),
    ("KS1", "Key stage 1"),
    ("KS2", "Key stage 2"),
    ("KS3", "Key stage 3"),
    ("KS4", "Key stage 4"),
    ("Post-16", "Post-16"),
]
EARLY_YEARS = Q(year_group__in=[-1, 0]) | Q(key_stage="EYFS")
POST_16 = Q(year_group__gte=12) | Q(key_stage="Post-16")
COHORTS = {
    "early_years": ("Early years", EARLY_YEARS),
    "school_age": ("School age", ~EARLY_YEARS & ~POST_16),
    "post_16": ("Post-16", POST_16),
}
#: (value, label, fewest working days, most working days or None)
WAITING_BANDS = [
    ("0-5", "0 to 5 working days", 0, 5),
    ("6-10", "6 to 10 working days", 6, 10),
    ("11-20", "11 to 20 working days", 11, 20),
    ("over-20", "Over 20 working days", 21, None),
]
UNASSIGNED = "unassigned"


def _actor(request):
    return getattr(request, "actor", None)


def _submitted_before_waiting(days: int):
    """The moment such that a PEP submitted before it has waited at least ``days``
    working days today (working days are counted from the day after submission)."""
    today = clock.today()
    day = today
    while working_days_between(day, today) < days:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON)


def _waited_at_least(days: int) -> Q:
    return Q(submitted_at__lt=_submitted_before_waiting(days)) if days > 0 else Q()


def _turnarounds(request) -> dict[int, int]:
    """The turnaround of each of the actor's authorities (asked once a request)."""
    cached = getattr(request, "_qa_turnarounds", None)
    if cached is None:
        actor = _actor(request)
        ids = sorted(actor.authority_ids) if actor is not None else []
        cached = {la: qa_policy_for(la).turnaround_working_days for la in ids}
        request._qa_turnarounds = cached
    return cached


def _overdue(request) -> Q:
    late = Q(pk__in=[])
    for la, turnaround in _turnarounds(request).items():
        late |= Q(local_authority_id=la) & _waited_at_least(turnaround + 1)
    return late


class SchoolFilter(admin.SimpleListFilter):
    title = "school"
    parameter_name = "school"

    def lookups(self, request, model_admin):
        rows = (
            queue_for(actor=_actor(request))
            .filter(school__isnull=False)
            .order_by("school__name", "school_id")
            .values_list("school_id", "school__name")
            .distinct()
        )
        return [(str(pk), name) for pk, name in rows]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(school_id=int(self.value()))
        return queryset


class KeyStageFilter(admin.SimpleListFilter):
    title = "key stage"
    parameter_name = "key_stage"

    def lookups(self, request, model_admin):
        return KEY_STAGES

    def queryset(self, request, queryset):
        if self.value() in dict(KEY_STAGES):
            return queryset.filter(key_stage=self.value())
        return queryset


class CohortFilter(admin.SimpleListFilter):
    title = "cohort"
    parameter_name = "cohort"

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in COHORTS.items()]

    def queryset(self, request, queryset):
        if self.value() in COHORTS:
            return queryset.filter(COHORTS[self.value()][1])
        return queryset


class TermFilter(admin.SimpleListFilter):
    title = "term"
    parameter_name = "term"

    def lookups(self, request, model_admin):
        order = {term.value: i for i, term in enumerate(Term)}
        rows = set(queue_for(actor=_actor(request)).values_list("academic_year", "term"))
        rows = sorted(rows, key=lambda row: (row[0], order.get(row[1], 9)), reverse=True)
        return [(f"{year}:{term}", f"{Term(term).label} {year}") for year, term in rows]

    def queryset(self, request, queryset):
        year, _, term = (self.value() or "").partition(":")
        if year and term:
            return queryset.filter(academic_year=year, term=term)
        return queryset


class OfficerFilter(admin.SimpleListFilter):
    title = "officer"
    parameter_name = "officer"

    def lookups(self, request, model_admin):
        officers = qa_officers_for(actor=_actor(request))
        return [(UNASSIGNED, "Unassigned")] + [(str(u.pk), u.full_name) for u in officers]

    def queryset(self, request, queryset):
        if self.value() == UNASSIGNED:
            return queryset.filter(open_review_id__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(officer_id=int(self.value()))
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "days waiting"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label, _, _ in WAITING_BANDS]

    def queryset(self, request, queryset):
        for value, _, fewest, most in WAITING_BANDS:
            if self.value() == value:
                queryset = queryset.filter(_waited_at_least(fewest))
                if most is not None:
                    queryset = queryset.exclude(_waited_at_least(most + 1))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue for QA"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(_overdue(request))
        if self.value() == "no":
            return queryset.exclude(_overdue(request))
        return queryset


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=None,
        label="Officer",
        empty_label="Choose an officer",
        error_messages={"required": "Choose the officer to assign to."},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        field.queryset = qa_officers_for(actor=actor)
        field.label_from_instance = lambda user: user.full_name or user.email


def _review_url(review_id) -> str | None:
    try:
        return reverse("admin:quality_qareview_change", args=[review_id])
    except NoReverseMatch:
        return None


@admin.register(QaQueueEntry)
class QaQueueAdmin(RoleAdmin):
    may_view = permissions.can_use_qa
    list_display = [
        "child_link",
        "school_name",
        "stage",
        "officer_label",
        "waiting",
        "due",
    ]
    list_display_links = None
    list_filter = [
        SchoolFilter,
        KeyStageFilter,
        CohortFilter,
        TermFilter,
        OfficerFilter,
        WaitingFilter,
        OverdueFilter,
    ]
    search_fields = [
        "child__legal_first_name",
        "child__legal_last_name",
        "child__preferred_name",
        "=child__upn",
    ]
    search_help_text = "Search by the child's name or UPN."
    actions = ["assign_to_officer"]
    list_per_page = 50
    ordering = ["submitted_at", "pk"]
    show_full_result_count = False
    change_form_template = "admin/quality/queue/change_form.html"

    class Media:
        css = {"all": ["quality/qa-admin.css"]}

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "PEPs waiting for QA", **(extra_context or {})}
        )

    def get_queryset(self, request):
        """The queue, each row with its authority's turnaround (``turnaround``)."""
        turnarounds = _turnarounds(request)
        return queue_for(actor=_actor(request)).annotate(
            turnaround=Case(
                *(When(local_authority_id=la, then=Value(t)) for la, t in turnarounds.items()),
                default=Value(DEFAULT_TURNAROUND_WORKING_DAYS),
                output_field=IntegerField(),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.strip())

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not permissions.can_assign_qa(_actor(request)):
            actions.pop("assign_to_officer", None)
        return actions

    # -- columns ----------------------------------------------------------------------------

    @admin.display(description="Child", ordering="child__legal_last_name")
    def child_link(self, obj):
        url = _review_url(obj.open_review_id) if obj.open_review_id else None
        if url is None:
            url = reverse("admin:quality_qaqueueentry_change", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a><br><span class="qa-upn">UPN {}</span>',
            url,
            obj.child.display_name,
            obj.child.upn or "not recorded",
        )

    @admin.display(description="School", ordering="school__name")
    def school_name(self, obj):
        return obj.school.name if obj.school_id else "Not recorded"

    @admin.display(description="Stage and term")
    def stage(self, obj):
        from children.stages import year_group_label

        year = ""
        if obj.year_group is not None and -1 <= obj.year_group <= 13:
            year = year_group_label(obj.year_group)
        stage = ", ".join(part for part in (obj.key_stage, year) if part) or "Stage not recorded"
        return format_html("{}<br>{} {}", stage, obj.get_term_display(), obj.academic_year)

    @admin.display(description="Officer", ordering="officer_name")
    def officer_label(self, obj):
        return obj.officer_name or "Unassigned"

    @admin.display(description="Waiting", ordering="submitted_at")
    def waiting(self, obj):
        days = waiting_working_days(obj.submitted_at, clock.today())
        return f"{days} working day{'' if days == 1 else 's'}"

    @admin.display(description="QA due")
    def due(self, obj):
        due = qa_due_date(obj.submitted_at, obj.turnaround)
        text = f"{due:%-d %b %Y}" if due else "Not known"
        if waiting_working_days(obj.submitted_at, clock.today()) > obj.turnaround:
            return format_html('{}<br><strong class="qa-tag qa-tag--late">Late</strong>', text)
        return text

    # -- assignment -------------------------------------------------------------------------

    @admin.action(description="Assign to an officer")
    def assign_to_officer(self, request, queryset):
        actor = _actor(request)
        form = AssignForm(request.POST if "apply" in request.POST else None, actor=actor)
        if form.is_bound and form.is_valid():
            try:
                reviews = review_assign(
                    actor=actor,
                    pep_ids=list(queryset.values_list("pk", flat=True)),
                    officer=form.cleaned_data["officer"],
                )
            except PermissionDenied as error:
                self.message_user(request, str(error) or "You cannot do this.", messages.ERROR)
                return None
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return None
            officer = form.cleaned_data["officer"]
            count = len(reviews)
            self.message_user(
                request,
                f"{count} PEP{'' if count == 1 else 's'} assigned to {officer.full_name}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign PEPs to an officer",
            "opts": self.model._meta,
            "entries": list(queryset),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "query_string": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/quality/queue/assign_confirmation.html", context)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="quality_qaqueueentry_assign",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The PEP's summary, who has it, and the buttons to assign it."""
        actor = _actor(request)
        if not str(object_id).isdigit():
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        entry = self._entry(request, int(object_id))
        turnaround = entry.turnaround
        waited = waiting_working_days(entry.submitted_at, clock.today())
        context = {
            **self.admin_site.each_context(request),
            "title": f"PEP waiting for QA: {entry.child.display_name}",
            "subtitle": None,
            "opts": self.opts,
            "entry": entry,
            "waited": waited,
            "late": waited > turnaround,
            "due": qa_due_date(entry.submitted_at, turnaround),
            "review_url": _review_url(entry.open_review_id) if entry.open_review_id else None,
            "may_assign": permissions.can_assign_qa(actor, entry),
            "form": AssignForm(actor=actor),
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _entry(self, request, pep_id: int):
        """The queue's PEP the URL names: 404 for missing and refused alike."""
        return access_queue_entry_by_id(
            actor=_actor(request), pep_id=pep_id, queryset=self.get_queryset(request)
        )

    def assign_view(self, request, object_id):
        actor = _actor(request)
        entry = self._entry(request, object_id)
        change_url = reverse("admin:quality_qaqueueentry_change", args=[entry.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if "assign_to_me" in request.POST:
            officer = actor.user
        else:
            form = AssignForm(request.POST, actor=actor)
            if not form.is_valid():
                for message in form.errors.get("officer", []):
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            officer = form.cleaned_data["officer"]
        try:
            (review,) = review_assign(actor=actor, pep_ids=[entry.pk], officer=officer)
        except (PermissionDenied, ValidationError) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, text or "You cannot do this.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        if officer.pk == actor.user_id:
            self.message_user(request, "The PEP is assigned to you.", messages.SUCCESS)
            return HttpResponseRedirect(_review_url(review.pk) or change_url)
        self.message_user(request, f"The PEP is assigned to {officer.full_name}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:quality_qaqueueentry_changelist"))


class QaPolicyForm(forms.Form):
    turnaround_working_days = forms.IntegerField(
        label="QA turnaround (working days)",
        help_text="How many working days after submission QA must be finished (1 to 60).",
        error_messages={"required": "Enter the QA turnaround in working days."},
    )
    moderation_share_percent = forms.IntegerField(
        label="Moderation sample (%)",
        help_text="The share of each term's graded PEPs graded again, blind (0 to 100).",
        error_messages={"required": "Enter the moderation share as a percentage."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(QaPolicy)
class QaPolicyAdmin(RoleAdmin):
    """One page per authority: the QA turnaround and the moderation share."""

    may_view = permissions.can_edit_qa_policy
    may_change = permissions.can_edit_qa_policy

    def get_queryset(self, request):
        return qa_policies_for(actor=_actor(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:quality_qapolicy_changelist"))

    def changelist_view(self, request, extra_context=None):
        actor = _actor(request)
        if not self.has_view_permission(request) or len(actor.authority_ids) != 1:
            raise PermissionDenied
        authority = actor.authorities[0]
        policy = qa_policy_for(authority.pk)
        may_change = self.has_change_permission(request)
        initial = {
            "turnaround_working_days": policy.turnaround_working_days,
            "moderation_share_percent": policy.moderation_share_percent,
            "version": policy.version,
        }
        form = QaPolicyForm(request.POST or None, initial=initial)
        if request.method == "POST" and may_change and form.is_valid():
            try:
                qa_policy_update(
                    actor=actor,
                    local_authority=authority,
                    turnaround_working_days=form.cleaned_data["turnaround_working_days"],
                    moderation_share_percent=form.cleaned_data["moderation_share_percent"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                self.message_user(request, "The QA policy is saved.", messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"QA policy: {authority.name}",
            "opts": self.opts,
            "form": form,
            "may_change": may_change,
            "is_default": policy.pk is None,
        }
        return TemplateResponse(request, "admin/quality/queue/policy.html", context)
