"""The messaging platforms' channels, end to end: WhatsApp (Cloud API), Messenger, Telegram and
SMS through Twilio.

Each owner's message is posted to the running server in the platform's own webhook format,
signed as the platform signs it; the assistant's replies are caught by a local stand-in of the
platforms' APIs (tests/local_services.py `PlatformApis`, where the *_API_URL variables point)
and checked there, as the platform would receive them. Webhooks answer at once and the reply
comes afterwards: every step awaits the reply at the stand-in (no sleeps).

The Rasa server saves a conversation just after its turn's last reply is sent: the slots a
test reads through the HTTP API are those of the turns before the last one awaited.
"""

import base64
import hashlib
import hmac
import itertools
import json
import queue
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Callable, List, Optional, Tuple, Union

import pytest
import socketio
from twilio.request_validator import RequestValidator

from bot.adapters import advisors, storage
from bot.diagnostic.questionnaire import load_questionnaire
from bot.messages import message
from tests.e2e.conftest import CHANNEL_SETTINGS, tracker
from tests.helpers import CONSOLE, PASSWORD
from tests.helpers import call as console_call
from tests.local_services import PlatformCall

Q = load_questionnaire()
GREETING_END = "Par quoi commence-t-on ?"
CONSENT_END = "Êtes-vous d'accord ?"
CONTACT_QUESTION = "À quelle adresse e-mail ou à quel numéro de téléphone"
TIME_QUESTION = "Quel moment vous arrange le mieux"
TICKET_SENT = "Votre demande n°"
SECTOR_QUESTION = "quel est votre métier ou votre secteur d'activité ?"
HEADCOUNT_QUESTION = "Combien de personnes travaillent dans votre entreprise"
LOCATION_QUESTION = "Dans quelle ville ou quel département"
REPLY_HINT = "Répondez par le numéro ou par vos mots."
ADVISOR_EMAIL = "messageries@cci-exemple.fr"
ADVISOR_NAME = "Claire, permanence numérique"

_numbers = itertools.count(1)


def heading(question_id: str) -> str:
    """The first line of a diagnostic question: "Question 3/15 · Équipement et connexion"."""
    number = Q.question_ids.index(question_id) + 1
    dimension = Q.dimension(Q.question(question_id).dimension).label
    return f"Question {number}/{len(Q.question_ids)} · {dimension}"


