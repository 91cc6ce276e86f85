"""PDF downloads (certificates, the transcript), drawn on the server by WeasyPrint.

The page is rendered from a template like any other and laid out with the PDF stylesheet; nothing
is fetched while drawing it (no URL, no file), so a PDF never waits on the network.
"""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


@cache
def _stylesheet():
    from weasyprint import CSS  # imported on first use: it loads Pango, which pages never need

    return CSS(filename=finders.find("css/pdf.css"))


def _nothing_fetched(url, *args, **kwargs):
    raise ValueError(f"A PDF fetches nothing ({url[:60]}).")


def pdf_response(request, template, context, filename):
    """The template, rendered for this request, as a PDF download named `filename`."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    document = HTML(
        string=html, url_fetcher=_nothing_fetched, base_url=request.build_absolute_uri()
    )
    response = HttpResponse(
        document.write_pdf(stylesheets=[_stylesheet()]), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
