"""Email settings: each reminder as it happens, or one email a day. Escalations to
Virtual School staff are always sent at once (``epep.notifications``)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from epep.notifications.services import notification_preference_get, notification_preference_set
from epep.tenancy.permissions import can_set_email_reminders

from ..access import actor_required
from .forms import DAILY, EACH, PreferencesForm


@actor_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if not can_set_email_reminders(request.actor):
        raise Http404("Page not found")
    current = notification_preference_get(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preference_set(
                user=request.user, daily_digest=form.cleaned_data["delivery"] == DAILY
            )
            messages.success(request, "Your email settings have been saved")
            return redirect("portal:notifications:preferences")
    else:
        form = PreferencesForm(initial={"delivery": DAILY if current.daily_digest else EACH})
    selected = form["delivery"].value()
    return render(
        request,
        "portal/notifications/preferences.html",
        {"title": "Email settings", "form": form, "selected": selected},
    )
