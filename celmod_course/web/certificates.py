"""Certificates: the learner's own, as a page and as a PDF, and the public verification page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from celmod_course.cme.models import ActivityCompletion, normalize_certificate_number

from .forms import VerifyForm
from .pdf import pdf_response


def _own_certificate(request, number):
    """The learner's own certificate; anyone else's is not found."""
    return get_object_or_404(
        ActivityCompletion.objects.select_related("activity"),
        certificate_number=normalize_certificate_number(number),
        learner=request.user,
    )


@login_required
def certificate(request, number):
    completion = _own_certificate(request, number)
    return render(request, "cme/certificate.html", {"completion": completion})


@login_required
def certificate_pdf(request, number):
    """The certificate as a PDF; a revoked one has none, and its page says why."""
    completion = _own_certificate(request, number)
    if completion.revocation:
        return render(request, "cme/certificate.html", {"completion": completion}, status=410)
    filename = f"certificate-{completion.certificate_number}.pdf"
    return pdf_response(request, "cme/pdf/certificate.html", {"completion": completion}, filename)


def verify(request, number=None):
    """Public: name, activity, date and credit status of a certificate number, no more."""
    if number is None:
        form = VerifyForm(request.GET or None)
        if form.is_valid():
            return redirect("cme:verify", number=form.cleaned_data["number"])
        return render(request, "cme/verify.html", {"form": form})
    completion = (
        ActivityCompletion.objects.select_related("activity", "learner")
        .filter(certificate_number=normalize_certificate_number(number), learner__is_active=True)
        .first()
    )
    context = {"form": VerifyForm(), "asked": True, "number": number, "completion": completion}
    return render(request, "cme/verify.html", context, status=200 if completion else 404)
