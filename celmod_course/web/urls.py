"""Every page of the site but the accounts app's own. The URL names keep the namespaces of the
domain a page is about: `cme:` for the activity, `quiz:` for Your Thoughts, `lessons:` for Ask,
`lti:` for launches from an LMS."""

from django.urls import include, path
from lti_tool.views import jwks

from . import account, certificates, credit, health, knowledge_check, progress, reading, results
from . import lti as launches
from . import your_thoughts as thoughts

ACTIVITY = "activities/<slug:slug>/"
LESSON = "activities/<slug:activity_slug>/lessons/<slug:lesson_slug>/"
RESULTS = ACTIVITY + "results/"

cme = [
    path("", reading.catalog, name="catalog"),
    path(ACTIVITY, reading.activity_detail, name="activity"),
    path(LESSON, reading.lesson_detail, name="lesson"),
    path(LESSON + "complete/", reading.complete_lesson, name="complete"),
    path("progress/", progress.my_progress, name="progress"),
    path("progress/transcript.csv", progress.transcript_csv, name="transcript_csv"),
    path("progress/transcript.pdf", progress.transcript_pdf, name="transcript_pdf"),
    path(ACTIVITY + "knowledge-check/", knowledge_check.knowledge_check, name="knowledge_check"),
    path(ACTIVITY + "knowledge-check/submit/", knowledge_check.submit, name="submit"),
    path(
        ACTIVITY + "knowledge-check/attempts/<id:pk>/",
        knowledge_check.attempt_detail,
        name="attempt",
    ),
    path(ACTIVITY + "evaluation/", credit.evaluation, name="evaluation"),
    path(ACTIVITY + "evaluation/submit/", credit.submit_evaluation, name="submit_evaluation"),
    path(ACTIVITY + "credit/", credit.claim, name="claim"),
    path(ACTIVITY + "credit/claim/", credit.submit_claim, name="submit_claim"),
    path("certificates/<str:number>/", certificates.certificate, name="certificate"),
    path("certificates/<str:number>/pdf/", certificates.certificate_pdf, name="certificate_pdf"),
    path("verify/", certificates.verify, name="verify_lookup"),
    path("verify/<str:number>/", certificates.verify, name="verify"),
    path(RESULTS, results.results, name="results"),
    *(
        path(RESULTS + f"{name}.csv", results.export, {"name": name}, name=url_name)
        for name, url_name in [
            ("poll-responses", "export_poll_responses"),
            ("knowledge-check-answers", "export_answers"),
            ("confidence-pairs", "export_paired"),
            ("credit-claims", "export_claims"),
        ]
    ),
    path("accounts/data/", account.my_data, name="my_data"),
    path("accounts/delete/", account.delete_account, name="delete_account"),
]

quiz = [
    path(ACTIVITY + "your-thoughts/", thoughts.your_thoughts, name="your_thoughts"),
    path(ACTIVITY + "your-thoughts/comments/", thoughts.post_comment, name="comment"),
    path(ACTIVITY + "polls/<slug:poll_slug>/vote/", thoughts.vote, name="vote"),
    path(ACTIVITY + "polls/<slug:poll_slug>/before/", thoughts.answer_before, name="answer_before"),
]

lessons = [path(ACTIVITY + "ask/", reading.ask_commentary, name="ask")]

lti = [
    path("lti/login/", launches.login, name="login"),
    path("lti/login/<uuid:registration>/", launches.login, name="registration_login"),
    path("lti/launch/", launches.launch, name="launch"),
    path("lti/keys.json", jwks, name="jwks"),
    path("lti/welcome/", launches.welcome, name="welcome"),
    path("lti/link/", launches.link, name="link"),
    path("lti/deep-link/<str:token>/", launches.deep_link, name="deep_link"),
    path(
        "lti/deep-link/<str:token>/<slug:slug>/",
        launches.deep_link_return,
        name="deep_link_return",
    ),
    path("lti/configuration/", launches.configuration, name="configuration"),
]

urlpatterns = [
    path("", include((cme, "cme"))),
    path("", include((quiz, "quiz"))),
    path("", include((lessons, "lessons"))),
    path("", include((lti, "lti"))),
    path("health/", health.health, name="health"),
]
