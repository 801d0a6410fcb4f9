"""The retention period applied to everything kept besides the conversations themselves
(SPEC 9): tickets, diagnostics and their bilans, needs raised, inbox messages."""

from bot.adapters import inbox, storage
from bot.adapters.diagnostics import diagnostic_repository


def purge_records_older_than(days: int) -> int:
    """Erases what was not touched for `days` days; returns the number of tickets erased."""
    tickets = storage.ticket_repository().purge_older_than(days)
    diagnostic_repository().purge_older_than(days)
    inbox.purge_older_than(days)
    return tickets
