class IdConverter:
    """A database id in a URL: digits that fit a 64-bit integer. Anything longer is simply
    not found, instead of overflowing the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
