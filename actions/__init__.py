"""Rasa SDK custom actions: thin glue between Rasa and the logic in bot/."""
