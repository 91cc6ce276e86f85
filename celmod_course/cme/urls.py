from django.urls import path

from . import views

app_name = "cme"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("progress/", views.my_progress, name="progress"),
    path("activities/<slug:slug>/", views.activity_detail, name="activity"),
    path(
        "activities/<slug:activity_slug>/lessons/<slug:lesson_slug>/",
        views.lesson_detail,
        name="lesson",
    ),
    path(
        "activities/<slug:activity_slug>/lessons/<slug:lesson_slug>/complete/",
        views.complete_lesson,
        name="complete",
    ),
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
    path("activities/<slug:slug>/evaluation/", views.evaluation, name="evaluation"),
    path(
        "activities/<slug:slug>/evaluation/submit/",
        views.submit_evaluation,
        name="submit_evaluation",
    ),
    path("activities/<slug:slug>/credit/", views.claim, name="claim"),
    path("activities/<slug:slug>/credit/claim/", views.submit_claim, name="submit_claim"),
    path("progress/transcript.csv", views.transcript_csv, name="transcript_csv"),
    path("accounts/data/", views.my_data, name="my_data"),
    path("accounts/delete/", views.delete_account, name="delete_account"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("verify/", views.verify, name="verify_lookup"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("activities/<slug:slug>/results/", views.results, name="results"),
    path(
        "activities/<slug:slug>/results/poll-responses.csv",
        views.export,
        {"name": "poll-responses"},
        name="export_poll_responses",
    ),
    path(
        "activities/<slug:slug>/results/knowledge-check-answers.csv",
        views.export,
        {"name": "knowledge-check-answers"},
        name="export_answers",
    ),
    path(
        "activities/<slug:slug>/results/confidence-pairs.csv",
        views.export,
        {"name": "confidence-pairs"},
        name="export_paired",
    ),
    path(
        "activities/<slug:slug>/results/credit-claims.csv",
        views.export,
        {"name": "credit-claims"},
        name="export_claims",
    ),
]
