"""SMS (and WhatsApp) through Twilio, at Rasa's path /webhooks/twilio/webhook.

Rasa 3.6's connector does not check X-Twilio-Signature; this one checks it with the twilio
library's validator, against the address Twilio called (TWILIO_WEBHOOK_URL behind a proxy
that changes it). Replies go to Twilio's Messages API, as numbered choices.
"""

import os
from typing import Any, Dict, List, Mapping, Text
from urllib.parse import parse_qs

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.adapters.channels.messaging import DeliveryRefused, Incoming, MessagingInput
from bot.messaging.platforms import CHANNEL_VARIABLES, Platform

TWILIO_API = "https://api.twilio.com"


class TwilioInput(MessagingInput):
    platform = Platform.SMS
    required_variables = CHANNEL_VARIABLES["twilio"]

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @property
    def sender(self) -> str:
        return self.settings["TWILIO_NUMBER"]

    def signature_valid(self, request: Request) -> bool:
        url = os.environ.get("TWILIO_WEBHOOK_URL") or request.url
        params = _form(request)
        signature = request.headers.get("x-twilio-signature") or ""
        return bool(signature) and RequestValidator(self.settings["TWILIO_AUTH_TOKEN"]).validate(url, params, signature)

    def incoming(self, request: Request) -> List[Incoming]:
        form = _form(request)
        return [Incoming(str(form.get("MessageSid")), str(form.get("From")), str(form.get("Body") or ""))]

    def accepted(self) -> HTTPResponse:
        # An empty TwiML answer: the replies go through the API, once handled.
        return response.text("<Response></Response>", content_type="text/xml")

    async def post(self, body: Mapping[str, Any]) -> None:
        sid = self.settings["TWILIO_ACCOUNT_SID"]
        url = f"{self.api_url('TWILIO_API_URL', TWILIO_API)}/2010-04-01/Accounts/{sid}/Messages.json"
        session = await self.session()
        auth = aiohttp.BasicAuth(sid, self.settings["TWILIO_AUTH_TOKEN"])
        async with session.post(url, data=dict(body), auth=auth) as answer:
            if answer.status >= 300:
                raise DeliveryRefused("Le SMS n'a pas pu partir. Réessayez dans un instant.")


def _form(request: Request) -> Dict[str, str]:
    """The form's fields as Twilio signed them, the empty ones included (FromCity, FromZip…
    are empty for most numbers outside the US): Sanic's request.form leaves those out, and the
    signature would then never check."""
    fields = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}
