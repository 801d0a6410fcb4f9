"""What the assistant last offered, which a "oui" or a "non" answers (the `pending_offer` slot).

The slot holds the offer's text form ("handoff:basic_level", "need:need_gdpr:cookies"), the
same as before this type existed, so conversations stored earlier read back unchanged.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Optional


class OfferKind(str, Enum):
    RESTART = "restart"  # confirm starting over
    DELETE_MY_DATA = "delete_my_data"  # confirm erasing everything
    HANDOFF = "handoff"  # hand over to an advisor; detail: the reason
    MORE_RECOMMENDATIONS = "more_recommendations"
    RESUME_DIAGNOSTIC = "resume_diagnostic"
    NEED = "need"  # more on a stated need; detail: the need intent, topic: its topic

    @property
    def is_confirmation(self) -> bool:
        """Destructive: valid only for the owner's very next message."""
        return self in (OfferKind.RESTART, OfferKind.DELETE_MY_DATA)


@dataclass(frozen=True)
class Offer:
    kind: OfferKind
    detail: str = ""
    topic: str = ""

    def encode(self) -> str:
        if self.kind is OfferKind.HANDOFF:
            return f"{self.kind.value}:{self.detail}"
        if self.kind is OfferKind.NEED:
            return f"{self.kind.value}:{self.detail}:{self.topic}"
        # str(): mypy reads `.value` of a narrowed str enum as Any; it is already the text.
        return str(self.kind.value)

    @staticmethod
    def decode(value: object) -> Optional["Offer"]:
        """The offer a slot value holds; None for no offer or an unknown one."""
        if not isinstance(value, str) or not value:
            return None
        name, _, rest = value.partition(":")
        try:
            kind = OfferKind(name)
        except ValueError:
            return None
        if kind is OfferKind.NEED:
            detail, _, topic = rest.partition(":")
            return Offer(kind, detail, topic)
        return Offer(kind, rest)
