"""``python -m kgqa`` runs the command line."""

from kgqa.cli import main

main()
