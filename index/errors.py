"""Errors raised by the index package; the CLI turns each into a one-line message.

    ReadoutsError
    ├── IndexNotFound      no index where one was looked for
    ├── IndexEmpty         an index that holds no readouts
    ├── IndexCorrupt       a damaged generation
    ├── IndexMismatch      built by another format or model
    ├── IndexBusy          another ingest holds the lock
    ├── IndexWriteFailed   the OS refused a write (disk full, permissions); the old index stands
    ├── FeedbackLogFailed  the OS refused to read or write the feedback log
    ├── NothingToIngest    the paths hold no readout to index
    ├── InputNotFound      a path that does not exist
    ├── ModelUnavailable   a model's files missing, or not the ones pinned
    ├── SettingInvalid     a setting (environment variable) that is not a usable value
    ├── BadQuery           a question that cannot be searched (no words, an impossible filter)
    │   └── EnglishOnlyIndex  a question in another script, asked of an English-only index
    └── NothingMatches     filters that leave no readout

    SourceUnreadable       a page or PDF that is no readout: reported as a skip, never raised to the user
"""


class ReadoutsError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1


class IndexNotFound(ReadoutsError):
    pass


class IndexEmpty(ReadoutsError):
    pass


class IndexWriteFailed(ReadoutsError):
    pass


class FeedbackLogFailed(ReadoutsError):
    pass


class NothingToIngest(ReadoutsError):
    """No readout in what an ingest was given; `skipped` holds each (path or URL, reason) it skipped."""

    def __init__(self, message: str, skipped: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.skipped = skipped


class IndexCorrupt(ReadoutsError):
    pass


class IndexMismatch(ReadoutsError):
    pass


class IndexBusy(ReadoutsError):
    pass


class ModelUnavailable(ReadoutsError):
    pass


class InputNotFound(ReadoutsError):
    exit_code = 2


class SettingInvalid(ReadoutsError):
    """A setting that cannot be used (not a number, not finite, out of range); the message names it."""

    exit_code = 2


class BadQuery(ReadoutsError):
    exit_code = 2


class EnglishOnlyIndex(BadQuery):
    """A question in Chinese or Japanese (another script than Latin) asked of an index whose model
    reads English only; `model` names that model."""

    def __init__(self, model: str) -> None:
        super().__init__(f"This index uses {model}, which reads English only. To ask in other languages, rebuild "
                         "it with the multilingual model: readouts ingest --rebuild --embedder e5-small PATH...")
        self.model = model


class NothingMatches(ReadoutsError):
    """The question's filters (dates, sources) leave no readout to search. `worded` when a date the
    question says in words ("in 2023") took part, so that searching without it may still answer."""

    def __init__(self, message: str, worded: bool = False) -> None:
        super().__init__(message)
        self.worded = worded


class SourceUnreadable(Exception):
    """A page or PDF that cannot be read as a readout; the message is the reason shown to the user
    beside the skipped path or URL."""
