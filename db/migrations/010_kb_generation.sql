-- 010: the knowledge-base generation, bumped by triggers in the writing
-- transaction itself. Readers keep what they derive from the articles in
-- memory (the vocabulary of the typo correction, the lengths, states and
-- categories of the ranking, src/store/store_kbrank.c) and rebuild it
-- when the generation they read differs: every write that changes the
-- index, the state or the category must bump it, whatever the code path.
-- Views and votes leave it alone.
INSERT INTO settings (key, value) VALUES ('kb.generation', '1')
    ON CONFLICT (key) DO NOTHING;
CREATE TRIGGER kb_gen_ai AFTER INSERT ON kb_articles BEGIN
	UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
	    WHERE key = 'kb.generation';
END;
CREATE TRIGGER kb_gen_ad AFTER DELETE ON kb_articles BEGIN
	UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
	    WHERE key = 'kb.generation';
END;
CREATE TRIGGER kb_gen_au AFTER UPDATE OF lang, title, category, state,
    keywords, tags, symptom, problem, solution ON kb_articles BEGIN
	UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
	    WHERE key = 'kb.generation';
END;

-- What the ranking keeps of each article, read by one index-only scan per
-- language when the generation changes (19 ms -> 4 ms at 10,000 articles).
CREATE INDEX kb_articles_rank ON kb_articles (lang, id, state, category);
