"""The Library screen (the app's home) and what only it uses: its messages and its styles."""
