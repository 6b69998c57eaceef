"""May this actor …? Every rule about My Voice.

The child's own record is reached through ``voice.selectors`` (scoped to the children the
actor may see: the young person's own record, the children placed with a carer, a
professional's children); the answers here are about the actor's role and their relation
to the My Voice. Each function takes the object last (``None``: in general).
"""

from __future__ import annotations

from epep.tenancy.roles import Role

#: who writes My Voice: the child, or the carer helping on their own device
WRITERS = frozenset({Role.YOUNG_PERSON, Role.CARER})
#: the professionals who read what the child shared and may add a note beside it
READERS = frozenset(
    {
        Role.DESIGNATED_TEACHER,
        Role.SOCIAL_WORKER,
        Role.PERSONAL_ADVISER,
        Role.IRO,
        Role.VS_HEAD,
        Role.VS_OFFICER,
    }
)
#: who links the child's points to the PEP's targets and actions ("You said, we did")
LINKERS = frozenset({Role.DESIGNATED_TEACHER})


def _role(actor) -> Role | None:
    return getattr(actor, "role", None) if actor is not None else None


def _own(actor, obj) -> bool:
    """A young person acts only on their own record (``obj``: a My Voice or a PEP)."""
    return obj is None or obj.child_id in actor.child_ids


def can_write_my_voice(actor, my_voice=None) -> bool:
    """May ``actor`` start My Voice, answer its questions and choose the band: the young
    person for their own record, or the carer helping (the child is placed with them)."""
    role = _role(actor)
    if role == Role.YOUNG_PERSON:
        return _own(actor, my_voice)
    return role == Role.CARER


def can_read_private_answers(actor, my_voice=None) -> bool:
    """May ``actor`` read every answer, the ones kept private too? Only the child."""
    return _role(actor) == Role.YOUNG_PERSON and _own(actor, my_voice)


def can_share_my_voice(actor, my_voice=None) -> bool:
    """May ``actor`` choose what to share? Only the child: it is their choice."""
    return can_read_private_answers(actor, my_voice)


def can_read_shared_voice(actor, my_voice=None) -> bool:
    """May ``actor`` read the answers the child shared (and the notes beside them)?"""
    role = _role(actor)
    if role in READERS or role == Role.CARER:
        return True
    return role == Role.YOUNG_PERSON and _own(actor, my_voice)


def can_note_my_voice(actor, my_voice=None) -> bool:
    """May ``actor`` add a note beside a shared answer (never changing the child's words)?"""
    return _role(actor) in READERS


def can_link_you_said_we_did(actor, my_voice=None) -> bool:
    """May ``actor`` link a shared answer to one of the PEP's targets or actions?"""
    return _role(actor) in LINKERS
