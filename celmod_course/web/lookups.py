"""Finding what a page is about, the same way on every page: activities as the visitor may see
them (staff preview drafts), and where a POST sent before logging in returns afterwards."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from lessons.models import Activity


def visible_activity(user, slug):
    """The activity at `slug`, as `user` may see it (404 otherwise)."""
    return get_object_or_404(Activity.objects.visible_to(user), slug=slug)


def activity_page(name):
    """Where an anonymous POST to an activity returns after log-in: the page named `name` (an
    unknown activity: 404)."""
    return lambda slug: reverse(
        name, args=[get_object_or_404(Activity.objects.published(), slug=slug).slug]
    )
