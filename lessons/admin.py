from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from celmod_course.admin import RecordAdmin

from .models import (
    NO_ACCREDITATION_STATEMENT,
    NO_OBJECTIVE,
    Abbreviation,
    Activity,
    Faculty,
    KeyTakeaway,
    LearningObjective,
    Lesson,
    LessonCompletion,
    Paragraph,
    front_matter_refusal,
    no_disclosure,
)


class KeyTakeawayInline(admin.TabularInline):
    model = KeyTakeaway
    extra = 0


def _offers_credit_when_published(activity):
    # The designations are the credit app's; the reverse relation needs no import of it.
    return activity.published and activity.pk and activity.designations.exists()


class FacultyFormSet(forms.BaseInlineFormSet):
    """On a published activity that offers credit, every faculty member has a disclosure."""

    def clean(self):
        super().clean()
        if any(self.errors) or not _offers_credit_when_published(self.instance):
            return
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data]
        silent = [
            str(Faculty(name=row["name"], credentials=row.get("credentials", "")))
            for row in rows
            if not row.get("DELETE") and not row.get("disclosure", "").strip()
        ]
        if silent:
            raise forms.ValidationError(
                front_matter_refusal([no_disclosure(member) for member in silent])
            )


class ObjectiveFormSet(forms.BaseInlineFormSet):
    """On a published activity that offers credit, at least one learning objective."""

    def clean(self):
        super().clean()
        if any(self.errors) or not _offers_credit_when_published(self.instance):
            return
        if not any(f.cleaned_data and not f.cleaned_data.get("DELETE") for f in self.forms):
            raise forms.ValidationError(front_matter_refusal([NO_OBJECTIVE]))


class ActivityForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        offers_credit = self.instance.pk and self.instance.designations.exists()
        statement = cleaned.get("accreditation_statement", "")
        if cleaned.get("published") and offers_credit and not statement.strip():
            self.add_error(
                "accreditation_statement",
                front_matter_refusal([NO_ACCREDITATION_STATEMENT]),
            )
        return cleaned


class ObjectiveInline(admin.TabularInline):
    model = LearningObjective
    formset = ObjectiveFormSet
    extra = 0


class FacultyInline(admin.TabularInline):
    model = Faculty
    formset = FacultyFormSet
    extra = 0
    fields = ("order", "name", "credentials", "disclosure")


class AbbreviationInline(admin.TabularInline):
    model = Abbreviation
    extra = 0
    fields = ("short", "long")


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ("order", "heading", "slug")
    show_change_link = True


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "released_on", "expires_on", "status", "results_link")
    list_filter = ("published",)

    @admin.display(description="published", ordering="published")
    def state(self, activity):
        return "Published" if activity.published else "Draft"

    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title",)
    form = ActivityForm
    readonly_fields = ("more",)
    fieldsets = [
        (None, {"fields": ["title", "slug", "published", "introduction", "discussion_prompt"]}),
        ("Dates", {"fields": ["released_on", "expires_on"]}),
        (
            "Before the learner starts: provider, accreditation, commercial support",
            {
                "classes": ["collapse"],
                "description": "Learning objectives and faculty disclosures are below. An "
                "activity that offers credit is published only with all of them.",
                "fields": ["provider", "accreditation_statement", "commercial_support"],
            },
        ),
        (
            "Knowledge check",
            {
                "classes": ["collapse"],
                "fields": ["pass_mark", "attempts_before_wait", "wait_hours"],
            },
        ),
        ("Also of this activity", {"fields": ["more"]}),
    ]
    inlines = [
        ObjectiveInline,
        KeyTakeawayInline,
        FacultyInline,
        LessonInline,
        AbbreviationInline,
    ]

    @admin.display(description="results")
    def results_link(self, activity):
        return format_html(
            '<a href="{}">View results</a>', reverse("cme:results", args=[activity.slug])
        )

    @admin.display(description="Also of this activity")
    def more(self, activity):
        """Links to what the layers above keep of an activity (its knowledge check, poll, credit
        and evaluation), each listed for this activity alone."""
        if activity.pk is None:
            return "Save the activity first; then add its knowledge check, poll and credit."
        links = [
            ("quiz_question", "Knowledge-check questions"),
            ("quiz_poll", "Polls"),
            ("cme_creditdesignation", "Credit designations"),
            ("cme_evaluationquestion", "Evaluation questions"),
        ]
        return format_html_join(
            " · ",
            '<a href="{}?activity__id__exact={}">{}</a>',
            ((reverse(f"admin:{name}_changelist"), activity.pk, label) for name, label in links),
        )


class ParagraphInline(admin.StackedInline):
    model = Paragraph
    extra = 0
    fields = ("order", "speaker", "text")


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("heading", "activity", "order")
    list_filter = ("activity",)
    list_select_related = ("activity",)
    ordering = ("activity", "order")
    search_fields = ("heading", "paragraphs__text")
    inlines = [ParagraphInline]


@admin.register(LessonCompletion)
class LessonCompletionAdmin(RecordAdmin):
    list_display = ("learner", "lesson", "completed_at")
    list_filter = ("lesson__activity", "lesson")
    list_select_related = ("learner", "lesson")
    search_fields = ("learner__email", "learner__full_name")
    date_hierarchy = "completed_at"
