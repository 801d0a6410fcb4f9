"""Advisor accounts and console sessions, in the same database as the tickets.

Passwords are stored as scrypt hashes (standard library, salted); a session is a random
token of which only the SHA-256 digest is stored, so a copy of the database does not let
anyone log in. Sessions expire after `console.session_hours` (bot/data/settings.yml).
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, delete, func, select
from sqlalchemy.orm import Session

from bot import storage
from bot.storage import Base, utcnow

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_PASSWORD_LENGTH = 10
# An advisor counts as online while the console has called the server this recently
# (it refreshes its ticket list every 10 s).
ONLINE_WINDOW = timedelta(seconds=90)


class AdvisorAccount(Base):
    __tablename__ = "advisor_accounts"

    id = Column(Integer, primary_key=True)
    email = Column(String(320), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AdvisorSession(Base):
    __tablename__ = "advisor_sessions"

    id = Column(Integer, primary_key=True)
    token_digest = Column(String(64), unique=True, nullable=False)
    advisor_id = Column(Integer, ForeignKey("advisor_accounts.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


@dataclass(frozen=True)
class Advisor:
    id: int
    email: str
    name: str


class AccountError(ValueError):
    """A refused account creation, with a message for the person running the command."""


_ready: set = set()


def engine(url: Optional[str] = None):
    """The tickets' engine, with the advisor tables created on first use."""
    created = storage.engine(url)
    if created.url not in _ready:
        Base.metadata.create_all(created, tables=[AdvisorAccount.__table__, AdvisorSession.__table__])
        _ready.add(created.url)
    return created


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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _advisor(account: AdvisorAccount) -> Advisor:
    return Advisor(id=account.id, email=account.email, name=account.name)


def create_account(email: str, name: str, password: str, url: Optional[str] = None) -> Advisor:
    email = email.strip().lower()
    name = name.strip()
    if "@" not in email:
        raise AccountError(f"« {email} » n'est pas une adresse e-mail.")
    if not name:
        raise AccountError("Le nom affiché ne peut pas être vide.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit faire au moins {MIN_PASSWORD_LENGTH} caractères.")
    with Session(engine(url)) as session:
        existing = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email))
        if existing is not None:
            existing.name, existing.password_hash, existing.active = name, hash_password(password), True
            account = existing
        else:
            account = AdvisorAccount(email=email, name=name, password_hash=hash_password(password))
            session.add(account)
        session.commit()
        return _advisor(account)


def deactivate_account(email: str, url: Optional[str] = None) -> bool:
    with Session(engine(url)) as session:
        account = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email.strip().lower()))
        if account is None:
            return False
        account.active = False
        session.execute(delete(AdvisorSession).where(AdvisorSession.advisor_id == account.id))
        session.commit()
        return True


def log_in(email: str, password: str, session_hours: float, url: Optional[str] = None) -> Optional[str]:
    """A new session token for a right e-mail and password, else None."""
    with Session(engine(url)) as session:
        account = session.scalar(select(AdvisorAccount).where(AdvisorAccount.email == email.strip().lower()))
        # Hash even for an unknown e-mail, so the answer time does not reveal which accounts exist.
        stored = account.password_hash if account is not None and account.active else hash_password("-")
        if not password_matches(password, stored) or account is None or not account.active:
            return None
        token = secrets.token_urlsafe(32)
        now = utcnow()
        session.add(AdvisorSession(
            token_digest=_digest(token), advisor_id=account.id, created_at=now,
            expires_at=now + timedelta(hours=session_hours), last_seen_at=now,
        ))
        session.commit()
        return token


def advisor_for(token: Optional[str], url: Optional[str] = None, now: Optional[datetime] = None) -> Optional[Advisor]:
    """The advisor of a valid, unexpired session (and notes that they are online)."""
    if not token:
        return None
    now = now or utcnow()
    with Session(engine(url)) as session:
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


def log_out(token: Optional[str], url: Optional[str] = None) -> None:
    if token:
        with Session(engine(url)) as session:
            session.execute(delete(AdvisorSession).where(AdvisorSession.token_digest == _digest(token)))
            session.commit()


def expire_session(token: str, url: Optional[str] = None) -> None:
    """Ends a session as if its time had run out (used by `ops.advisors` and the tests)."""
    with Session(engine(url)) as session:
        found = session.scalar(select(AdvisorSession).where(AdvisorSession.token_digest == _digest(token)))
        if found is not None:
            found.expires_at = utcnow() - timedelta(seconds=1)
            session.commit()


def advisors_online(url: Optional[str] = None, now: Optional[datetime] = None) -> int:
    now = now or utcnow()
    with Session(engine(url)) as session:
        return session.scalar(
            select(func.count(func.distinct(AdvisorSession.advisor_id))).where(
                AdvisorSession.last_seen_at >= now - ONLINE_WINDOW, AdvisorSession.expires_at > now,
            )
        ) or 0
