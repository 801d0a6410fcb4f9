"""Extensions of Rasa Open Source (NLU components, tracker store, model loading): thin glue over bot/."""

from rasa_addons.quick_model_load import install as _install_quick_model_load

_install_quick_model_load()
