"""Advisor accounts and console sessions, in the same database as the tickets.

Passwords are stored as scrypt hashes (standard library, salted); a session is a random
token of which only the SHA-256 digest is stored, so a copy of the database does not let
anyone log in. Sessions expire after `console.session_hours` (bot/data/settings.yml).
A new password (`make advisor` again) and a deactivation end every session of the account.
Callers use `advisor_repository()`, a SqlAdvisorRepository for the configured database (the
AdvisorRepository of bot.handover.records), which returns Advisor dataclasses.

Failed logins are counted in the database (every process and server shares the count), per
e-mail and client address and per client address: an attacker's failures never lock the
advisor out from their own address. Every login costs exactly one scrypt hash, whether the
e-mail is known or not, so the answer time does not reveal which accounts exist.

The console's requests: what the server's own origin is (behind a proxy only if
TRUSTED_PROXY=1 says the proxy's X-Forwarded-* headers are to be believed) and who the
client is, for the CSRF checks, the Secure cookie and the login throttle.
"""

import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta
from typing import Dict, Iterable, Mapping, Optional, Set
from urllib.parse import urlsplit

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.adapters import storage
from bot.adapters.storage import Base, utcnow
from bot.handover.records import ADVISOR, ROLES, AccountError, Advisor, LoginThrottled

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_LENGTH = 10
# An advisor counts as online while the console has called the server this recently
# (it refreshes its ticket list every 10 s).
ONLINE_WINDOW = timedelta(seconds=90)
# Login attempts within the window: per e-mail and client address, and per client address
# whatever the e-mail (one address trying many accounts). More are refused without a hash.
LOGIN_ATTEMPTS, ADDRESS_ATTEMPTS, LOGIN_WINDOW = 5, 20, timedelta(minutes=15)


