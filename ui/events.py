"""How the page's events are wired.

Named outputs: a handler returns a ``NamedTuple`` whose fields are its output components
by name (Gradio takes a tuple as one value per output, in order), and its event is wired
to the components of the same names by :func:`components`, so a value cannot reach the
wrong component. ``SKIP`` leaves a component as it is.

Lanes: the queue an event waits in (:class:`Lane`), so that an upload never holds up an
answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import gradio as gr
from gradio.components import Component

# What ``gr.skip()`` returns: an update that leaves the component as it is.
Skip = dict[str, str]
# One for every handler: Gradio reads updates and never changes them.
SKIP: Skip = gr.skip()


def components(fields: Sequence[str], **by_name: Component) -> list[Component]:
    """The output components of an event whose handler returns a ``NamedTuple`` with
    ``fields`` (its ``_fields``), in that order: ``by_name`` names a component for each
    field, and nothing else."""
    if set(by_name) != set(fields):
        raise ValueError(f"the outputs are {', '.join(fields)}, not {', '.join(by_name)}")
    return [by_name[name] for name in fields]


def download(path: str | None, label: str) -> gr.DownloadButton:
    """A download button's new value (disabled while there is nothing to download)."""
    return gr.DownloadButton(label=label, value=path, interactive=path is not None)


class Lane(TypedDict):
    """The queue lane of an event, as keyword arguments of a Gradio event listener: the
    events of one lane share its workers."""

    concurrency_id: str
    concurrency_limit: int
