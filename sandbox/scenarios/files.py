"""Where the bundled scenarios are, and their names (no parsing: the CLI's help reads it)."""

from pathlib import Path


def bundled_dir() -> Path:
    """The scenarios shipped with the package (the repository's `scenarios/`)."""
    here = Path(__file__).resolve().parent.parent  # the sandbox package
    installed = here / "scenario_files"  # where pyproject.toml's package-dir puts them
    return installed if installed.is_dir() else here.parent / "scenarios"


def bundled_names() -> list[str]:
    """The names of the bundled scenarios (`demo`, `refus`…), sorted."""
    return sorted(path.stem for path in bundled_dir().glob("*.yaml"))
