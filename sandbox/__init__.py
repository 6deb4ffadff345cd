"""opco-sandbox: a stateful sandbox of the CFA–OPCO exchange API."""

__version__ = "0.1.0"
