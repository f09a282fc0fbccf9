"""Allow `python -m portfolio_reports`."""

from portfolio_reports.cli.commands import main

main()
