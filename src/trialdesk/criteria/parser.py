"""Parse a rule's text into a checked node tree.

Rules use Python's expression syntax (``and``, ``or``, ``not``, comparisons, calls), read
with the standard ``ast`` module and never executed: only the names and functions of the
eligibility language are accepted, and every error names the criterion and the position.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from trialdesk.criteria.nodes import (
    DURATION_UNITS,
    Anchor,
    And,
    Arith,
    Call,
    Coalesce,
    Compare,
    Duration,
    Node,
    Not,
    Number,
    Or,
    Parameter,
    SexOf,
    String,
    Surely,
    Type,
    Window,
    type_of,
)
from trialdesk.criteria.signatures import FLAG, SIDE, SIGNATURES
from trialdesk.errors import CriteriaSyntaxError

_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


@dataclass(frozen=True)
class Names:
    """What a rule may refer to by name besides the built-in functions: the study's value
    sets, windows and thresholds, and what participant.yaml declares (its date anchors,
    and its side parameters, named only in ``side=``). ``unreadable``: names the study
    declares that a rule in this place cannot read, each with the reason an error gives
    (an eligibility rule and a date set during the trial's conduct)."""

    valuesets: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()
    sides: frozenset[str] = frozenset()
    windows: dict[str, Window] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Position:
    """Where the rule text starts in its file, to turn rule offsets into file positions."""

    file: str | None = None
    line: int = 1  # 1-based line of the rule's first character
    column: int = 1  # 1-based column of the rule's first character


def parse_rule(
    source: str,
    names: Names,
    *,
    criterion: str | None = None,
    position: Position | None = None,
    expect: Type = Type.BOOL,
) -> Node:
    """Parse and check one rule; raise CriteriaSyntaxError naming criterion and position."""
    return _Builder(source, names, criterion, position or Position()).build(expect)


class _Builder:
    def __init__(self, source: str, names: Names, criterion: str | None, pos: Position) -> None:
        self.source = source
        self.names = names
        self.criterion = criterion
        self.pos = pos

    def error(self, message: str, at: ast.AST | None = None) -> CriteriaSyntaxError:
        line, column = self.pos.line, self.pos.column
        lineno, offset = getattr(at, "lineno", None), getattr(at, "col_offset", 0)
        if lineno is not None:
            rule_line = lineno - 1  # the source is wrapped in "(\n...\n)"
            line = self.pos.line + rule_line - 1
            column = self.pos.column + offset  # block scalars: every line shares the indent
        return CriteriaSyntaxError(
            message, file=self.pos.file, criterion=self.criterion, line=line, column=column
        )

    def build(self, expect: Type) -> Node:
        if not self.source.strip():
            raise self.error("the rule is empty")
        try:
            tree = ast.parse("(\n" + self.source + "\n)", mode="eval")
        except SyntaxError as exc:
            raise self._syntax(exc) from None
        node = self.expr(tree.body)
        self.expect(node, expect, tree.body)
        return node

    def _syntax(self, exc: SyntaxError) -> CriteriaSyntaxError:
        fake = ast.Constant(value=None)
        fake.lineno = max(2, exc.lineno or 2)
        fake.col_offset = max(0, (exc.offset or 1) - 1)
        return self.error(f"not a valid rule: {exc.msg}", fake)

    def expect(self, node: Node, want: Type, at: ast.AST) -> None:
        got = type_of(node)
        if got is not want:
            raise self.error(f"expected a {want.value} here, got a {got.value}", at)

    # -- expressions ------------------------------------------------------------------
    def expr(self, n: ast.expr) -> Node:
        if isinstance(n, ast.BoolOp):
            items = tuple(self.bool_expr(v) for v in n.values)
            return And(items) if isinstance(n.op, ast.And) else Or(items)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            return Not(self.bool_expr(n.operand))
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            inner = self.expr(n.operand)
            if isinstance(inner, Number):
                return Number(-inner.value)
            raise self.error("minus applies only to numbers", n)
        if isinstance(n, ast.Compare):
            return self.compare(n)
        if isinstance(n, ast.BinOp):
            return self.arith(n)
        if isinstance(n, ast.Constant):
            return self.constant(n)
        if isinstance(n, ast.Name):
            return self.name(n)
        if isinstance(n, ast.Call):
            return self.call(n)
        raise self.error(f"'{ast.unparse(n)}' is not part of the eligibility language", n)

    def bool_expr(self, n: ast.expr) -> Node:
        node = self.expr(n)
        self.expect(node, Type.BOOL, n)
        return node

    def constant(self, n: ast.Constant) -> Node:
        if isinstance(n.value, bool) or n.value is None:
            raise self.error("write conditions, not True/False/None", n)
        if isinstance(n.value, int | float):
            return Number(float(n.value))
        if isinstance(n.value, str):
            return String(n.value)
        raise self.error(f"unsupported constant {n.value!r}", n)

    def compare(self, n: ast.Compare) -> Node:
        parts: list[Node] = []
        left_ast = n.left
        left = self.expr(left_ast)
        for op, right_ast in zip(n.ops, n.comparators, strict=True):
            right = self.expr(right_ast)
            symbol = _COMPARE.get(type(op))
            if symbol is None:
                raise self.error(f"unsupported comparison '{type(op).__name__}'", n)
            lt, rt = type_of(left), type_of(right)
            if lt != rt or lt not in (Type.NUMBER, Type.DATE, Type.STRING):
                raise self.error(f"cannot compare a {lt.value} with a {rt.value}", right_ast)
            if lt is Type.STRING and symbol not in ("==", "!="):
                raise self.error("text can only be compared with == or !=", right_ast)
            parts.append(Compare(symbol, left, right))
            left, left_ast = right, right_ast
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def arith(self, n: ast.BinOp) -> Node:
        symbol = _ARITH.get(type(n.op))
        if symbol is None:
            raise self.error(f"unsupported operator '{type(n.op).__name__}'", n)
        left, right = self.expr(n.left), self.expr(n.right)
        lt, rt = type_of(left), type_of(right)
        if lt is Type.NUMBER and rt is Type.NUMBER:
            return Arith(symbol, left, right, Type.NUMBER)
        if lt is Type.DATE and rt is Type.DURATION and symbol in "+-":
            return Arith(symbol, left, right, Type.DATE)
        raise self.error(f"cannot compute {lt.value} {symbol} {rt.value}", n)

    def name(self, n: ast.Name) -> Node:
        ident = n.id
        if ident in self.names.anchors:
            return Anchor(ident)
        if ident == "sex":
            return SexOf()
        if ident in self.names.windows:
            return self.names.windows[ident]
        if ident in self.names.parameters:
            return self.names.parameters[ident]
        if ident in self.names.valuesets:
            raise self.error(f"value set '{ident}' can only be an argument of a function", n)
        if ident in self.names.sides:
            raise self.error(f"side parameter '{ident}' can only be given as side={ident}", n)
        if ident in self.names.unreadable:
            raise self.error(f"'{ident}' {self.names.unreadable[ident]}", n)
        raise self.error(f"unknown name '{ident}'", n)

    # -- calls ------------------------------------------------------------------------
    def call(self, n: ast.Call) -> Node:
        if not isinstance(n.func, ast.Name):
            raise self.error("only the language's functions can be called", n)
        fname = n.func.id
        if fname in DURATION_UNITS:
            return self.duration(n, fname)
        if fname == "window":
            return self.window(n)
        if fname == "before":
            return self.before(n)
        if fname == "coalesce":
            if n.keywords or len(n.args) < 2:
                raise self.error("coalesce takes two or more dates", n)
            items = tuple(self.expr(a) for a in n.args)
            for a, item in zip(n.args, items, strict=True):
                self.expect(item, Type.DATE, a)
            return Coalesce(items)
        if fname == "surely":
            if n.keywords or len(n.args) != 1:
                raise self.error("surely takes one condition", n)
            return Surely(self.bool_expr(n.args[0]))
        sig = SIGNATURES.get(fname)
        if sig is None:
            raise self.error(f"unknown function '{fname}'", n)
        valuesets = tuple(self.valueset(a) for a in n.args)
        if len(valuesets) < sig.min_valuesets or (
            sig.max_valuesets is not None and len(valuesets) > sig.max_valuesets
        ):
            want = (
                f"{sig.min_valuesets}"
                if sig.min_valuesets == sig.max_valuesets
                else f"at least {sig.min_valuesets}"
            )
            raise self.error(f"{fname}() takes {want} value set(s), got {len(valuesets)}", n)
        options: list[tuple[str, Node | bool | str]] = []
        seen: set[str] = set()
        for kw in n.keywords:
            if kw.arg is None or kw.arg not in sig.options:
                allowed = ", ".join(sig.options) or "none"
                raise self.error(f"{fname}() has no option '{kw.arg}' (options: {allowed})", kw)
            seen.add(kw.arg)
            options.append((kw.arg, self.option(fname, kw.arg, kw.value, sig.options[kw.arg])))
        for key, opt in sig.options.items():
            if opt.required and key not in seen:
                raise self.error(f"{fname}() needs the option '{key}='", n)
        if "unsided" in seen and "side" not in seen:
            raise self.error(f"{fname}(unsided=...) says how to read a side: give side= too", n)
        return Call(fname, valuesets, tuple(options), sig.returns)

    def option(self, fname: str, key: str, value: ast.expr, opt: object) -> Node | bool | str:
        from trialdesk.criteria.signatures import Option

        assert isinstance(opt, Option)
        if opt.type == FLAG:
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                return value.value
            raise self.error(f"{fname}({key}=...) takes True or False", value)
        if opt.type == SIDE:
            if isinstance(value, ast.Name) and value.id in self.names.sides:
                return value.id
            declared = ", ".join(sorted(self.names.sides)) or "none declared"
            what = f"'{value.id}'" if isinstance(value, ast.Name) else "this"
            raise self.error(
                f"{fname}({key}=...): {what} is not a side parameter of the study"
                f" (participant.yaml: {declared})",
                value,
            )
        if opt.type == "choice":
            if isinstance(value, ast.Constant) and value.value in opt.choices:
                return str(value.value)
            raise self.error(f"{fname}({key}=...) takes one of {', '.join(opt.choices)}", value)
        if opt.type is Type.VALUESET:
            return self.valueset(value)
        node = self.expr(value)
        assert isinstance(opt.type, Type)
        self.expect(node, opt.type, value)
        return node

    def valueset(self, n: ast.expr) -> str:
        if isinstance(n, ast.Name) and n.id in self.names.valuesets:
            return n.id
        if isinstance(n, ast.Name):
            raise self.error(f"unknown value set '{n.id}'", n)
        raise self.error("expected a value set name here", n)

    def duration(self, n: ast.Call, unit: str) -> Node:
        if (
            n.keywords
            or len(n.args) != 1
            or not isinstance(n.args[0], ast.Constant)
            or not isinstance(n.args[0].value, int)
            or isinstance(n.args[0].value, bool)
            or n.args[0].value < 0
        ):
            raise self.error(f"{unit}() takes one whole number, e.g. {unit}(3)", n)
        return Duration(int(n.args[0].value), unit)

    def window(self, n: ast.Call) -> Node:
        if n.keywords or len(n.args) != 2:
            raise self.error("window(start, end) takes two dates", n)
        start, end = self.expr(n.args[0]), self.expr(n.args[1])
        self.expect(start, Type.DATE, n.args[0])
        self.expect(end, Type.DATE, n.args[1])
        return Window(start, end)

    def before(self, n: ast.Call) -> Node:
        """``before(baseline, months(3))``: the inclusive range from date - duration to date."""
        if n.keywords or len(n.args) != 2:
            raise self.error("before(date, duration) takes a date and a duration", n)
        end, span = self.expr(n.args[0]), self.expr(n.args[1])
        self.expect(end, Type.DATE, n.args[0])
        self.expect(span, Type.DURATION, n.args[1])
        return Window(Arith("-", end, span, Type.DATE), end)
