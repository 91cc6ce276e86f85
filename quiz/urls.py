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
        "activities/<slug:slug>/knowledge-check/attempts/<id:pk>/",
        views.attempt_detail,
        name="attempt",
    ),
    path("activities/<slug:slug>/polls/<slug:poll_slug>/vote/", views.vote, name="vote"),
    path("activities/<slug:slug>/results/", views.results, name="results"),
    path(
        "activities/<slug:slug>/results/poll-responses.csv",
        views.export_poll_responses,
        name="export_poll_responses",
    ),
    path(
        "activities/<slug:slug>/results/knowledge-check-answers.csv",
        views.export_answers,
        name="export_answers",
    ),
]
