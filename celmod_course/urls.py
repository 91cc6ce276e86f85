from django.contrib import admin
from django.urls import include, path, register_converter

from .converters import IdConverter

register_converter(IdConverter, "id")

admin.site.site_header = "CELMoD course administration"
admin.site.site_title = "CELMoD course admin"

urlpatterns = [
    path("", include("celmod_course.web.urls")),
    path("accounts/", include("celmod_course.accounts.urls")),
    path("admin/", admin.site.urls),
]
