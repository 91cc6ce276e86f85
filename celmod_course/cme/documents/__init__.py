"""Activities as documents: a commentary's page text, Markdown with front matter or a Word file
read into an `ActivityDraft` (one parser per format), built into a draft activity in one
transaction (`build.activity_import`), and any activity written back out as Markdown
(`markdown.activity_markdown`), which imports again unchanged."""
