-- 0012: snoozed conversations wake at their time (issue 19); the maintenance step looks
-- them up by time, so it reads only the snoozed ones. Shipped: never edit.
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE status = 'snoozed';
