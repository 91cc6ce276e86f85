from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "celmod_course.outbox"
    label = "outbox"
    verbose_name = "Outbox"