def post(url: str, body: bytes, headers: dict) -> Tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def get(url: str) -> Tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def meta_signature(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 as Meta computes it: the HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- the owners, one per platform


class Delivery:
    """One webhook request as the platform sends it: the raw body and its headers, signed."""

    def __init__(self, body: bytes, headers: dict):
        self.body, self.headers = body, headers


class Chat:
    """An owner on a messaging platform: what they send (a webhook, signed by the platform) and
    what reaches them (the calls the assistant made to the platform's API, at the stand-in)."""

    platform = ""  # the stand-in's name of the platform
    webhook = ""  # the channel's name in /webhooks/<name>/webhook
    prefix = ""  # how the server names the conversation: "<prefix><user>"

    def __init__(self, server: str, apis, user: str):
        self.server, self.apis, self.user = server, apis, str(user)
        self.seen = 0  # the calls to this owner already awaited
        self.offering: Optional[PlatformCall] = None  # the message whose options were last read

    @property
    def url(self) -> str:
        return f"{self.server}/webhooks/{self.webhook}/webhook"

    @property
    def sender_id(self) -> str:
        return self.prefix + self.user

    # What a platform's message is made of ---------------------------------------

    def typed(self, text: str, message_id: Optional[str] = None) -> Delivery:
        raise NotImplementedError

    def tapped(self, title: str, key: str) -> Delivery:
        """The owner taps an option the assistant offered (its title as shown, its key)."""
        raise NotImplementedError

    def sign(self, body: bytes) -> dict:
        """The headers the platform sends with this body: its signature or secret token."""
        raise NotImplementedError

    @staticmethod
    def text_of(call: PlatformCall) -> str:
        raise NotImplementedError

    def options_of(self, call: PlatformCall) -> List[Tuple[str, str]]:
        """(title shown, key sent back) of each option a call offers."""
        return []

    # Sending and awaiting ------------------------------------------------------

    def deliver(self, delivery: Delivery) -> None:
        status, text = post(self.url, delivery.body, delivery.headers)
        assert status == 200, (status, text)

    def calls(self) -> List[PlatformCall]:
        """What the assistant sent this owner so far, in order."""
        return self.apis.to(self.platform, self.user)

    def replies(self, until: Union[str, Callable[[PlatformCall], bool]], timeout: float = 30) -> List[PlatformCall]:
        """The calls to this owner since the last ones awaited, up to the first that holds
        `until` (a piece of its text, or a test of the call); fails if none comes in time."""
        found = until if callable(until) else (lambda call: until in self.text_of(call))

        def arrived():
            new = self.calls()[self.seen :]
            for index, call in enumerate(new):
                if found(call):
                    return new[: index + 1]
            return None

        got = self.apis.wait_until(arrived, timeout)
        assert got, f"no reply to {self.sender_id} holding {until!r}; got: {[self.text_of(c) for c in self.calls()]}"
        self.seen += len(got)
        return got

    def says(self, text: str, until) -> List[PlatformCall]:
        self.deliver(self.typed(text))
        return self.replies(until)

    def offered(self) -> List[Tuple[str, str]]:
        """The options of the last message that offered any (kept as `offering`)."""
        for call in reversed(self.calls()[: self.seen]):
            options = self.options_of(call)
            if options:
                self.offering = call
                return options
        raise AssertionError(f"nothing offered to {self.sender_id}")

    def taps(self, title: str, until) -> List[PlatformCall]:
        """Taps the option shown as `title` (or whose full title it is) of the last choices offered."""
        options = self.offered()
        matching = [(shown, key) for shown, key in options if title in (shown, self.full_title(shown, key))]
        assert len(matching) == 1, (title, options)
        shown, key = matching[0]
        self.deliver(self.tapped(shown, key))
        return self.replies(until)

    def full_title(self, shown: str, key: str) -> str:
        return shown

    def slots(self) -> dict:
        return tracker(self.server, self.sender_id)["slots"]

    def user_texts(self) -> List[str]:
        return [e["text"] for e in tracker(self.server, self.sender_id)["events"] if e["event"] == "user"]


class WhatsAppOwner(Chat):
    platform = webhook = "whatsapp"
    prefix = "whatsapp:"
    business_number = "33757000001"

    def __init__(self, server, apis, user=None, name="Amélie Martin"):
        super().__init__(server, apis, user or f"336{next(_numbers):02d}{uuid.uuid4().int % 10**6:06d}")
        self.name = name
        self.rows = {}  # row id -> description, as the last lists showed them

    @staticmethod
    def message_id() -> str:
        return "wamid.HBgLMzM2" + uuid.uuid4().hex.upper()

    def update(self, message: dict) -> bytes:
        """Meta's webhook: one change of field "messages" holding the owner's message."""
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": self.business_number,
                                    "phone_number_id": CHANNEL_SETTINGS["WHATSAPP_PHONE_NUMBER_ID"],
                                },
                                "contacts": [{"profile": {"name": self.name}, "wa_id": self.user}],
                                "messages": [message],
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    def _message(self, kind: str, content: dict, message_id: Optional[str] = None) -> dict:
        return {
            "from": self.user,
            "id": message_id or self.message_id(),
            "timestamp": str(int(time.time())),
            "type": kind,
            **content,
        }

    def sign(self, body: bytes) -> dict:
        secret = CHANNEL_SETTINGS["WHATSAPP_APP_SECRET"]
        return {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(secret, body)}

    def typed(self, text, message_id=None) -> Delivery:
        body = self.update(self._message("text", {"text": {"body": text}}, message_id))
        return Delivery(body, self.sign(body))

    def tapped(self, title, key) -> Delivery:
        context = {"from": self.business_number, "id": "wamid.HBgLMzM2" + uuid.uuid4().hex.upper()}
        if self.offering.body["interactive"]["type"] == "list":
            reply = {"type": "list_reply", "list_reply": {"id": key, "title": title}}
            if self.rows.get(key):
                reply["list_reply"]["description"] = self.rows[key]
        else:
            reply = {"type": "button_reply", "button_reply": {"id": key, "title": title}}
        body = self.update(self._message("interactive", {"context": context, "interactive": reply}))
        return Delivery(body, self.sign(body))

    def statuses(self) -> Delivery:
        """Meta's notice that a reply was delivered: no owner's message in it."""
        payload = json.loads(self.update(self._message("text", {"text": {"body": "x"}})))
        value = payload["entry"][0]["changes"][0]["value"]
        del value["messages"], value["contacts"]
        value["statuses"] = [
            {
                "id": self.message_id(),
                "status": "delivered",
                "timestamp": str(int(time.time())),
                "recipient_id": self.user,
                "conversation": {"id": uuid.uuid4().hex, "origin": {"type": "service"}},
                "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
            }
        ]
        body = json.dumps(payload).encode()
        return Delivery(body, self.sign(body))

    @staticmethod
    def text_of(call) -> str:
        body = call.body
        if body.get("type") == "text":
            return body["text"]["body"]
        if body.get("type") == "interactive":
            return body["interactive"]["body"]["text"]
        return ""

    def options_of(self, call) -> List[Tuple[str, str]]:
        interactive = call.body.get("interactive") or {}
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            return [(b["reply"]["title"], b["reply"]["id"]) for b in action["buttons"]]
        if interactive.get("type") == "list":
            rows = [row for section in action["sections"] for row in section["rows"]]
            self.rows.update({row["id"]: row.get("description") for row in rows})
            return [(row["title"], row["id"]) for row in rows]
        return []

    def full_title(self, shown, key) -> str:
        return self.rows.get(key) or shown


