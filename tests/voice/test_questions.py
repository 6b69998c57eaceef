"""The My Voice questions: every band's questions are easy to read, each kind offers the
right answers, and the band follows the child's year group."""

from fractions import Fraction

import pytest

from voice.questions import (
    QUESTIONS,
    Band,
    Kind,
    band_for_year,
    question,
    questions_for,
    reading_ease,
    syllables,
)

ALL = [(band, q) for band, qs in QUESTIONS.items() for q in qs]


@pytest.mark.parametrize(("band", "q"), ALL, ids=[f"{b.value}-{q.key}" for b, q in ALL])
def test_every_question_and_hint_is_easy_to_read(band, q):
    for text in filter(None, (q.text, q.hint)):
        ease = reading_ease(text)
        assert ease.easy, (text, ease)


def test_the_reading_ease_check_refuses_hard_words_and_long_sentences():
    assert not reading_ease("Describe the educational interventions affecting attainment.").easy
    assert not reading_ease(
        "Tell us what you did at school today and what you want to do with your friends now."
    ).easy
    assert reading_ease("How do you feel at school?").easy
    assert reading_ease("Go. Run.").words_per_sentence == 1
    assert reading_ease("I like cake").syllables_per_word == Fraction(1)


@pytest.mark.parametrize(
    ("word", "count"), [("cat", 1), ("happy", 2), ("school", 1), ("make", 1), ("education", 4)]
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_every_band_has_questions_with_unique_keys_and_the_issue_s_themes():
    for band in Band:
        keys = [q.key for q in questions_for(band)]
        assert len(keys) == len(set(keys)) >= 4
        assert {"adults_know"} <= set(keys)
    for band in (Band.KS2, Band.KS3, Band.KS4):
        assert {"school", "friends", "helps", "gets_in_way", "proud", "who_at_meeting"} <= {
            q.key for q in questions_for(band)
        }


def test_ks1_uses_three_faces_and_older_children_a_scale_of_five():
    assert question("ks1", "school").kind == Kind.FACES
    assert [label for _, label in question("ks1", "school").options] == ["Sad", "OK", "Happy"]
    assert question("ks2", "school").kind == Kind.SCALE
    assert len(question("ks3", "school").options) == 5
    assert question("ks2", "helps").options == ()


def test_early_years_pictures_are_described_in_words():
    likes = question("early_years", "likes")
    assert likes.kind == Kind.PICTURES
    assert all(label and not label.isspace() for _, label in likes.options)


@pytest.mark.parametrize(
    ("year", "band"),
    [
        (-3, Band.EARLY_YEARS),
        (-1, Band.EARLY_YEARS),
        (0, Band.EARLY_YEARS),
        (1, Band.KS1),
        (2, Band.KS1),
        (3, Band.KS2),
        (6, Band.KS2),
        (7, Band.KS3),
        (9, Band.KS3),
        (10, Band.KS4),
        (11, Band.KS4),
        (12, Band.POST_16),
        (15, Band.POST_16),
        (None, Band.KS2),
    ],
)
def test_the_band_follows_the_year_group(year, band):
    assert band_for_year(year) == band


def test_an_unknown_question_is_none():
    assert question("ks2", "nope") is None
