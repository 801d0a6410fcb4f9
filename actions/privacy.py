"""delete_my_data (SPEC 9): erases tickets and everything the conversation holds."""

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import leave_form, offer_is_fresh, say, yes_no
from bot.adapters import inbox, storage
from bot.adapters.diagnostics import diagnostic_repository
from bot.messages import message
from bot.offers import Offer, OfferKind

CONFIRM = Offer(OfferKind.DELETE_MY_DATA).encode()


class ActionDeleteMyData(Action):
    """Asks for confirmation, then erases (the second time, after a "oui")."""

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("pending_offer") != CONFIRM or not offer_is_fresh(tracker, CONFIRM):
            say(
                dispatcher,
                message("privacy.erase_confirm"),
                yes_no("erase_confirm", "erase_cancel"),
            )
            return leave_form(tracker) + [SlotSet("pending_offer", CONFIRM)]
        storage.ticket_repository().delete_for_sender(tracker.sender_id)
        # Their diagnostics (and so their bilans' pages), needs raised and inbox messages.
        diagnostic_repository().delete_for_sender(tracker.sender_id)
        inbox.delete_for_sender(tracker.sender_id)
        say(dispatcher, message("privacy.erased"))
        # The tracker store erases the stored conversation when it sees this action
        # (rasa_addons/tracker_store.py).
        return [AllSlotsReset()]
