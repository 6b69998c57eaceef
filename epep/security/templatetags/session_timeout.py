"""``{% session_timeout_settings as timeout %}``: what the timeout warning needs."""

from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from .. import services

register = template.Library()

# The sign-out URL: django-allauth's when it is installed, Django's otherwise.
LOGOUT_URL_NAMES = ("account_logout", "logout")


@register.simple_tag(takes_context=True)
def session_timeout_settings(context) -> dict:
    request = context["request"]
    times = services.session_times(request.session)
    return {
        "idle_timeout": services.idle_timeout(),
        "idle_timeout_label": services.describe_duration(services.idle_timeout()),
        "absolute_timeout_label": services.describe_duration(services.absolute_timeout()),
        "warning": services.warning_period(),
        "warning_label": services.describe_duration(services.warning_period()),
        "seconds_left": max(0, times.seconds_left),
        "extendable": times.extendable,
        "sign_in_url": resolve_url(settings.LOGIN_URL),
        "sign_out_url": _sign_out_url(),
    }


def _sign_out_url() -> str:
    for name in LOGOUT_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"
