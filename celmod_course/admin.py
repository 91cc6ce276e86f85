from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """What learners did (completions, attempts, responses, evaluations, claims): append-only.
    Staff read it, never add, edit or delete it, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
