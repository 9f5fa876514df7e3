"""Drawing a traced computation graph, and saying in words what it shows.

:func:`to_digraph` builds the ``graphviz.Digraph`` of a :class:`layers.graph.Graph`
in the book's convention: left to right (or top to bottom for long chains), the
forward value above each edge, and under it a thin arrow pointing back, in the
gradient colour, carrying the gradient; symbols in the math font. :func:`describe`
writes the Korean text alternative that names every value a reader would see. Both only read the graph: recording lives
in :mod:`layers.graph`, whose ``Graph.to_digraph()`` and ``Graph.describe()``
call these. The colours and the fonts come from ``layers.graph`` so that
``Graph.figure_style()`` and the drawing cannot disagree. The ids a script can use
to find each edge's numbers in the SVG are listed at ``EDGE_HOOKS``.
"""
from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from layers.display import format_value
from layers.graph import (
    BACKWARD_COLOR,
    FONT_NAME,
    FORWARD_COLOR,
    MATH_FONT,
    MUTED_COLOR,
    Edge,
    Graph,
    GraphError,
    Node,
)

__all__ = ["SMALL_ARRAY", "check_finite", "describe", "to_digraph"]

# Arrays up to this many elements show their values on the edge; larger ones
# show only their shape.
SMALL_ARRAY = 6


def check_finite(graph: Graph) -> None:
    """Raise :class:`GraphError` naming the first edge that carries nan or inf."""
    for edge in graph.edges:
        for what, v in (("forward value", edge.value), ("gradient", edge.grad)):
            if v is None:
                continue
            array = np.asarray(v)
            if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
                raise GraphError(
                    f"the edge from {_describe_node(edge.src)} to {_describe_node(edge.dst)} carries a "
                    f"non-finite {what} ({format_value(v)}); a figure cannot show it — check the inputs"
                )


DIRECTIONS = ("LR", "TB")

# Graphviz point sizes: values and symbols, and the quieter shape line. Rendered at
# natural size a point is 4/3 px, so 12 pt is 16 px and 10.5 pt is 14 px.
FONT_SIZE = 12
SHAPE_FONT_SIZE = 10
SCRIPT_FONT_SIZE = 10  # raised ᵀ and ²

# What an author or a script can rely on in the SVG (``dot`` keeps these ids; the
# figure renderer prefixes them per figure): per edge number i, in recording order,
#   node  ``e{i}``          the edge's label (class ``bp-edge-label``)
#   group ``e{i}-value``    the forward value's text (one <text> per printed line)
#   group ``e{i}-grad``     the gradient's text (only after backward)
#   edge  ``e{i}-in`` / ``e{i}-out``  the forward arrow's two halves (class ``bp-forward``)
#   edge  ``e{i}-back``     the thin backward arrow (class ``bp-backward``)
# and per node number i of graph.nodes, ``n{i}`` (an input, output, constant or operation).
# A label cell reaches the SVG with an id only through a link, so those two cells are
# drawn as links to "#"; the renderer turns them back into plain groups.
EDGE_HOOKS = ("e{i}", "e{i}-value", "e{i}-grad", "e{i}-in", "e{i}-out", "e{i}-back")


