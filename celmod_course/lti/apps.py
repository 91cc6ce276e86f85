from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "celmod_course.lti"
    label = "lti"
    verbose_name = "LTI: launches from an LMS and grades sent back"

    def ready(self):
        from .receivers import connect

        connect()
