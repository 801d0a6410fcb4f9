"""Handing an owner over to an advisor: office hours, ticket fields, what the owner is told."""
