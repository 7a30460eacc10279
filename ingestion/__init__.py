"""Ingestion: source profiles map regional exports onto the contracts; files load exactly once."""
