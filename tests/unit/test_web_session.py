"""Widget sessions: issued and signed by the server; a forged or altered token opens nothing."""

from bot.security.web_session import new_session, sender_of

SECRET = b"a test secret of the widget sessions"


def test_a_token_opens_its_own_conversation_only():
    sender_id, token = new_session(SECRET)
    assert sender_id.startswith("web-") and len(sender_id) == 36
    assert sender_of(token, SECRET) == sender_id
    other_id, other_token = new_session(SECRET)
    assert other_id != sender_id and sender_of(other_token, SECRET) == other_id


def test_forged_altered_or_foreign_tokens_open_nothing():
    sender_id, token = new_session(SECRET)
    signature = token.split(".", 1)[1]
    forged = [
        sender_id,
        sender_id + ".",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "web-" + "0" * 32 + "." + signature,
        token.upper(),
        token + "x",
        " " + token,
        None,
        42,
        {"session_id": token},
        "",
        "." * 10,
        "web-" + "0" * 32,
    ]
    assert [sender_of(candidate, SECRET) for candidate in forged] == [None] * len(forged)
    assert sender_of(token, b"another deployment's secret") is None
