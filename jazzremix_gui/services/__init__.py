"""services layer of Jazz Remix: the app's use cases (no Qt), callable from the CLI, the GUI and tests."""
