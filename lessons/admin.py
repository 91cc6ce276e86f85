from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from celmod_course.admin import RecordAdmin

from .models import (
    Activity,
    ActivityCompletion,
    Comment,
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
    inlines = [KeyTakeawayInline, FacultyInline, LessonInline]

    @admin.display(description="results")
    def results_link(self, activity):
        return format_html(
            '<a href="{}">View results</a>', reverse("quiz:results", args=[activity.slug])
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


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(RecordAdmin):
    """Completions are records of what learners did: read-only."""

    list_display = ("learner", "activity", "completed_at", "certificate_number")
    list_filter = ("activity",)
    list_select_related = ("learner", "activity")
    search_fields = ("learner__email", "learner__full_name", "certificate_number")
    date_hierarchy = "completed_at"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "learner", "activity", "created_at", "is_hidden")
    list_filter = ("is_hidden", "activity")
    list_select_related = ("learner", "activity")
    search_fields = ("body", "learner__full_name", "learner__email")
    date_hierarchy = "created_at"
    fields = ("activity", "learner", "created_at", "body", "is_hidden")
    readonly_fields = ("activity", "learner", "created_at", "body")
    actions = ["hide", "show"]

    @admin.display(description="comment")
    def excerpt(self, comment):
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

    @admin.action(description="Hide the selected comments from learners")
    def hide(self, request, queryset):
        count = queryset.update(is_hidden=True)
        self.message_user(request, f"{count} comment(s) hidden.")

    @admin.action(description="Show the selected comments to learners again")
    def show(self, request, queryset):
        count = queryset.update(is_hidden=False)
        self.message_user(request, f"{count} comment(s) shown.")

    def has_add_permission(self, request):
        return False
