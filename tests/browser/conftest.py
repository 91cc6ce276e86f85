"""Browser tests: Playwright drives the Debian Chromium against a live server.

Playwright cannot download its own browser here, so it uses /usr/bin/chromium (or $CHROMIUM).
Without it the tests are skipped and say so; with REQUIRE_BROWSER=1 (as in CI) that is a failure.
"""

import os
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from celmod_course.accounts.models import Profession
from celmod_course.cme.models import CreditDesignation
from tests.conftest import AMA, STATEMENT, complete, make_learner, open_link, unavailable

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}.", "REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def plain_static_names(settings):
    """pytest-django's live server serves /static/ through the staticfiles finders, which know
    the files by their plain names only, so pages link to those instead of the hashed ones."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@contextmanager
def browser_tab(browser, live_server, width=1280, height=900):
    """A browser tab on the live server, `width` pixels wide. Any console error (a script
    error, or anything the Content-Security-Policy blocked) fails the test."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert errors == []


@pytest.fixture
def page(browser, live_server):
    with browser_tab(browser, live_server) as tab:
        yield tab


def log_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/")


def sign_up(page, email, full_name, profession, password):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Profession").select_option(label=profession)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Create account").click()
    open_from_the_mail(page, email)


def open_from_the_mail(page, email):
    """After signing up: "Check your email", then the link in that mail, and "Open my account"."""
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(open_link(email.lower()))
    page.get_by_role("button", name="Open my account").click()


def answer_knowledge_check(page, questions, right):
    """Answer the first `right` questions correctly and the rest with a wrong choice."""
    for number, question in enumerate(questions, start=1):
        choice = next(c for c in question.choices.all() if c.is_correct == (number <= right))
        group = page.get_by_role("group", name=f"{number}. {question.prompt}")
        group.get_by_label(choice.text, exact=True).check()


@pytest.fixture
def offering(activity):
    """The activity with a designation for physicians and an expiry still ahead."""
    activity.expires_on = date(2099, 1, 27)
    activity.save()
    CreditDesignation.objects.create(
        activity=activity,
        profession=Profession.PHYSICIAN,
        credit_type=AMA,
        max_amount=Decimal("1"),
        statement=STATEMENT,
    )
    return activity


@pytest.fixture
def physician(offering):
    learner = make_learner("phys@example.org", "Pat Physician, MD")
    complete(learner, offering)
    return learner
