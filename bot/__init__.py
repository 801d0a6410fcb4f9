"""Conseiller numérique: the assistant's own logic, independent of Rasa."""
