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
        assert kind == "session" and len(session_id) >= 16
        client.emit("user_uttered", {"message": "bonjour", "session_id": session_id})
        [greeting] = bot_messages(replies, 1)
        assert "bonjour" in greeting["text"].lower()
        client.emit("user_uttered", {"message": "je veux faire le diagnostic", "session_id": session_id})
        messages = bot_messages(replies, 1)
        while not any(message.get("quick_replies") for message in messages):
            messages += bot_messages(replies, 1)
        titles = [button["title"] for message in messages for button in message.get("quick_replies") or []]
        assert "Artisanat" in titles
    finally:
        client.disconnect()

    # A new connection with the same session id continues the same conversation.
    client, replies = connect(server)
    try:
        client.emit("session_request", {"session_id": session_id})
        assert replies.get(timeout=10) == ("session", session_id)
        client.emit("user_uttered", {"message": "Artisanat", "session_id": session_id})
        messages = bot_messages(replies, 1)
        assert any("combien" in (message.get("text") or "").lower() for message in messages), messages
    finally:
        client.disconnect()
