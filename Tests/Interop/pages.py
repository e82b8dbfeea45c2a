"""The node's web pages, read straight from the Swift raw string literals that hold them."""

import pathlib
import re

PAGES = pathlib.Path(__file__).resolve().parents[2] / "Sources" / "Common" / "Control" / "Pages"
LITERAL = re.compile(r'static let (\w+) = #"""\n(.*?)\n([ \t]*)"""#', re.S)


def load() -> dict[str, str]:
    """{"index": html, "publisher": html, "player": html}, indentation stripped as Swift does."""
    pages = {}
    for source in sorted(PAGES.glob("*.swift")):
        for name, body, indent in LITERAL.findall(source.read_text()):
            lines = body.split("\n")
            pages[name] = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines)
    return pages


# Which path serves which page, as the node does.
ROUTES = {"/": "index", "/publish": "publisher", "/watch": "player"}
