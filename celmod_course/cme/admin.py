from django.contrib import admin

from celmod_course.admin import RecordAdmin

from .models import (
    ActivityCompletion,
    CreditClaim,
    CreditDesignation,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
)


@admin.register(CreditDesignation)
class CreditDesignationAdmin(admin.ModelAdmin):
    """The credit an activity offers, one row per profession (linked from the activity's page)."""

    list_display = ("activity", "profession", "credit_type", "max_amount")
    list_filter = ("activity", "profession")
    list_select_related = ("activity",)
    fields = ("activity", "profession", "credit_type", "max_amount", "statement")


@admin.register(EvaluationQuestion)
class EvaluationQuestionAdmin(admin.ModelAdmin):
    """An activity's evaluation, item by item (linked from the activity's page)."""

    list_display = ("order", "prompt", "kind", "required", "activity")
    list_display_links = ("prompt",)
    list_filter = ("activity",)
    list_select_related = ("activity",)
    ordering = ("activity", "order")
    fields = ("activity", "order", "kind", "prompt", "required")


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(RecordAdmin):
    """Completions are records of what learners did: read-only."""

    list_display = ("learner", "activity", "completed_at", "certificate_number")
    list_filter = ("activity",)
    list_select_related = ("learner", "activity")
    search_fields = ("learner__email", "learner__full_name", "certificate_number")
    date_hierarchy = "completed_at"


class EvaluationAnswerInline(admin.TabularInline):
    model = EvaluationAnswer
    extra = 0
    fields = ("question", "value", "yes", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(RecordAdmin):
    """Evaluations are what learners said: read-only."""

    list_display = ("completion", "submitted_at")
    list_filter = ("completion__activity",)
    list_select_related = ("completion__learner", "completion__activity")
    search_fields = ("completion__learner__email", "completion__learner__full_name")
    inlines = [EvaluationAnswerInline]


@admin.register(CreditClaim)
class CreditClaimAdmin(RecordAdmin):
    """Claims are records for the accreditor: read-only."""

    list_display = ("first_name", "last_name", "designation", "amount", "claimed_at")
    list_filter = ("designation__activity", "designation__credit_type")
    list_select_related = ("designation",)
    search_fields = ("first_name", "last_name", "evaluation__completion__learner__email")
    date_hierarchy = "claimed_at"
