"""The assistant's messages on messaging platforms: WhatsApp, Messenger, Telegram and SMS.

Pure Python, like bot/language and bot/diagnostic: no Rasa, no web server, no network.

- `platforms.py`: each platform's limits, with the public page that states each one.
- `fitting.py`: measuring, splitting and shortening text to fit those limits.
- `render.py`: one bot message, in Rasa's output form, to the platform's request bodies, with
  the choices it offered.
- `choices.py`: an owner's reply ("2", "le 2", the option's words, a button's key) read
  against the choices last offered.

A connector (in bot/adapters/) sends the bodies, remembers `Rendering.choices` per
conversation, and passes each reply through `read_choice` before the NLU.
"""
