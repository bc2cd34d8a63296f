"""The presence help page states the frozen definitions exactly as the science module applies them."""
import html
import re

from wifidensity.algorithms import presence
from wifidensity.plugin.paths import HELP_DIR


def plain(text):
    text = text.replace("≥", ">=").replace("≤", "<=").replace("−", "-").replace("``", "").replace("*", "")
    return " ".join(text.split())


def definitions(docstring):
    block = docstring.split("Definitions (as the tool applies them):")[1].split("- Privacy:")[0]
    return [plain(item) for item in block.split("\n- ")[1:]]


def help_page():
    return plain(html.unescape(re.sub(r"<[^>]+>", "", (HELP_DIR / "presence.html").read_text(encoding="utf-8"))))


def test_the_help_holds_every_definition_of_the_module_as_written():
    page = help_page()
    found = definitions(presence.__doc__)
    assert len(found) == 9
    assert [d for d in found if d not in page] == []


def test_the_help_says_what_is_not_built():
    page = help_page()
    assert "Following randomised MACs" in page and "Cross-operator visitor portraits" in page
