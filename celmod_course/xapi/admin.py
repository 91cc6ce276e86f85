import json

from django.contrib import admin
from django.utils.html import format_html

from celmod_course.admin import ReadOnlyAdmin

from .models import Statement


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    """What was sent to the LRS, what waits, and what failed and why, for staff to read."""

    list_display = ("timestamp", "verb", "summary", "status", "attempts", "sent_at")
    list_filter = ("status", "verb")
    search_fields = ("summary", "=id")
    date_hierarchy = "timestamp"
    fields = (
        "id",
        "timestamp",
        "verb",
        "summary",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "tried_at",
        "sent_at",
        "statement",
    )

    @admin.display(description="statement")
    def statement(self, row):
        return format_html("<pre>{}</pre>", json.dumps(row.body, indent=2, ensure_ascii=False))
