"""The declared content schema and the converter from YAML nodes to model values.

Each field of each file type is declared once, here, as a :class:`Spec`; the
same declarations validate content and generate ``docs/content-format.md``.
Conversion never stops at the first problem: every error is collected with
its ``file:line:col`` and a dotted path such as ``exercises[3].dose.sets``.

Scalars are interpreted by the type the field expects, not by YAML 1.1's
resolver, but the resolver's guesses are used to catch its traps: an
unquoted ``no`` where text is expected, ``1:30`` (which YAML reads as 90), a
date where text is expected.  Those are errors with the fix in the hint.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Optional, Sequence

import yaml

from handoutkit.errors import ContentError, Location, plural
from handoutkit.content.model import Text
from handoutkit.content.yamlsource import mark_location

TAG = "tag:yaml.org,2002:"
INVALID = object()  # a value that failed validation; its error is already recorded


class Context:
    """Collects errors while converting one file."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.errors: list[ContentError] = []

    def where(self, node: yaml.Node) -> Location:
        return mark_location(self.shown, node.start_mark)

    def error(self, node: Optional[yaml.Node], path: str, message: str, hint: Optional[str] = None) -> object:
        where = self.where(node) if node is not None else Location(self.shown)
        self.errors.append(ContentError(where, path, message, hint))
        return INVALID


