"""Reading pages in tests as a person reads them."""

from __future__ import annotations

import html
import re
from typing import Any


def text_of(response: Any) -> str:
    """The page's text: tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
