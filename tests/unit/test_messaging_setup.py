"""Which messaging channels are on, and Meta's signature check, without a server."""

import hashlib
import hmac

import pytest

from bot.adapters.channels.messaging import meta_signature_valid
from bot.messaging.platforms import CHANNEL_VARIABLES, channels_on
from ops.run_local import messaging_channels

pytestmark = pytest.mark.unit

BODY = b'{"object":"whatsapp_business_account","entry":[]}'
SECRET = "app-secret-de-test"
SIGNED = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "secret, body, header, valid",
    [
        (SECRET, BODY, SIGNED, True),
        (SECRET, BODY, None, False),  # missing
        (SECRET, BODY, "", False),
        (SECRET, BODY, SIGNED.replace("sha256=", "sha1="), False),  # Rasa's old SHA-1 header form
        (SECRET, BODY + b" ", SIGNED, False),  # a valid signature replayed onto another body
        ("autre-secret", BODY, SIGNED, False),
        ("", BODY, "sha256=" + hmac.new(b"", BODY, hashlib.sha256).hexdigest(), False),  # no secret set
    ],
    ids=["signed", "missing", "empty", "sha1", "other body", "other secret", "no secret"],
)
def test_meta_signatures_are_checked_on_the_raw_body(secret, body, header, valid):
    assert meta_signature_valid(secret, body, header) is valid


def test_a_channel_is_on_only_when_all_its_variables_are_set():
    telegram = {name: "x" for name in CHANNEL_VARIABLES["telegram"]}
    assert channels_on(telegram) == ["telegram"]
    assert channels_on({**telegram, "TELEGRAM_SECRET_TOKEN": ""}) == []
    everything = {name: "x" for variables in CHANNEL_VARIABLES.values() for name in variables}
    assert channels_on(everything) == ["whatsapp", "facebook", "telegram", "twilio"]


def test_make_run_prints_the_webhooks_of_the_channels_on_and_names_the_others(monkeypatch):
    for variables in CHANNEL_VARIABLES.values():
        for name in variables:
            monkeypatch.delenv(name, raising=False)
    for name in CHANNEL_VARIABLES["whatsapp"]:
        monkeypatch.setenv(name, "x")
    assert messaging_channels("http://localhost:5005") == (
        "  • WhatsApp : http://localhost:5005/webhooks/whatsapp/webhook\n"
        "  • canaux inactifs (variables d'environnement absentes, voir le README) : Messenger, Telegram, SMS (Twilio)\n"
    )
