"""Handing an owner over to an advisor: office hours, ticket fields, what the owner is told,
and tickets and advisor accounts as plain records behind repository interfaces (records.py)."""
