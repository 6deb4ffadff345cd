"""`python -m sandbox` is `opco-sandbox`."""

from sandbox.cli import app

app()
