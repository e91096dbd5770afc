"""kubeplan's template filters for Jinja2 (Ansible): the quoting of compiler/render/quote.rs."""

import json
import re

_PLAIN = re.compile(r"[A-Za-z0-9_\-./:@%+,]+")
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def sh(s, quoted=False):
    """One bash word: plain words as they are, anything else (and, with quoted=True,
    everything) single-quoted."""
    s = str(s)
    if not quoted and s and _PLAIN.fullmatch(s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def ps(s):
    """A PowerShell verbatim string, every quote character doubled."""
    return "'" + "".join(c + c if c in _PS_QUOTES else c for c in str(s)) + "'"


def json_string(s):
    """A JSON string literal."""
    return json.dumps(str(s), ensure_ascii=False)


class FilterModule:
    def filters(self):
        return {"sh": sh, "ps": ps, "json": json_string}
