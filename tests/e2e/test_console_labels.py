"""The console fetches the names of ids from the server (GET /console/api/labels), behind login."""

import uuid

from bot.adapters import advisors
from bot.labels import load_labels
from tests.helpers import PASSWORD, call, log_in


def test_the_console_gets_every_list_of_names_once_signed_in(server, databases):
    refused = call(server, "/console/api/labels")
    assert refused.status == 401 and "connectez-vous" in refused.body["error"]

    email = f"conseil-{uuid.uuid4().hex[:8]}@cci-exemple.fr"
    advisors.advisor_repository(databases["CONSEILLER_DATABASE_URL"]).create_account(email, "Équipe", PASSWORD)
    answer = call(server, "/console/api/labels", cookie=log_in(server, email))
    assert answer.status == 200
    assert answer.body == {"labels": load_labels().as_json()}
    assert answer.body["labels"]["events"]["handed_back"] == "Rendue à l’assistant"
