from django import template

from celmod_course.web.forms import QUESTION_MAX_LENGTH

register = template.Library()


@register.inclusion_tag("includes/_ask.html")
def ask_box(activity, question=""):
    """The "Ask the commentary" box, with the question limit the form enforces."""
    return {"activity": activity, "question": question, "max_length": QUESTION_MAX_LENGTH}
