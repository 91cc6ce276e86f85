"""A staff member imports an activity from a Markdown file in the admin: previews it, creates
the draft and lands on its admin page, unpublished; the draft is theirs to preview on the site
and nobody else's to find."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lessons.models import Activity
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import WIDTHS, problems
from tests.cme.test_documents import MINIMAL
from tests.conftest import PASSWORD


def test_staff_preview_a_file_create_its_draft_and_only_staff_see_it(
    page, browser, live_server, staff, learner, tmp_path
):
    commentary = tmp_path / "commentary.md"
    commentary.write_text(MINIMAL, encoding="utf-8")
    log_in(page, staff.email, PASSWORD)
    page.goto(reverse("admin:lessons_activity_changelist"))
    page.get_by_role("link", name="Import an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an activity")

    page.get_by_label("Commentary file").set_input_files(commentary)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview of commentary.md")).to_be_visible()
    report = page.get_by_role("list").filter(has_text="Speakers:")
    expect(report.get_by_role("listitem").first).to_have_text(
        '"A commentary" (a-commentary), a draft: learners see it once staff publish it.'
    )
    assert not Activity.objects.exists()

    page.get_by_role("button", name="Create the draft").click()
    activity = Activity.objects.get()
    page.wait_for_url(f"**{reverse('admin:lessons_activity_change', args=[activity.pk])}")
    expect(page.get_by_text('"A commentary" was imported as a draft.')).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("A commentary")
    expect(page.get_by_label("Published")).not_to_be_checked()

    page.goto(activity.get_absolute_url())
    expect(page.get_by_text(re.compile(r"^Draft preview\."))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("A commentary")

    for visitor in (None, learner):
        context = browser.new_context(base_url=live_server.url)
        other = context.new_page()
        if visitor:
            log_in(other, visitor.email, PASSWORD)
        response = other.goto(activity.get_absolute_url())
        assert response.status == 404
        expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
        context.close()


def test_a_file_the_import_cannot_read_is_refused_on_the_page(page, staff, tmp_path):
    commentary = tmp_path / "commentary.md"
    commentary.write_text(MINIMAL.replace("expires:", "colour: blue\nexpires:"), encoding="utf-8")
    log_in(page, staff.email, PASSWORD)
    page.goto(reverse("admin:cme_activitydocument_add"))
    page.get_by_label("Commentary file").set_input_files(commentary)
    page.get_by_role("button", name="Preview").click()
    expect(
        page.get_by_text(re.compile(r'^Line 4: Unknown front-matter key "colour"'))
    ).to_be_visible()
    expect(page.get_by_label("Commentary file")).to_be_visible()  # to choose the file again
    assert not Activity.objects.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_import_page_its_refusal_and_its_preview_pass_axe(
    browser, live_server, staff, tmp_path, width
):
    # A context of its own, as in test_accessibility: axe's script applies inline styles, which
    # the Content-Security-Policy blocks and the `page` fixture would count as errors.
    bad, good = tmp_path / "bad.md", tmp_path / "commentary.md"
    bad.write_text(MINIMAL.replace("expires:", "colour: blue\nexpires:"), encoding="utf-8")
    good.write_text(MINIMAL, encoding="utf-8")
    context = browser.new_context(base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    page.goto(reverse("admin:cme_activitydocument_add"))
    assert problems(page) == []
    for file in (bad, good):
        page.get_by_label("Commentary file").set_input_files(file)
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Import an activity")
        assert problems(page) == [], file.name
    expect(page.get_by_role("button", name="Create the draft")).to_be_visible()
    page.goto(reverse("admin:cme_activitydocument_changelist"))
    assert problems(page) == []
    context.close()
