"""Command-line layer: the commands, their progress and terminal output, and the doctor."""
