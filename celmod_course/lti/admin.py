from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from lti_tool.admin import LtiDeploymentInline, LtiRegistrationAdmin
from lti_tool.models import LtiRegistration

from celmod_course.admin import ReadOnlyAdmin

from .models import Identity, Placement, ScoreReport


@admin.register(ScoreReport)
class ScoreReportAdmin(ReadOnlyAdmin):
    """The scores sent to LMS gradebooks: what was sent, what waits, and what failed and why."""

    list_display = (
        "created_at",
        "learner",
        "activity",
        "score_text",
        "activity_progress",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "activity_progress")
    search_fields = ("placement__identity__user__full_name", "placement__identity__subject")
    date_hierarchy = "created_at"
    list_select_related = ("placement__identity__user", "placement__activity")
    fields = (
        "created_at",
        "learner",
        "activity",
        "platform",
        "lineitem",
        "score_text",
        "score_given",
        "score_maximum",
        "activity_progress",
        "grading_progress",
        "happened_at",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    )

    @admin.display(description="learner")
    def learner(self, report):
        return report.placement.identity.user

    @admin.display(description="activity")
    def activity(self, report):
        return report.placement.activity

    @admin.display(description="platform")
    def platform(self, report):
        return report.placement.identity.issuer

    @admin.display(description="gradebook column")
    def lineitem(self, report):
        return report.placement.lineitem_url

    @admin.display(description="best attempt")
    def score_text(self, report):
        return f"{report.score} of {report.out_of}"


class PlacementInline(admin.TabularInline):
    model = Placement
    fields = ("activity", "deployment", "context_id", "resource_link_id", "lineitem_url")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Identity)
class IdentityAdmin(ReadOnlyAdmin):
    """Learners as their LMS knows them (issuer and subject), and the account each signs in."""

    list_display = ("subject", "issuer", "user", "created_at")
    list_filter = ("issuer",)
    search_fields = ("subject", "user__full_name", "user__email")
    list_select_related = ("user",)
    fields = ("issuer", "subject", "user", "asks_profession", "created_at")
    inlines = [PlacementInline]


# A platform's URLs typed without a scheme are taken as HTTPS (what Django 6 will do anyway).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class DeploymentInline(LtiDeploymentInline):
    formfield_overrides = HTTPS_URLS


admin.site.unregister(LtiRegistration)


@admin.register(LtiRegistration)
class RegistrationAdmin(LtiRegistrationAdmin):
    """django-lti's platform registration, with this tool's own URLs to paste into the LMS. A
    launch from a deployment is refused until it is listed here and ticked active."""

    readonly_fields = ("tool_urls",)
    formfield_overrides = HTTPS_URLS
    inlines = [DeploymentInline]

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": ["tool_urls"]}), *super().get_fieldsets(request, obj)]

    @admin.display(description="this tool's URLs")
    def tool_urls(self, registration):
        login = reverse("lti:login")
        if registration.pk:
            login = reverse("lti:registration_login", args=[registration.uuid])
        return format_html(
            "Login URL: <code>{}</code>; launch (redirect) URL: <code>{}</code>; key-set URL: "
            '<code>{}</code>. Everything to paste into an LMS: <a href="{}">the tool\'s '
            "configuration</a>.",
            login,
            reverse("lti:launch"),
            reverse("lti:jwks"),
            reverse("lti:configuration"),
        )
