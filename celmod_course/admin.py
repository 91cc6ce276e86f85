from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff read and never add, edit or delete, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(ReadOnlyAdmin):
    """What learners did (completions, attempts, responses, evaluations, claims): append-only."""
