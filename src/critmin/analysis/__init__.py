"""Numbers only: frames and dataclasses, no IPython and no Markdown."""
