"""Errors raised by the index package; the CLI turns each into a one-line message."""


class ReadoutsError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class IndexNotFound(ReadoutsError):
    pass


class IndexCorrupt(ReadoutsError):
    pass


class IndexMismatch(ReadoutsError):
    pass


class IndexBusy(ReadoutsError):
    pass


class InputNotFound(ReadoutsError):
    pass


class BadQuery(ReadoutsError):
    pass
