"""axe-core finds no WCAG 2.1 A or AA violation on any page type, logged out and logged in,
at desktop and phone widths (390 and 320 px); and no page scrolls sideways."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from celmod_course.accounts.models import User
from celmod_course.accounts.views import EMAIL_CHANGE_SALT
from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.services import knowledge_check_submit
from quiz.models import Attempt, Comment, Moment, Poll, PollResponse
from tests.browser.conftest import log_in
from tests.cme.test_credit import evaluate
from tests.conftest import PASSWORD, complete_all_lessons, make_learner
from tests.lessons.test_front_matter import with_front_matter
from tests.lti.conftest import launch

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WIDTHS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
    "small phone": {"width": 320, "height": 640},
}
# The elements that reach past the right edge of the window, if the page scrolls sideways.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const clipped = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .slice(0, 3)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
  return [`${document.documentElement.scrollWidth} > ${width} px`, ...wide];
}"""
AXE = Axe()


@pytest.fixture
def finished_learner(activity):
    """A learner who has done everything, so that every page has its fullest content."""
    learner = make_learner("done@example.org", "Dana Done, MD")
    complete_all_lessons(learner, activity)
    poll = Poll.objects.get(activity=activity)
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=4))
    for n in range(5):
        peer = make_learner(f"peer{n}@example.org", f"Peer {n}")
        PollResponse.objects.record(learner=peer, option=poll.options.get(value=n + 1))
    Comment.objects.create(learner=learner, activity=activity, body="A <b>comment</b>.")
    questions = activity.questions.prefetch_related("choices")
    knowledge_check_submit(
        learner=learner,
        activity=activity,
        chosen={q: next(c for c in q.choices.all() if c.is_correct) for q in questions},
    )
    return learner


def reset_link(learner):
    uid = urlsafe_base64_encode(force_bytes(learner.pk))
    token = default_token_generator.make_token(learner)
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def email_change_token(learner):
    change = {"user": learner.pk, "from": learner.email, "to": "changed@example.org"}
    return signing.dumps(change, salt=EMAIL_CHANGE_SALT)


def describe(found):
    """Each violation as a line naming the rule and the first elements it found."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        f"{[(n['target'], n['html'][:120]) for n in v['nodes']][:3]}"
        for v in found
    ]


def problems(page):
    """axe's violations on the page as it stands, and whether it scrolls sideways."""
    found = describe(AXE.run(page, options=WCAG_21_AA).response["violations"])
    if wider := page.evaluate(SIDEWAYS):
        found.append(f"scrolls sideways: {wider} reach past the window's right edge")
    return found


def violations(page, url):
    page.goto(url)
    return problems(page)


