"""The Label Studio labeling config (XML) for one level of a schema.

The contract with the studio bridge (names from :mod:`curation.studio.contract`, which loads
no Label Studio code): a right-to-left root ``View``; the object tag is
``<Text name="text" value="$text"/>``; article tasks also show ``$title``, sentence tasks the
article's ``$title`` and the ``$before``/``$after`` sentences; a family with a stance target
shows ``$target``; every control is named after its family with ``toName="text"``. Choice and
label ``value`` attributes are the schema's machine values, so Label Studio results carry
``politics`` / ``PER`` directly; annotators see the Arabic name through the ``html`` attribute
(HTML-escaped, then XML-escaped by the tree writer).

The XML is written with the standard library, as the SDK's ``label_interface.create`` writes it
(same elements, same indentation): importing that module loads the SDK's whole label interface,
0.6 s of CPU in every `curation push` that creates a project. Label Studio checks the config it is
given (a refused one is a one-line error); tests/schema/test_studio_config.py parses it with the
SDK's ``LabelInterface`` and has a real server accept it.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.dom import minidom

from curation.studio.contract import AFTER_KEY, BEFORE_KEY, OBJECT_NAME, TARGET_KEY, TEXT_KEY, TITLE_KEY, variable

if TYPE_CHECKING:
    from curation.schema.model import Label, LabelFamily, Schema

# (tag, attributes, children): the tuple form of label_studio_sdk.label_interface.create.
Element = tuple[str, dict[str, str], tuple["Element", ...]]

ROOT_STYLE = "direction: rtl; text-align: right; font-size: 1.05em; line-height: 1.8"
# The sentences around a sentence task: smaller and grey, read but not annotated.
CONTEXT_CLASS = "curation-context"
CONTEXT_CSS = (
    f".{CONTEXT_CLASS}, .{CONTEXT_CLASS} * {{color: #777 !important; font-size: 0.9rem !important; "
    "font-weight: normal !important; line-height: 1.6 !important; margin: 0.2em 0 !important}"
)
GUIDE_TITLE = "دليل التوسيم"
TARGET_CAPTION = "الهدف:"
EXAMPLE_CAPTION = "مثال:"
REQUIRED_MESSAGE = "هذا السؤال مطلوب: {title}"


def _hint(label: Label) -> str:
    return f"{label.description} {EXAMPLE_CAPTION} {label.example}"


def _choice(label: Label) -> Element:
    attrs = {"value": label.value, "html": html.escape(label.ar), "hint": _hint(label), "hotkey": label.hotkey}
    return ("Choice", attrs, ())


def _span_label(label: Label) -> Element:
    attrs = {
        "value": label.value,
        "html": html.escape(label.ar),
        "hint": _hint(label),
        "hotkey": label.hotkey,
        "background": label.color,
    }
    return ("Label", attrs, ())


def _choices(family: LabelFamily) -> Element:
    """A titled block with the stance target (if any) above the choices."""
    attrs = {
        "name": family.name,
        "toName": OBJECT_NAME,
        "choice": "multiple" if family.multiple else "single-radio",
        "showInline": "true",
        "required": "true" if family.required else "false",
    }
    if family.required:
        attrs["requiredMessage"] = REQUIRED_MESSAGE.format(title=family.title)
    children: list[Element] = [("Header", {"value": family.title, "size": "4"}, ())]
    if family.target is not None:
        children.append(
            (
                "View",
                {"style": "display: flex; gap: 0.5em"},
                (
                    ("Header", {"value": TARGET_CAPTION, "size": "5"}, ()),
                    ("Header", {"value": variable(TARGET_KEY), "size": "5"}, ()),
                ),
            )
        )
    children.append(("Choices", attrs, tuple(_choice(label) for label in family.labels)))
    return ("View", {}, tuple(children))


def _labels(family: LabelFamily) -> Element:
    attrs = {"name": family.name, "toName": OBJECT_NAME, "choice": "single", "showInline": "true"}
    return ("Labels", attrs, tuple(_span_label(label) for label in family.labels))


def _guide(families: list[LabelFamily]) -> Element:
    """The guidelines, folded away under the task so they do not push the text down."""
    lines: list[Element] = []
    for family in families:
        heading = f"{family.title}: {family.guideline}" if family.guideline else family.title
        lines.append(("Header", {"value": heading, "size": "5"}, ()))
        for label in family.labels:
            text = f"{label.ar} ({label.value}) [{label.hotkey}]: {_hint(label)}"
            lines.append(("Header", {"value": text, "size": "6"}, ()))
    return ("Collapse", {}, (("Panel", {"value": GUIDE_TITLE}, (("View", {}, tuple(lines)),)),))


def _context(value: str) -> Element:
    """A read-only line of context (a neighbouring sentence) around the text to annotate."""
    return ("View", {"className": CONTEXT_CLASS}, (("Header", {"value": value, "size": "6"}, ()),))


def _tree(element: Element, parent: ET.Element | None = None) -> ET.Element:
    """The element and its children as an ElementTree, attributes in the order given."""
    tag, attrs, children = element
    node = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    for child in children:
        _tree(child, node)
    return node


def _pretty(root: ET.Element) -> str:
    """Indented by two spaces, without the XML declaration (what the SDK's ``tree_to_string`` gives)."""
    return minidom.parseString(ET.tostring(root, "utf-8")).toprettyxml(indent="  ").replace('<?xml version="1.0" ?>\n', "")


def _text_object(span: LabelFamily | None) -> Element:
    """The text annotators read. Span families use their ``granularity`` (``symbol`` in news.yaml
    so that attached Arabic clitics can be left out of a name); without spans text selection is
    off, so that a stray drag cannot create an empty region."""
    attrs = {"name": OBJECT_NAME, "value": variable(TEXT_KEY)}
    if span is not None:
        attrs["granularity"] = span.granularity
    else:
        attrs["selectionEnabled"] = "false"
    return ("Text", attrs, ())


def _task_view(level: str, span: LabelFamily | None) -> list[Element]:
    """What a task shows above its questions, top to bottom."""
    text = _text_object(span)
    labels = [_labels(span)] if span is not None else []
    if level == "sentence":  # read-only context: the article's title, the sentences before and after
        title = ("Header", {"value": variable(TITLE_KEY), "size": "5"}, ())
        return [title, *labels, _context(variable(BEFORE_KEY)), text, _context(variable(AFTER_KEY))]
    headline = [("Header", {"value": variable(TITLE_KEY), "size": "3"}, ())] if level == "article" else []
    return [*headline, *labels, text]


def label_config(schema: Schema, level: str) -> str:
    """The XML for ``level``; raises ValueError if the schema asks nothing at that level."""
    families = schema.families(level)
    if not families:
        raise ValueError(
            f"schema {schema.name} v{schema.version} asks nothing at {level!r} level (it has: {', '.join(schema.levels)})"
        )
    children = _task_view(level, schema.span_family(level))
    children.extend(_choices(family) for family in families if family.kind == "choice")
    children.append(_guide(families))
    root = _tree(("View", {"style": ROOT_STYLE}, tuple(children)))
    if level == "sentence":
        style = ET.Element("Style")
        style.text = CONTEXT_CSS
        root.insert(0, style)
    return _pretty(root)
