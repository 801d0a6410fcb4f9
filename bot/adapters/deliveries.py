"""Which platform deliveries were already handled, so that a retried one is answered once.

Platforms deliver a message again when the answer was slow or lost (WhatsApp retries for
days). The first server to record a (platform, message id) pair handles it; any later copy,
on this server or another, finds the pair taken. Kept in the tickets' database, so that a
restart or a second server does not forget; entries older than the retention are purged.
"""

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Column, DateTime, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base

from bot.adapters.storage import engine, utcnow

Base = declarative_base()
_ready: set = set()


class Delivery(Base):
    __tablename__ = "platform_deliveries"

    platform = Column(String(16), primary_key=True)
    message_id = Column(String(255), primary_key=True)
    seen_at = Column(DateTime(timezone=True), nullable=False, index=True)


def _engine(url: Optional[str] = None):
    bind = engine(url)
    if id(bind) not in _ready:
        Base.metadata.create_all(bind)
        _ready.add(id(bind))
    return bind


def first_delivery(platform: str, message_id: str, url: Optional[str] = None) -> bool:
    """True the first time this platform's message id is seen; False for a repeat."""
    with Session(_engine(url)) as session:
        session.add(Delivery(platform=platform, message_id=message_id[:255], seen_at=utcnow()))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True


def purge_deliveries_before(moment: datetime, url: Optional[str] = None) -> int:
    with Session(_engine(url)) as session:
        removed = session.query(Delivery).filter(Delivery.seen_at < moment).delete()
        session.commit()
    return int(removed)


# Meta retries a webhook for up to 7 days; a repeat after that is unlikely enough.
DELIVERY_MEMORY = timedelta(days=8)
