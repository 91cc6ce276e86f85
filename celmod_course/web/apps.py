from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "celmod_course.web"
    label = "web"
    verbose_name = "Pages"

    def ready(self):
        from .pagecache import connect

        connect()
