"""Write an ElementTree back out as markup for inlining into HTML.

ElementTree's own serializer either invents ``ns0:`` prefixes or (with
``default_namespace``) rejects plain attributes, and its prefix registry is
process-wide. Inline SVG and MathML need neither: the root declares its
namespace and every child uses bare names.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

__all__ = ["to_markup"]

# Namespaced attributes HTML parsers understand inside <svg>.
_ATTR_PREFIXES = {
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
}


def to_markup(root: ET.Element, namespace: str) -> str:
    """Markup for ``root``; every element must be in ``namespace``."""
    parts: list[str] = []
    _write(root, namespace, parts, is_root=True)
    return "".join(parts)


def _write(el: ET.Element, namespace: str, out: list[str], *, is_root: bool) -> None:
    tag = _local(el.tag, namespace)
    attrs = []
    if is_root:
        attrs.append(f' xmlns="{namespace}"')
        if any(k.startswith("{http://www.w3.org/1999/xlink}") for e in el.iter() for k in e.attrib):
            attrs.append(' xmlns:xlink="http://www.w3.org/1999/xlink"')
    for key, value in el.attrib.items():
        attrs.append(f" {_attr_name(key)}={quoteattr(value)}")
    out.append(f"<{tag}{''.join(attrs)}")
    if el.text is None and len(el) == 0:
        out.append("/>")
    else:
        out.append(">")
        if el.text:
            out.append(escape(el.text))
        for child in el:
            _write(child, namespace, out, is_root=False)
        out.append(f"</{tag}>")
    if el.tail and not is_root:
        out.append(escape(el.tail))


def _local(tag: str, namespace: str) -> str:
    prefix = f"{{{namespace}}}"
    if not tag.startswith(prefix):
        raise ValueError(f"element {tag!r} is outside the {namespace} namespace")
    return tag[len(prefix):]


def _attr_name(key: str) -> str:
    if not key.startswith("{"):
        return key
    uri, _, local = key[1:].partition("}")
    if uri not in _ATTR_PREFIXES:
        raise ValueError(f"attribute {key!r} is in an unsupported namespace")
    return f"{_ATTR_PREFIXES[uri]}:{local}"
