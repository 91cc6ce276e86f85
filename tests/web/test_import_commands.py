"""Activities from documents on the command line: `import_activity` makes a draft from a file
and says what it made, or with --preview writes nothing; a file it cannot import is refused with
the line and the reason, and nothing is written; `export_activity` writes the Markdown that
imports again unchanged."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lessons.models import Activity, Lesson
from tests.cme.test_documents import MINIMAL
from tests.lessons.test_content import seed_text


def run(*args):
    """What the command printed."""
    printed = StringIO()
    call_command(*args, stdout=printed)
    return printed.getvalue()


@pytest.fixture
def seed_file(tmp_path):
    """The seed's page text, saved as staff would save it."""
    path = tmp_path / "celmods-in-multiple-myeloma.txt"
    path.write_text(seed_text(), encoding="utf-8")
    return path


def test_the_seeds_page_text_imports_as_an_unpublished_draft_and_says_so(db, seed_file):
    printed = run("import_activity", str(seed_file), "--slug", "imported").splitlines()
    activity = Activity.objects.get(slug="imported")
    assert not activity.published
    assert activity.lessons.count() == 4
    assert printed[0] == (
        '"CELMoDs in Multiple Myeloma" (imported), a draft: learners see it once staff publish it.'
    )
    assert "4 lessons with 14 paragraphs; 3 key takeaways." in printed


def test_a_preview_reports_the_same_and_writes_nothing(db, seed_file):
    printed = run("import_activity", str(seed_file), "--slug", "imported", "--preview")
    lines = printed.splitlines()
    assert "4 lessons with 14 paragraphs; 3 key takeaways." in lines
    assert lines[-1] == "Nothing was written: this was a preview."
    assert not Activity.objects.exists()


def test_a_file_that_cannot_be_imported_is_refused_with_its_line_and_writes_nothing(db, tmp_path):
    path = tmp_path / "commentary.md"
    path.write_text(MINIMAL.replace("expires:", "colour: blue\nexpires:"), encoding="utf-8")
    with pytest.raises(CommandError) as refusal:
        run("import_activity", str(path))
    message = str(refusal.value)
    assert message.startswith('commentary.md: Line 4: Unknown front-matter key "colour"')
    assert message.endswith("Nothing was written.")
    assert not Activity.objects.exists() and not Lesson.objects.exists()


def test_a_slug_in_use_is_refused_and_the_activity_there_is_kept(activity, tmp_path):
    path = tmp_path / "commentary.md"
    path.write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(CommandError, match="exists already: import it under another slug"):
        run("import_activity", str(path), "--slug", activity.slug)
    assert Activity.objects.get().title == "CELMoDs in Multiple Myeloma"


def test_a_missing_file_is_refused_by_its_name(db, tmp_path):
    missing = tmp_path / "missing.md"
    with pytest.raises(CommandError) as refusal:
        run("import_activity", str(missing))
    assert str(refusal.value) == f"{missing} cannot be read: No such file or directory."


def test_an_export_imported_under_another_slug_exports_the_same_file(activity, tmp_path):
    exported = tmp_path / "celmods.md"
    assert run("export_activity", activity.slug, "-o", str(exported)) == (
        f'Wrote "CELMoDs in Multiple Myeloma" to {exported}.\n'
    )
    run("import_activity", str(exported), "--slug", "copy")
    copy = Activity.objects.get(slug="copy")
    assert not copy.published
    assert copy.lessons.count() == activity.lessons.count()
    assert run("export_activity", "copy") == exported.read_text(encoding="utf-8")


def test_the_export_goes_to_standard_output_without_a_file(activity):
    printed = run("export_activity", activity.slug)
    assert printed.startswith("---\ntitle: CELMoDs in Multiple Myeloma\n")
    assert "\n## Knowledge check\n" in printed


def test_an_unknown_slug_is_refused_by_name(db):
    with pytest.raises(CommandError) as refusal:
        run("export_activity", "no-such-activity")
    assert str(refusal.value) == 'No activity has the slug "no-such-activity".'