class MessengerOwner(Chat):
    platform = "messenger"
    webhook = "facebook"
    prefix = "messenger:"
    page = "109876543210987"

    def __init__(self, server, apis, user=None):
        super().__init__(
            server, apis, user or str(7_000_000_000_000_000 + next(_numbers) * 1000 + uuid.uuid4().int % 1000)
        )

    def event(self, message: dict) -> bytes:
        now = int(time.time() * 1000)
        payload = {
            "object": "page",
            "entry": [
                {
                    "id": self.page,
                    "time": now,
                    "messaging": [
                        {
                            "sender": {"id": self.user},
                            "recipient": {"id": self.page},
                            "timestamp": now,
                            "message": message,
                        }
                    ],
                }
            ],
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    @staticmethod
    def mid() -> str:
        return "m_" + uuid.uuid4().hex + uuid.uuid4().hex[:10]

    def sign(self, body: bytes) -> dict:
        secret = CHANNEL_SETTINGS["MESSENGER_APP_SECRET"]
        return {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(secret, body)}

    def typed(self, text, message_id=None) -> Delivery:
        body = self.event({"mid": message_id or self.mid(), "text": text})
        return Delivery(body, self.sign(body))

    def tapped(self, title, key) -> Delivery:
        body = self.event({"mid": self.mid(), "text": title, "quick_reply": {"payload": key}})
        return Delivery(body, self.sign(body))

    @staticmethod
    def text_of(call) -> str:
        return (call.body.get("message") or {}).get("text") or ""

    def options_of(self, call) -> List[Tuple[str, str]]:
        return [(q["title"], q["payload"]) for q in (call.body.get("message") or {}).get("quick_replies") or []]

    def full_title(self, shown, key) -> str:
        """A shortened quick reply's whole option, from the numbered lines the text then holds."""
        number = [k for _, k in self.options_of(self.offering)].index(key) + 1
        found = re.search(rf"(?m)^{number}\. (.+)$", self.text_of(self.offering))
        return found.group(1) if found else shown


class TelegramOwner(Chat):
    platform = webhook = "telegram"
    prefix = "telegram:"
    _updates = itertools.count(int(time.time()) % 100_000_000)

    def __init__(self, server, apis, user=None):
        super().__init__(server, apis, user or str(500_000_000 + next(_numbers) * 1000 + uuid.uuid4().int % 1000))
        self.person = {"id": int(self.user), "is_bot": False, "first_name": "Karim", "language_code": "fr"}
        self.chat = {"id": int(self.user), "first_name": "Karim", "type": "private"}
        self.queries: List[str] = []  # the callback queries sent, by id

    def sign(self, body: bytes) -> dict:
        return {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": CHANNEL_SETTINGS["TELEGRAM_SECRET_TOKEN"],
        }

    def typed(self, text, message_id=None) -> Delivery:
        update = {
            "update_id": int(message_id) if message_id else next(self._updates),
            "message": {
                "message_id": next(_numbers),
                "from": self.person,
                "chat": self.chat,
                "date": int(time.time()),
                "text": text,
            },
        }
        if text.startswith("/"):
            update["message"]["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        body = json.dumps(update, ensure_ascii=False).encode()
        return Delivery(body, self.sign(body))

    def tapped(self, title, key) -> Delivery:
        last = self.offering
        query_id = str(uuid.uuid4().int % 10**19)
        self.queries.append(query_id)
        bot = {"id": 7012345678, "is_bot": True, "first_name": "Conseiller numérique", "username": "conseiller_bot"}
        update = {
            "update_id": next(self._updates),
            "callback_query": {
                "id": query_id,
                "from": self.person,
                "message": {
                    "message_id": next(_numbers),
                    "from": bot,
                    "chat": self.chat,
                    "date": int(time.time()),
                    "text": last.body.get("text", ""),
                    "reply_markup": last.body.get("reply_markup", {}),
                },
                "chat_instance": "-3485739458737359861",
                "data": key,
            },
        }
        body = json.dumps(update, ensure_ascii=False).encode()
        return Delivery(body, self.sign(body))

    @staticmethod
    def is_acknowledgement(call) -> bool:
        return call.path.endswith("/answerCallbackQuery")

    def calls(self) -> List[PlatformCall]:
        """The messages sent to this chat (the answers to callback queries name no chat)."""
        return [
            c for c in list(self.apis.calls) if c.platform == "telegram" and str(c.body.get("chat_id")) == self.user
        ]

    def acknowledgements(self) -> List[str]:
        return [
            c.body["callback_query_id"]
            for c in list(self.apis.calls)
            if c.platform == "telegram"
            and self.is_acknowledgement(c)
            and c.body.get("callback_query_id") in self.queries
        ]

    @staticmethod
    def text_of(call) -> str:
        return call.body.get("text") or ""

    def options_of(self, call) -> List[Tuple[str, str]]:
        keyboard = (call.body.get("reply_markup") or {}).get("inline_keyboard") or []
        return [(button["text"], button["callback_data"]) for row in keyboard for button in row]


class SmsOwner(Chat):
    """An owner texting the business's Twilio number from their phone."""

    platform = webhook = "twilio"
    prefix = "twilio:"

    def __init__(self, server, apis, user=None):
        super().__init__(server, apis, user or f"+336{next(_numbers):03d}{uuid.uuid4().int % 10**5:05d}")

    def form(self, text: str, message_id: Optional[str] = None) -> dict:
        sid = message_id or "SM" + uuid.uuid4().hex
        return {
            "ToCountry": "FR",
            "ToState": "",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": text,
            "FromCountry": "FR",
            "To": CHANNEL_SETTINGS["TWILIO_NUMBER"],
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": CHANNEL_SETTINGS["TWILIO_ACCOUNT_SID"],
            "From": self.user,
            "ApiVersion": "2010-04-01",
        }

    def sign(self, body: bytes) -> dict:
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        signature = RequestValidator(CHANNEL_SETTINGS["TWILIO_AUTH_TOKEN"]).compute_signature(self.url, params)
        return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}

    def typed(self, text, message_id=None) -> Delivery:
        body = urllib.parse.urlencode(self.form(text, message_id)).encode()
        return Delivery(body, self.sign(body))

    @staticmethod
    def text_of(call) -> str:
        return call.body.get("Body") or ""

    def options_of(self, call) -> List[Tuple[str, str]]:
        """The numbered choices "1. Oui" of a text that says they may be answered by number."""
        body = self.text_of(call)
        if REPLY_HINT not in body:
            return []
        return [(title, number) for number, title in re.findall(r"(?m)^(\d+)\. (.+)$", body)]

    def tapped(self, title, key) -> Delivery:
        return self.typed(key)  # no buttons in an SMS: the owner types the choice's number


PLATFORMS = {"whatsapp": WhatsAppOwner, "messenger": MessengerOwner, "telegram": TelegramOwner, "sms": SmsOwner}


# ---------------------------------------------------------------- checks of the bodies sent


def within_whatsapp_limits(call: PlatformCall, owner: WhatsAppOwner) -> None:
    """A body Meta's Cloud API accepts: its format and every limit of its kind of message."""
    body = call.body
    assert call.path == f"/{CHANNEL_SETTINGS['WHATSAPP_PHONE_NUMBER_ID']}/messages"
    assert call.headers["Authorization"] == f"Bearer {CHANNEL_SETTINGS['WHATSAPP_ACCESS_TOKEN']}"
    assert (body["messaging_product"], body["recipient_type"], body["to"]) == ("whatsapp", "individual", owner.user)
    if body["type"] == "text":
        assert 1 <= len(body["text"]["body"]) <= 4096, body
        return
    assert body["type"] == "interactive", body
    interactive = body["interactive"]
    assert 1 <= len(interactive["body"]["text"]) <= 1024, body
    action = interactive["action"]
    if interactive["type"] == "button":
        buttons = action["buttons"]
        assert 1 <= len(buttons) <= 3, body
        titles = [button["reply"]["title"] for button in buttons]
        assert all(button["type"] == "reply" for button in buttons)
        assert all(1 <= len(title) <= 20 for title in titles) and len(set(titles)) == len(titles), titles
        assert all(1 <= len(button["reply"]["id"]) <= 256 for button in buttons)
        return
    assert interactive["type"] == "list", body
    assert 1 <= len(action["button"]) <= 20
    rows = [row for section in action["sections"] for row in section["rows"]]
    assert 1 <= len(rows) <= 10, body
    assert all(len(section.get("title", "")) <= 24 for section in action["sections"])
    for row in rows:
        assert 1 <= len(row["title"]) <= 24 and 1 <= len(row["id"]) <= 200, row
        assert len(row.get("description", "")) <= 72, row
    assert len({row["id"] for row in rows}) == len(rows)


# ---------------------------------------------------------------- the console


class Console:
    """The advisor console's page: its header and origin on every call, its session cookie."""

    def __init__(self, server: str, email: str = ADVISOR_EMAIL):
        self.server = server
        answer = console_call(server, "/console/api/login", {"email": email, "password": PASSWORD}, self.headers)
        assert answer.status == 200, answer.body
        self.cookie = answer.cookie.split(";")[0]

    @property
    def headers(self) -> dict:
        return {**CONSOLE, "Origin": self.server}

    def call(self, path, body=None):
        answer = console_call(self.server, path, body, self.headers, self.cookie)
        return answer.status, answer.body

    def ticket(self, ticket_id: int) -> dict:
        status, body = self.call(f"/console/api/tickets/{ticket_id}")
        assert status == 200, body
        return body["ticket"]


class LiveConsole:
    """The console's live connection, watching one ticket; the owner's messages arrive here."""

    def __init__(self, console: Console, ticket_id: int):
        self.owner_messages: "queue.Queue[dict]" = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("owner_message", self.owner_messages.put, namespace="/advisor")
        self.client.connect(
            console.server,
            namespaces=["/advisor"],
            headers={"Cookie": console.cookie, "Origin": console.server},
            transports=["polling"],
            socketio_path="/socket.io",
            wait_timeout=10,
        )
        self.client.call("watch", {"ticket_id": ticket_id}, namespace="/advisor", timeout=10)

    def close(self):
        self.client.disconnect()


@pytest.fixture(scope="module")
def console(server, databases):
    accounts = advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"])
    accounts.create_account(ADVISOR_EMAIL, ADVISOR_NAME, PASSWORD)
    signed_in = Console(server)
    yield signed_in
    signed_in.call("/console/api/logout", {})  # no advisor left "online" for the modules after this one


@pytest.fixture
def chat(server, platform_apis):
    """chat("whatsapp") -> a new owner on that platform."""
    return lambda platform, **kwargs: PLATFORMS[platform](server, platform_apis, **kwargs)


def asks_for_an_advisor(owner: Chat, databases) -> storage.TicketRecord:
    """SPEC 7: request, consent (tapped), contact, time (tapped): the ticket it creates."""
    owner.says("je veux parler à un conseiller", until=CONSENT_END)
    owner.taps("Oui, j'accepte", until=CONTACT_QUESTION)
    owner.says("06 12 34 56 78", until=TIME_QUESTION)
    first_time = owner.offered()[0][0]
    owner.taps(first_time, until=TICKET_SENT)
    [ticket] = storage.ticket_repository(databases["CONSEILLER_DATABASE_URL"]).for_sender(owner.sender_id)
    assert ticket.phone and ticket.status == "queued"
    return ticket


# ---------------------------------------------------------------- WhatsApp


def finish_typing_the_first_option(owner, first_question: str) -> str:
    """Answers "1" (typed, as a number) from `first_question` to the last question; returns the
    text of everything sent after it: the result, its scores by theme, the recommendations."""
    remaining = Q.question_ids[Q.question_ids.index(first_question) :]
    for following_id in remaining[1:] + [None]:
        following = heading(following_id) if following_id else "Voici votre résultat"
        owner.says("1", until=following)
    seen = owner.seen
    owner.replies(lambda call: bool(owner.options_of(call)) or REPLY_HINT in owner.text_of(call))
    return "\n".join(owner.text_of(call) for call in owner.calls()[seen - 1 :])


def assert_result_as_text(result: str) -> None:
    """The score card, on a platform that cannot draw it: every theme's score in the text."""
    assert re.search(r"Voici votre résultat : \d+/100, niveau « [^»]+ »\.", result), result
    for dimension in Q.dimensions:
        assert re.search(rf"• {re.escape(dimension.label)} : \d+/100", result), dimension.label


def test_whatsapp_whole_diagnostic_with_buttons_lists_and_typed_numbers(chat, server):
    owner = chat("whatsapp")
    [greeting] = owner.says("bonjour", until=GREETING_END)
    # "Parler à un conseiller" is too long for a reply button (20): the three choices come as a list.
    assert greeting.body["interactive"]["type"] == "list"
    assert [title for title, _ in owner.offered()] == [
        "Faire le diagnostic",
        "J'ai une question",
        "Parler à un conseiller",
    ]
    # A delivery notice from Meta is not a message: nothing answers it (the next reply is the diagnostic's).
    owner.deliver(owner.statuses())
    *intro, sectors = owner.taps("Faire le diagnostic", until=SECTOR_QUESTION)
    assert sectors.body["interactive"]["type"] == "list" and len(owner.offered()) == 10
    assert all("interactive" not in call.body for call in intro)  # a word of introduction, no answer to the notice
    assert not any(message("door.empty") in owner.text_of(call) for call in intro)
    owner.taps("Restauration, café, bar", until=HEADCOUNT_QUESTION)
    owner.taps("Je travaille seul(e)", until=LOCATION_QUESTION)
    assert owner.offering.body["interactive"]["type"] == "button"  # a reply button, tapped
    owner.says("Lille", until=heading("q_digital_plan"))

    # Each answer, how it is given, and its points (SPEC 4).
    answers = [
        ("q_digital_plan", "tap", "Un plan chiffré sur l'année", "costed_plan"),  # a row whose title is shortened
        ("q_digital_benefit", "type", "2", "not_sure"),
        ("q_connection", "tap", "Fibre ou câble (30 Mb/s ou plus)", "fast"),
        ("q_cloud_services", "tap", "Stockage en ligne (Drive, Dropbox…)", ["shared_storage"]),
        ("q_online_presence", "type", "1 et 4", ["business_listing", "website"]),
        ("q_online_sales", "type", "le 3", "via_platform"),
        ("q_reviews", "tap", "Oui, régulièrement", "regularly"),
        ("q_invoicing", "type", "le 1", "paper"),
        ("q_customer_file", "tap", "Sur un carnet ou un tableur", "spreadsheet"),
        ("q_backup", "tap", "Oui, copie automatique (cloud…)", "automatic"),
        ("q_security_measures", "type", "1 et 2", ["antivirus", "auto_updates"]),
        ("q_training", "type", "2", "self_taught"),
        ("q_it_support", "tap", "Un prestataire, en cas de besoin", "provider"),
        ("q_ai_use", "type", "oui regulierement", "regular"),  # the option's words, without accents
        ("q_automation", "tap", "Oui, une seule tâche", "one"),
    ]
    for index, (_, how, answer, _) in enumerate(answers):
        question = owner.calls()[owner.seen - 1]
        assert question.body["interactive"]["type"] == "list", question.body  # 4 or more choices: a list
        following = heading(answers[index + 1][0]) if index + 1 < len(answers) else "Voici votre résultat"
        if how == "tap":
            owner.taps(answer, until=following)
        else:
            owner.says(answer, until=following)

    # The result's last message offers more (Oui / Non merci as reply buttons); "non merci" ends the turn.
    owner.replies(lambda call: bool(owner.options_of(call)))
    owner.taps("Non merci", until=lambda call: True)

    result = "\n".join(owner.text_of(call) for call in owner.calls())
    # SPEC 5: strategy (10 + 3) / 2, infrastructure (10 + 4) / 2, online presence (5 + 6 + 10) / 3,
    # management (0 + 3) / 2, security (10 + 10 × 2/6) / 2, skills (4 + 7) / 2, AI (10 + 5) / 2, × 10.
    scores = {
        "strategy": 65.0,
        "infrastructure": 70.0,
        "online_presence": 70.0,
        "management": 15.0,
        "security": 66.67,
        "skills": 55.0,
        "automation_ai": 75.0,
    }
    overall = sum(scores.values()) / 7
    assert "Voici votre résultat : 60/100, niveau « Avancé »." in result
    # The score card is drawn on the website only: here the result's text gives every theme's score.
    for dimension_id, score in scores.items():
        assert f"{Q.dimension(dimension_id).label} : {round(score)}/100" in result
    assert "https://" in result  # the recommendations, with their links
    for call in owner.calls():
        within_whatsapp_limits(call, owner)
    slots = owner.slots()
    assert {question_id: slots[question_id] for question_id, *_ in answers} == {q: v for q, *_, v in answers}
    assert (slots["sector"], slots["headcount"], slots["location"]) == ("food_service", 1, "Lille")
    assert slots["dimension_scores"] == pytest.approx(scores, abs=0.01)
    assert slots["score_overall"] == pytest.approx(overall, abs=0.01)
    assert slots["maturity_level"] == "advanced"


def test_whatsapp_verification_handshake(server):
    url = f"{server}/webhooks/whatsapp/webhook"
    token = CHANNEL_SETTINGS["WHATSAPP_VERIFY_TOKEN"]
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
    assert get(f"{url}?{urllib.parse.urlencode(query)}") == (200, "1158201444")
    wrong = {**query, "hub.verify_token": "pas-le-bon-jeton"}
    assert get(f"{url}?{urllib.parse.urlencode(wrong)}")[0] == 403
    assert get(url)[0] == 403


def test_messenger_verification_handshake(server):
    url = f"{server}/webhooks/facebook/webhook"
    token = CHANNEL_SETTINGS["MESSENGER_VERIFY_TOKEN"]
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "CHALLENGE_ACCEPTED_42"}
    assert get(f"{url}?{urllib.parse.urlencode(query)}") == (200, "CHALLENGE_ACCEPTED_42")
    wrong = {**query, "hub.verify_token": CHANNEL_SETTINGS["WHATSAPP_VERIFY_TOKEN"]}  # another channel's token
    assert get(f"{url}?{urllib.parse.urlencode(wrong)}")[0] == 403


