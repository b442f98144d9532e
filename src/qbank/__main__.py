"""``python -m qbank`` runs the CLI (through the launcher, as the ``qbank`` script does)."""

from ._launch import main

main()
