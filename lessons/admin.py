from django.contrib import admin

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
    list_display = ("title", "released_on", "expires_on", "status")
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title",)
    inlines = [KeyTakeawayInline, FacultyInline, LessonInline, AbbreviationInline]


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
