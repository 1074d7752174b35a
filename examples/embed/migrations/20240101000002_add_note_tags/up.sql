CREATE TABLE note_tags (
    note_id INTEGER NOT NULL REFERENCES notes (id),
    tag VARCHAR(100) NOT NULL,
    PRIMARY KEY (note_id, tag)
);
