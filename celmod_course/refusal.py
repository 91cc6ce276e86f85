class Refused(Exception):
    """Why a learner cannot take a step now, in words for them, and what they can do instead
    (`action`: a label and a URL), if anything. Services raise it; views show it."""

    def __init__(self, message, action=None):
        super().__init__(message)
        self.action = action
