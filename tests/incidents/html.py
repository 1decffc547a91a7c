"""Read a rendered page the way a browser does: its form values, the error beside a field, links.

A small tree built with ``html.parser``; enough for Django's and crispy-forms' markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self):
        """This node and every element below it, in document order (``<template>`` content excluded)."""
        yield self
        for child in self.children:
            if isinstance(child, Node) and child.tag != "template":
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    @property
    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text for c in self.children)

    @property
    def text(self) -> str:
        """Visible text with runs of white space collapsed."""
        return re.sub(r"\s+", " ", self.raw_text).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, html: str | bytes):
        builder = _TreeBuilder()
        builder.feed(html.decode() if isinstance(html, bytes) else html)
        builder.close()
        self.root = builder.root

    def by_id(self, element_id: str) -> Node | None:
        return self.root.find(id=element_id)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return self.root.find_all(tag, **attrs)

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        return self.root.find(tag, **attrs)

    def form_data(self, form_id: str = "report-form") -> dict[str, list[str]]:
        """What the browser would send if the user pressed a button now (files and buttons left out)."""
        form = self.by_id(form_id)
        assert form is not None, f"no form #{form_id}"
        data: dict[str, list[str]] = {}
        for node in form.iter():
            name = node.attrs.get("name")
            if not name or "disabled" in node.attrs:
                continue
            if node.tag == "input":
                kind = (node.attrs.get("type") or "text").lower()
                if kind in ("submit", "button", "file", "image", "reset"):
                    continue
                if kind in ("checkbox", "radio") and "checked" not in node.attrs:
                    continue
                default = "on" if kind in ("checkbox", "radio") else ""
                value = node.attrs.get("value")
                data.setdefault(name, []).append(default if value is None else value)
            elif node.tag == "textarea":
                # The HTML parser keeps the newline right after <textarea>; browsers drop it.
                data.setdefault(name, []).append(node.raw_text.removeprefix("\r\n").removeprefix("\n"))
            elif node.tag == "select":
                options = node.find_all("option")
                chosen = [o for o in options if "selected" in o.attrs]
                if not chosen and "multiple" not in node.attrs and options:
                    chosen = options[:1]
                data.setdefault(name, []).extend(
                    o.attrs["value"] if o.attrs.get("value") is not None else o.text for o in chosen
                )
        return data

    def error_for(self, field_name: str) -> str:
        """The message shown beside a field (crispy-forms: ``#id_<name>_error``), or ''."""
        node = self.by_id(f"id_{field_name}_error")
        return node.text if node is not None else ""

    def fields_with_errors(self) -> set[str]:
        return {
            n.attrs["id"].removeprefix("id_").removesuffix("_error")
            for n in self.root.iter()
            if re.fullmatch(r"id_.+_error", n.attrs.get("id") or "")
        }

    def links(self) -> list[tuple[str, str]]:
        return [(a.attrs.get("href") or "", a.text) for a in self.find_all("a")]
