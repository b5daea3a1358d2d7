"""The one exception tree of kg. Library code raises these; the CLI shows them, no traceback."""

# Exit codes of the kg command (documented in README.md):
# 0 done; 1 error, nothing changed; 2 usage error; 3 done, but some inputs were skipped;
# 4 the store is busy (another process writes to it), retry later.
EXIT_SKIPPED = 3


class KgError(Exception):
    """Base class: the message names the input and the fix."""

    exit_code = 1


class InputError(KgError):
    """An input file, line or value that kg cannot read."""


class StoreError(KgError):
    """The store cannot be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process holds the store for writing."""

    exit_code = 4


class QueryError(KgError):
    """A SPARQL query that is malformed, timed out or refused."""


class MissingExtraError(KgError):
    """An optional dependency is not installed; the message names the extra."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs the {extra} extra: pip install 'kg[{extra}]'")
