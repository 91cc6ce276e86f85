class Refused(Exception):
    """Why a learner cannot take a step now, in words for them, and a `code` naming the reason,
    from which a page offers what they can do instead. Services raise it; pages show it."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code
