"""Signals any app may send, for listeners in the layers above it."""

from django.dispatch import Signal

# A bulk `QuerySet.update()` changed rows of `sender` (a model); Django sends no signal for it.
# `learner_ids`: the learners whose rows changed, where the rows belong to learners.
rows_updated = Signal()

# A `QuerySet.bulk_create()` added rows of `sender` (a model); Django sends no post_save for them.
# `rows`: the model instances created.
rows_created = Signal()
