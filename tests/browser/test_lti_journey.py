"""A learner launched from their LMS in a new window, in a real browser: the LMS's link opens
the tool's login, the platform posts the launch back, the tool asks the profession once, and the
learner completes a lesson."""

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from celmod_course.lti.models import Identity


def test_a_learner_launched_in_a_new_window_completes_a_lesson(
    page,
    live_server,
    platform,
    registration,
    activity,
):
    target = f"{live_server.url}{activity.get_absolute_url()}"
    platform.next_claims = platform.claims(
        nonce="", target=target, sub="browser-learner", name="Robin Browser, PharmD", email=None
    )
    login = {
        "iss": platform.issuer,
        "login_hint": "opaque-hint",
        "target_link_uri": target,
        "client_id": platform.client_id,
        "lti_message_hint": "opaque-message-hint",
    }
    link = f"{live_server.url}/lti/login/?{urlencode(login)}"
    page.set_content(f'<h1>Oncology update</h1><a href="{link}" target="_blank">CELMoDs</a>')
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="CELMoDs").click()
    window = opened.value
    errors = []
    window.on("pageerror", lambda error: errors.append(str(error)))

    expect(window.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(window.get_by_label("Full name")).to_have_value("Robin Browser, PharmD")
    window.get_by_label("Profession").select_option(label="Pharmacist")
    window.get_by_role("button", name="Save and continue").click()
    expect(window).to_have_url(re.compile(r"/activities/celmods-in-multiple-myeloma/$"))
    expect(window.get_by_text("Signed in as Robin Browser, PharmD")).to_be_visible()

    window.get_by_role("link", name=re.compile(r"^Start")).click()
    expect(window.get_by_text("Lesson 1 of 4", exact=True)).to_be_visible()
    window.get_by_role("button", name="Complete and continue").click()
    expect(window.get_by_text("Lesson 1 of 4 complete.")).to_be_visible()
    learner = Identity.objects.get(subject="browser-learner").user
    assert (learner.profession, learner.lesson_completions.count()) == ("pharmacist", 1)
    assert errors == []