class AdvisorAccount(Base):
    __tablename__ = "advisor_accounts"

    id = Column(Integer, primary_key=True)
    email = Column(String(320), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # advisor or manager (bot.handover.records.ROLES). Nullable: storage.add_missing_columns adds
    # it to a database an older version created, whose accounts are then advisors (NULL).
    role = Column(String(16), default=ADVISOR)


class AdvisorSession(Base):
    __tablename__ = "advisor_sessions"

    id = Column(Integer, primary_key=True)
    token_digest = Column(String(64), unique=True, nullable=False)
    advisor_id = Column(Integer, ForeignKey("advisor_accounts.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class LoginAttempt(Base):
    """A login attempt being checked or failed; deleted after a success and once out of the window."""

    __tablename__ = "advisor_login_attempts"

    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False)
    address = Column(String(255), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)


_advisor_tables = [AdvisorAccount.__table__, AdvisorSession.__table__, LoginAttempt.__table__]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


# What an unknown or deactivated e-mail's password is compared with: the same single scrypt
# as for a real account (computed once, here), so both answers take the same time.
_NO_ACCOUNT_HASH = hash_password(secrets.token_urlsafe(32))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_key(token: str) -> str:
    """What names a session without being it (the digest the database keeps): the console's
    live connections join socket.io rooms named after it, which every server may address."""
    return _digest(token)


def _advisor(account: AdvisorAccount) -> Advisor:
    return Advisor(id=account.id, email=account.email, name=account.name, role=account.role or ADVISOR)


class SqlAdvisorRepository:
    """The advisor accounts and sessions of one database (AdvisorRepository), next to its
    tickets. Each method is its own session and returns Advisor dataclasses, never rows."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._tables_ready = False

    @property
    def engine(self) -> Engine:
        """The tickets' engine, with the advisor tables created on first use."""
        bind = storage.engine(self.url)
        if not self._tables_ready:
            Base.metadata.create_all(bind, tables=_advisor_tables)
            self._tables_ready = True
        return bind

    def create_account(self, email: str, name: str, password: str, role: Optional[str] = None) -> Advisor:
        """A new account (an advisor unless `role` says manager), or the existing one renamed, with
        a new password and, when `role` is given, that role."""
        email = email.strip().lower()
        name = name.strip()
        if role is not None and role not in ROLES:
            raise AccountError(f"Rôle inconnu : « {role} » (rôles possibles : {', '.join(ROLES)}).")
        if "@" not in email:
            raise AccountError(f"« {email} » n'est pas une adresse e-mail.")
        if not name:
            raise AccountError("Le nom affiché ne peut pas être vide.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"Le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères.")
        with Session(self.engine) as session:
            existing = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email))
            if existing is not None:
                existing.name, existing.password_hash, existing.active = name, hash_password(password), True
                if role is not None:
                    existing.role = role
                # A new password ends the sessions opened with the old one (perhaps by someone else).
                session.execute(delete(AdvisorSession).where(AdvisorSession.advisor_id == existing.id))
                account = existing
            else:
                account = AdvisorAccount(
                    email=email, name=name, password_hash=hash_password(password), role=role or ADVISOR
                )
                session.add(account)
            session.commit()
            return _advisor(account)

    def set_role(self, email: str, role: str) -> bool:
        """Makes the account an advisor or a manager; False when there is no such account."""
        if role not in ROLES:
            raise AccountError(f"Rôle inconnu : « {role} » (rôles possibles : {', '.join(ROLES)}).")
        with Session(self.engine) as session:
            account = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email.strip().lower()))
            if account is None:
                return False
            account.role = role
            session.commit()
            return True

    def deactivate_account(self, email: str) -> bool:
        with Session(self.engine) as session:
            account = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email.strip().lower()))
            if account is None:
                return False
            account.active = False
            session.execute(delete(AdvisorSession).where(AdvisorSession.advisor_id == account.id))
            session.commit()
            return True

    def log_in(
        self,
        email: str,
        password: str,
        session_hours: float,
        address: str = "",
        now: Optional[datetime] = None,
    ) -> Optional[str]:
        """A new session token for a right e-mail and password, else None.

        Raises LoginThrottled, before any hashing, when this client address has made too many
        attempts for this e-mail (or for any) within LOGIN_WINDOW. The attempt is recorded and
        committed before the attempts are counted, so parallel requests cannot all slip under
        the limit: the k-th recorded one counts at least k.
        """
        email, address, now = email.strip().lower()[:320], (address or "")[:255], now or utcnow()
        since = now - LOGIN_WINDOW
        with Session(self.engine) as session:
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))  # bounded storage
            attempt = LoginAttempt(email=email, address=address, at=now)
            session.add(attempt)
            session.commit()
            attempt_id = attempt.id
        with Session(self.engine) as session:
            from_address = LoginAttempt.address == address, LoginAttempt.at >= since
            for_email = session.scalar(
                select(func.count(LoginAttempt.id)).where(LoginAttempt.email == email, *from_address)
            )
            in_all = session.scalar(select(func.count(LoginAttempt.id)).where(*from_address))
            if for_email > LOGIN_ATTEMPTS or in_all > ADDRESS_ATTEMPTS:
                # A refused attempt is not kept: the failures that caused the refusal are enough.
                session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
                session.commit()
                raise LoginThrottled(email)
            account = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email))
            known = account is not None and account.active
            # Exactly one scrypt whatever the e-mail, so the answer time does not reveal which accounts exist.
            if not password_matches(password, account.password_hash if known else _NO_ACCOUNT_HASH) or not known:
                return None  # the attempt stays recorded: a failure
            session.execute(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.address == address))
            token = secrets.token_urlsafe(32)
            session.add(
                AdvisorSession(
                    token_digest=_digest(token),
                    advisor_id=account.id,
                    created_at=now,
                    expires_at=now + timedelta(hours=session_hours),
                    last_seen_at=now,
                )
            )
            session.commit()
            return token

    def advisor_for(self, token: Optional[str], now: Optional[datetime] = None) -> Optional[Advisor]:
        """The advisor of a valid, unexpired session (and notes that they are online)."""
        if not token:
            return None
        now = now or utcnow()
        with Session(self.engine) as session:
            found = session.scalar(select(AdvisorSession).where(AdvisorSession.token_digest == _digest(token)))
            if found is None:
                return None
            if found.expires_at <= now:
                session.delete(found)
                session.commit()
                return None
            account = session.get(AdvisorAccount, found.advisor_id)
            if account is None or not account.active:
                return None
            found.last_seen_at = now
            session.commit()
            return _advisor(account)

    def valid_tokens(self, tokens: Iterable[str], now: Optional[datetime] = None) -> Set[str]:
        """Those of the tokens whose session is unexpired and whose account is active (one query),
        for the console's live connections, re-checked while they stay open."""
        by_digest = {_digest(token): token for token in tokens if token}
        if not by_digest:
            return set()
        now = now or utcnow()
        with Session(self.engine) as session:
            digests = session.scalars(
                select(AdvisorSession.token_digest)
                .join(AdvisorAccount, AdvisorAccount.id == AdvisorSession.advisor_id)
                .where(
                    AdvisorSession.token_digest.in_(list(by_digest)),
                    AdvisorSession.expires_at > now,
                    AdvisorAccount.active.is_(True),
                )
            )
            return {by_digest[digest] for digest in digests}

    def valid_session_keys(self, now: Optional[datetime] = None) -> Set[str]:
        """The keys (`session_key`) of every unexpired session of an active account (one query):
        the consoles an event may reach, whichever server holds their live connection."""
        now = now or utcnow()
        with Session(self.engine) as session:
            return set(
                session.scalars(
                    select(AdvisorSession.token_digest)
                    .join(AdvisorAccount, AdvisorAccount.id == AdvisorSession.advisor_id)
                    .where(AdvisorSession.expires_at > now, AdvisorAccount.active.is_(True))
                )
            )

    def log_out(self, token: Optional[str]) -> None:
        if token:
            with Session(self.engine) as session:
                session.execute(delete(AdvisorSession).where(AdvisorSession.token_digest == _digest(token)))
                session.commit()

    def expire_session(self, token: str) -> None:
        """Ends a session as if its time had run out (used by `ops.advisors` and the tests)."""
        with Session(self.engine) as session:
            found = session.scalar(select(AdvisorSession).where(AdvisorSession.token_digest == _digest(token)))
            if found is not None:
                found.expires_at = utcnow() - timedelta(seconds=1)
                session.commit()

    def online_count(self, now: Optional[datetime] = None) -> int:
        """How many advisors called the console within ONLINE_WINDOW (with a live session)."""
        now = now or utcnow()
        with Session(self.engine) as session:
            return (
                session.scalar(
                    select(func.count(func.distinct(AdvisorSession.advisor_id))).where(
                        AdvisorSession.last_seen_at >= now - ONLINE_WINDOW,
                        AdvisorSession.expires_at > now,
                    )
                )
                or 0
            )


