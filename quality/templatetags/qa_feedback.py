"""Template filters of the QA feedback the school sees."""

from django import template

register = template.Library()


@register.filter
def with_qa_outcome(rows):
    """The child-list rows (``portal.lists.child_rows``) whose child has a finished QA
    round (the ``qa_latest`` annotation of ``quality.selectors.reviews``)."""
    return [row for row in rows if getattr(row["child"], "qa_latest", None)]
