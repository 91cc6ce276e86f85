from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """What learners did (completions, attempts, responses): staff read it, never edit it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
