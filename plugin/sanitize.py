"""Allow-list sanitising of the SVG and MathML that go into a page.

A page's code is trusted, what it produces is not: a chart's ``_repr_svg_()``,
a DOT ``URL`` attribute or a value inside ``$…$`` may carry script or fetch
from elsewhere. Before a drawing or a formula is inlined, ``clean_svg`` and
``clean_mathml`` keep only what a drawing needs:

- elements on an allow-list (shapes, text, groups, gradients, markers,
  clipping, filters); anything else (``script``, ``foreignObject``,
  ``style``, animation, elements of other namespaces) goes with its content;
- attributes on an allow-list (geometry and presentation); every ``on…``
  handler and every attribute of another namespace goes;
- links: ``href`` only to a fragment of the drawing (``#id``), or from an
  ``<a>`` to a relative address on the same site; never a scheme
  (``javascript:``, ``http:``, ``data:``…) except an embedded raster image;
- ``url(…)`` in attributes and styles only as ``url(#id)``, and styles only with
  properties a drawing uses (no positioning, no ``@import``, no escapes).

Both work on an ElementTree in place and return what they removed, one short
description per thing, for the caller to log. Nothing here knows MkDocs.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["clean_mathml", "clean_style", "clean_svg", "safe_href"]

SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_SVG_ELEMENTS = frozenset("""
    svg g defs symbol use title desc a switch
    path rect circle ellipse line polyline polygon image
    text tspan textPath
    marker clipPath mask pattern linearGradient radialGradient stop
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence
""".split())

_SVG_ATTRIBUTES = frozenset("""
    id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points
    pathLength viewBox preserveAspectRatio version
    fill fill-opacity fill-rule stroke stroke-width stroke-dasharray stroke-dashoffset
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity opacity color
    display visibility overflow vector-effect shape-rendering text-rendering image-rendering
    color-interpolation color-interpolation-filters paint-order mix-blend-mode isolation
    font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    text-anchor dominant-baseline alignment-baseline baseline-shift dx dy rotate textLength
    lengthAdjust letter-spacing word-spacing text-decoration writing-mode direction unicode-bidi
    white-space startOffset method spacing side
    clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits
    marker-start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient
    patternUnits patternContentUnits patternTransform
    gradientUnits gradientTransform spreadMethod offset stop-color stop-opacity
    filter filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4
    values type tableValues slope intercept amplitude exponent flood-color flood-opacity
    lighting-color surfaceScale diffuseConstant specularConstant specularExponent kernelMatrix
    kernelUnitLength order divisor bias targetX targetY edgeMode preserveAlpha radius scale
    xChannelSelector yChannelSelector azimuth elevation pointsAtX pointsAtY pointsAtZ
    limitingConeAngle baseFrequency numOctaves seed stitchTiles z
    href role focusable tabindex requiredExtensions systemLanguage
    aria-label aria-labelledby aria-describedby aria-hidden aria-roledescription
""".split())

_MATHML_ELEMENTS = frozenset("""
    math semantics annotation mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot
    mover munder munderover mtable mtr mtd mlabeledtr mstyle mpadded mphantom menclose merror
    mmultiscripts mprescripts none maligngroup malignmark mfenced
""".split())

_MATHML_ATTRIBUTES = frozenset("""
    display mathvariant displaystyle scriptlevel stretchy fence separator form lspace rspace
    largeop movablelimits accent accentunder width height depth voffset linethickness
    columnalign rowalign columnspacing rowspacing columnlines rowlines frame framespacing
    equalrows equalcolumns notation encoding mathcolor mathbackground mathsize minsize maxsize
    symmetric dir align side rowspan columnspan open close separators style
    bevelled numalign denomalign
""".split())

# CSS properties a drawing or a formula uses; anything else (position, z-index,
# content, behaviour…) could cover or restyle the page around it.
_CSS_PROPERTIES = frozenset("""
    fill fill-opacity fill-rule stroke stroke-width stroke-dasharray stroke-dashoffset
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity opacity color
    display visibility vector-effect shape-rendering text-rendering image-rendering paint-order
    font font-family font-size font-style font-variant font-weight font-stretch
    text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    text-decoration text-align white-space writing-mode direction
    clip-path clip-rule mask marker marker-start marker-mid marker-end
    stop-color stop-opacity flood-color flood-opacity lighting-color
    transform transform-origin transform-box mix-blend-mode isolation
    width height max-width min-width max-height min-height
    padding padding-left padding-right padding-top padding-bottom
