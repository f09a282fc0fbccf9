"""Allow `python -m portfolio_reports`."""

from portfolio_reports.cli import main

main()
