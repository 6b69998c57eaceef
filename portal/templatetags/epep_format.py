from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(pence) -> str:
    """1234567 pence → "£12,345.67" (exact: Decimal, never float)."""
    if pence is None or pence == "":
        return ""
    amount = Decimal(int(pence)) / 100
    return f"£{amount:,.2f}"
