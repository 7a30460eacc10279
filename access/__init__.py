"""Access: who may read what. The policy (scoped, suppressed views of the published warehouse), users and
sessions, and the one read API that the dashboards and the e-mails share."""
