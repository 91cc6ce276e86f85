from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from celmod_course.admin import RecordAdmin

from .models import (
    Abbreviation,
    Activity,
    Faculty,
    KeyTakeaway,
    Lesson,
    LessonCompletion,
    Paragraph,
)


class KeyTakeawayInline(admin.TabularInline):
    model = KeyTakeaway
    extra = 0


class FacultyInline(admin.TabularInline):
    model = Faculty
    extra = 0


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
    list_display = ("title", "released_on", "expires_on", "status", "results_link")
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title",)
    readonly_fields = ("more",)
    inlines = [KeyTakeawayInline, FacultyInline, LessonInline, AbbreviationInline]

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
