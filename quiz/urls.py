from django.urls import path

from . import views

app_name = "quiz"

urlpatterns = [
    path("activities/<slug:slug>/your-thoughts/", views.your_thoughts, name="your_thoughts"),
    path("activities/<slug:slug>/your-thoughts/comments/", views.post_comment, name="comment"),
    path("activities/<slug:slug>/polls/<slug:poll_slug>/vote/", views.vote, name="vote"),
    path(
        "activities/<slug:slug>/polls/<slug:poll_slug>/before/",
        views.answer_before,
        name="answer_before",
    ),
]