# ---------------------------------------------------------------- Telegram, Messenger, SMS


def test_telegram_diagnostic_with_inline_keyboards(chat):
    owner = chat("telegram")
    [greeting] = owner.says("/start", until=GREETING_END)  # what Telegram sends when a chat is opened
    assert [title for title, _ in owner.options_of(greeting)] == [
        "Faire le diagnostic",
        "J'ai une question",
        "Parler à un conseiller",
    ]
    assert greeting.path == f"/bot{CHANNEL_SETTINGS['TELEGRAM_BOT_TOKEN']}/sendMessage"
    owner.taps("Faire le diagnostic", until=SECTOR_QUESTION)
    assert len(owner.offered()) == 10
    owner.taps("Santé", until=HEADCOUNT_QUESTION)
    owner.taps("Je travaille seul(e)", until=LOCATION_QUESTION)
    owner.says("Bordeaux", until=heading("q_digital_plan"))
    owner.taps("Une idée, sans budget", until=heading("q_digital_benefit"))
    owner.says("le 4", until=heading("q_connection"))  # "Oui, clairement"
    owner.taps("ADSL (moins de 30 Mb/s)", until=heading("q_cloud_services"))
    # Every tapped button's callback query is answered (Telegram shows a spinner until then).
    assert sorted(owner.acknowledgements()) == sorted(owner.queries) and len(owner.queries) == 5
    for call in owner.calls():
        assert len(call.body["text"]) <= 4096
        for _, data in owner.options_of(call):
            assert 1 <= len(data.encode()) <= 64
    slots = owner.slots()
    assert (slots["sector"], slots["headcount"], slots["location"]) == ("health", 1, "Bordeaux")
    assert (slots["q_digital_plan"], slots["q_digital_benefit"]) == ("idea", "clearly")
    assert_result_as_text(finish_typing_the_first_option(owner, "q_cloud_services"))
    assert all(len(call.body["text"]) <= 4096 for call in owner.calls())


