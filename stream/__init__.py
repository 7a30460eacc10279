"""The live path: NATS JetStream → validated, pseudonymised, group-committed into the lake, exactly once."""
