-- Security review (issue 13): failed logins are audit entries the admins list ("who failed
-- from where"); find them without scanning the whole audit log.

CREATE INDEX audit_log_action ON audit_log(action, id);
