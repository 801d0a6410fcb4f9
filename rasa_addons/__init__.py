"""Extensions of Rasa Open Source (NLU components, tracker store): thin glue over bot/."""
