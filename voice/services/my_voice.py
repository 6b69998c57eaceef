"""Writes about My Voice: start, answer one question, choose the band, share, a
professional's note and "You said, we did".

Each function checks its permission (``PermissionDenied``), validates (``ValidationError``
keyed by form field), writes and records an audit event in the same transaction. The
child's words are stored exactly as typed (emoji and right-to-left text included).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from epep.audit.services import audit_record
from epep.tenancy import clock
from peps.models import EDITABLE_STATUSES

from .. import permissions
from ..models import MAX_ANSWER_CHARS, MyVoice, MyVoiceAnswer, VoiceStatus
from ..questions import Band, Kind, band_for_year, question

#: what a change to a finalised PEP's My Voice is told
CLOSED = (
    "Your plan is finished, so these answers are kept just as they are. "
    "You can say more in My Voice for your next plan."
)
STALE = (
    "Your My Voice has changed since you opened this page. "
    "Look at it again and then choose what to share."
)


def _audit(actor, event: str, my_voice: MyVoice, obj=None, **detail) -> None:
    target = obj or my_voice
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=event,
        object_type=target._meta.label_lower,
        object_id=str(target.public_id),
        local_authority_id=my_voice.local_authority_id,
        child_public_id=my_voice.child.public_id,
        detail={"my_voice": str(my_voice.public_id), **detail},
    )


def _bump(my_voice: MyVoice, **changes) -> None:
    MyVoice.objects.filter(pk=my_voice.pk).update(version=F("version") + 1, **changes)
    my_voice.version += 1
    for name, value in changes.items():
        setattr(my_voice, name, value)


def _still_open(my_voice: MyVoice, field: str) -> None:
    """The child's answers for a finalised PEP are read-only."""
    if my_voice.closed:
        raise ValidationError({field: CLOSED})


def _band_for(child) -> Band:
    try:
        return band_for_year(child.year_group())
    except ValueError:
        return band_for_year(None)


@transaction.atomic
def my_voice_start(*, actor, pep) -> MyVoice:
    """The child's My Voice for ``pep`` (their open PEP), started if needed, in the band
    of the child's year group."""
    if not permissions.can_write_my_voice(actor, pep):
        raise PermissionDenied
    existing = MyVoice.objects.filter(pep=pep).select_related("child").first()
    if existing is not None:
        return existing
    if pep.status not in EDITABLE_STATUSES:
        raise ValidationError({"pep": "This PEP is finished. My Voice is for the next one."})
    my_voice = MyVoice.objects.create(
        local_authority_id=pep.local_authority_id,
        child=pep.child,
        pep=pep,
        band=_band_for(pep.child),
    )
    _audit(actor, "create", my_voice, band=my_voice.band)
    return my_voice


@transaction.atomic
def my_voice_about(*, actor, my_voice: MyVoice, band: str, helped_by: str) -> MyVoice:
    """Which questions (a younger or an older form: answers to the questions the forms
    share are kept) and "I had help from …"."""
    if not permissions.can_write_my_voice(actor, my_voice):
        raise PermissionDenied
    _still_open(my_voice, "band")
    if band not in Band.values:
        raise ValidationError({"band": "Choose which questions to answer."})
    if len(helped_by) > 200:
        raise ValidationError({"helped_by": "Write up to 200 letters."})
    if (my_voice.band, my_voice.helped_by) != (band, helped_by):
        _bump(my_voice, band=band, helped_by=helped_by)
        _audit(actor, "update", my_voice, band=band)
    return my_voice


def _clean_value(q, value: str) -> str:
    allowed = {v for v, _ in q.options}
    if q.kind == Kind.PICTURES:
        picked = [v for v in value.split(",") if v]
        if any(v not in allowed for v in picked):
            raise ValidationError({"value": "Choose from the pictures."})
        return ",".join(v for v, _ in q.options if v in picked)
    if value and value not in allowed:
        raise ValidationError({"value": "Choose one of the answers."})
    return value


