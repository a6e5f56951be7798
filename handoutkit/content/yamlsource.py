"""Reading YAML files into located nodes, safely.

Content is written by clinic staff, so the loader is strict where PyYAML is
lenient: it composes nodes (keeping line and column marks) instead of
constructing Python objects, so no tag can run code; it refuses anchors and
aliases (which allow exponential "billion laughs" documents); and it turns
every syntax error into one :class:`ContentError` with file, line and column.
Interpreting scalars (YAML 1.1's ``no`` → False, ``1:30`` → 90) is left to
:mod:`handoutkit.content.schema`, which knows what type each field expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import yaml

from handoutkit.errors import ContentError, Location

CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
MAX_FILE_BYTES = 1_000_000  # a handout section is a few KB; anything this big is a mistake
MAX_DEPTH = 20  # content nests 5 levels deep at most; PyYAML recurses per level (10,000 deep: RecursionError)


class _ContentChecks:
    """Composing rules for content: aliases refused, nesting depth limited (mixed into both loaders)."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                           event.start_mark)
            try:
                return self._compose_alias_checked(parent, index)
            finally:
                self._depth -= 1
        return self._compose_alias_checked(parent, index)

    def _compose_alias_checked(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (&name / *name) are not allowed in content", event.start_mark
            )
        return super().compose_node(parent, index)


class _ContentLoader(_ContentChecks, yaml.SafeLoader):
    """SafeLoader that composes only, rejects aliases and limits nesting depth."""


try:  # libyaml's scanner and parser, with the same Python composer and checks on top
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python loader does everything
    _CParser = None

if _CParser is not None:
    class _FastContentLoader(_ContentChecks, yaml.composer.Composer, _CParser, yaml.resolver.Resolver):
        """:class:`_ContentLoader` with libyaml reading the events: about 8x faster on a library.

        Only events come from C (the composer, the alias and depth checks and
        the tag resolution are the Python ones), so a valid document gives
        the same nodes, marks included.  Any error is reported by running the
        pure-Python loader again, so messages are the same whichever parsed.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_scalar_node(self, anchor):  # type: ignore[override]
            node = super().compose_scalar_node(anchor)
            if node.style == "":  # libyaml's plain style; the schema reads None as "not quoted"
                node.style = None
            return node


def display_path(path: Path, root: Optional[Path] = None) -> str:
    """The path as shown in messages: relative to ``root`` (or the cwd) when possible."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def mark_location(file: str, mark) -> Location:
    """A PyYAML mark (0-based) as a 1-based :class:`Location`."""
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def compose_file(path: Path, shown: str) -> Optional[yaml.Node]:
    """Read ``path`` and return its root node (None for an empty document).

    Raises :class:`ContentError` for unreadable files, bad encodings, syntax
    errors, several documents in one file, and aliases.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContentError(Location(shown), "", "file not found") from None
    except OSError as exc:
        raise ContentError(Location(shown), "", f"cannot read file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(Location(shown), "", f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                           "split the content into several section files")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(Location(shown, line), "", "file is not UTF-8 text",
                           "save the file as UTF-8 in your editor") from None
    return compose_text(text, shown)


def compose_text(text: str, shown: str) -> Optional[yaml.Node]:
    """Compose one YAML document from ``text``; ``shown`` names it in errors."""
    if _CParser is not None:
        fast = None
        try:
            fast = _FastContentLoader(text)
            node = fast.get_single_node()
        except (yaml.YAMLError, ValueError):
            pass  # the pure-Python loader below finds it again and words the message
        else:
            if node is not None:
                _reject_foreign_tags(node, shown)
            return node
        finally:
            if fast is not None:
                fast.dispose()
    loader = None
    try:
        loader = _ContentLoader(text)  # the reader checks characters here, before any parsing
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise ContentError(Location(shown, line, column), "",
                           f"character U+{exc.character:04X} is not allowed in YAML text",
                           "delete the invisible control character (copying from a PDF or Word can add them)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "YAML syntax error"
        hint = _syntax_hint(problem, exc.context)
        raise ContentError(mark_location(shown, mark), "", f"YAML syntax error: {problem}", hint) from None
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise ContentError(Location(shown), "", f"YAML error: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is not None:
        _reject_foreign_tags(node, shown)
    return node


def _reject_foreign_tags(root: yaml.Node, shown: str) -> None:
    """Refuse explicit tags outside YAML's core schema anywhere in the document.

    Composing never constructs objects, so a ``!!python/object`` tag cannot
    run code here; it is still refused, loudly, because content carrying one
    is either a mistake or an attack, and another tool might construct it.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag not in CORE_TAGS:
            raise ContentError(mark_location(shown, node.start_mark), "",
                               f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed in content",
                               "remove the '!' tag and write plain text") from None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _syntax_hint(problem: str, context: Optional[str]) -> str:
    if "tab" in problem or "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "text containing ': ' must be put in quotes"
    if "found character" in problem and "cannot start any token" in problem:
        return "text starting with a special character (` @ % ...) must be put in quotes"
    if "aliases" in problem:
        return "write the value out in full"
    if "nested" in problem:
        return "content needs only a few levels of indentation; check for stray '- ' or '[' characters"
    if context and "quoted" in context:
        return "check that every opening quote has a closing quote"
    return "check the indentation and quotes on this line and the one above"
