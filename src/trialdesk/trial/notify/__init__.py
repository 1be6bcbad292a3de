"""The alert outbox: messages written in the same transaction as the change they tell of
(a serious adverse event), delivered by e-mail over SMTP by a worker, exactly once."""
