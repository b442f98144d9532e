"""``python -m qbank`` runs the CLI."""

from .cli import main

main()
