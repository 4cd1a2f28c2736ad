"""The headless subcommands: the engine with a progress bar, or JSON for scripts."""