def test_messenger_diagnostic_with_quick_replies(chat):
    owner = chat("messenger")
    [greeting] = owner.says("Bonjour !", until=GREETING_END)
    assert greeting.path == "/me/messages"
    assert greeting.query == {"access_token": CHANNEL_SETTINGS["MESSENGER_PAGE_ACCESS_TOKEN"]}
    assert greeting.body["recipient"] == {"id": owner.user} and greeting.body["messaging_type"] == "RESPONSE"
    owner.taps("Faire le diagnostic", until=SECTOR_QUESTION)
    [sectors] = owner.calls()[-1:]
    # Ten quick replies; a title too long for one is shortened, and the text then lists the options whole.
    assert len(owner.offered()) == 10 and "2. Restauration, café, bar" in owner.text_of(sectors)
    owner.taps("Restauration, café, bar", until=HEADCOUNT_QUESTION)
    owner.says("4 personnes", until=LOCATION_QUESTION)
    owner.says("Marseille", until=heading("q_digital_plan"))
    owner.taps("Rien de prévu", until=heading("q_digital_benefit"))
    owner.says("la 3", until=heading("q_connection"))  # "Oui, un peu"
    owner.taps("Pas de connexion", until=heading("q_cloud_services"))
    for call in owner.calls():
        replies = call.body["message"].get("quick_replies") or []
        assert len(call.body["message"]["text"]) <= 2000 and len(replies) <= 11
        assert all(1 <= len(reply["title"]) <= 20 and reply["content_type"] == "text" for reply in replies)
    slots = owner.slots()
    assert (slots["sector"], slots["headcount"], slots["location"]) == ("food_service", 4, "Marseille")
    assert (slots["q_digital_plan"], slots["q_digital_benefit"]) == ("none", "somewhat")
    assert_result_as_text(finish_typing_the_first_option(owner, "q_cloud_services"))
    assert all(len(call.body["message"]["text"]) <= 2000 for call in owner.calls())


