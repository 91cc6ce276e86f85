"""A learner launched from their LMS: signed in by the platform's issuer and subject, asked their
profession once, and on through the activity as any learner."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from celmod_course.accounts.models import Profession, User
from celmod_course.lti.models import Identity, Placement
from tests.conftest import answer_sheet
from tests.html import block_texts
from tests.lti.conftest import answer_the_welcome, launch, target_of
from tests.lti.platform import CLAIM


def test_a_first_launch_makes_an_account_asks_the_profession_once_then_opens_the_activity(
    client, platform, registration, activity
):
    response = launch(client, platform, target=target_of(activity))
    learner = User.objects.get(lti_identities__subject="learner-1")
    assert (learner.full_name, learner.email) == ("Pat Learner, RN", "pat.learner@lms.example.org")
    assert not learner.has_usable_password()
    answered = answer_the_welcome(client, response, profession="nurse")
    assert answered["Location"] == activity.get_absolute_url()
    overview = client.get(answered["Location"])
    assert "Signed in as Pat Learner, RN" in overview.content.decode()
    learner.refresh_from_db()
    assert learner.profession == Profession.NURSE
    client.logout()
    again = launch(client, platform, target=target_of(activity))
    assert again["Location"] == activity.get_absolute_url()  # not asked again
    assert User.objects.filter(lti_identities__isnull=False).count() == 1
    assert client.get(again["Location"]).context["user"] == learner


def test_the_custom_parameter_says_which_activity_a_link_opens(
    client, platform, registration, activity
):
    response = launch(
        client,
        platform,
        target=f"http://testserver{reverse('lti:launch')}",
        **{CLAIM + "custom": {"activity": activity.slug}},
    )
    answered = answer_the_welcome(client, response)
    assert answered["Location"] == activity.get_absolute_url()
    placement = Placement.objects.get()
    assert (placement.activity, placement.lineitem_url) == (activity, platform.lineitem_url)


def test_a_learner_the_lms_names_without_an_email_gets_a_reserved_address_never_shown(
    client, platform, registration, activity
):
    response = launch(client, platform, target=target_of(activity), email=None, name=None)
    assert client.get(response["Location"]).context["form"]["full_name"].value() == ""
    answer_the_welcome(client, response, full_name="Sam Nurse, RN")
    learner = User.objects.get(lti_identities__subject="learner-1")
    assert learner.email.endswith(".invalid") and not learner.has_email
    assert learner.full_name == "Sam Nurse, RN"
    profile = client.get(reverse("accounts:profile"))
    assert learner.email not in profile.content.decode()
    assert "Your LMS did not share an email address" in " ".join(block_texts(profile))
    data = client.get(reverse("cme:my_data")).json()
    assert data["profile"]["email"] == ""
    assert learner.email not in str(data)
    assert data["lms_identities"][0]["your_id_there"] == "learner-1"


def test_an_lms_learner_is_never_joined_to_an_account_by_its_email_alone(
    client, platform, registration, activity, learner
):
    response = launch(client, platform, target=target_of(activity), email=learner.email)
    assert response.status_code == 302
    launched = Identity.objects.get().user
    assert launched != learner
    assert launched.email != learner.email and not launched.has_email
    assert client.session["_auth_user_id"] == str(launched.pk)


def test_the_learner_links_their_own_account_with_its_password(
    client, platform, registration, activity, learner
):
    from tests.conftest import PASSWORD

    response = launch(client, platform, target=target_of(activity), email=learner.email)
    made = Identity.objects.get().user
    link = reverse("lti:link")
    wrong = client.post(link, {"username": learner.email, "password": "not the password"})
    assert "That email address and password do not match" in wrong.content.decode()
    assert Identity.objects.get().user == made
    linked = client.post(link, {"username": learner.email, "password": PASSWORD})
    assert linked.status_code == 302
    assert Identity.objects.get().user == learner
    assert not User.objects.filter(pk=made.pk).exists()
    assert client.session["_auth_user_id"] == str(learner.pk)
    client.logout()
    again = launch(client, platform, target=target_of(activity))
    assert again["Location"] == activity.get_absolute_url()
    assert client.session["_auth_user_id"] == str(learner.pk)
    assert response.status_code == 302


def test_progress_the_knowledge_check_and_the_certificate_work_as_for_a_site_learner(
    client, platform, registration, activity, lessons
):
    answer_the_welcome(client, launch(client, platform, target=target_of(activity)))
    for lesson in lessons:
        client.post(reverse("cme:complete", args=[activity.slug, lesson.slug]))
    response = client.post(
        reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 8), follow=True
    )
    assert "Passed" in block_texts(response)
    progress = " ".join(block_texts(client.get(reverse("cme:progress"))))
    assert "Completed on" in progress
    assert Session.objects.count() == 1
