"""Advice: the catalogue, recommendations, SME reference figures and the messages built from them."""
