-- Default settings; INSERT OR IGNORE keeps what staff changed.
INSERT OR IGNORE INTO settings (key, value) VALUES
	('site.name', 'bouncedesk'),
	('quota.website_per_hour', '1000'),
	('quota.mailbox_messages_per_hour', '60'),
	('quota.mailbox_recipients_per_hour', '120');
INSERT OR IGNORE INTO seed_log (name) VALUES ('001_settings');
