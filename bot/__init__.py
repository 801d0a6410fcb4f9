"""Conseiller numérique: the assistant's own logic, by concern.

Pure packages (plain Python, no Rasa, Sanic, socket.io or SQLAlchemy):
- bot.language: reading what owners type (normalisation, entities, their contract, the door)
- bot.diagnostic: the questionnaire, answer reading, scoring, corrections, the profile
- bot.advice: the catalogue, recommendations, SME figures, the messages built from them
- bot.handover: when and how owners are handed to an advisor (office hours, ticket fields)
- bot.security: rate limits, signed widget sessions, secret files
bot.datafile and bot.settings read the YAML a deployer edits (bot/data/).

bot.adapters holds everything that talks to Rasa, Sanic, socket.io, the database, SMTP or
HTTP: the channels and console routes, storage, advisor accounts, notifications, web assets.
"""
