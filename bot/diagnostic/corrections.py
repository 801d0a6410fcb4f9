"""Corrections: whether the owner asks to correct an answer, and which one.

A correction needs explicit correction language: an answer that merely sounds regretful
("malheureusement on ne répond jamais aux avis") is an answer, not a request to go back.
"""

from typing import Any, Dict, List, Optional

from bot.diagnostic.questionnaire import Questionnaire
from bot.language.keywords import match_keywords
from bot.language.text import normalize

# Matched after bot.language.text.normalize: "c'est" is written with its apostrophe because the SMS
# expansion turns a lone "c" into "c est".
CORRECTION_PHRASES = (
    "je me suis trompe",
    "je me suis trompee",
    "je me suis plante",
    "je me suis plantee",
    "je me suis gourre",
    "je me suis mal exprime",
    "je me suis mal exprimee",
    "j ai fait une erreur",
    "erreur de ma part",
    "par erreur",
    "c'est pas ca",
    "ce n est pas ca",
    "c'est pas ce que j ai dit",
    "ce n est pas ce que j ai dit",
    "pas ce que j ai dit",
    "pas ce que je voulais dire",
    "ce n est pas ce que je voulais dire",
    "vous avez mal compris",
    "tu as mal compris",
    "mal compris",
    "mal note",
    "c'est faux",
    "ce n est pas juste",
    "je veux corriger",
    "je voudrais corriger",
    "corriger ma reponse",
    "corriger une reponse",
    "rectifier",
    "changer ma reponse",
    "changer la reponse",
    "modifier ma reponse",
    "modifier la reponse",
    "changer de reponse",
    "revenir a la question",
    "question d avant",
    "question precedente",
    "la precedente",
    "revenir en arriere",
    "retour en arriere",
    "j ai clique trop vite",
    "mauvais bouton",
    "pas le bon bouton",
    "faute de frappe",
    "annuler ma reponse",
    "en fait pour la question",
)


_CORRECTION_PHRASES_NORMALIZED = tuple(f" {normalize(phrase)} " for phrase in CORRECTION_PHRASES)


def is_explicit_correction(text: str) -> bool:
    """True when the owner uses correction language ("je me suis trompé", "c'est pas ça").

    Exact phrases only (after normalisation): a near match such as "c'est au cœur" for
    "c'est faux" would send the owner back to a question they answered."""
    padded = f" {normalize(text)} "
    return any(phrase in padded for phrase in _CORRECTION_PHRASES_NORMALIZED)


# Words by which owners refer to a question. Several words may point to one question.
TOPICS: Dict[str, tuple] = {
    "sector": ("secteur", "metier", "activite"),
    "headcount": ("nombre de salaries", "salaries", "effectif", "combien on est", "nombre de personnes"),
    "location": ("ville", "lieu", "adresse", "departement", "region", "ou on est"),
    "q_digital_plan": ("budget", "plan", "investissement"),
    "q_digital_benefit": ("benefice", "utilite", "apporte"),
    "q_connection": ("connexion", "internet", "fibre", "adsl", "4g", "debit"),
    "q_cloud_services": ("messagerie", "stockage", "cloud", "logiciels en ligne", "mail pro"),
    "q_online_presence": ("presence en ligne", "reseaux", "site", "fiche google", "facebook"),
    "q_online_sales": ("vente en ligne", "reservation", "vendre", "ventes"),
    "q_reviews": ("avis",),
    "q_invoicing": ("facture", "factures", "devis", "facturation"),
    "q_customer_file": ("fichier client", "fichier clients", "crm", "clients"),
    "q_backup": ("sauvegarde", "sauvegardes", "backup"),
    "q_security_measures": ("protection", "protections", "antivirus", "mots de passe", "securite"),
    "q_training": ("formation", "formations"),
    "q_it_support": ("informatique", "maintenance", "qui s occupe"),
    "q_ai_use": ("intelligence artificielle", "ia", "chatgpt"),
    "q_automation": ("automatisation", "automatise", "taches"),
}


def question_to_correct(
    questionnaire: Questionnaire, text: str, answered_in_order: List[str], current: Dict[str, Any]
) -> Optional[str]:
    """The slot to ask again: one named in the text, else the last one answered."""
    named = match_keywords(text, [(slot, words) for slot, words in TOPICS.items() if current.get(slot) is not None])
    if named:
        return named[0]
    for slot in reversed(answered_in_order):
        if current.get(slot) is not None:
            return slot
    return None