def audit(page, urls):
    found = {url: violations(page, url) for url in urls}
    return {url: problems for url, problems in found.items() if problems}


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_logged_out(browser, live_server, activity, finished_learner, width):
    completion = ActivityCompletion.objects.get(learner=finished_learner)
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    urls = [
        reverse("cme:catalog"),
        activity.get_absolute_url(),
        activity.lessons.first().get_absolute_url(),
        reverse("quiz:your_thoughts", args=[activity.slug]),
        reverse("lessons:ask", args=[activity.slug]) + "?q=Which+proteins+do+CELMoDs+degrade",
        reverse("lessons:ask", args=[activity.slug]) + "?q=pizza",
        reverse("cme:verify", args=[completion.certificate_number]),
        reverse("cme:verify", args=["NOPE-NOPE-NOPE-NOPE"]),
        reverse("accounts:signup"),
        reverse("accounts:signup_sent"),
        reverse("accounts:signup_open", args=["expired-or-forged"]),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_done"),
        reverse("accounts:password_reset_confirm", args=["MQ", "no-such-token"]),
        reset_link(finished_learner),  # the form to choose a new password
        reverse("accounts:password_reset_complete"),
    ]
    assert audit(page, urls) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_learner_pages_logged_in(browser, live_server, activity, finished_learner, width):
    completion = ActivityCompletion.objects.get(learner=finished_learner)
    attempt = Attempt.objects.get(learner=finished_learner)
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, finished_learner.email, PASSWORD)
    urls = [
        reverse("cme:catalog"),
        activity.get_absolute_url(),
        activity.lessons.last().get_absolute_url(),
        reverse("quiz:your_thoughts", args=[activity.slug]),
        reverse("cme:knowledge_check", args=[activity.slug]),
        attempt.get_absolute_url(),
        reverse("cme:progress"),
        completion.get_absolute_url(),
        reverse("accounts:password_change"),
        reverse("accounts:profile"),
        reverse("cme:delete_account"),
        reverse("accounts:email_confirm", args=[email_change_token(finished_learner)]),
        reverse("accounts:email_confirm", args=["expired-or-forged"]),
    ]
    assert audit(page, urls) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_failed_attempts_review(browser, live_server, activity, learner, width):
    questions = activity.questions.prefetch_related("choices")
    attempt = knowledge_check_submit(
        learner=learner,
        activity=activity,
        chosen={q: next(c for c in q.choices.all() if not c.is_correct) for q in questions},
    )
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    assert audit(page, [attempt.get_absolute_url()]) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_forms_showing_their_errors(browser, live_server, activity, learner, width):
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    page.goto(reverse("accounts:signup"))
    page.get_by_role("button", name="Create account").click()
    assert problems(page) == []
    log_in(page, learner.email, PASSWORD)
    page.goto(reverse("cme:knowledge_check", args=[activity.slug]))
    page.get_by_role("button", name="Submit answers").click()
    assert page.get_by_text("Your answers were not submitted.").is_visible()
    assert problems(page) == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_results_page_for_staff(browser, live_server, activity, finished_learner, staff, width):
    questions = list(activity.questions.prefetch_related("choices"))
    for n in range(5):  # enough first attempts for the item analysis and its flags
        knowledge_check_submit(
            learner=User.objects.get(email=f"peer{n}@example.org"),
            activity=activity,
            chosen={
                q: next(c for c in q.choices.all() if c.is_correct == (i < 2 * n + 1))
                for i, q in enumerate(questions)
            },
        )
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    assert audit(page, [reverse("cme:results", args=[activity.slug])]) == {}
    page.get_by_text("Question 1: how often each choice was picked").click()  # open its details
    assert problems(page) == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_evaluation_claim_and_transcript_pages(
    browser, live_server, offering, physician, width
):
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, physician.email, PASSWORD)
    evaluation = reverse("cme:evaluation", args=[offering.slug])
    claim = reverse("cme:claim", args=[offering.slug])
    overview = offering.get_absolute_url()  # the steps list with the credit step to come
    assert audit(page, [evaluation, claim, overview]) == {}  # credit refused until evaluated
    page.goto(evaluation)
    page.get_by_role("button", name="Submit the evaluation").click()
    assert page.get_by_text("Your evaluation was not submitted.").is_visible()
    assert problems(page) == []
    evaluate(physician, offering)
    page.goto(claim)
    page.get_by_role("button", name="Claim credit").click()
    assert page.get_by_text("Your claim was not recorded.").is_visible()
    assert problems(page) == []
    page.get_by_label("Credit to claim").select_option("1")
    page.get_by_label(re.compile("I claim only the credit commensurate")).check()
    page.get_by_role("button", name="Claim credit").click()
    completion = ActivityCompletion.objects.get(learner=physician)
    urls = [reverse("cme:progress"), completion.get_absolute_url(), claim, overview]
    assert audit(page, urls) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_overview_with_its_front_matter(browser, live_server, offering, width):
    with_front_matter(offering)
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    assert audit(page, [offering.get_absolute_url(), reverse("cme:catalog")]) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_outcome_pages(browser, live_server, activity, lessons, staff, width):
    poll = Poll.objects.get(activity=activity)
    for n in range(6):
        peer = make_learner(f"pair{n}@example.org", f"Pair {n}")
        before = poll.options.get(value=n % 3 + 1)
        PollResponse.objects.record(learner=peer, option=before, moment=Moment.BEFORE)
        PollResponse.objects.record(learner=peer, option=poll.options.get(value=n % 5 + 1))
    learner = make_learner("fresh@example.org", "Fresh Start")
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    assert audit(page, [lessons[0].get_absolute_url()]) == {}  # with the question before
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=2), moment="before")
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=4))
    assert audit(page, [reverse("quiz:your_thoughts", args=[activity.slug])]) == {}
    context.close()
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    assert audit(page, [reverse("cme:results", args=[activity.slug])]) == {}
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_of_a_launch_from_an_lms(
    browser,
    live_server,
    client,
    platform,
    registration,
    activity,
    staff,
    width,
):
    """An LMS learner's pages (their first launch's question, linking, their account), an
    instructor's deep-linking picker, a refused launch's page, and the staff's configuration."""
    picker = launch(
        client,
        platform,
        target=f"http://testserver{reverse('lti:launch')}",
        claims=platform.deep_linking_claims,
    )["Location"]
    launched = launch(client, platform, target=f"http://testserver{activity.get_absolute_url()}")
    assert launched.status_code == 302  # signed in, to be asked their profession
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    urls = [
        launched["Location"],  # the first launch's question
        reverse("lti:link"),
        reverse("accounts:profile"),
        reverse("cme:delete_account"),
        picker,
        reverse("lti:deep_link", args=["expired-or-forged"]),  # a refused launch's page
    ]
    assert audit(page, urls) == {}
    page.goto(reverse("lti:link"))
    page.get_by_role("button", name="Link my account").click()
    assert problems(page) == []
    context.close()
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    assert audit(page, [reverse("lti:configuration")]) == {}
    context.close()