_repositories: Dict[str, SqlAdvisorRepository] = {}


def advisor_repository(url: Optional[str] = None) -> SqlAdvisorRepository:
    """The advisors of the database at `url`, by default the tickets' (CONSEILLER_DATABASE_URL),
    with the advisor tables created on first use: one repository per database."""
    url = url or storage.database_url()
    repository = _repositories.get(url)
    if repository is None:
        repository = _repositories.setdefault(url, SqlAdvisorRepository(url))
    return repository


# The console's requests -------------------------------------------------------------------


def proxy_trusted() -> bool:
    """TRUSTED_PROXY=1: the server is reached only through a proxy that sets X-Forwarded-Proto,
    X-Forwarded-Host and X-Forwarded-For itself; without it these headers are ignored (anyone
    can send them)."""
    return os.environ.get("TRUSTED_PROXY", "").strip().lower() in ("1", "true", "yes", "on")


def _first(value: Optional[str]) -> str:
    return (value or "").split(",")[0].strip()


def own_origin(scheme: str, headers: Mapping[str, str]) -> str:
    """The server's origin as the browser sees it: `scheme` is the connection's own (http, ws,
    https, wss); `headers` the request's, with lower-case names."""
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    host = headers.get("host", "")
    if proxy_trusted():
        scheme = _first(headers.get("x-forwarded-proto")).lower() or scheme
        host = _first(headers.get("x-forwarded-host")) or host
    return f"{scheme}://{host}"


def _normalised(origin: str):
    try:
        parts = urlsplit(origin.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def same_origin(origin: Optional[str], scheme: str, headers: Mapping[str, str]) -> bool:
    """True when the request has no Origin header or names the server's own origin."""
    if origin is None:
        return True
    theirs = _normalised(origin)
    return theirs is not None and theirs == _normalised(own_origin(scheme, headers))


def client_address(remote_addr: str, headers: Mapping[str, str]) -> str:
    """The client's address for the login throttle: behind a trusted proxy, the address that
    proxy appended to X-Forwarded-For (the last one; earlier ones are the client's word)."""
    if proxy_trusted():
        forwarded = [part.strip() for part in (headers.get("x-forwarded-for") or "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return remote_addr
