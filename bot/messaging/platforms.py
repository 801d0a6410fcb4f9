"""Each messaging platform's limits, as its public documentation states them.

Lengths of text are counted in UTF-16 code units (`fitting.length`), which is never less than
the number of characters: a text that fits by this count fits whichever way a platform
counts its characters (an emoji is two units). Telegram's callback data is counted in bytes
of UTF-8, as its documentation says.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Dict, List, Mapping, Tuple


class Platform(str, Enum):
    WHATSAPP = "whatsapp"  # WhatsApp Cloud API (Meta's Graph API)
    MESSENGER = "messenger"  # Facebook Messenger Platform, Send API
    TELEGRAM = "telegram"  # Telegram Bot API
    SMS = "sms"  # SMS through Twilio's Messages resource


@dataclass(frozen=True)
class WhatsAppLimits:
    text_body: int
    interactive_body: int
    reply_buttons: int
    button_title: int
    button_id: int
    list_button: int
    list_rows: int
    row_title: int
    row_description: int
    row_id: int
    section_title: int


@dataclass(frozen=True)
class MessengerLimits:
    text: int
    quick_replies: int
    quick_reply_title: int
    quick_reply_payload: int


@dataclass(frozen=True)
class TelegramLimits:
    text: int
    callback_data_bytes: int


@dataclass(frozen=True)
class SmsLimits:
    body: int


WHATSAPP = WhatsAppLimits(
    # Text message body: "Maximum 4096 characters."
    # https://meta-preview.mintlify.io/docs/whatsapp/cloud-api/messages/text-messages
    text_body=4096,
    # Reply buttons: body "Maximum 1024 characters", "up to 3 buttons", button label
    # "Maximum 20 characters", button id "Maximum 256 characters".
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages
    # (same table: https://whatsapp-docs.kap.so/documentation/whatsapp/messages/interactive-reply-buttons-messages)
    # Meta's list-message page now allows a 4096-character body; the 1024 of reply buttons is
    # kept for both kinds of interactive message.
    interactive_body=1024,
    reply_buttons=3,
    button_title=20,
    button_id=256,
    # List messages: button "Maximum 20 characters", "up to 10 rows for all sections combined",
    # row title "Maximum 24 characters", row description "Maximum 72 characters", row id
    # "Maximum 200 characters", section title 24 characters.
    # https://support.chatarchitect.com/books/meta-whatsapp/page/interactive-list-messages-developer-documentation
    # (a copy of Meta's "Interactive list messages" page, updated Nov 3, 2025)
    list_button=20,
    list_rows=10,
    row_title=24,
    row_description=72,
    row_id=200,
    section_title=24,
)

MESSENGER = MessengerLimits(
    # Send API, message.text: "Must be UTF-8 and has a 2000 character limit", as quoted from
    # https://developers.facebook.com/docs/messenger-platform/reference/send-api in
    # https://github.com/microsoft/botframework-sdk/issues/4261
    text=2000,
    # "a set of up to 13 buttons"
    # https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies/
    # but Rasa's Facebook channel builds them with the `fbmessenger` library (6.0.0), whose
    # QuickReplies refuses more than 11 (fbmessenger/quick_replies.py): 11 is what works.
    quick_replies=11,
    # "each quick reply allows up to 20 characters before being truncated"
    # https://developers.facebook.com/docs/messenger-platform/instagram/features/quick-replies/
    # (the Messenger API answers "(#100) Length of param message[quick_replies][1][title] must
    # be less than or equal to 20": https://github.com/microsoft/botframework-sdk/issues/1335)
    quick_reply_title=20,
    # fbmessenger's QuickReply: "Payload cannot be longer 1000 characters."
    quick_reply_payload=1000,
)

TELEGRAM = TelegramLimits(
    # sendMessage, text: "1-4096 characters after entities parsing"
    # https://core.telegram.org/bots/api/methods/sendmessage.md
    text=4096,
    # InlineKeyboardButton.callback_data: "Data to be sent in a callback query to the bot when
    # the button is pressed, 1-64 bytes" (https://core.telegram.org/bots/api#inlinekeyboardbutton,
    # as mirrored by https://grammy.dev/ref/types/inlinekeyboardbutton/callbackbutton)
    callback_data_bytes=64,
)

SMS = SmsLimits(
    # "The `Body` parameter for an outgoing message can be up to 1,600 characters."
    # https://www.twilio.com/docs/api/errors/21617
    body=1600,
)


def text_limit(platform: Platform) -> int:
    """The longest plain text one message may carry on the platform."""
    return {
        Platform.WHATSAPP: WHATSAPP.text_body,
        Platform.MESSENGER: MESSENGER.text,
        Platform.TELEGRAM: TELEGRAM.text,
        Platform.SMS: SMS.body,
    }[platform]


# The environment variables that turn each messaging channel on (all of them must be set),
# by the channel's name in Rasa (its webhook is /webhooks/<name>/webhook).
CHANNEL_VARIABLES: Dict[str, Tuple[str, ...]] = {
    "whatsapp": ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"),
    "facebook": ("MESSENGER_PAGE_ACCESS_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"),
    "telegram": ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_SECRET_TOKEN"),
    "twilio": ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"),
}


def channels_on(environment: Mapping[str, str]) -> List[str]:
    """The messaging channels whose variables are all set, in a fixed order."""
    return [name for name, variables in CHANNEL_VARIABLES.items() if all(environment.get(v) for v in variables)]
