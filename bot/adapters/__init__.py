"""Adapters to Rasa, Sanic, socket.io, SQLAlchemy, SMTP and HTTP (the pure packages never import these)."""
