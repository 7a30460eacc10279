"""SafeLake's core: settings, errors, contracts, reference data, the lake and its locks."""
