"""Rasa's socket.io protocol stays as it was: a third-party client (the way rasa-webchat
talks) holds a conversation, gets quick replies, and keeps its session."""

import queue

import socketio


def connect(server):
    replies = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("session_confirm", lambda session_id: replies.put(("session", session_id)))
    client.on("bot_uttered", lambda message: replies.put(("bot", message)))
    client.connect(server, socketio_path="/socket.io", transports=["polling"], wait_timeout=10)
    return client, replies


def bot_messages(replies, at_least, timeout=20):
    messages = []
    while len(messages) < at_least:
        kind, message = replies.get(timeout=timeout)
        if kind == "bot":
            messages.append(message)
    return messages


def test_a_plain_socketio_client_holds_a_conversation(server):
    client, replies = connect(server)
    try:
        client.emit("session_request", {"session_id": None})
        kind, session_id = replies.get(timeout=10)
        assert kind == "session" and session_id.startswith("web-") and "." in session_id
        client.emit("user_uttered", {"message": "bonjour", "session_id": session_id})
        [greeting] = bot_messages(replies, 1)
        assert greeting["text"].startswith("Bonjour et bienvenue ! Je suis le conseiller numérique")
        assert [reply["title"] for reply in greeting["quick_replies"]] == [
            "Faire le diagnostic",
            "J'ai une question",
            "Parler à un conseiller",
        ]
        client.emit("user_uttered", {"message": "je veux faire le diagnostic", "session_id": session_id})
        messages = bot_messages(replies, 1)
        while not any(message.get("quick_replies") for message in messages):
            messages += bot_messages(replies, 1)
        titles = [button["title"] for message in messages for button in message.get("quick_replies") or []]
        assert titles == [
            "Commerce",
            "Restauration, café, bar",
            "Artisanat",
            "Bâtiment",
            "Services",
            "Santé",
            "Agriculture",
            "Industrie",
            "Tourisme, hébergement",
            "Autre activité",
        ]
    finally:
        client.disconnect()

    # A new connection with the same session id continues the same conversation.
    client, replies = connect(server)
    try:
        client.emit("session_request", {"session_id": session_id})
        assert replies.get(timeout=10) == ("session", session_id)
        client.emit("user_uttered", {"message": "Artisanat", "session_id": session_id})
        [question] = bot_messages(replies, 1)
        assert question["text"] == "Combien de personnes travaillent dans votre entreprise, vous compris ?"
    finally:
        client.disconnect()


def test_a_session_the_server_did_not_sign_opens_a_new_conversation(server):
    """Knowing or guessing a conversation's id is not enough to continue or read it."""
    client, replies = connect(server)
    try:
        client.emit("session_request", {"session_id": None})
        _, token = replies.get(timeout=10)
        client.emit("user_uttered", {"message": "je suis plombier", "session_id": token})
        bot_messages(replies, 1)
    finally:
        client.disconnect()
    sender_id = token.split(".")[0]
    for forged in (sender_id, sender_id + ".AAAA", token[:-2] + "xx", "web-" + "0" * 32 + "." + token.split(".")[1]):
        client, replies = connect(server)
        try:
            client.emit("session_request", {"session_id": forged})
            kind, issued = replies.get(timeout=10)
            assert kind == "session" and issued != token and issued.split(".")[0] != sender_id
            # A message naming the victim's session still goes to the new one.
            client.emit("user_uttered", {"message": "bonjour", "session_id": token})
            bot_messages(replies, 1)
        finally:
            client.disconnect()
        assert history(server, forged) == []
    assert history(server, sender_id) == []
    # The victim's conversation holds its own message only, none of the forged sessions' "bonjour".
    assert [message["text"] for message in history(server, token) if message["from"] == "user"] == ["je suis plombier"]


def history(server, token):
    import json
    import urllib.request

    request = urllib.request.Request(f"{server}/chat/history", token.encode(), {"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        return json.loads(answer.read())["messages"]
