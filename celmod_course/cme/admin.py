from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from celmod_course.admin import RecordAdmin
from lessons.models import front_matter_refusal

from .models import (
    ActivityCompletion,
    CertificateCorrection,
    CreditClaim,
    CreditDesignation,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
)


class CreditDesignationForm(forms.ModelForm):
    """A published activity offers credit only with its front matter (objectives, accreditation
    statement, a disclosure for every faculty member)."""

    class Meta:
        model = CreditDesignation
        fields = ("activity", "profession", "credit_type", "max_amount", "statement")

    def clean(self):
        cleaned = super().clean()
        activity = cleaned.get("activity")
        if activity and activity.published and (missing := activity.front_matter_missing()):
            raise forms.ValidationError(front_matter_refusal(missing))
        return cleaned


@admin.register(CreditDesignation)
class CreditDesignationAdmin(admin.ModelAdmin):
    """The credit an activity offers, one row per profession (linked from the activity's page)."""

    form = CreditDesignationForm
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


class CertificateCorrectionInline(admin.TabularInline):
    model = CertificateCorrection
    extra = 0
    fields = ("made_at", "kind", "name", "reason", "staff")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(RecordAdmin):
    """Completions are records of what learners did, and their certificates as issued:
    read-only. A certificate is corrected by a re-issue or a revocation, which is recorded."""

    list_display = ("certificate_number", "name", "activity_title", "completed_at", "learner")
    list_filter = ("activity",)
    list_select_related = ("learner",)
    search_fields = ("learner__email", "name", "certificate_number")
    date_hierarchy = "completed_at"
    readonly_fields = ("correct",)
    inlines = [CertificateCorrectionInline]

    @admin.display(description="Correct this certificate")
    def correct(self, completion):
        url = reverse("admin:cme_certificatecorrection_add")
        return format_html(
            '<a href="{}?completion={}">Re-issue under a corrected name, or revoke</a>',
            url,
            completion.pk,
        )


@admin.register(CertificateCorrection)
class CertificateCorrectionAdmin(admin.ModelAdmin):
    """Re-issues and revocations: made here, with who and when recorded, never edited or
    deleted afterwards."""

    list_display = ("completion", "kind", "name", "made_at", "staff")
    list_filter = ("kind",)
    list_select_related = ("completion", "staff")
    search_fields = ("completion__certificate_number", "name", "reason")
    fields = ("completion", "kind", "name", "first_name", "last_name", "reason")
    raw_id_fields = ("completion",)

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.staff = request.user
        super().save_model(request, obj, form, change)


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
