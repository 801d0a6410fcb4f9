"""Handoff tickets and advisor accounts as plain data, and what their stores promise.

The stores (bot.adapters.storage and bot.adapters.advisors, over SQL) implement the two
protocols and hand out these frozen dataclasses, never database objects: a caller reads a
ticket freely once the store's session is closed, and cannot change it behind the store's
back. Every change goes through a store's method.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, List, Mapping, NamedTuple, Optional, Protocol, Set, Tuple

QUEUED, LIVE, CLOSED = "queued", "live", "closed"
# What an account may do in the console: an advisor works the tickets; a manager also sees the
# deployer's dashboard.
ADVISOR, MANAGER = "advisor", "manager"
ROLES = (ADVISOR, MANAGER)
OPEN_STATUSES = (QUEUED, LIVE)
# What a ticket list may be asked for: one status, open (queued + live) or all.
STATUS_FILTERS = ("open", QUEUED, LIVE, CLOSED, "all")


class TicketStateError(ValueError):
    """A status change that the ticket's current state does not allow (French message)."""


class AccountError(ValueError):
    """A refused account creation, with a message for the person running the command."""


class LoginThrottled(Exception):
    """Too many login attempts from this client address (for this e-mail, or in all)."""


@dataclass(frozen=True)
class TicketEventRecord:
    """A status change or message on a ticket, with time and actor."""

    at: datetime
    kind: str
    actor: Optional[str] = None
    detail: Optional[str] = None


@dataclass(frozen=True)
class TicketRecord:
    """A handoff ticket as the console, the channels and the actions read it."""

    id: int
    sender_id: str
    status: str
    reason: str
    created_at: datetime
    channel: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    preferred_time: Optional[str] = None
    sector: Optional[str] = None
    headcount: Optional[int] = None
    location: Optional[str] = None
    score_overall: Optional[float] = None
    maturity_level: Optional[str] = None
    dimension_scores: Optional[Mapping[str, float]] = None
    needs: Optional[List[str]] = None
    transcript: Optional[List[Mapping[str, Any]]] = None
    advisor: Optional[str] = None  # the advisor who took the ticket, as shown to the owner
    # Who that is: two accounts may show the same name. None on tickets taken before advisor
    # ids were recorded, which are then matched by name.
    advisor_id: Optional[int] = None
    # Its history, oldest first, when asked for (get_with_events and the status changes);
    # None when not loaded.
    events: Optional[Tuple[TicketEventRecord, ...]] = None

    def held_by(self, advisor_id: int, advisor_name: str) -> bool:
        """Whether this advisor account holds the ticket (live with them)."""
        if self.status != LIVE:
            return False
        if self.advisor_id is not None:
            return self.advisor_id == advisor_id
        return self.advisor == advisor_name  # taken before advisor ids were recorded


class Transition(NamedTuple):
    """A status change an advisor makes: when it is allowed, where it leads, what the history records."""

    allowed: Callable[[TicketRecord, int, str], bool]  # (ticket, advisor id, advisor name)
    status: str
    kind: str


def _queued_or_held(ticket: TicketRecord, advisor_id: int, advisor_name: str) -> bool:
    return ticket.status == QUEUED or ticket.held_by(advisor_id, advisor_name)


def _held(ticket: TicketRecord, advisor_id: int, advisor_name: str) -> bool:
    return ticket.held_by(advisor_id, advisor_name)


TAKE = Transition(_queued_or_held, LIVE, "taken")
HAND_BACK = Transition(_held, QUEUED, "handed_back")  # the bot answers again; the ticket waits
CLOSE = Transition(_queued_or_held, CLOSED, "closed")


class TicketRepository(Protocol):
    """Where tickets are kept. The advisor is named by account id (who may act) and display
    name (what the owner and the ticket's history show)."""

    def create(self, fields: Mapping[str, Any]) -> int:
        """A new ticket (with its `created` event); returns its id."""

    def count_created_since(self, sender_id: str, since: datetime) -> int: ...

    def for_sender(self, sender_id: str) -> List[TicketRecord]:
        """The conversation's tickets, oldest first."""

    def get(self, ticket_id: int) -> Optional[TicketRecord]: ...

    def get_with_events(self, ticket_id: int) -> Optional[TicketRecord]: ...

    def live_for(self, sender_id: str) -> Optional[TicketRecord]:
        """The conversation's newest live ticket, if an advisor holds one."""

    def by_status(self, status: str = "open") -> List[TicketRecord]:
        """Newest first; status is one of STATUS_FILTERS."""

    def add_event(self, ticket_id: int, kind: str, actor: str, detail: Optional[str] = None) -> TicketEventRecord: ...

    def take(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        """Raises TicketStateError unless the ticket is queued or already held by this advisor."""

    def hand_back(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        """Raises TicketStateError unless this advisor holds the ticket."""

    def close(self, ticket_id: int, advisor_id: int, advisor_name: str) -> TicketRecord:
        """Raises TicketStateError unless the ticket is queued or held by this advisor."""

    def delete_for_sender(self, sender_id: str) -> int:
        """Erases every ticket of a conversation (SPEC 9: delete_my_data); returns how many."""

    def purge_older_than(self, days: int) -> int:
        """Deletes the tickets not updated for `days` days (SPEC 9: retention period)."""


@dataclass(frozen=True)
class Advisor:
    """An advisor account, as the console and the channels know it."""

    id: int
    email: str
    name: str
    role: str = ADVISOR  # one of ROLES

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER


class AdvisorRepository(Protocol):
    """Advisor accounts and their console sessions."""

    def create_account(self, email: str, name: str, password: str, role: Optional[str] = None) -> Advisor:
        """Creates the account (an advisor unless `role` says otherwise), or renames it, changes
        its password (ending its sessions) and, when `role` is given, its role."""

    def set_role(self, email: str, role: str) -> bool:
        """Makes the account one of ROLES; False when there is no such account."""

    def deactivate_account(self, email: str) -> bool: ...

    def log_in(
        self, email: str, password: str, session_hours: float, address: str = "", now: Optional[datetime] = None
    ) -> Optional[str]:
        """A new session token, or None; raises LoginThrottled after too many attempts."""

    def advisor_for(self, token: Optional[str], now: Optional[datetime] = None) -> Optional[Advisor]: ...

    def valid_tokens(self, tokens: Iterable[str], now: Optional[datetime] = None) -> Set[str]: ...

    def valid_session_keys(self, now: Optional[datetime] = None) -> Set[str]:
        """The keys of every valid session (a digest of its token, never the token)."""

    def log_out(self, token: Optional[str]) -> None: ...

    def expire_session(self, token: str) -> None: ...

    def online_count(self, now: Optional[datetime] = None) -> int:
        """How many advisors used the console recently."""
