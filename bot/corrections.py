"""Which answer the owner wants to correct ("je me suis trompé sur la connexion")."""
from typing import Any, Dict, List, Optional

from bot.answers import match_keywords
from bot.questionnaire import Questionnaire

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
