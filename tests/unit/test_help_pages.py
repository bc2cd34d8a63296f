"""Help pages cite the paper's sections as the science modules do (one garbled search-and-replace once
shipped "Paper Paper &sect;5.4 (SPEC tool 7)sect;5.1.2" to users)."""
import re

import pytest

from wifidensity.algorithms.counting import preprocess
from wifidensity.algorithms.paper import apollonius, convex_layers, filtering
from wifidensity.plugin.paths import HELP_DIR

SECTION = r"(\d+(?:\.\d+)*)"


@pytest.mark.parametrize("page, module", [("preprocess", preprocess), ("filter", filtering),
                                          ("localize", apollonius), ("fiducial", convex_layers)])
def test_help_cites_the_sections_of_its_module(page, module):
    text = (HELP_DIR / f"{page}.html").read_text(encoding="utf-8")
    first_line = module.__doc__.splitlines()[0]
    assert set(re.findall("&sect;" + SECTION, text)) == set(re.findall("§" + SECTION, first_line))


def test_no_help_page_has_a_broken_section_sign():
    for page in HELP_DIR.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Paper Paper" not in text and not re.search(r"[^&]sect;", text), page.name