""".split())

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")
_URL_RE = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_FRAGMENT_URL_RE = re.compile(r"url\(\s*(['\"]?)#[A-Za-z_][\w.\-:]*\1\s*\)", re.IGNORECASE)
_RASTER_DATA_RE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
# Attributes whose value may hold url(#…) references.
_HREF_NAMES = ("href", f"{{{XLINK_NS}}}href")


def clean_svg(root: ET.Element) -> list[str]:
    """Remove from ``root`` (an SVG ``<svg>`` element) everything not on the allow-list."""
    removed: list[str] = []
    # Only the outer <svg> is a box in the page's layout: a class there could
    # borrow the site's own styles (a fixed header, a dialog) and cover the page.
    # Our own classes (bp-…) stay.
    classes = (root.get("class") or "").split()
    ours = [c for c in classes if c.startswith("bp-")]
    if len(ours) != len(classes):
        removed.append(f"class={root.get('class', '')[:40]!r} on <svg>")
        if ours:
            root.set("class", " ".join(ours))
        else:
            del root.attrib["class"]
    _clean(root, SVG_NS, _SVG_ELEMENTS, _SVG_ATTRIBUTES, removed)
    return removed


def clean_mathml(root: ET.Element) -> list[str]:
    """Remove from ``root`` (a MathML ``<math>`` element) everything not on the allow-list.

    MathML needs no links at all: ``\\href{…}{x}`` keeps its ``x`` and loses the link.
    """
    removed: list[str] = []
    _clean(root, MATHML_NS, _MATHML_ELEMENTS, _MATHML_ATTRIBUTES, removed)
    return removed


def safe_href(value: str, element: str) -> bool:
    """Whether ``value`` may stay as the link (``href``) of an SVG ``element``."""
    squeezed = _CONTROL_RE.sub("", value)
    if squeezed.startswith("#"):
        return True  # a part of this drawing (a gradient, a marker, a symbol…)
    if element == "image":
        return bool(_RASTER_DATA_RE.match(value.strip()))
    if element != "a" or squeezed.startswith(("//", "\\")):
        return False  # only a link may point elsewhere, and only on this site
    return not _SCHEME_RE.match(squeezed) and squeezed != ""


def clean_style(style: str) -> tuple[str, list[str]]:
    """``style`` with only the declarations a drawing needs, and what was dropped."""
    kept, dropped = [], []
    if "\\" in style or "@" in style or "<" in style or "/*" in style:
        # Escapes and comments can hide anything from the checks below.
        return "", [f"style {style[:40]!r}"]
    for declaration in style.split(";"):
        if not declaration.strip():
            continue
        name, colon, value = declaration.partition(":")
        name = name.strip().lower()
        if not colon or name not in _CSS_PROPERTIES or not _safe_css_value(value):
            dropped.append(f"style {declaration.strip()[:40]!r}")
            continue
        kept.append(f"{name}: {value.strip()}")
    return "; ".join(kept), dropped


def _safe_css_value(value: str) -> bool:
    lowered = _CONTROL_RE.sub("", value).lower()
    if "expression(" in lowered or "javascript:" in lowered or "image-set(" in lowered:
        return False
    if "url(" in lowered:
        return len(_URL_RE.findall(value)) == len(_FRAGMENT_URL_RE.findall(value)) == lowered.count("url(")
    return True


def _clean(root: ET.Element, namespace: str, elements: frozenset[str], attributes: frozenset[str],
           removed: list[str]) -> None:
    prefix = f"{{{namespace}}}"
    stack = [root]
    while stack:
        el = stack.pop()
        _clean_attributes(el, el.tag.removeprefix(prefix), namespace, attributes, removed)
        for child in list(el):
            local = child.tag.removeprefix(prefix) if isinstance(child.tag, str) else ""
            if not isinstance(child.tag, str) or not child.tag.startswith(prefix) or local not in elements:
                removed.append(f"<{_display_name(child.tag, prefix)}>")
                _remove_keeping_tail(el, child)
            else:
                stack.append(child)


def _clean_attributes(el: ET.Element, local: str, namespace: str, allowed: frozenset[str],
                      removed: list[str]) -> None:
    for key, value in list(el.attrib.items()):
        name = _attribute_name(key)
        keep = name is not None and (name in allowed or name in ("xlink:href", "xlink:title", "xml:space"))
        if keep and name in ("href", "xlink:href"):
            keep = namespace == SVG_NS and safe_href(value, local)
        if keep and name == "style":
            cleaned, dropped = clean_style(value)
            removed.extend(f"{d} on <{local}>" for d in dropped)
            if cleaned:
                el.set(key, cleaned)
            else:
                del el.attrib[key]
            continue
        if keep and "url(" in value.lower() and key not in _HREF_NAMES:
            keep = _safe_css_value(value)
        if not keep:
            removed.append(f"{name or key}={value[:40]!r} on <{local}>")
            del el.attrib[key]


def _attribute_name(key: str) -> str | None:
    """``key`` as written in markup ("fill", "xlink:href"); None for unknown namespaces."""
    if not key.startswith("{"):
        return None if key.lower().startswith("on") else key
    uri, _, local = key[1:].partition("}")
    if uri == XLINK_NS:
        return f"xlink:{local}"
    if uri == XML_NS:
        return f"xml:{local}"
    return None


def _display_name(tag: object, prefix: str) -> str:
    if not isinstance(tag, str):
        return "comment or processing instruction"
    return tag.removeprefix(prefix)


def _remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    """Remove ``child`` but keep the text that follows it (it belongs to ``parent``)."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)
