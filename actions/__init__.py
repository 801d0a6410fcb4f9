"""Rasa SDK custom actions: thin glue between Rasa and the logic in bot/."""

import bot.adapters.log_privacy  # noqa: F401 (masks contact details in every log record of the action server)
