"""Question descriptions: markdown rendered to safe HTML.

markdown-it-py's ``js-default`` preset escapes every raw HTML tag and refuses ``javascript:``,
``vbscript:``, ``file:`` and ``data:`` links, so a description can format text and link out but
cannot run script on the page.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

_MD = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
#: Longest description accepted, in characters.
MAX_DESCRIPTION = 10_000


@lru_cache(maxsize=512)
def render(text: str) -> str:
    """`text` (markdown) as HTML with no raw HTML and no script links; "" stays ""."""
    return _MD.render(text) if text else ""
