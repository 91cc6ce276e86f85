from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("activities/<slug:slug>/ask/", views.ask_commentary, name="ask"),
]
