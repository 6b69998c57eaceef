"""The accessibility statement (the Public Sector Bodies (Websites and Mobile
Applications) (No. 2) Accessibility Regulations 2018), in the GOV.UK model. Public: linked
from every page's footer, read before signing in too."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def accessibility_statement(request):
    return render(
        request,
        "portal/accessibility.html",
        {
            "title": "Accessibility statement",
            "session_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        },
    )
