"""Scheduled KPI briefings by e-mail: each recipient's region, language and the warehouse's as-of stamp.

config (recipients and schedules, YAML) → content (queries of the published warehouse, per scope)
→ render (HTML + text + CSV + PNG charts) → deliver (ledger, SMTP or outbox through safelake.notify).
"""
