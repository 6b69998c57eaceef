"""PEP deadlines and the in-tray, worked out from the children's records by
``deadlines.services.deadlines_refresh`` (rules in ``deadlines.due_dates``).

The tables kept their names from when these models lived in ``meetings``
(``meetings_deadline``, ...): the move was a change of Django state only (migration
``deadlines.0001_initial``), so no row moved and the row-level-security policies and
composite keys stand."""

from django.db import models
from django.db.models import Q

from calendars.days import long_date
from epep.tenancy.models import LocalAuthority, TenantModel


class DeadlineKind(models.TextChoices):
    FIRST_PEP = "first_pep", "First PEP after entering care"
    STATUTORY_REVIEW_READY = "statutory_review_ready", "PEP ready for the first care review"
    NEW_SCHOOL = "new_school", "PEP for a new school"
    NEW_PLACEMENT = "new_placement", "PEP for a new placement"
    KEY_STAGE = "key_stage", "PEP for a new key stage"
    TERMLY_REVIEW = "termly_review", "Termly PEP review"
    SIX_MONTHLY = "six_monthly", "Six-monthly PEP review"


def _authority_key():
    """The refresh writes deadlines and tasks by the hundred thousand, and each foreign key
    the database checks costs a look-up per row at commit. Where a composite key
    (migration: (child, authority), (met_by, authority), (deadline, authority)) already
    proves the row points at a row of its own authority, the single-column constraint adds
    nothing and is not created (``db_constraint=False``): the authority key here and the
    child, PEP and deadline keys below. Django still follows the relations and applies
    ``on_delete``."""
    return models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
        db_constraint=False,
    )


class Deadline(TenantModel):
    """One obligation to hold a PEP by a date, worked out from the child's records by
    ``deadlines.services.deadlines_refresh``. Met by the first PEP whose meeting was held
    on or after ``trigger_date``.

    A tenant row: composite keys (child, authority) and (met_by, authority) (migration)."""

    local_authority = _authority_key()
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="deadlines", db_constraint=False
    )
    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    trigger_date = models.DateField(help_text="A PEP held on or after this day meets it.")
    due_date = models.DateField()
    source = models.CharField(max_length=300, help_text="How the due date was worked out.")
    met_by = models.ForeignKey(
        "peps.Pep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    met_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "meetings_deadline"
        ordering = ["due_date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "due_date"], name="deadline_once_per_child_kind_due"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(DeadlineKind.values)), name="deadline_kind_valid"
            ),
            # The target of the tasks' composite foreign key.
            models.UniqueConstraint(fields=["id", "local_authority"], name="deadline_id_la_unique"),
        ]
        indexes = [
            models.Index(fields=["child", "met_on", "due_date"], name="deadline_child_next_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {long_date(self.due_date)}"


class TaskKind(models.TextChoices):
    COMPLETE_PEP = "complete_pep", "Complete the PEP"
    ARRANGE_MEETING = "arrange_meeting", "Arrange the PEP meeting"


class Task(TenantModel):
    """An item in someone's in-tray, opened and closed by
    ``deadlines.services.deadlines_refresh``."""

    local_authority = _authority_key()
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="tasks", db_constraint=False
    )
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        db_constraint=False,
    )
    assignee = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetings_task"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "assignee", "kind"],
                condition=Q(closed_at__isnull=True),
                name="task_one_open_per_deadline_assignee_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(TaskKind.values)), name="task_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_date"],
                condition=Q(closed_at__isnull=True),
                name="task_open_by_assignee_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DeadlineInputs(TenantModel):
    """What a child's deadlines and tasks were last worked out from: a digest of every
    input (the rules' version, the authority's policy and calendar, the child's dates,
    enrolments, placements, allocations, PEPs and meetings, the school's endorsed
    teachers), the day they were worked out and the first day on which the passing of
    time alone could change them (``valid_until``: a task's window opens, a submission
    date passes, a school place, allocation or care ends...). ``deadlines_refresh`` skips a
    child whose digest is unchanged and who is inside that window; the nightly job picks
    only children outside it (their inputs' changes were worked out when they were made).

    A tenant row: composite key (child, authority) (migration)."""

    child = models.OneToOneField(
        "children.Child", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    refreshed_on = models.DateField()
    #: The first day the result may differ with nothing else changed (null: unknown).
    valid_until = models.DateField(null=True)
    #: ``deadlines.services.RULES_VERSION`` when it was worked out.
    rules_version = models.CharField(max_length=20, default="", db_default="")

    class Meta:
        db_table = "meetings_deadlineinputs"

    def __str__(self) -> str:
        return f"Deadline inputs of child {self.child_id}"