def to_digraph(graph: Graph, *, direction: str = "LR") -> Any:
    """Build (not render) a ``graphviz.Digraph`` in the book's convention.

    ``direction`` "LR" (left to right, the book's way) or "TB" (top to bottom, for long
    chains that would not fit a column). Operation nodes are circles with their
    symbol. Each edge passes through a label: above it (LR; left of it in TB) the
    shape, quiet and small, the edge's symbol and its value; under it (right of it in
    TB) a thin arrow pointing back in ``BACKWARD_COLOR``, carrying the gradient's
    symbol and the gradient, bold.
    """
    import graphviz  # only drawing needs it

    if direction not in DIRECTIONS:
        raise GraphError(f"direction={direction!r}: a graph is drawn 'LR' (left to right) or 'TB' (top to bottom)")
    check_finite(graph)
    dot = graphviz.Digraph()
    # ordering="in" keeps each node's inputs in argument order (귤 above 귤 개수), as the
    # book draws them.
    dot.attr(rankdir=direction, ordering="in", bgcolor="transparent", nodesep="0.12", ranksep="0.16",
             fontname=FONT_NAME, pad="0.06")
    dot.attr("node", fontname=FONT_NAME, fontsize=str(FONT_SIZE), color=FORWARD_COLOR, fontcolor=FORWARD_COLOR)
    dot.attr("edge", fontname=FONT_NAME, color=FORWARD_COLOR, arrowsize="0.6", penwidth="1")
    names = {id(node): f"n{i}" for i, node in enumerate(graph.nodes)}
    sums = {key: total for key, total in branch_sums(graph).items() if _value_lines(total)}
    vertical = direction == "TB"
    into, out_of = (":n", ":s") if vertical else (":w", ":e")
    for node in graph.nodes:
        name = names[id(node)]
        if node.kind == "op":
            short = len(node.label) <= 5
            dot.node(name, label=_literal(node.label), shape="circle" if short else "box", id=name,
                     style="" if short else "rounded", margin="0.04", width="0.4")
        elif node.kind == "const":
            dot.node(name, label="", shape="point", width="0.04", id=name)
        elif id(node) in sums:
            dot.node(name, label=_input_with_sum_html(node, sums[id(node)], name), shape="plaintext",
                     margin="0.06,0.02", id=name)
        else:
            dot.node(name, label=_literal(node.label), shape="plaintext", margin="0.06,0.02", id=name)
    for i, edge in enumerate(graph.edges):
        mid = f"e{i}"
        dot.node(mid, label=_edge_label_html(edge, i, vertical), shape="plain", id=mid, **{"class": "bp-edge-label"})
        dot.edge(names[id(edge.src)], f"{mid}:line{into}", arrowhead="none", headclip="false",
                 id=f"{mid}-in", **{"class": "bp-forward"})
        dot.edge(f"{mid}:line{out_of}", names[id(edge.dst)], tailclip="false",
                 id=f"{mid}-out", **{"class": "bp-forward"})
        if edge.grad is not None:
            # Drawn from the source with the head at the tail end: the arrow points back
            # to where the value came from, and the layout treats it like the forward edge.
            dot.edge(names[id(edge.src)], f"{mid}:back{into}", dir="back", arrowtail="normal",
                     headclip="false", color=BACKWARD_COLOR, id=f"{mid}-back", **{"class": "bp-backward"})
    return dot