@transaction.atomic
def my_voice_answer(
    *,
    actor,
    my_voice: MyVoice,
    question_key: str,
    text: str = "",
    value: str = "",
) -> MyVoiceAnswer | None:
    """Save the answer to one question (an empty answer removes an earlier one). ``text``
    is kept exactly as typed."""
    if not permissions.can_write_my_voice(actor, my_voice):
        raise PermissionDenied
    _still_open(my_voice, "text")
    q = question(my_voice.band, question_key)
    if q is None:
        raise ValidationError({"question": "That question is not in this My Voice."})
    if len(text) > MAX_ANSWER_CHARS:
        raise ValidationError(
            {
                "text": f"Your answer is too long. It can be up to {MAX_ANSWER_CHARS:,} "
                f"letters. It has {len(text):,}."
            }
        )
    if q.kind == Kind.TEXT:
        value = ""
    else:
        value = _clean_value(q, value)
        text = ""
    _bump(my_voice)
    if not text.strip() and not value:
        MyVoiceAnswer.objects.filter(my_voice=my_voice, question=q.key).delete()
        _audit(actor, "delete", my_voice, question=q.key)
        return None
    answer, _ = MyVoiceAnswer.objects.update_or_create(
        my_voice=my_voice,
        question=q.key,
        defaults={
            "local_authority_id": my_voice.local_authority_id,
            "text": text,
            "value": value,
            "answered_at": clock.now(),
        },
    )
    _audit(actor, "update", my_voice, answer, question=q.key)
    return answer


@transaction.atomic
def my_voice_share(
    *,
    actor,
    my_voice: MyVoice,
    share: list[str] | set[str],
    version: int,
    confirm_none: bool = False,
) -> MyVoice:
    """The child shares the answers to the questions ``share`` names (the others stay
    private). Sharing nothing is asked to confirm first. A page opened before a later
    change is refused (``version``)."""
    if not permissions.can_share_my_voice(actor, my_voice):
        raise PermissionDenied
    _still_open(my_voice, "share")
    if version != my_voice.version:
        raise ValidationError({"share": STALE})
    answered = set(my_voice.answers.values_list("question", flat=True))
    chosen = set(share) & answered
    if not chosen and not confirm_none:
        raise ValidationError(
            {
                "share": "You have not picked anything to share. "
                "Pick what to share, or say you want to share nothing."
            }
        )
    updated = MyVoice.objects.filter(pk=my_voice.pk, version=version).update(
        version=F("version") + 1, status=VoiceStatus.SHARED, shared_at=clock.now()
    )
    if not updated:
        raise ValidationError({"share": STALE})
    my_voice.refresh_from_db()
    my_voice.answers.update(share=False)
    my_voice.answers.filter(question__in=chosen).update(share=True)
    _audit(actor, "share", my_voice, shared=sorted(chosen))
    return my_voice


def _shared_answer(answer: MyVoiceAnswer) -> None:
    if not answer.share or answer.my_voice.status != VoiceStatus.SHARED:
        raise ValidationError({"answer": "The child has not shared this answer."})


@transaction.atomic
def my_voice_answer_note(*, actor, answer: MyVoiceAnswer, note: str) -> MyVoiceAnswer:
    """A professional's note beside a shared answer (the child's words never change)."""
    my_voice = answer.my_voice
    if not permissions.can_note_my_voice(actor, my_voice):
        raise PermissionDenied
    _shared_answer(answer)
    if len(note) > MAX_ANSWER_CHARS:
        raise ValidationError({"note": f"Write up to {MAX_ANSWER_CHARS:,} characters."})
    MyVoiceAnswer.objects.filter(pk=answer.pk).update(note=note, note_by=actor.user)
    answer.note, answer.note_by = note, actor.user
    _audit(actor, "note", my_voice, answer, question=answer.question)
    return answer


@transaction.atomic
def my_voice_answer_link(
    *, actor, answer: MyVoiceAnswer, target=None, action=None
) -> MyVoiceAnswer:
    """ "You said, we did": link a shared answer to one of its PEP's targets or actions
    (neither: remove the link)."""
    my_voice = answer.my_voice
    if not permissions.can_link_you_said_we_did(actor, my_voice):
        raise PermissionDenied
    _shared_answer(answer)
    if target is not None and action is not None:
        raise ValidationError({"link": "Choose one target or one action."})
    for obj in (target, action):
        if obj is not None and obj.pep_id != my_voice.pep_id:
            raise ValidationError({"link": "Choose a target or action of this PEP."})
    MyVoiceAnswer.objects.filter(pk=answer.pk).update(target=target, action=action)
    answer.target, answer.action = target, action
    _audit(
        actor,
        "link",
        my_voice,
        answer,
        question=answer.question,
        target=str(target.public_id) if target else None,
        action=action.pk if action else None,
    )
    return answer
