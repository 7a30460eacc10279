"""Errors that end a command with one clear line (what, where, what to do)."""


class SafeLakeError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits non-zero."""
