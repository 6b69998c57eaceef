"""Start of a signed-in session; ending every session of a deactivated account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="security.session_started")
def _session_started(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    services.session_started(session)


User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="security.remember_was_active")
def _remember_was_active(sender, instance, raw=False, **kwargs) -> None:
    # Only a save that makes the account inactive needs to know what it was before.
    instance._security_was_active = (
        not raw
        and not instance.is_active
        and instance.pk is not None
        and sender.objects.filter(pk=instance.pk, is_active=True).exists()
    )


@receiver(post_save, sender=User, dispatch_uid="security.end_sessions_on_deactivation")
def _end_sessions_on_deactivation(sender, instance, created, raw=False, **kwargs) -> None:
    if getattr(instance, "_security_was_active", False) and not instance.is_active:
        instance._security_was_active = False
        services.sessions_end_for_user(user=instance)
