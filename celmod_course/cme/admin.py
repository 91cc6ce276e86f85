from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from celmod_course.admin import RecordAdmin
from lessons.admin import ActivityAdmin as ContentActivityAdmin
from lessons.models import Activity

from .models import (
    ActivityCompletion,
    CreditClaim,
    CreditDesignation,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
)


class CreditDesignationInline(admin.TabularInline):
    model = CreditDesignation
    extra = 0
    fields = ("profession", "credit_type", "max_amount", "statement")


class EvaluationQuestionInline(admin.TabularInline):
    model = EvaluationQuestion
    extra = 0
    fields = ("order", "kind", "prompt", "required")


admin.site.unregister(Activity)


@admin.register(Activity)
class ActivityAdmin(ContentActivityAdmin):
    """The content's admin (lessons.admin), with what this layer adds to an activity: its credit
    designations, its evaluation, and a link to its results."""

    list_display = (*ContentActivityAdmin.list_display, "results_link")
    inlines = [*ContentActivityAdmin.inlines, CreditDesignationInline, EvaluationQuestionInline]

    @admin.display(description="results")
    def results_link(self, activity):
        return format_html(
            '<a href="{}">View results</a>', reverse("cme:results", args=[activity.slug])
        )


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