def test_sms_diagnostic_with_numbered_choices(chat):
    owner = chat("sms")
    [greeting] = owner.says("Bonjour", until=GREETING_END)
    assert "1. Faire le diagnostic\n2. J'ai une question\n3. Parler à un conseiller" in greeting.body["Body"]
    assert REPLY_HINT in greeting.body["Body"]
    sid, token = CHANNEL_SETTINGS["TWILIO_ACCOUNT_SID"], CHANNEL_SETTINGS["TWILIO_AUTH_TOKEN"]
    assert greeting.path == f"/2010-04-01/Accounts/{sid}/Messages.json"
    assert greeting.headers["Authorization"] == "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
    owner.says("1", until=SECTOR_QUESTION)
    [sectors] = owner.calls()[-1:]
    assert "2. Restauration, café, bar" in sectors.body["Body"] and "10. Autre activité" in sectors.body["Body"]
    owner.says("2", until=HEADCOUNT_QUESTION)
    owner.says("1", until=LOCATION_QUESTION)
    owner.says("Lyon", until=heading("q_digital_plan"))
    [question] = owner.calls()[-1:]
    assert "2. Une idée, sans budget" in question.body["Body"]
    owner.says("2", until=heading("q_digital_benefit"))
    owner.says("1", until=heading("q_connection"))  # "Non, pas vraiment"
    owner.says("4", until=heading("q_cloud_services"))  # "Fibre ou câble"
    for call in owner.calls():
        assert (call.body["To"], call.body["From"]) == (owner.user, CHANNEL_SETTINGS["TWILIO_NUMBER"])
        assert 1 <= len(call.body["Body"]) <= 1600
    slots = owner.slots()
    assert (slots["sector"], slots["headcount"], slots["location"]) == ("food_service", 1, "Lyon")
    assert (slots["q_digital_plan"], slots["q_digital_benefit"]) == ("idea", "no")
    assert_result_as_text(finish_typing_the_first_option(owner, "q_cloud_services"))
    assert all(1 <= len(call.body["Body"]) <= 1600 for call in owner.calls())


