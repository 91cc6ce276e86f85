from django.contrib import admin

from celmod_course.admin import RecordAdmin

from .models import Answer, Attempt, Choice, Comment, Poll, PollOption, PollResponse, Question


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("order", "text", "is_correct")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("order", "prompt", "lesson", "activity")
    list_display_links = ("prompt",)
    list_filter = ("activity",)
    list_select_related = ("lesson", "activity")
    ordering = ("activity", "order")
    search_fields = ("prompt", "rationale")
    inlines = [ChoiceInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("question", "choice", "is_correct")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(RecordAdmin):
    """Attempts are records of what learners did: read-only."""

    list_display = ("learner", "activity", "score", "total", "passed", "submitted_at")
    list_filter = ("activity", "passed")
    list_select_related = ("learner", "activity")
    search_fields = ("learner__email", "learner__full_name")
    date_hierarchy = "submitted_at"
    inlines = [AnswerInline]

    def has_delete_permission(self, request, obj=None):
        return False


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0
    fields = ("order", "text", "value")


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("question", "activity", "order")
    list_filter = ("activity",)
    list_select_related = ("activity",)
    prepopulated_fields = {"slug": ("question",)}
    inlines = [PollOptionInline]


@admin.register(PollResponse)
class PollResponseAdmin(RecordAdmin):
    """Responses are final answers of learners: read-only."""

    list_display = ("learner", "poll", "option", "created_at")
    list_filter = ("poll", "option")
    list_select_related = ("learner", "poll", "option")
    search_fields = ("learner__email", "learner__full_name")
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "is_hidden", "learner", "created_at", "activity")
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
