from django.contrib import admin

from celmod_course.admin import ReadOnlyAdmin

from .models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """What the site sent, what waits and what failed, for staff to read."""

    list_display = ("created_at", "subject", "recipients", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    # Not the body: a reset link in it is a secret, even from staff.
    fields = ("created_at", "subject", "to", "status", "attempts", "last_error", "sent_at")

    @admin.display(description="to")
    def recipients(self, message):
        return ", ".join(message.to)
