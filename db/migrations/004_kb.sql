-- 004: the knowledge base (FAQ articles), their revisions, votes, reader
-- feedback, links, the log of fruitless searches and the full-text index.
-- The index uses the "bouncedesk" FTS5 tokenizer (src/kb/fts.c), which the
-- store registers on every connection: this file cannot run without it.

CREATE TABLE kb_articles (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,	-- stable: /faq/<id>
	lang		TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
	translation_of	INTEGER REFERENCES kb_articles (id)
			    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	title		TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
	category	TEXT NOT NULL DEFAULT 'General',	-- "Hosting::Mail"
	state		TEXT NOT NULL DEFAULT 'public'
			    CHECK (state IN ('public', 'internal')),
	keywords	TEXT NOT NULL DEFAULT '',		-- free words
	tags		TEXT NOT NULL DEFAULT '',		-- "a,b": diagnosis links
	symptom		TEXT NOT NULL DEFAULT '',		-- Markdown
	problem		TEXT NOT NULL DEFAULT '',		-- Markdown
	solution	TEXT NOT NULL DEFAULT '',		-- Markdown
	created_at	INTEGER NOT NULL DEFAULT (unixepoch()),
	created_by	TEXT NOT NULL DEFAULT 'system',
	changed_at	INTEGER NOT NULL DEFAULT (unixepoch()),
	changed_by	TEXT NOT NULL DEFAULT 'system',
	views		INTEGER NOT NULL DEFAULT 0,
	votes_yes	INTEGER NOT NULL DEFAULT 0,
	votes_no	INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX kb_articles_lang ON kb_articles (lang, state, changed_at);
CREATE INDEX kb_articles_views ON kb_articles (lang, state, views);
CREATE INDEX kb_articles_translation ON kb_articles (translation_of);

-- One tag per row, so that a diagnosis reason finds its articles fast.
CREATE TABLE kb_article_tags (
	tag		TEXT NOT NULL,
	article_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE,
	PRIMARY KEY (tag, article_id)
) STRICT, WITHOUT ROWID;

-- Every edit keeps the version it wrote (the first one included).
CREATE TABLE kb_revisions (
	id		INTEGER PRIMARY KEY,
	article_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE,
	title		TEXT NOT NULL,
	category	TEXT NOT NULL,
	state		TEXT NOT NULL,
	keywords	TEXT NOT NULL,
	tags		TEXT NOT NULL,
	symptom		TEXT NOT NULL,
	problem		TEXT NOT NULL,
	solution	TEXT NOT NULL,
	changed_at	INTEGER NOT NULL,
	changed_by	TEXT NOT NULL
) STRICT;
CREATE INDEX kb_revisions_article ON kb_revisions (article_id, id);

-- One vote per visitor (a keyed hash, never the address itself).
CREATE TABLE kb_votes (
	article_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE,
	visitor		TEXT NOT NULL,
	helpful		INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	created_at	INTEGER NOT NULL DEFAULT (unixepoch()),
	PRIMARY KEY (article_id, visitor)
) STRICT, WITHOUT ROWID;

-- What a reader who voted "no" said was missing.
CREATE TABLE kb_feedback (
	id		INTEGER PRIMARY KEY,
	article_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE,
	comment		TEXT NOT NULL CHECK (length(comment) <= 2000),
	created_at	INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;
CREATE INDEX kb_feedback_article ON kb_feedback (article_id, id);

-- Explicit "see also" links.
CREATE TABLE kb_related (
	article_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	related_id	INTEGER NOT NULL REFERENCES kb_articles (id)
			    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	PRIMARY KEY (article_id, related_id)
) STRICT, WITHOUT ROWID;

-- Searches that found nothing, normalised (folded words, addresses
-- removed), counted; for staff to see what is missing.
CREATE TABLE kb_search_misses (
	query		TEXT NOT NULL,
	lang		TEXT NOT NULL,
	hits		INTEGER NOT NULL DEFAULT 1,
	first_at	INTEGER NOT NULL DEFAULT (unixepoch()),
	last_at		INTEGER NOT NULL DEFAULT (unixepoch()),
	PRIMARY KEY (query, lang)
) STRICT, WITHOUT ROWID;

-- The full-text index: one FTS5 table per language, because the tokenizer
-- stems in the language it is given. External content: the text lives
-- once, in kb_articles, seen through these views.
CREATE VIEW kb_fts_src_fr AS
    SELECT id, title, keywords || ' ' || replace(tags, ',', ' ') AS keywords,
	symptom || char(10) || problem || char(10) || solution AS body
    FROM kb_articles WHERE lang = 'fr';
CREATE VIEW kb_fts_src_en AS
    SELECT id, title, keywords || ' ' || replace(tags, ',', ' ') AS keywords,
	symptom || char(10) || problem || char(10) || solution AS body
    FROM kb_articles WHERE lang = 'en';
CREATE VIRTUAL TABLE kb_fts_fr USING fts5 (title, keywords, body,
    content = 'kb_fts_src_fr', content_rowid = 'id',
    tokenize = 'bouncedesk french');
CREATE VIRTUAL TABLE kb_fts_en USING fts5 (title, keywords, body,
    content = 'kb_fts_src_en', content_rowid = 'id',
    tokenize = 'bouncedesk english');
-- The indexed terms with their document counts (typo correction).
CREATE VIRTUAL TABLE kb_vocab_fr USING fts5vocab (kb_fts_fr, row);
CREATE VIRTUAL TABLE kb_vocab_en USING fts5vocab (kb_fts_en, row);

-- Keep the index in step. An external-content delete must repeat the
-- old values exactly as they were indexed.
CREATE TRIGGER kb_fts_ai_fr AFTER INSERT ON kb_articles
    WHEN new.lang = 'fr' BEGIN
	INSERT INTO kb_fts_fr (rowid, title, keywords, body) VALUES (new.id,
	    new.title, new.keywords || ' ' || replace(new.tags, ',', ' '),
	    new.symptom || char(10) || new.problem || char(10) ||
	    new.solution);
END;
CREATE TRIGGER kb_fts_ai_en AFTER INSERT ON kb_articles
    WHEN new.lang = 'en' BEGIN
	INSERT INTO kb_fts_en (rowid, title, keywords, body) VALUES (new.id,
	    new.title, new.keywords || ' ' || replace(new.tags, ',', ' '),
	    new.symptom || char(10) || new.problem || char(10) ||
	    new.solution);
END;
CREATE TRIGGER kb_fts_ad_fr AFTER DELETE ON kb_articles
    WHEN old.lang = 'fr' BEGIN
	INSERT INTO kb_fts_fr (kb_fts_fr, rowid, title, keywords, body)
	    VALUES ('delete', old.id, old.title,
	    old.keywords || ' ' || replace(old.tags, ',', ' '),
	    old.symptom || char(10) || old.problem || char(10) ||
	    old.solution);
END;
CREATE TRIGGER kb_fts_ad_en AFTER DELETE ON kb_articles
    WHEN old.lang = 'en' BEGIN
	INSERT INTO kb_fts_en (kb_fts_en, rowid, title, keywords, body)
	    VALUES ('delete', old.id, old.title,
	    old.keywords || ' ' || replace(old.tags, ',', ' '),
	    old.symptom || char(10) || old.problem || char(10) ||
	    old.solution);
END;
-- One trigger for updates, so that the old entry is removed before the
-- new one is added (separate triggers would fire in no promised order).
CREATE TRIGGER kb_fts_au AFTER UPDATE OF lang, title, keywords, tags,
    symptom, problem, solution ON kb_articles BEGIN
	INSERT INTO kb_fts_fr (kb_fts_fr, rowid, title, keywords, body)
	    SELECT 'delete', old.id, old.title,
	    old.keywords || ' ' || replace(old.tags, ',', ' '),
	    old.symptom || char(10) || old.problem || char(10) ||
	    old.solution WHERE old.lang = 'fr';
	INSERT INTO kb_fts_en (kb_fts_en, rowid, title, keywords, body)
	    SELECT 'delete', old.id, old.title,
	    old.keywords || ' ' || replace(old.tags, ',', ' '),
	    old.symptom || char(10) || old.problem || char(10) ||
	    old.solution WHERE old.lang = 'en';
	INSERT INTO kb_fts_fr (rowid, title, keywords, body) SELECT new.id,
	    new.title, new.keywords || ' ' || replace(new.tags, ',', ' '),
	    new.symptom || char(10) || new.problem || char(10) ||
	    new.solution WHERE new.lang = 'fr';
	INSERT INTO kb_fts_en (rowid, title, keywords, body) SELECT new.id,
	    new.title, new.keywords || ' ' || replace(new.tags, ',', ' '),
	    new.symptom || char(10) || new.problem || char(10) ||
	    new.solution WHERE new.lang = 'en';
END;

-- Revisions: the insert and every edit of the content keep a copy.
CREATE TRIGGER kb_rev_ai AFTER INSERT ON kb_articles BEGIN
	INSERT INTO kb_revisions (article_id, title, category, state, keywords,
	    tags, symptom, problem, solution, changed_at, changed_by)
	    VALUES (new.id, new.title, new.category, new.state, new.keywords,
	    new.tags, new.symptom, new.problem, new.solution, new.changed_at,
	    new.changed_by);
END;
CREATE TRIGGER kb_rev_au AFTER UPDATE OF title, category, state, keywords,
    tags, symptom, problem, solution ON kb_articles BEGIN
	INSERT INTO kb_revisions (article_id, title, category, state, keywords,
	    tags, symptom, problem, solution, changed_at, changed_by)
	    VALUES (new.id, new.title, new.category, new.state, new.keywords,
	    new.tags, new.symptom, new.problem, new.solution, new.changed_at,
	    new.changed_by);
END;
