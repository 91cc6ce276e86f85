import io
import zipfile

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from celmod_course.admin import RecordAdmin
from lessons.models import front_matter_refusal

from . import documents
from .documents.build import activity_import
from .documents.markdown import activity_markdown
from .models import (
    ActivityCompletion,
    ActivityDocument,
    CertificateCorrection,
    CreditClaim,
    CreditDesignation,
    DocumentUpload,
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


EXPIRED = "The preview has expired: upload the file again."


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Commentary file",
        help_text="The page text of a commentary (.txt), Markdown with front matter (.md) or a "
        f"Word document (.docx); up to {documents.MAX_BYTES // documents.MEGABYTE} MB.",
        widget=forms.FileInput(attrs={"accept": ",".join(documents.FORMATS)}),
    )
    slug = forms.SlugField(
        required=False,
        max_length=100,
        help_text="The new activity's address (letters, digits and hyphens). Left empty: the "
        "file's own, or one made from its title.",
    )

    def clean_file(self):
        # Refused before it is read: the size as the upload states it.
        upload = self.cleaned_data["file"]
        try:
            documents.check_size(upload.size)
        except documents.DocumentError as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload


def markdown_download(activity):
    response = HttpResponse(
        activity_markdown(activity), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{activity.slug}.md"'
    return response


@admin.register(ActivityDocument)
class ActivityDocumentAdmin(admin.ModelAdmin):
    """Import an activity from a file, as a draft, after a preview of what it will make; export
    any activity to Markdown. Staff who may add activities may import, staff who may see them
    may export: the permissions are the activity's own."""

    list_display = ("title_link", "state", "released_on", "expires_on", "markdown_link")
    list_display_links = None
    list_filter = ("published",)
    search_fields = ("title",)
    actions = ["export_markdown"]

    def _may(self, request, action):
        return request.user.has_perm(f"lessons.{action}_activity")

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view") or self._may(request, "change")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self._may(request, "add")

    def has_change_permission(self, request, obj=None):
        return False  # activities are edited on their own admin page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="title", ordering="title")
    def title_link(self, activity):
        url = reverse("admin:lessons_activity_change", args=[activity.pk])
        return format_html('<a href="{}">{}</a>', url, activity.title)

    @admin.display(description="published", ordering="published")
    def state(self, activity):
        return "Published" if activity.published else "Draft"

    @admin.display(description="Markdown")
    def markdown_link(self, activity):
        url = reverse("admin:cme_activitydocument_markdown", args=[activity.pk])
        return format_html('<a href="{}">Download Markdown</a>', url)

    @admin.action(description="Export to Markdown")
    def export_markdown(self, request, queryset):
        activities = list(queryset)
        if len(activities) == 1:
            return markdown_download(activities[0])
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
            for activity in activities:
                files.writestr(f"{activity.slug}.md", activity_markdown(activity))
        response = HttpResponse(archive.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="activities.zip"'
        return response

    def get_urls(self):
        markdown = self.admin_site.admin_view(self.markdown_view)
        return [
            path("<id:pk>/markdown/", markdown, name="cme_activitydocument_markdown"),
            *super().get_urls(),
        ]

    def markdown_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return markdown_download(get_object_or_404(ActivityDocument, pk=pk))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Import and export activities", **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:lessons_activity_change", object_id)

    def add_view(self, request, form_url="", extra_context=None):
        """The import page: upload a file and see what it would make (nothing is written);
        then create the draft from the same file, kept meanwhile (`DocumentUpload`)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self.create_draft(request)
        if request.method != "POST":
            return self.import_page(request, ImportForm())
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.import_page(request, form)
        upload, slug = form.cleaned_data["file"], form.cleaned_data["slug"]
        data = upload.read()
        try:
            draft = documents.read(upload.name, data)
            report = activity_import(draft=draft, slug=slug or None, preview=True)
        except documents.DocumentError as refusal:
            return self.import_page(request, form, refusal=str(refusal))
        kept = DocumentUpload.objects.keep(
            staff=request.user, filename=upload.name, slug=slug, data=data
        )
        return self.import_page(request, None, report=report, upload=kept)

    def create_draft(self, request):
        kept = DocumentUpload.objects.kept_for(request.user, request.POST["token"])
        if kept is None:
            return self.import_page(request, ImportForm(), refusal=EXPIRED)
        try:
            draft = documents.read(kept.filename, bytes(kept.data))
            report = activity_import(draft=draft, slug=kept.slug or None)
        except documents.DocumentError as refusal:
            form = ImportForm(initial={"slug": kept.slug})
            return self.import_page(request, form, refusal=str(refusal))
        kept.delete()
        activity = report.activity
        messages.success(request, f'"{activity.title}" was imported as a draft.')
        for line in report.lines():  # what is still to be added stands out
            (messages.warning if line in report.notes else messages.info)(request, line)
        return redirect("admin:lessons_activity_change", activity.pk)

    def import_page(self, request, form, *, refusal=None, report=None, upload=None):
        """The upload form (with what was wrong, if anything), or the preview: `report`, with
        the button that imports `upload`."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an activity",
            "opts": self.opts,
            "has_view_permission": self.has_view_permission(request),
            "refusal": refusal,
            "report": report,
            "upload": upload,
        }
        if form is not None:
            fields = [(None, {"fields": list(form.fields)})]
            context |= {"form": form, "adminform": AdminForm(form, fields, {})}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cme/activitydocument/import.html", context)
