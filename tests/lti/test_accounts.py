"""An LMS learner's account: the first launch's question, the profile without an email field,
linking refused where it would lose something, and closing the account."""

from django.urls import reverse

from celmod_course.accounts.models import User
from celmod_course.lti.models import Identity
from tests.conftest import PASSWORD, complete_all_lessons
from tests.html import block_texts
from tests.lti.conftest import answer_the_welcome, launch, target_of


def test_the_first_launch_question_asks_again_until_answered_and_never_after(
    client, platform, registration, activity
):
    response = launch(client, platform, target=target_of(activity))
    asked = client.post(response["Location"], {"full_name": "", "profession": ""})
    text = " ".join(block_texts(asked))
    assert "Enter your full name." in text and "Choose your profession." in text
    assert Identity.objects.get().asks_profession
    answer_the_welcome(client, response)
    again = client.get(response["Location"])
    assert again.status_code == 302 and again["Location"] == activity.get_absolute_url()


def test_the_profile_shows_the_shared_address_but_no_email_field_without_a_password(
    client, platform, registration, activity
):
    answer_the_welcome(client, launch(client, platform, target=target_of(activity)))
    page = client.get(reverse("accounts:profile"))
    assert "email" not in page.context["form"].fields
    assert "Its email address, as your LMS shared it, is pat.learner@lms.example.org." in (
        " ".join(block_texts(page))
    )
    saved = client.post(
        reverse("accounts:profile"), {"full_name": "Pat Learner, NP", "profession": "nurse"}
    )
    assert saved.status_code == 302
    assert User.objects.get(lti_identities__isnull=False).full_name == "Pat Learner, NP"


def test_linking_to_a_staff_account_is_refused(client, platform, registration, activity, staff):
    launch(client, platform, target=target_of(activity))
    made = Identity.objects.get().user
    response = client.post(reverse("lti:link"), {"username": staff.email, "password": PASSWORD})
    assert "Staff accounts cannot be signed in to from an LMS." in " ".join(block_texts(response))
    assert Identity.objects.get().user == made


def test_linking_is_refused_once_the_lms_account_holds_progress(
    client, platform, registration, activity, learner
):
    launch(client, platform, target=target_of(activity))
    made = Identity.objects.get().user
    complete_all_lessons(made, activity)
    response = client.post(reverse("lti:link"), {"username": learner.email, "password": PASSWORD})
    assert "already holds your progress" in " ".join(block_texts(response))
    assert Identity.objects.get().user == made


def test_a_site_account_has_nothing_to_link(learner_client):
    response = learner_client.get(reverse("lti:link"))
    assert "there is nothing to link" in " ".join(block_texts(response))


def test_an_lms_learner_closes_their_account_and_a_later_launch_starts_anew(
    client, platform, registration, activity
):
    answer_the_welcome(client, launch(client, platform, target=target_of(activity)))
    closed = Identity.objects.get().user
    page = client.get(reverse("cme:delete_account"))
    assert "password" not in page.context["form"].fields
    unticked = {"csrfmiddlewaretoken": "as-the-page-gave-it"}  # what a browser sends, unticked
    refused = client.post(reverse("cme:delete_account"), unticked)
    assert "Tick the box to delete your account." in " ".join(block_texts(refused))
    assert client.post(reverse("cme:delete_account"), {"confirm": "on"}).status_code == 302
    closed.refresh_from_db()
    assert not closed.is_active and not Identity.objects.exists()
    again = launch(client, platform, target=target_of(activity))
    assert again.status_code == 302
    assert Identity.objects.get().user != closed


def test_wrong_passwords_on_the_link_page_count_towards_the_log_in_lockout(
    client, platform, registration, activity, learner
):
    launch(client, platform, target=target_of(activity))
    wrong = {"username": learner.email, "password": "not the password"}
    for _ in range(4):
        assert client.post(reverse("lti:link"), wrong).status_code == 200
    assert client.post(reverse("lti:link"), wrong).status_code == 429  # the fifth: locked out
    locked = client.post(reverse("lti:link"), {"username": learner.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert Identity.objects.get().user != learner
