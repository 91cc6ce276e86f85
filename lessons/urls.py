from django.urls import path

from . import views

app_name = "lessons"

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
    path("activities/<slug:slug>/ask/", views.ask_commentary, name="ask"),
    path("activities/<slug:slug>/your-thoughts/", views.your_thoughts, name="your_thoughts"),
    path("activities/<slug:slug>/your-thoughts/comments/", views.post_comment, name="comment"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("verify/", views.verify, name="verify_lookup"),
    path("verify/<str:number>/", views.verify, name="verify"),
]
