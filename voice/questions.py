"""The My Voice questions, one set per age band, in words a 7-year-old can follow with an
adult's help (``reading_ease`` checks each question: short sentences, short words).

Pure data and functions: no database. A band is chosen from the child's national
curriculum year (``band_for_year``); the adult helping may choose another (a child may use
a younger or an older form). Answers are stored by question key, so a question's words can
be improved without losing what children said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from django.db import models


class Band(models.TextChoices):
    EARLY_YEARS = "early_years", "Early years (with my carer)"
    KS1 = "ks1", "Years 1 and 2"
    KS2 = "ks2", "Years 3 to 6"
    KS3 = "ks3", "Years 7 to 9"
    KS4 = "ks4", "Years 10 and 11"
    POST_16 = "post_16", "After year 11"


class Kind(models.TextChoices):
    FACES = "faces", "Three faces"
    SCALE = "scale", "Scale of 1 to 5"
    TEXT = "text", "Free text"
    PICTURES = "pictures", "Choose pictures"


#: the three faces (KS1 and early years), value 1 to 3, as words (no images needed)
FACES = ((1, "Sad"), (2, "OK"), (3, "Happy"))
#: the scale of five for older children
SCALE = (
    (1, "Very bad"),
    (2, "Bad"),
    (3, "OK"),
    (4, "Good"),
    (5, "Very good"),
)


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: Kind
    hint: str = ""
    #: for ``Kind.PICTURES``: (value, words describing the picture)
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """The choices a form offers, as (value, label) pairs (none for free text)."""
        if self.kind == Kind.FACES:
            return tuple((str(v), label) for v, label in FACES)
        if self.kind == Kind.SCALE:
            return tuple((str(v), label) for v, label in SCALE)
        return self.choices

    def answer_label(self, value: str) -> str:
        """The words for a stored value: "Good", or "Books and stories, Music and singing"."""
        labels = dict(self.options)
        return ", ".join(labels.get(v, v) for v in value.split(",") if v)


_ACTIVITIES = (
    ("play_outside", "Playing outside"),
    ("books", "Books and stories"),
    ("drawing", "Drawing and painting"),
    ("building", "Building with blocks"),
    ("music", "Music and singing"),
    ("friends", "Playing with friends"),
)

_SCHOOL_SCALE = Question("school", "How do you feel about school?", Kind.SCALE)
_FRIENDS_SCALE = Question("friends", "How do you feel about your friends?", Kind.SCALE)
_HELPS = Question("helps", "What helps you at school?", Kind.TEXT)
_GETS_IN_WAY = Question("gets_in_way", "What makes school hard for you?", Kind.TEXT)
_PROUD = Question("proud", "What are you proud of?", Kind.TEXT)
_WANT_TO_BE = Question("want_to_be", "What do you want to be or do when you grow up?", Kind.TEXT)
_MEETING = Question(
    "who_at_meeting",
    "Who do you want at your meeting?",
    Kind.TEXT,
    hint="Your meeting is when the grown-ups talk about your school.",
)
_ADULTS_KNOW = Question("adults_know", "What do you want the grown-ups to know?", Kind.TEXT)

QUESTIONS: dict[Band, tuple[Question, ...]] = {
    Band.EARLY_YEARS: (
        Question(
            "likes",
            "What do you like to do?",
            Kind.PICTURES,
            hint="Pick all you like.",
            choices=_ACTIVITIES,
        ),
        Question("nursery", "How do you feel at nursery?", Kind.FACES),
        Question("helps", "What helps you when you are sad?", Kind.TEXT),
        Question("adults_know", "What do you want the grown-ups to know?", Kind.TEXT),
    ),
    Band.KS1: (
        Question("school", "How do you feel at school?", Kind.FACES),
        Question("friends", "How do you feel with your friends?", Kind.FACES),
        Question(
            "likes",
            "What do you like to do?",
            Kind.PICTURES,
            hint="Pick all you like.",
            choices=_ACTIVITIES,
        ),
        Question("helps", "What helps you learn?", Kind.TEXT),
        Question("proud", "What are you proud of?", Kind.TEXT),
        _MEETING,
        _ADULTS_KNOW,
    ),
    Band.KS2: (
        _SCHOOL_SCALE,
        _FRIENDS_SCALE,
        Question("best_lesson", "What is your best lesson? Why?", Kind.TEXT),
        _HELPS,
        _GETS_IN_WAY,
        _PROUD,
        _WANT_TO_BE,
        _MEETING,
        _ADULTS_KNOW,
    ),
    Band.KS3: (
        _SCHOOL_SCALE,
        _FRIENDS_SCALE,
        _HELPS,
        _GETS_IN_WAY,
        _PROUD,
        Question("want_to_be", "What job or course do you want to do one day?", Kind.TEXT),
        _MEETING,
        _ADULTS_KNOW,
    ),
    Band.KS4: (
        _SCHOOL_SCALE,
        _FRIENDS_SCALE,
        _HELPS,
        _GETS_IN_WAY,
        _PROUD,
        Question("next_step", "What do you want to do after Year 11?", Kind.TEXT),
        _MEETING,
        _ADULTS_KNOW,
    ),
    Band.POST_16: (
        Question("course", "How do you feel about your course or job?", Kind.SCALE),
        _FRIENDS_SCALE,
        Question("helps", "What helps you with your course or job?", Kind.TEXT),
        Question("gets_in_way", "What makes it hard?", Kind.TEXT),
        _PROUD,
        Question("next_step", "What do you want to do next?", Kind.TEXT),
        _MEETING,
        _ADULTS_KNOW,
    ),
}


def questions_for(band: str) -> tuple[Question, ...]:
    return QUESTIONS[Band(band)]


def question(band: str, key: str) -> Question | None:
    return next((q for q in questions_for(band) if q.key == key), None)


def band_for_year(nc_year: int | None) -> Band:
    """The band for a national curriculum year (-1 Nursery … 13 Year 13); a child younger
    than nursery age has the early-years form, one past Year 13 the post-16 one, and a
    child whose year is not known the KS2 form (the adult helping may change it)."""
    if nc_year is None:
        return Band.KS2
    if nc_year <= 0:
        return Band.EARLY_YEARS
    if nc_year <= 2:
        return Band.KS1
    if nc_year <= 6:
        return Band.KS2
    if nc_year <= 9:
        return Band.KS3
    if nc_year <= 11:
        return Band.KS4
    return Band.POST_16


# -- reading ease ------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = re.compile(r"[.?!]+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """A word's syllables, estimated: groups of vowels, less a silent final "e"."""
    word = word.lower().strip("'")
    groups = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(groups, 1)


@dataclass(frozen=True)
class ReadingEase:
    words_per_sentence: Fraction
    syllables_per_word: Fraction

    @property
    def easy(self) -> bool:
        """Easy enough for a 7-year-old with help: at most 12 words a sentence, at most
        1.5 syllables a word."""
        return self.words_per_sentence <= 12 and self.syllables_per_word <= Fraction(3, 2)


def reading_ease(text: str) -> ReadingEase:
    words = _WORD.findall(text)
    sentences = max(len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]), 1)
    if not words:
        return ReadingEase(Fraction(0), Fraction(0))
    return ReadingEase(
        Fraction(len(words), sentences),
        Fraction(sum(syllables(w) for w in words), len(words)),
    )
