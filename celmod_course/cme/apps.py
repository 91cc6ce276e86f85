from django.apps import AppConfig


class CmeConfig(AppConfig):
    name = "celmod_course.cme"
    label = "cme"
    verbose_name = "Completion, certificates and credit"

    def ready(self):
        from . import tallies

        tallies.connect()
