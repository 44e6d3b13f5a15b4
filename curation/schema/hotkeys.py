"""Keys Label Studio's labelling editor already binds, which a label hotkey must not take.

Taken from the keymap of the Label Studio 1.23.2 web editor as installed (``web/dist/apps/
labelstudio/358.js``, the ``annotation:*``, ``region:*``, ``phrases:*``, ``audio:*``,
``media:*``, ``video:*``, ``image:*`` and ``ts:*`` entries, PC and Mac forms). The image tool
keys (``tool:*``: R, P, B, ...) are only bound when an image is on screen, so they stay free for
text projects. Compared lower-case.
"""

from __future__ import annotations

LABEL_STUDIO_HOTKEYS: dict[str, str] = {
    "ctrl+enter": "submit annotation",
    "command+enter": "submit annotation",
    "ctrl+space": "skip task",
    "alt+enter": "skip task",
    "ctrl+z": "undo",
    "command+z": "undo",
    "ctrl+shift+z": "redo",
    "command+shift+z": "redo",
    "ctrl+backspace": "delete all regions",
    "command+backspace": "delete all regions",
    "enter": "focus region",
    "alt+r": "create relation",
    "alt+h": "hide region",
    "ctrl+h": "hide all regions",
    "command+h": "hide all regions",
    "alt+l": "lock region",
    "alt+m": "region meta",
    "u": "unselect region",
    "escape": "exit region",
    "backspace": "delete region",
    "delete": "delete segment",
    "alt+.": "cycle regions",
    "ctrl+d": "duplicate region",
    "command+d": "duplicate region",
    "ctrl+b": "audio back",
    "command+b": "audio back",
    "ctrl+p": "audio play/pause",
    "command+p": "audio play/pause",
    "alt+a": "audio step back",
    "alt+d": "audio step forward",
    "left": "time series grow/pan",
    "right": "time series grow/pan",
    "alt+left": "media step back",
    "alt+right": "media step forward",
    "shift+left": "time series large step",
    "shift+right": "time series large step",
    "ctrl+alt+space": "media play/pause",
    "ctrl+left": "previous image",
    "ctrl+right": "next image",
    "ctrl+up": "previous phrase",
    "ctrl+down": "next phrase",
    "ctrl+shift+a": "select all and annotate",
    "command+shift+a": "select all and annotate",
}


def reserved_by_label_studio(hotkey: str) -> str | None:
    """What Label Studio does on ``hotkey``, or None when the key is free."""
    return LABEL_STUDIO_HOTKEYS.get(hotkey.strip().lower())
