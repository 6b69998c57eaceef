"""Reads about My Voice, always through the child's access rules."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from children.selectors import children_for
from epep.tenancy.access import fetch_or_404

from . import permissions
from .models import MyVoice, MyVoiceAnswer, VoiceStatus


def my_voices_for(*, actor) -> QuerySet[MyVoice]:
    """The My Voice records of every child ``actor`` may see: My Voice is one of the young
    person's own pages (``own_pages``); the professionals' page of the shared answers is
    reached through ``access_pep_by_id``, which a young person never passes."""
    return MyVoice.objects.filter(child__in=children_for(actor=actor, own_pages=True).values("pk"))


def access_my_voice_by_id(*, actor, my_voice_id: UUID) -> MyVoice:
    """The one way to fetch a My Voice a URL names: 404 when missing or out of reach (a
    child trying another child's), identical either way."""
    return fetch_or_404(
        my_voices_for(actor=actor).select_related("child", "pep"),
        actor=actor,
        object_type="voice.myvoice",
        public_id=my_voice_id,
        message="No such page",
    )


def my_voice_for_pep(*, actor, pep) -> MyVoice | None:
    return my_voices_for(actor=actor).filter(pep=pep).first()


def visible_answers(*, actor, my_voice: MyVoice) -> QuerySet[MyVoiceAnswer]:
    """The answers ``actor`` may read: all of them for the child; for anyone else only
    what the child shared, once they have shared it."""
    answers = my_voice.answers.select_related("target", "action", "note_by")
    if permissions.can_read_private_answers(actor, my_voice):
        return answers
    if my_voice.status != VoiceStatus.SHARED or not permissions.can_read_shared_voice(
        actor, my_voice
    ):
        return answers.none()
    return answers.filter(share=True)
