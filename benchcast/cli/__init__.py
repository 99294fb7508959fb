"""The `benchcast` command: one module per command group, mounted in `main`."""
