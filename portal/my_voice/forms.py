"""My Voice forms: one question a page (built from ``voice.questions``), which questions
and who helped, what to share; a professional's note and "You said, we did"."""

from __future__ import annotations

from django import forms

from voice.questions import Band, Kind, Question


def question_form(q: Question, data=None, initial=None) -> forms.Form:
    """The form for one question: a text box, radios (faces or scale) or checkboxes
    (pictures). Every answer may be left empty (the question can be skipped)."""
    form = forms.Form(data, initial=initial)
    if q.kind == Kind.TEXT:
        # strip=False: the child's words are kept exactly as typed
        field = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    elif q.kind == Kind.PICTURES:
        field = forms.MultipleChoiceField(
            required=False, choices=q.options, widget=forms.CheckboxSelectMultiple
        )
    else:
        field = forms.ChoiceField(required=False, choices=q.options, widget=forms.RadioSelect)
    field.label = q.text
    field.help_text = q.hint
    form.fields["text" if q.kind == Kind.TEXT else "value"] = field
    return form


class AboutForm(forms.Form):
    band = forms.ChoiceField(
        label="Which questions",
        choices=Band.choices,
        widget=forms.RadioSelect,
        help_text="The adult helping you can choose a younger or an older set.",
    )
    helped_by = forms.CharField(
        label="I had help from",
        required=False,
        max_length=200,
        help_text="For example, my carer or my teacher.",
    )


class ShareForm(forms.Form):
    share = forms.MultipleChoiceField(
        label="What do you want to share?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The adults at your meeting will see what you tick. "
        "What you do not tick stays private.",
    )
    share_nothing = forms.BooleanField(label="I do not want to share anything", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, answers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].choices = answers


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Your note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your note sits beside the child's words. It does not change them.",
    )


class LinkForm(forms.Form):
    link = forms.ChoiceField(label="You said, we did: the target or action", required=False)

    def __init__(self, *args, targets=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [
            ("", "Not linked"),
            *((f"t:{t.public_id}", f"Target: {t.description}") for t in targets),
            *((f"a:{a.pk}", f"Action: {a.description}") for a in actions),
        ]
