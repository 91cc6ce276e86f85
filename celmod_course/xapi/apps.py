from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "celmod_course.xapi"
    label = "xapi"
    verbose_name = "Learning records (xAPI)"

    def ready(self):
        from .receivers import connect

        connect()
