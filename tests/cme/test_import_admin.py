"""The admin's import and export page: a file is previewed (nothing written), then the draft is
created from the same upload; a file the import cannot read is refused with the reason and
nothing is written; any activity downloads as Markdown, several as a zip."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from celmod_course.cme import documents
from celmod_course.cme.documents import markdown
from celmod_course.cme.documents.build import activity_import
from celmod_course.cme.models import DocumentUpload
from lessons.models import Activity, Lesson
from tests.cme.test_documents import MINIMAL
from tests.conftest import make_learner
from tests.html import block_texts, form_data

EXPIRED = "The preview has expired: upload the file again."


def import_url():
    return reverse("admin:cme_activitydocument_add")


def a_file(text=MINIMAL, name="commentary.md"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


def preview(client, file=None, slug=""):
    return client.post(import_url(), {"file": file or a_file(), "slug": slug})


def create(client, previewed, **kwargs):
    """Press "Create the draft" on the preview page."""
    return client.post(import_url(), form_data(previewed, "create_form"), **kwargs)


def written():
    return Activity.objects.count(), Lesson.objects.count()


def test_the_import_page_asks_for_the_file_and_says_which_and_how_large(staff_client):
    response = staff_client.get(import_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Import an activity</h1>" in html
    assert '<label class="required" for="id_file">Commentary file:</label>' in html
    assert 'accept=".txt,.md,.markdown,.docx"' in html
    assert "Word document (.docx); up to 2 MB." in html
    assert '<label for="id_slug">Slug:</label>' in html


def test_a_preview_shows_what_the_file_will_make_and_writes_nothing(staff_client):
    response = preview(staff_client)
    texts = block_texts(response)
    assert response.status_code == 200
    assert "Preview of commentary.md" in texts
    assert '"A commentary" (a-commentary), a draft: learners see it once staff publish it.' in (
        texts
    )
    assert "Speakers: Ann Expert, MD." in texts
    assert 'value="Create the draft"' in response.content.decode()
    assert written() == (0, 0)


def test_creating_the_draft_imports_the_previewed_file_without_a_second_upload(staff_client):
    response = create(staff_client, preview(staff_client, slug="new-commentary"), follow=True)
    activity = Activity.objects.get()
    assert (activity.slug, activity.title, activity.published) == (
        "new-commentary",
        "A commentary",
        False,
    )
    assert activity.lessons.get().heading == "What is new?"
    change_page = reverse("admin:lessons_activity_change", args=[activity.pk])
    assert response.redirect_chain == [(change_page, 302)]
    html = response.content.decode()
    assert '<li class="success">&quot;A commentary&quot; was imported as a draft.</li>' in html
    assert '<li class="info">Speakers: Ann Expert, MD.</li>' in html
    assert (
        '<li class="warning">It has no knowledge check: learners cannot complete it until staff '
        "add its questions.</li>"
    ) in html
    assert not DocumentUpload.objects.exists()


def test_pressing_create_again_imports_nothing_more(staff_client):
    previewed = preview(staff_client)
    create(staff_client, previewed)
    again = create(staff_client, previewed)
    assert again.status_code == 200
    assert EXPIRED in block_texts(again)
    assert written() == (1, 1)


def test_a_preview_older_than_an_hour_asks_for_the_file_again(staff_client):
    previewed = preview(staff_client)
    DocumentUpload.objects.update(uploaded_at=F("uploaded_at") - timedelta(minutes=61))
    response = create(staff_client, previewed)
    assert response.status_code == 200
    assert EXPIRED in block_texts(response)
    assert written() == (0, 0)


def test_another_staff_members_preview_cannot_be_created_by_its_token(staff_client, client):
    previewed = preview(staff_client)
    other = make_learner("other.staff@example.org", "Olive Other", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="add_activity"))
    client.force_login(other)
    assert EXPIRED in block_texts(create(client, previewed))
    assert written() == (0, 0)


def test_a_slug_taken_after_the_preview_is_refused_on_create_and_nothing_is_written(
    staff_client,
):
    previewed = preview(staff_client)
    activity_import(draft=markdown.parse(MINIMAL))  # someone else takes "a-commentary"
    response = create(staff_client, previewed)
    assert response.status_code == 200
    assert (
        'An activity with the slug "a-commentary" exists already: import it under another slug.'
        in block_texts(response)
    )
    assert written() == (1, 1)


@pytest.mark.parametrize(
    "file, message",
    [
        (
            a_file(MINIMAL.replace("expires:", "colour: blue\nexpires:")),
            'Line 4: Unknown front-matter key "colour" (the keys are: title, slug, released, '
            "expires, provider, accreditation_statement, commercial_support, objectives, "
            "faculty, abbreviations, polls, knowledge_check, credit, evaluation).",
        ),
        (
            a_file(name="commentary.pdf"),
            '"commentary.pdf" is not a file the import reads: use .txt (the page text of a '
            "commentary), .md (Markdown with front matter) or .docx (Word).",
        ),
        (
            a_file("x" * (documents.MAX_BYTES + 1)),
            "The file is 2.1 MB; the import takes files up to 2 MB.",
        ),
        (a_file(MINIMAL.replace("## Introduction", "## Intro")), "The document has no intro"),
    ],
    ids=["unknown key", "pdf", "too large", "no introduction"],
)
def test_a_file_the_import_cannot_take_is_refused_with_the_reason_and_nothing_is_written(
    staff_client, file, message
):
    response = preview(staff_client, file)
    assert response.status_code == 200
    assert any(text.startswith(message) for text in block_texts(response)), block_texts(response)
    assert "<title>Error: Import an activity" in response.content.decode()
    assert 'name="file"' in response.content.decode()  # the form again, to choose another file
    assert written() == (0, 0)
    assert not DocumentUpload.objects.exists()


def test_a_file_is_needed(staff_client):
    response = staff_client.post(import_url(), {"slug": ""})
    assert response.status_code == 200
    assert "This field is required." in block_texts(response)


def test_a_learner_gets_the_admin_log_in_never_the_import_page(learner_client):
    for response in (learner_client.get(import_url()), preview(learner_client)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert written() == (0, 0)


def test_staff_who_may_not_add_activities_may_export_but_not_import(client, activity):
    reader = make_learner("reader@example.org", "Rita Reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_activity"))
    client.force_login(reader)
    assert client.get(import_url()).status_code == 403
    assert preview(client).status_code == 403
    changelist = client.get(reverse("admin:cme_activitydocument_changelist"))
    assert changelist.status_code == 200
    assert "Import an activity" not in changelist.content.decode()
    download = reverse("admin:cme_activitydocument_markdown", args=[activity.pk])
    assert client.get(download).status_code == 200
    assert written() == (1, 4)


def export(client, *activities):
    return client.post(
        reverse("admin:cme_activitydocument_changelist"),
        {"action": "export_markdown", "_selected_action": [a.pk for a in activities]},
    )


def test_the_export_action_downloads_one_activity_as_its_markdown(staff_client, activity):
    response = export(staff_client, activity)
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="celmods-in-multiple-myeloma.md"'
    )
    assert response.content.decode() == markdown.activity_markdown(activity)


def test_several_activities_export_as_a_zip_of_one_file_each(staff_client, activity):
    draft = activity_import(draft=markdown.parse(MINIMAL)).activity
    response = export(staff_client, activity, draft)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="activities.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as files:
        assert sorted(files.namelist()) == ["a-commentary.md", "celmods-in-multiple-myeloma.md"]
        assert files.read("a-commentary.md").decode() == markdown.activity_markdown(draft)


def test_each_activity_in_the_list_links_its_markdown_and_its_admin_page(staff_client, activity):
    page = staff_client.get(reverse("admin:cme_activitydocument_changelist")).content.decode()
    download = reverse("admin:cme_activitydocument_markdown", args=[activity.pk])
    assert f'<a href="{download}">Download Markdown</a>' in page
    assert reverse("admin:lessons_activity_change", args=[activity.pk]) in page
    assert "<h1>Import and export activities</h1>" in page
    assert reverse("admin:cme_activitydocument_add") in page
    response = staff_client.get(download)
    assert response["Content-Disposition"] == (
        'attachment; filename="celmods-in-multiple-myeloma.md"'
    )
    assert response.content.decode() == markdown.activity_markdown(activity)


def test_a_learner_cannot_download_an_activitys_markdown(learner_client, activity):
    download = reverse("admin:cme_activitydocument_markdown", args=[activity.pk])
    response = learner_client.get(download)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_activity_list_links_the_import_page(staff_client, activity):
    page = staff_client.get(reverse("admin:lessons_activity_changelist")).content.decode()
    assert f'<a href="{import_url()}">Import an activity</a>' in page