# ---------------------------------------------------------------- signatures and retries


@pytest.mark.parametrize("platform", ["whatsapp", "messenger", "telegram", "sms"])
def test_unsigned_or_wrongly_signed_deliveries_are_refused(chat, platform):
    owner = chat(platform)
    refused = owner.typed("je veux parler à un conseiller")
    unsigned = {key: value for key, value in refused.headers.items() if key == "Content-Type"}
    assert post(owner.url, refused.body, unsigned)[0] == 403
    wrong = dict(refused.headers)
    signature_header = next(key for key in wrong if key != "Content-Type")
    wrong[signature_header] = (
        meta_signature("un-autre-secret", refused.body)
        if platform in ("whatsapp", "messenger")
        else "pas-le-bon-jeton"
        if platform == "telegram"
        else RequestValidator("un-autre-secret").compute_signature(owner.url, {"Body": "x"})
    )
    assert post(owner.url, refused.body, wrong)[0] == 403
    if platform != "telegram":  # Telegram's secret token signs no body: there is nothing to replay
        genuine = owner.typed("bonjour")
        assert post(owner.url, refused.body, genuine.headers)[0] == 403  # a genuine signature, another body
    # Nothing of the refused deliveries reached the assistant: two genuine messages, and only they, are read.
    owner.says("bonjour", until=GREETING_END)
    owner.says("merci", until=lambda call: True)
    assert owner.user_texts()[:1] == ["bonjour"]
    assert not any(CONSENT_END in owner.text_of(call) for call in owner.calls())


@pytest.mark.parametrize("platform", ["whatsapp", "messenger", "telegram", "sms"])
def test_a_delivery_repeated_three_times_is_answered_once(chat, platform):
    owner = chat(platform)
    message_id = {
        "whatsapp": WhatsAppOwner.message_id(),
        "messenger": MessengerOwner.mid(),
        "telegram": str(next(TelegramOwner._updates)),
        "sms": "SM" + uuid.uuid4().hex,
    }[platform]
    delivery = owner.typed("bonjour", message_id)
    for _ in range(3):  # the platform got no answer in time, twice, and delivers it again
        owner.deliver(delivery)
    owner.replies(GREETING_END)
    owner.says("merci", until=lambda call: GREETING_END not in owner.text_of(call))
    assert [GREETING_END in owner.text_of(call) for call in owner.calls()].count(True) == 1
    assert owner.user_texts()[0] == "bonjour"
    # The retried copies are not in the conversation: "merci" (saved last) follows "bonjour" directly.
    owner.says("au revoir", until=lambda call: True)
    assert owner.user_texts()[:2] == ["bonjour", "merci"]


