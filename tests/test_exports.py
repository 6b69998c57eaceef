"""Downloads: CSV cells a spreadsheet shows as text, never runs; file names made of
references only."""

import csv
import io
import uuid

import pytest

from epep.exports import attachment_header, csv_row, csv_safe, download_name, short_reference


@pytest.mark.parametrize(
    "formula",
    [
        '=HYPERLINK("http://example.org","click")',
        "+1",
        "-1+2",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r@SUM(1)",
        "\n+1",
        ' =HYPERLINK("http://example.org","click")',
        "   -2",
        " \t\r\n=1",
        "\u00a0=1",  # a no-break space, which spreadsheets may trim too
    ],
)
def test_a_cell_that_starts_like_a_formula_even_after_blanks_becomes_text(formula):
    assert csv_safe(formula) == "'" + formula


@pytest.mark.parametrize(
    "plain",
    ["Jo = Smith", "a+b", "jo@example.org", " leading space", "\nnext line", "1", "", "(0)"],
)
def test_ordinary_text_and_numbers_stay_as_they_are(plain):
    assert csv_safe(plain) == plain


def test_a_negative_number_is_text_too():
    """The rule has always covered a leading minus ("-1+2" is a formula); an audit log has
    no numbers to lose."""
    assert csv_safe("-1") == "'-1"
    assert csv_safe(-1) == "'-1"


def test_none_is_an_empty_cell_and_other_values_are_their_text():
    assert csv_row([None, 3, " =1", "x"]) == ["", "3", "' =1", "x"]


def test_a_written_row_reads_back_with_every_formula_neutralised():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([" =1+1", "\t=1+1", "\r@SUM(1)", "\n+1", "-1+2", "ok"]))
    [row] = csv.reader(io.StringIO(buffer.getvalue()))
    assert [cell[0] for cell in row[:5]] == ["'"] * 5
    assert row[5] == "ok"


def test_download_names_are_plain_references():
    ref = uuid.UUID("3f9a1c2e-0000-4000-8000-000000000000")
    assert short_reference(ref) == "3f9a1c2e"
    assert download_name("PEP", short_reference(ref), "spring", "2026-27", extension="pdf") == (
        "PEP-3f9a1c2e-spring-2026-27.pdf"
    )
    assert download_name('a b/c\\d"e', "", extension=".ICS") == "a-b-c-d-e.ics"
    assert download_name("", extension="csv") == "download.csv"


def test_the_header_takes_only_a_download_name():
    assert attachment_header("x-1.pdf") == 'attachment; filename="x-1.pdf"'
    for bad in ('a"b.pdf', "Ama Appiah.pdf", "", "a;b.pdf"):
        with pytest.raises(ValueError, match="Not a download name"):
            attachment_header(bad)
