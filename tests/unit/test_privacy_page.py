"""The data-protection page an owner opens from the widget: it loads nothing from elsewhere and
answers what is kept, why, how long, how to erase it and whom to ask."""

from html.parser import HTMLParser

from bot.adapters.storage import REPO_ROOT

PAGE = REPO_ROOT / "bot" / "adapters" / "web" / "privacy.html"


class PageReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.loads, self.text, self.headings, self._in_heading = [], [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        if tag != "a" and (values.get("src") or values.get("href")):
            self.loads.append((tag, values))
        self._in_heading = tag == "h2"

    def handle_endtag(self, tag):
        self._in_heading = False if tag == "h2" else self._in_heading

    def handle_data(self, data):
        if self.tags and self.tags[-1] in ("style", "script"):
            return
        self.text.append(data)
        if self._in_heading:
            self.headings.append(data.strip())


def read_page() -> PageReader:
    reader = PageReader()
    reader.feed(PAGE.read_text(encoding="utf-8"))
    return reader


def test_the_page_is_self_contained():
    page = read_page()
    source = PAGE.read_text(encoding="utf-8")
    assert "script" not in page.tags and page.loads == []
    assert "url(" not in source and "@import" not in source and "on" + "click" not in source


def test_the_page_answers_the_owners_questions_in_french():
    page = read_page()
    text = " ".join(" ".join(page.text).split())
    assert page.headings == [
        "Ce qui est gardé",
        "Pourquoi",
        "Qui y a accès",
        "Combien de temps",
        "Comment tout effacer",
        "Qui contacter",
    ]
    assert "seulement si vous acceptez" in text  # contact details only with consent
    assert "Écrivez supprimez mes données dans la conversation" in text
    assert "durée de conservation fixée par l'organisme qui propose ce service" in text
    assert "ne contient ni vos coordonnées ni ce que vous avez écrit" in text
