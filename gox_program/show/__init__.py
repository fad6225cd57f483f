"""``gox-ref show``: a run's states step by step, in words (``--text``) and as a page.

``model`` records them (one model, which the text and the page both read)."""

from .model import RunModel, Step, record_run

__all__ = ["RunModel", "Step", "record_run"]
