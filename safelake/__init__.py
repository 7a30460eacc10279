"""SafeLake: the data platform behind a national public-safety action plan."""
