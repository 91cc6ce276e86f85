from django.urls import path

from . import views

app_name = "quiz"

urlpatterns = [
    path(
        "activities/<slug:slug>/knowledge-check/",
        views.knowledge_check,
        name="knowledge_check",
    ),
    path("activities/<slug:slug>/knowledge-check/submit/", views.submit, name="submit"),
    path(
        "activities/<slug:slug>/knowledge-check/attempts/<int:pk>/",
        views.attempt_detail,
        name="attempt",
    ),
    path("activities/<slug:slug>/polls/<slug:poll_slug>/vote/", views.vote, name="vote"),
]
