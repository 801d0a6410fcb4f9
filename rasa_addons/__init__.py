"""Extensions of Rasa Open Source (NLU component, tracker store): thin glue over bot/."""
