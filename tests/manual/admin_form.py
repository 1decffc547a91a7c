"""Reading a rendered Django admin form back into POST data, as a browser would submit it.

The admin's change forms (with their inline formsets, management forms and selects) are posted
exactly as rendered, with only the fields a test means to change replaced.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._textarea_text: list[str] = []
        self._select: str | None = None
        self._select_multiple = False
        self._select_values: list[str] = []
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.in_form = True
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
                return
            self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, []
        elif tag == "select" and name:
            self._select, self._select_values, self._first_option = name, [], None
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_values.append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea_text)
            # A browser drops the one newline right after <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            values = self._select_values
            if not values and not self._select_multiple and self._first_option is not None:
                values = [self._first_option]
            self.fields.extend((self._select, v) for v in values)
            self._select = None


def form_data(html: str, form_id: str | None = None) -> dict[str, str | list[str]]:
    """The fields of the form (the first one, or the one with ``form_id``) as POST data.

    The inline formsets' empty template forms (``__prefix__``) are left out, as the admin's
    JavaScript never submits them.
    """
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, str | list[str]] = {}
    for name, value in parser.fields:
        if "__prefix__" in name:
            continue
        if name in data:
            existing = data[name]
            data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            data[name] = value
    return data
