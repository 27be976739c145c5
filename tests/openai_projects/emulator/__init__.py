"""The OpenAI projects emulator service: its store, its endpoints, and the official SDK against it."""