def describe(graph: Graph) -> str:
    """A Korean text alternative: inputs, what each node computed, and the gradients.

    Each node reads as an equation ("사과 100 × 사과 개수 2 = 200"), each value named by
    what it is: an input by its label, a named edge by its symbol, any other by the node
    that produced it ("첫 번째 × 노드의 출력"). The gradients read "…쪽으로 2.2", with the
    symbol the figure shows ("x 쪽으로 ∂L/∂z·y = 6.5"): phrasing that never puts a
    particle right after a number, whose form (이/가, 을/를) would depend on how it is read.
    """
    names = _node_names(graph)
    inputs = [n for n in graph.nodes if n.kind == "input"]
    parts = ["계산 그래프."]
    if inputs:
        parts.append("입력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in inputs) + ".")
    steps = []
    for node in graph.nodes:
        if node.kind != "op":
            continue
        ins = sorted((e for e in graph.edges if e.dst is node), key=lambda e: e.arg_index)
        outs = [e for e in graph.edges if e.src is node]
        result = _short(outs[0].value) if outs else _short(getattr(node.layer, "_out", None))
        steps.append(f"{_formula(node.label, [_operand(e, names) for e in ins])} = {result}")
    if steps:
        parts.append("순전파: " + "; ".join(steps) + ".")
    outputs = [n for n in graph.nodes if n.kind == "output"]
    if outputs:
        parts.append("출력: " + ", ".join(f"{n.label} {_short(n.value)}" for n in outputs) + ".")
    if graph.has_backward:
        seeds = [e for e in graph.edges if e.dst.kind == "output" and e.grad is not None]
        flows = [
            f"{_edge_name(e, names)} 쪽으로 {_gradient(e)}"
            for e in graph.edges
            if e.dst.kind != "output" and e.grad is not None
        ]
        # (interactive.js writes the same sentence when a reader changes the inputs.)
        start = " ".join(f"{e.dst.label}의 기울기 {_gradient(e)}에서 시작해" for e in seeds)
        parts.append("역전파: " + (start + " " if start else "") + ", ".join(flows) + ".")
        sums = branch_sums(graph)
        if sums:
            parts.append("갈라진 값의 기울기 합: " + ", ".join(
                f"{n.label} {_short(sums[id(n)])}" for n in graph.nodes if id(n) in sums) + ".")
    return " ".join(parts)


def branch_sums(graph: Graph) -> dict[int, Any]:
    """An input used by several nodes: its gradient, the sum of what each branch sends back.

    Keyed by ``id(node)``; the gradients are added in the order of ``graph.edges`` (as
    interactive.js adds them), and only when every branch has one.
    """
    sums = {}
    for node in graph.nodes:
        if node.kind != "input":
            continue
        grads = [e.grad for e in graph.edges if e.src is node]
        if len(grads) > 1 and all(g is not None for g in grads):
            total = grads[0]
            for grad in grads[1:]:
                total = total + grad
            sums[id(node)] = total
    return sums


# Characters an SVG (XML) file cannot hold; a label shows them as Python's repr does.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _visible(text: str) -> list[str]:
    """``text``'s lines, with what SVG cannot hold written as ``\\xNN``."""
    return _LINE_BREAK.split(_NOT_IN_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def _literal(text: str) -> Any:
    """A label's text as DOT draws it exactly as written (a line break stays one).

    A quoted DOT string is not plain text: ``<…>`` would make it an HTML-like label,
    a backslash starts an escape (``\\N`` is the node's name, ``\\l`` a line end) and
    ``&amp;`` is read as an entity. So backslashes and ampersands are escaped, and
    ``graphviz.nohtml`` keeps the graphviz package from passing ``<…>`` on unquoted.
    """
    import graphviz

    lines = (line.replace("\\", "\\\\").replace("&", "&amp;") for line in _visible(text))
    return graphviz.nohtml("\\n".join(lines))  # DOT's \n: a centred line break


def _html_text(text: str) -> str:
    """A label's text inside an HTML-like label, drawn as written (line breaks as ``<br/>``)."""
    return "<br/>".join(html.escape(line) for line in _visible(text))


def _input_with_sum_html(node: Node, total: Any, name: str) -> str:
    """An input's name, and under it, in the gradient colour, the sum of its branches' gradients."""
    text = "<br/>".join(html.escape(line) for line in _value_lines(total))
    return ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            f'<tr><td colspan="2">{_html_text(node.label)}</td></tr>'
            f'<tr><td align="right"><font color="{BACKWARD_COLOR}" point-size="{SHAPE_FONT_SIZE}">기울기 합</font></td>'
            + _text_cell(f'<font color="{BACKWARD_COLOR}"><b>{text}</b></font>', align="left", hook=f"{name}-grad")
            + "</tr></table>>")


_ORDINALS = ("첫", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열")
# The chapter's names for the two arithmetic nodes; a screen reader says "×" and "+" as
# operators, not as node names.
_NODE_WORDS = {"×": "곱셈", "+": "덧셈"}  # (mkdocs_backprop/assets/interactive.js says the same)


def _node_names(graph: Graph) -> dict[int, str]:
    """Each operation node as the text calls it: "exp 노드", or "두 번째 × 노드" when the
    figure has several nodes with the same symbol."""
    ops = [n for n in graph.nodes if n.kind == "op"]
    names = {}
    for node in ops:
        same = [n for n in ops if n.label == node.label]
        word = _NODE_WORDS.get(node.label, node.label)
        if len(same) == 1:
            names[id(node)] = f"{word} 노드"
        else:
            k = same.index(node)
            ordinal = _ORDINALS[k] if k < len(_ORDINALS) else str(k + 1)
            names[id(node)] = f"{ordinal} 번째 {word} 노드"
    return names


def _edge_name(edge: Edge, names: dict[int, str]) -> str:
    """What an edge carries, by name: its input, its symbol, or the node that produced it."""
    if edge.src.kind == "input":
        return edge.src.label
    if edge.symbol:
        return edge.symbol
    if edge.src.kind == "op":
        return f"{names[id(edge.src)]}의 출력"
    return "상수"


def _gradient(edge: Edge) -> str:
    value = _short(edge.grad)
    return f"{edge.grad_symbol} = {value}" if edge.grad_symbol else value


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > SMALL_ARRAY:
        return f"형상 {format_value(value.shape)}의 배열"
    return format_value(value)


def _operand(edge: Edge, names: dict[int, str]) -> str:
    """An operand in a forward equation: its name and its value."""
    return f"{_edge_name(edge, names)} {_short(edge.value)}"


def _formula(symbol: str, args: list[str]) -> str:
    """The node's operation written out with its operands."""
    if symbol in ("×", "+") and len(args) == 2:
        return f"{args[0]} {symbol} {args[1]}"
    if symbol == "/" and len(args) == 1:
        return f"1 / ({args[0]})"
    if symbol == "**2" and len(args) == 1:
        return f"({args[0]})²"
    if symbol == "×(−1)" and len(args) == 1:
        return f"−({args[0]})"
    if symbol[:1] in "+−" and len(args) == 1:  # AddConst: +1, −2.5
        return f"{args[0]} {symbol[0]} {symbol[1:]}"
    return f"{symbol}({', '.join(args)})"


def _describe_node(node: Node) -> str:
    if node.kind == "op":
        return f"the {node.label} node"
    return repr(node.label) if node.label else "a constant"


def _value_lines(value: Any) -> list[str]:
    """The value as printed on an edge: a matrix one row per line, as numpy prints it."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.size > SMALL_ARRAY:
            return []
        if value.ndim == 2 and value.shape[0] > 1:
            rows = [format_value(row) for row in value]
            # The rows after the first are indented by one no-break space, under the first
            # row's inner bracket (a plain leading space would be dropped).
            return ["[" + rows[0] + ","] + ["\u00a0" + r + "," for r in rows[1:-1]] + ["\u00a0" + rows[-1] + "]"]
        return [format_value(value)]
    return [format_value(value)]


def _shape(value: Any) -> str | None:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return format_value(value.shape)
    return None


_HANGUL = "\uac00-\ud7a3\u3131-\u318e"
_MATH_RUN = re.compile(rf"[A-Za-z]+|[{_HANGUL}]+|[\u1d40\u00b2\u00b3]|[^A-Za-z{_HANGUL}\u1d40\u00b2\u00b3]+")
# Superscripts the symbols use; the math font has no glyphs for the Unicode forms, so
# they are set as raised text, as the page's formulas set them.
_SUPERSCRIPTS = {"\u1d40": "\U0001d5b3", "\u00b2": "2", "\u00b3": "3"}  # ᵀ as sans-serif T, like \mathsf T


def math_italic(letter: str) -> str:
    """The Mathematical Italic character for a Latin letter (what MathML shows for <mi>x</mi>)."""
    if letter == "h":
        return "\u210e"  # the one letter Unicode keeps outside the block (Planck constant)
    base = 0x1D434 if letter.isupper() else 0x1D44E
    return chr(base + ord(letter.upper() if letter.isupper() else letter) - (ord("A") if letter.isupper() else ord("a")))


def math_html(text: str, color: str | None = None) -> str:
    """A symbol such as ``∂L/∂Y·Wᵀ`` as Graphviz HTML, set like the page's formulas.

    In the math font (the one the site's formulas use, so ∂ is a proper ∂): a single
    Latin letter is a variable and becomes its Mathematical Italic character, as
    MathML renders ``<mi>``; runs of letters (exp, log) are function names and stay
    upright, as do digits, operators and ∂; ᵀ, ², ³ are raised. Hangul stays in the
    label font, which has it.
    """
    parts: list[str] = []
    math: list[str] = []  # consecutive characters set in the math font: one text item

    def flush() -> None:
        if math:
            parts.append(f'<font face="{MATH_FONT}">{html.escape("".join(math))}</font>')
            math.clear()

    for run in _MATH_RUN.findall(text):
        if run in _SUPERSCRIPTS:
            flush()
            parts.append(f'<font face="{MATH_FONT}" point-size="{SCRIPT_FONT_SIZE}"><sup>'
                         f"{html.escape(_SUPERSCRIPTS[run])}</sup></font>")
        elif re.fullmatch(r"[A-Za-z]", run):
            math.append(math_italic(run))
        elif re.match(rf"[{_HANGUL}]", run):
            flush()
            parts.append(html.escape(run))
        else:
            math.append(run)
    flush()
    body = "".join(parts)
    return f'<font color="{color}">{body}</font>' if color else body


def _text_cell(content: str, *, align: str, hook: str | None = None) -> str:
    # A link to "#" is the only way Graphviz writes a cell's id into the SVG (see EDGE_HOOKS).
    link = f' href="#" id="{hook}"' if hook else ""
    # Lines of one value (a matrix's rows) start flush left, so their brackets line up.
    return f'<td align="{align}" balign="left"{link}>{content}</td>'


def _line_cell(port: str, color: str, vertical: bool) -> str:
    """A cell whose line lies exactly where the edge through ``port`` runs.

    Graphviz attaches an edge to the middle of a port's box but draws a cell's border
    on the box's outline, inset by the border's width: a bordered one-row cell misses
    the edge by half its height (the old, visible step) and stops short of it at both
    ends. So the port is a small table of two halves whose first half is bordered on
    the shared side; cellspacing -1 lets the border reach the table's ends, and
    halves of 2 and 3 points put it on the table's middle. tests/layers/test_drawing.py
    checks the coordinates dot writes.
    """
    if vertical:
        inner = f'<tr><td width="2" border="1" sides="r" color="{color}"></td><td width="3"></td></tr>'
    else:
        inner = f'<tr><td height="2" border="1" sides="b" color="{color}"></td></tr><tr><td height="3"></td></tr>'
    table = f'<table port="{port}" border="0" cellborder="0" cellspacing="-1" cellpadding="0">{inner}</table>'
    return f'<td cellpadding="0">{table}</td>'


def _edge_label_html(edge: Edge, index: int, vertical: bool = False) -> str:
    """The edge's label: forward text, the edge's own line, the backward arrow, the gradient."""
    fwd_align = "right" if vertical else "center"
    forward: list[str] = []
    shape = _shape(edge.value)
    if shape is not None:
        forward.append(_text_cell(f'<font point-size="{SHAPE_FONT_SIZE}" color="{MUTED_COLOR}">{html.escape(shape)}</font>',
                                  align=fwd_align))
    if edge.symbol:
        forward.append(_text_cell(math_html(edge.symbol), align=fwd_align))
    lines = _value_lines(edge.value)
    if lines:
        forward.append(_text_cell("<br/>".join(html.escape(line) for line in lines), align=fwd_align,
                                  hook=f"e{index}-value"))
    backward: list[str] = []
    grad = edge.grad
    if grad is not None:
        if edge.grad_symbol:
            backward.append(_text_cell(math_html(edge.grad_symbol, BACKWARD_COLOR), align="left" if vertical else "center"))
        grad_lines = _value_lines(grad)
        if grad_lines:
            text = "<br/>".join(html.escape(line) for line in grad_lines)
            content = f'<font color="{BACKWARD_COLOR}"><b>{text}</b></font>'
        else:  # too large to print: its shape, quiet like the forward side's
            content = (f'<font color="{BACKWARD_COLOR}" point-size="{SHAPE_FONT_SIZE}">'
                       f"{html.escape(format_value(np.shape(grad)))}</font>")
        backward.append(_text_cell(content, align="left" if vertical else "center", hook=f"e{index}-grad"))
    table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
    if vertical:
        # One row: forward text | line | gap | backward arrow | gradient text.
        def stack(cells: list[str]) -> str:
            if not cells:
                return "<td></td>"
            rows = "".join(f"<tr>{c}</tr>" for c in cells)
            return f'<td><table border="0" cellborder="0" cellspacing="0" cellpadding="1">{rows}</table></td>'
        row = stack(forward) + _line_cell("line", FORWARD_COLOR, True)
        if backward:
            row += '<td width="3" cellpadding="0"></td>' + _line_cell("back", BACKWARD_COLOR, True) + stack(backward)
        return f"<{table}<tr>{row}</tr></table>>"
    rows = [f"<tr>{c}</tr>" for c in forward]
    rows.append(f"<tr>{_line_cell('line', FORWARD_COLOR, False)}</tr>")
    if backward:
        rows.append('<tr><td height="3" cellpadding="0"></td></tr>')
        rows.append(f"<tr>{_line_cell('back', BACKWARD_COLOR, False)}</tr>")
        rows.extend(f"<tr>{c}</tr>" for c in backward)
    return f"<{table}{''.join(rows)}</table>>"
