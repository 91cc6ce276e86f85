from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Activities and lessons"

    def ready(self):
        from .caching import content_changed

        for name in ("Activity", "Faculty", "KeyTakeaway", "Lesson", "Paragraph", "Abbreviation"):
            model = self.get_model(name)
            post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{name}-save")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{name}-del")
