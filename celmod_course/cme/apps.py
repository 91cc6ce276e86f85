from django.apps import AppConfig


class CmeConfig(AppConfig):
    name = "celmod_course.cme"
    label = "cme"
    verbose_name = "Completion and certificates"

    def ready(self):
        from django.apps import apps

        from .pagecache import connect

        connect(apps)
