from django import forms
from django.contrib import admin

from celmod_course.admin import RecordAdmin
from celmod_course.signals import rows_updated

from .models import Answer, Attempt, Choice, Comment, Poll, PollOption, PollResponse, Question


class ChoiceForm(forms.ModelForm):
    """A choice row whose "correct" box is checked with its question's other rows (by the
    formset), not alone against the key still saved, so the key can move in one save."""

    correct = forms.BooleanField(label="correct", required=False)

    class Meta:
        model = Choice
        fields = ("order", "text")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("correct", self.instance.is_correct)

    def save(self, commit=True):
        self.instance.is_correct = self.cleaned_data["correct"]
        return super().save(commit)


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if rows and sum(f.cleaned_data["correct"] for f in rows) != 1:
            raise forms.ValidationError("Tick exactly one choice as correct.")

    def save(self, commit=True):
        if any("correct" in form.changed_data for form in self.forms):
            # The key moves: clear it first, so that no statement sees two correct choices.
            Choice.objects.filter(question=self.instance).update(is_correct=False)
            rows_updated.send(sender=Choice)
        return super().save(commit)


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    formset = ChoiceFormSet
    extra = 0
    fields = ("order", "text", "correct")


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
        count = queryset.set_hidden(True)
        self.message_user(request, f"{count} comment(s) hidden.")

    @admin.action(description="Show the selected comments to learners again")
    def show(self, request, queryset):
        count = queryset.set_hidden(False)
        self.message_user(request, f"{count} comment(s) shown.")

    def has_add_permission(self, request):
        return False
