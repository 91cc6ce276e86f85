"""A learner looks after their account in the browser: a forgotten password, a corrected name
and a new email address, their data, and finally deleting the account."""

import json
import re
from pathlib import Path

from django.core import mail
from playwright.sync_api import expect

from celmod_course.accounts.models import User
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, complete

NEW_PASSWORD = "another-quite-unusual-passphrase"


def link_in(message, prefix):
    return re.search(rf"https?://[^/\s]+({prefix}\S+)", message.body).group(1)


def test_a_forgotten_password_is_reset_by_email(page, learner):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email address").fill(learner.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(link_in(mail.outbox[-1], "/accounts/reset/"))
    page.get_by_label(re.compile(r"^\s*New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    log_in(page, learner.email, NEW_PASSWORD)
    expect(page.get_by_text("Signed in as Jane Doe, MD")).to_be_visible()


def test_a_learner_corrects_their_name_changes_email_downloads_data_and_leaves(
    page, learner, activity
):
    completion = complete(learner, activity)
    log_in(page, learner.email, PASSWORD)
    page.get_by_role("link", name="Your account").click()
    page.get_by_label("Full name").fill("Jane Q. Doe, MD")
    page.get_by_label("Email address").fill("jane.new@example.org")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile("^We sent a link to jane.new@example.org"))).to_be_visible()
    expect(page.get_by_text("Your profile is saved.", exact=True)).to_have_count(0)  # it waits

    page.goto(completion.get_absolute_url())  # issued: the name it was issued under
    expect(page.get_by_text("Jane Doe, MD", exact=True)).to_be_visible()

    page.goto(link_in(mail.outbox[0], "/accounts/email/confirm/"))
    page.get_by_role("button", name="Confirm the change").click()
    expect(page.get_by_text("Your email address is now jane.new@example.org.")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["profile"]["email"] == "jane.new@example.org"
    assert data["completions"][0]["certificate"] == completion.certificate_number

    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_text(re.compile("^What stays, and why:"))).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert not User.objects.filter(email="jane.new@example.org").exists()
