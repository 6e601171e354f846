-- The front desk: an answer edited in one language leaves the other languages to be brought up to
-- date; each of them is listed here (with the language and time of the edit) until it is saved too
-- (issue 17, point 10).
CREATE TABLE answer_followups (
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (lang, topic)
);
