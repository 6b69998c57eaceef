from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "epep.notifications"
    label = "notifications"
    verbose_name = "Notifications"
