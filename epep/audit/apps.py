from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "epep.audit"
    label = "audit"
    verbose_name = "Audit"
