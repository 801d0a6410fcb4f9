"""Rasa's REST channel, unchanged for its callers, with live takeover: while an advisor
holds the conversation, the owner's messages go to the advisor and the bot stays silent."""
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.live import hub, takeover_aware


class RestWithTakeoverInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(takeover_aware(on_new_message))
        hub.remember_app(blueprint)
        return blueprint
