from django.contrib import admin

from celmod_course.admin import RecordAdmin

from .models import ActivityCompletion


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(RecordAdmin):
    """Completions are records of what learners did: read-only."""

    list_display = ("learner", "activity", "completed_at", "certificate_number")
    list_filter = ("activity",)
    list_select_related = ("learner", "activity")
    search_fields = ("learner__email", "learner__full_name", "certificate_number")
    date_hierarchy = "completed_at"
