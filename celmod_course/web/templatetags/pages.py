from django import template

from celmod_course.web.pagecache import SERVED_PLACEHOLDER

register = template.Library()


@register.simple_tag
def served_at():
    """Where the page cache puts the signed moment the page is served (pages it serves only)."""
    return SERVED_PLACEHOLDER
