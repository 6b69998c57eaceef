"""Small numbers hidden outside the Virtual School: reports.suppression is a pure function
over a Section."""

from __future__ import annotations

from reports.figures import Measure, Row, Section, Table
from reports.suppression import suppress, suppress_measure


def _section(*cells: Measure, note: str = "") -> Section:
    table = Table(
        key="outcomes.attendance",
        title="Attendance",
        definition="Children with a PEP.",
        columns=tuple(f"c{i}" for i in range(len(cells))),
        rows=(Row(key="autumn", label="Autumn term", cells=cells),),
        note=note,
    )
    return Section(key="outcomes", title="Outcomes", tables=(table,))


def test_counts_of_one_to_four_children_are_hidden_with_their_link():
    hidden = suppress_measure(Measure(4, drill="measure=outcomes.neet"))
    assert hidden == Measure(None, suppressed=True)
    assert suppress_measure(Measure(1)).suppressed


def test_five_children_and_none_are_shown():
    assert suppress_measure(Measure(5, drill="x=1")) == Measure(5, drill="x=1")
    assert suppress_measure(Measure(0, denominator=12)) == Measure(0, denominator=12)


def test_a_percentage_of_fewer_than_five_children_is_hidden():
    hidden = suppress_measure(Measure(0, denominator=3, drill="x=1"))
    assert (hidden.value, hidden.denominator, hidden.drill, hidden.suppressed) == (
        None,
        None,
        "",
        True,
    )
    assert suppress_measure(Measure(3, denominator=20)).suppressed
    assert not suppress_measure(Measure(7, denominator=20)).suppressed


def test_a_few_events_are_hidden_but_money_is_not():
    assert suppress_measure(Measure(3, unit="count")).suppressed
    assert not suppress_measure(Measure(12, unit="count")).suppressed
    assert suppress_measure(Measure(250_00, unit="pence")) == Measure(250_00, unit="pence")
    assert suppress_measure(Measure(2, unit="pence")) == Measure(2, unit="pence")


def test_the_threshold_can_be_given():
    assert not suppress_measure(Measure(4), threshold=3).suppressed
    assert suppress_measure(Measure(9), threshold=10).suppressed


def test_a_section_keeps_its_shape_and_says_what_it_hid():
    original = _section(Measure(12), Measure(2, denominator=12), Measure(6, denominator=12))
    hidden = suppress(original)
    row = hidden.tables[0].rows[0]
    assert [cell.value for cell in row.cells] == [12, None, 6]
    assert [cell.suppressed for cell in row.cells] == [False, True, False]
    assert hidden.tables[0].note == (
        "Numbers of fewer than 5 children (and percentages of fewer than 5) are not shown, "
        "so that no child can be identified."
    )
    # Pure: the section given is unchanged.
    assert original.tables[0].rows[0].cells[1] == Measure(2, denominator=12)


def test_a_table_with_nothing_to_hide_is_returned_as_it_was():
    original = _section(Measure(12), Measure(0, denominator=12), note="Counted on 10 December.")
    assert suppress(original) == original


def test_an_existing_note_is_kept():
    hidden = suppress(_section(Measure(3), note="Counted on 10 December."))
    assert hidden.tables[0].note.startswith("Counted on 10 December. Numbers of fewer than 5")


def test_an_empty_section_stays_empty():
    empty = Section(key="outcomes", title="Outcomes", empty_message="No PEPs.")
    assert suppress(empty) == empty
