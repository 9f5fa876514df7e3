"""Just enough of GitHub Actions' expression language to read our workflow's conditions.

Covers what .github/workflows/pages.yml uses: ``${{ }}`` interpolation, context paths
(``github.ref``, ``steps.pages.outputs.base_url``), string/number/boolean/null
literals, ``== != ! && ||`` with GitHub's loose comparison and its value-returning
``&&``/``||``, parentheses, and the functions ``format``, ``hashFiles`` and the status checks (for a run in
which every step so far succeeded). Anything
else raises, so a workflow that grows beyond this is noticed rather than misread.
https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|&&|\|\||!|\(|\)|,|\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.VERBOSE)


class ExpressionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", 0.0)


def _loose_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # GitHub compares strings ignoring case
    return a == b


class _Parser:
    def __init__(self, text: str, context: dict[str, Any], root: Path | None) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.context = context
        self.root = root
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.text!r}")
        self.i += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if _truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.compare()
            value = right if _truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            value = _loose_equal(value, right) if op == "==" else not _loose_equal(value, right)
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if (kind, text) == ("op", "("):
            value = self.or_()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r} in {self.text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(text)
        value: Any = self.context.get(text)
        while self.peek() == ("op", "."):
            self.take()
            key = self.take()[1]
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        if name == "format":
            return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1)) + 1]), args[0])
        if name == "hashFiles":
            if self.root is None:
                raise ExpressionError("hashFiles needs a workspace")
            return hash_files(self.root, [str(a) for a in args])
        # Status functions, for a run in which every step so far succeeded.
        if name in ("always", "success"):
            return True
        if name in ("failure", "cancelled"):
            return False
        raise ExpressionError(f"function {name}() is not supported here")


def hash_files(root: Path, patterns: list[str]) -> str:
    """hashFiles(): a SHA-256 over the SHA-256 of each matching file, '' if none match."""
    matched: set[Path] = set()
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.lstrip("!")
        if glob.endswith("**"):  # GitHub's "dir/**" is every file below dir
            glob += "/*"
        found = {p for p in root.glob(glob) if p.is_file()}
        matched = matched - found if negate else matched | found
    if not matched:
        return ""
    outer = hashlib.sha256()
    for path in sorted(matched):
        outer.update(hashlib.sha256(path.read_bytes()).digest())
    return outer.hexdigest()


def evaluate(expression: str, context: dict[str, Any], root: Path | None = None) -> Any:
    """The value of a bare expression (an ``if:``), without ``${{ }}``."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return _Parser(text, context, root).parse()


def interpolate(template: str, context: dict[str, Any], root: Path | None = None) -> str:
    """A string with every ``${{ … }}`` replaced by its value, as GitHub writes it."""
    def value(m: re.Match[str]) -> str:
        v = evaluate(m.group(1), context, root)
        if isinstance(v, bool):
            return "true" if v else "false"
        return "" if v is None else str(v)

    return re.sub(r"\$\{\{(.*?)\}\}", value, template)


def condition(expression: Any, context: dict[str, Any]) -> bool:
    """Whether a job's or step's ``if:`` lets it run (no ``if:`` means ``success()``)."""
    if expression is None:
        return True
    if isinstance(expression, bool):
        return expression
    return _truthy(evaluate(str(expression), context))
