package dev.qvit.sessions;


/**
 * {@code session.json}: what the folder is. The id is the folder's name (safe characters only: a copied and
 * renamed folder is known by its new name); the name is free
 * text the user gives and changes, never used as a path.
 */
public record SessionInfo(String format, int schemaVersion, String id, String name, String created) {
    public static final String FORMAT = "qvit-session";
    public static final int SCHEMA_VERSION = 1;

    public SessionInfo withName(String newName) {
        return new SessionInfo(format, schemaVersion, id, newName, created);
    }
}