def describe(node: yaml.Node) -> str:
    """A short, human description of what a node holds, for 'expected X, got Y'."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping (key: value lines)"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == TAG + "null":
        return "nothing"
    return repr(node.value)


class Spec:
    """How one value is checked and converted.  ``kind`` names it in docs and errors."""

    kind = "value"

    def convert(self, node: yaml.Node, ctx: Context, path: str) -> Any:
        raise NotImplementedError

    def doc(self) -> str:
        return self.kind


# ----------------------------------------------------------------------------- scalars


def _yaml11_trap(node: yaml.ScalarNode) -> Optional[tuple[str, str]]:
    """A (message, hint) pair when a plain scalar would be misread by YAML 1.1."""
    if node.style is not None:  # quoted or block scalars are always text
        return None
    value = node.value
    if node.tag == TAG + "bool":
        return (f"{value!r} is read by YAML as a yes/no value, not text",
                f'put it in quotes: "{value}"')
    if node.tag in (TAG + "int", TAG + "float") and ":" in value:
        return (f"{value!r} is read by YAML as a base-60 number, not text",
                f'put it in quotes: "{value}"')
    if node.tag == TAG + "timestamp":
        return (f"{value!r} is read by YAML as a date, not text", f'put it in quotes: "{value}"')
    return None


@dataclass
class Str(Spec):
    """Text: a non-empty string, optionally limited in length or by a pattern."""

    max_len: Optional[int] = None
    pattern: Optional[str] = None
    pattern_hint: str = ""
    kind: str = "text"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode):
            return ctx.error(node, path, f"expected {self.kind}, got {describe(node)}")
        if node.tag == TAG + "null" and node.style is None:
            return ctx.error(node, path, f"expected {self.kind}, got nothing",
                             "a value starting with # is a comment in YAML: put colours like \"#1B4F72\" in quotes")
        trap = _yaml11_trap(node)
        if trap:
            return ctx.error(node, path, trap[0], trap[1])
        value = node.value.strip()
        if not value:
            return ctx.error(node, path, f"{self.kind} is empty")
        if self.max_len is not None and len(value) > self.max_len:
            return ctx.error(node, path, f"is {len(value)} characters long; the limit is {self.max_len}",
                             "shorten it")
        if self.pattern and not re.fullmatch(self.pattern, value):
            return ctx.error(node, path, f"{value!r} is not a valid {self.kind}", self.pattern_hint or None)
        # Fold the line breaks of YAML block scalars into spaces: layouts wrap text themselves.
        value = " ".join(value.split()) if "\n" in value else value
        return Text(value, ctx.where(node))

    def doc(self):
        extra = f", at most {self.max_len} characters" if self.max_len else ""
        return self.kind + extra


@dataclass
class Int(Spec):
    """A whole number within [minimum, maximum]."""

    minimum: Optional[int] = None
    maximum: Optional[int] = None
    kind: str = "whole number"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode):
            return ctx.error(node, path, f"expected a whole number, got {describe(node)}")
        value = node.value.strip()
        if node.style is None and ":" in value and node.tag in (TAG + "int", TAG + "float"):
            return ctx.error(node, path, f"{value!r} is read by YAML as a base-60 number",
                             "write a whole number, e.g. seconds as 90, not 1:30")
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            got = "text " + repr(value) if node.style is not None else repr(value)
            return ctx.error(node, path, f"expected a whole number, got {got}",
                             "remove the quotes" if node.style is not None and value.isdigit() else None)
        if node.style is not None:
            return ctx.error(node, path, f"expected a whole number, got text {value!r}", "remove the quotes")
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            return ctx.error(node, path, f"must be at least {self.minimum}, got {number}")
        if self.maximum is not None and number > self.maximum:
            return ctx.error(node, path, f"must be at most {self.maximum}, got {number}")
        return number

    def doc(self):
        bounds = []
        if self.minimum is not None:
            bounds.append(f"≥ {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"≤ {self.maximum}")
        return self.kind + (f" ({', '.join(bounds)})" if bounds else "")


@dataclass
class Bool(Spec):
    kind: str = "true or false"

    def convert(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("true", "false"):
            return node.value == "true"
        return ctx.error(node, path, f"expected true or false, got {describe(node)}")


@dataclass
class Date(Spec):
    kind: str = "date (YYYY-MM-DD)"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode):
            return ctx.error(node, path, f"expected a date like 2026-11-26, got {describe(node)}")
        try:
            return date.fromisoformat(node.value.strip())
        except ValueError:
            return ctx.error(node, path, f"expected a date like 2026-11-26, got {node.value!r}",
                             "write dates as year-month-day")


@dataclass
class Choice(Spec):
    choices: Sequence[str] = ()
    kind: str = "one of"

    def convert(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode) and node.value in self.choices:
            return node.value
        got = describe(node)
        return ctx.error(node, path, f"expected one of {', '.join(self.choices)}; got {got}",
                         did_you_mean(getattr(node, "value", ""), self.choices))

    def doc(self):
        return "one of: " + ", ".join(f"`{c}`" for c in self.choices)


# ----------------------------------------------------------------------------- containers


@dataclass
class ListOf(Spec):
    item: Spec = field(default_factory=Str)
    min_items: int = 0
    max_items: Optional[int] = None
    kind: str = "list"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.SequenceNode):
            hint = "start each item on its own line with '- '" if isinstance(node, yaml.ScalarNode) else None
            return ctx.error(node, path, f"expected a list, got {describe(node)}", hint)
        n = len(node.value)
        if n < self.min_items:
            return ctx.error(node, path, f"needs at least {plural(self.min_items, 'item')}, has {n}")
        if self.max_items is not None and n > self.max_items:
            return ctx.error(node, path, f"has {n} items; at most {self.max_items} fit", "split or shorten the list")
        values = [self.item.convert(child, ctx, f"{path}[{i + 1}]") for i, child in enumerate(node.value)]
        return INVALID if any(v is INVALID for v in values) else values

    def doc(self):
        count = ""
        if self.min_items and self.max_items:
            count = f" of {self.min_items}–{self.max_items}"
        elif self.min_items:
            count = f" of at least {self.min_items}"
        elif self.max_items:
            count = f" of at most {self.max_items}"
        return f"list{count} × {self.item.doc()}"


@dataclass
class Field:
    name: str
    spec: Spec
    required: bool = True
    doc: str = ""
    default: Any = None


def did_you_mean(word: str, options: Sequence[str]) -> Optional[str]:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


@dataclass
class Record(Spec):
    """A mapping with declared fields, converted by ``build(**values)``."""

    name: str = "mapping"
    fields: Sequence[Field] = ()
    build: Optional[Callable[..., Any]] = None
    doc_text: str = ""
    kind: str = "mapping"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path or "(top)", f"expected a {self.name} (key: value lines), got {describe(node)}")
        by_name = {f.name: f for f in self.fields}
        seen: dict[str, yaml.Node] = {}
        values: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            key_path = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key_node.tag != TAG + "str":
                ctx.error(key_node, path or "(top)", f"keys must be plain words, got {describe(key_node)}")
                ok = False
                continue
            if key in seen:
                first = seen[key].start_mark.line + 1
                ctx.error(key_node, key_path, f"duplicate key {key!r} (first set on line {first})",
                          "YAML keeps only the last one silently: remove or rename one")
                ok = False
                continue
            seen[key] = key_node
            spec_field = by_name.get(key)
            if spec_field is None:
                hint = did_you_mean(key, list(by_name)) or f"allowed keys: {', '.join(by_name)}"
                ctx.error(key_node, key_path, f"unknown key {key!r}", hint)
                ok = False
                continue
            value = spec_field.spec.convert(value_node, ctx, key_path)
            if value is INVALID:
                ok = False
            else:
                values[key] = value
        for f in self.fields:
            if f.name not in seen:
                if f.required:
                    ctx.error(node, f"{path}.{f.name}" if path else f.name, "missing required field",
                              f"add '{f.name}:' with {f.doc or f.spec.doc()}")
                    ok = False
                elif f.default is not None:
                    values[f.name] = f.default
        if not ok:
            return INVALID
        values["__where__"] = ctx.where(node)
        # where each key was written, for checks that span fields (e.g. dates in order)
        values["__marks__"] = {k.value: ctx.where(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        return self.build(values) if self.build else values

    def doc(self):
        return self.name


@dataclass
class OneOf(Spec):
    """A one-key mapping whose key picks the variant, e.g. ``- paragraph: text``."""

    variants: dict[str, Spec] = field(default_factory=dict)
    wrap: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    kind: str = "block"

    def convert(self, node, ctx, path):
        names = ", ".join(self.variants)
        if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
            return ctx.error(node, path, f"expected a one-key mapping naming the {self.kind} type ({names}), got {describe(node)}",
                             "write e.g. '- paragraph: Your text'")
        key_node, value_node = node.value[0]
        key = getattr(key_node, "value", None)
        spec = self.variants.get(key)
        if spec is None:
            return ctx.error(key_node, f"{path}.{key}", f"unknown {self.kind} type {key!r}",
                             did_you_mean(key, list(self.variants)) or f"use one of: {names}")
        value = spec.convert(value_node, ctx, f"{path}.{key}")
        return INVALID if value is INVALID else self.wrap[key](value)


@dataclass
class StrOrRecord(Spec):
    """Either a bare string (shorthand) or the full record."""

    short: Spec = field(default_factory=Str)
    full: Spec = field(default_factory=Record)
    from_short: Callable[[Any], Any] = lambda v: v

    def convert(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode):
            value = self.short.convert(node, ctx, path)
            return INVALID if value is INVALID else self.from_short(value)
        return self.full.convert(node, ctx, path)

    def doc(self):
        return f"{self.short.doc()} or {self.full.doc()}"
