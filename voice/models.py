"""My Voice: what a child or young person says before their PEP meeting, in their own
words, by age band (``voice.questions``).

The child answers one question at a time (a draft they can come back to), then chooses
which answers to share: shared answers appear in the PEP's My Voice, read-only to
professionals, who may add a note beside them and, after the meeting, link a point to one
of the PEP's targets or actions ("You said, we did"). Answers the child keeps private are
never shown to anyone else, the carer helping included.

Every row carries its authority (row-level security); rows reference the child, the PEP
and the target through the composite key (id, authority).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from children.models import Child
from epep.tenancy.models import TenantModel
from peps.models import Action, Pep, Target
from peps.models import Status as PepStatus

from .questions import Band

#: the longest answer a child may type
MAX_ANSWER_CHARS = 20_000


class VoiceStatus(models.TextChoices):
    DRAFT = "draft", "Not shared yet"
    SHARED = "shared", "Shared"


class MyVoice(TenantModel):
    """One child's My Voice for one PEP."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    pep = models.ForeignKey(Pep, on_delete=models.PROTECT, related_name="+")
    band = models.CharField(max_length=12, choices=Band.choices)
    #: "I had help from …", in the child's or the helper's words
    helped_by = models.CharField("I had help from", max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=VoiceStatus.choices, default=VoiceStatus.DRAFT)
    shared_at = models.DateTimeField(null=True, blank=True)
    #: raised by every change: a page opened before another change is refused
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def closed(self) -> bool:
        """Is the PEP finalised? Then the child's answers to it are kept as they are (the
        services refuse a change; the pages show them read-only)."""
        return self.pep.status == PepStatus.FINALISED

    class Meta:
        verbose_name = "My Voice"
        verbose_name_plural = "My Voice"
        constraints = [
            models.UniqueConstraint(fields=["pep"], name="my_voice_one_per_pep"),
            models.UniqueConstraint(fields=["id", "local_authority"], name="my_voice_id_la_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(shared_at__isnull=False),
                name="my_voice_shared_has_date",
            ),
        ]

    def __str__(self) -> str:
        return "My Voice"


class MyVoiceAnswer(TenantModel):
    """One answer: free text, or a value on the question's scale or pictures (``value``,
    several pictures separated by commas). ``share`` is the child's choice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    my_voice = models.ForeignKey(MyVoice, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    text = models.TextField(blank=True)
    value = models.CharField(max_length=200, blank=True)
    share = models.BooleanField(default=False)
    answered_at = models.DateTimeField()
    #: a professional's note beside the shared answer (never a change to the child's words)
    note = models.TextField(blank=True)
    note_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: "You said, we did": the target or action of the PEP that answers this point
    target = models.ForeignKey(
        Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["my_voice", "id"]
        constraints = [
            models.UniqueConstraint(fields=["my_voice", "question"], name="my_voice_answer_once"),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(action__isnull=True),
                name="my_voice_answer_one_link",
            ),
        ]

    def __str__(self) -> str:
        return self.question
