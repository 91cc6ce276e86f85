from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """For load balancers and uptime checks, and the benchmark's baseline: no database."""
    return HttpResponse("ok\n", content_type="text/plain")