# ---------------------------------------------------------------- live takeover


# The ticket's channel as the console shows it (Rasa's names of the channels).
CHANNEL_LABEL = {"whatsapp": "WhatsApp", "telegram": "Telegram", "messenger": "Messenger", "sms": "SMS (Twilio)"}
TICKET_CHANNEL = {"whatsapp": "whatsapp", "telegram": "telegram", "messenger": "facebook", "sms": "twilio"}
# The longest text one message may carry on each platform (SMS: Twilio's Body).
TEXT_LIMIT = {"whatsapp": 4096, "telegram": 4096, "messenger": 2000, "sms": 1600}


def long_advice() -> str:
    """An advisor's long message, just under the console's limit (4 000 characters)."""
    sentences = []
    for number in itertools.count(1):
        sentence = (
            f"Point {number}, sauvegardez vos devis sur https://cyber.gouv.fr/sauvegarde-{number} "
            "et changez les mots de passe partagés."
        )
        if len(" ".join([*sentences, sentence])) > 3990:
            return " ".join(sentences)
        sentences.append(sentence)


@pytest.mark.parametrize("platform", ["whatsapp", "telegram", "messenger", "sms"])
def test_live_takeover_on_the_owners_platform(chat, console, databases, platform):
    owner = chat(platform)
    ticket = asks_for_an_advisor(owner, databases)
    # The advisor sees where the owner is.
    shown = console.ticket(ticket.id)
    assert (shown["channel"], shown["channel_label"]) == (TICKET_CHANNEL[platform], CHANNEL_LABEL[platform])
    live = LiveConsole(console, ticket.id)
    try:
        status, body = console.call(f"/console/api/tickets/{ticket.id}/take", {})
        assert status == 200, body
        owner.replies(f"{ADVISOR_NAME}, conseiller, a rejoint la conversation")
        text = "Bonjour, je suis Claire. Je regarde votre diagnostic : vous êtes disponible demain à 10 h ?"
        assert console.call(f"/console/api/tickets/{ticket.id}/message", {"text": text}) == (200, {"ok": True})
        [delivered] = owner.replies(lambda call: owner.text_of(call) == text)
        assert (
            delivered.body
            == {
                "whatsapp": {
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": owner.user,
                    "type": "text",
                    "text": {"preview_url": False, "body": text},
                },
                "telegram": {"chat_id": owner.user, "text": text},
                "messenger": {"recipient": {"id": owner.user}, "messaging_type": "RESPONSE", "message": {"text": text}},
                "sms": {"To": owner.user, "From": CHANNEL_SETTINGS["TWILIO_NUMBER"], "Body": text},
            }[platform]
        )

        # A long message: in as many messages as the platform needs, cut between sentences, nothing lost.
        advice = long_advice()
        assert console.call(f"/console/api/tickets/{ticket.id}/message", {"text": advice})[0] == 200
        pieces = [
            owner.text_of(call) for call in owner.replies(lambda call: owner.text_of(call).endswith(advice[-40:]))
        ]
        assert " ".join(pieces).split() == advice.split()
        assert all(len(piece) <= TEXT_LIMIT[platform] for piece in pieces)
        assert (len(pieces) == 1) == (len(advice) <= TEXT_LIMIT[platform])  # cut only where it must be
        assert all(piece.endswith("partagés.") for piece in pieces)  # never inside a sentence, nor a link

        owner.deliver(owner.typed("Oui, demain 10 h c'est parfait"))
        heard = live.owner_messages.get(timeout=30)
        assert heard["ticket_id"] == ticket.id and heard["text"] == "Oui, demain 10 h c'est parfait"
        # The bot said nothing: the advisor's message is still the last one the owner got.
        assert owner.text_of(owner.calls()[-1]) == pieces[-1] and len(owner.calls()) == owner.seen
        events = console.ticket(ticket.id)["events"]
        assert ("owner_message", "Oui, demain 10 h c'est parfait") in [(e["kind"], e["detail"]) for e in events]
        assert console.call(f"/console/api/tickets/{ticket.id}/close", {})[0] == 200
        owner.replies("Le conseiller a clôturé votre demande")
    finally:
        live.close()


def test_whatsapp_outside_the_24_hour_window_the_advisor_is_told(chat, console, databases, platform_apis):
    owner = chat("whatsapp")
    ticket = asks_for_an_advisor(owner, databases)
    platform_apis.outside_window.add(owner.user)  # a day later: Meta refuses free messages to this number
    try:
        assert console.call(f"/console/api/tickets/{ticket.id}/take", {})[0] == 200  # the notice fails quietly
        status, body = console.call(f"/console/api/tickets/{ticket.id}/message", {"text": "Bonjour, vous êtes là ?"})
        assert status == 409
        assert "WhatsApp refuse ce message" in body["error"] and "24 heures" in body["error"]
        # Not recorded as sent: the advisor knows the owner did not get it.
        kinds = [event["kind"] for event in console.ticket(ticket.id)["events"]]
        assert "advisor_message" not in kinds
    finally:
        platform_apis.outside_window.discard(owner.user)
        console.call(f"/console/api/tickets/{ticket.id}/close", {})
