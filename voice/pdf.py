"""My Voice in the PEP's PDF (registered with ``peps.hooks`` by ``voice.apps``): the
answers the child shared, in their words exactly as typed, with who helped and the
professionals' notes. Answers the child kept private are never read here."""

from __future__ import annotations

from django.utils import timezone

from .models import MyVoice, VoiceStatus
from .questions import Kind, questions_for

#: the PEP section the child's voice belongs to (every form of PEP has it)
SECTION_KEY = "child_views"
TEMPLATE = "voice/pdf/my_voice.html"


def shared_voice_for_pdf(pep) -> dict | None:
    """The PDF's My Voice block for ``pep``, or None when the child has shared nothing."""
    my_voice = MyVoice.objects.filter(pep=pep, status=VoiceStatus.SHARED).first()
    if my_voice is None:
        return None
    shared = {a.question: a for a in my_voice.answers.filter(share=True).select_related("note_by")}
    rows = []
    for q in questions_for(my_voice.band):
        answer = shared.get(q.key)
        if answer is None:
            continue
        rows.append(
            {
                "question": q.text,
                "words": answer.text if q.kind == Kind.TEXT else q.answer_label(answer.value),
                "note": answer.note,
                "note_by": (answer.note_by.full_name or answer.note_by.email)
                if answer.note_by
                else "",
            }
        )
    return {
        "template": TEMPLATE,
        "context": {
            "helped_by": my_voice.helped_by,
            "shared_on": timezone.localtime(my_voice.shared_at).strftime("%-d %B %Y"),
            "rows": rows,
        },
    }
