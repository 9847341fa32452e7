package dev.recsys.api.io;

import dev.recsys.api.RecsysException;

/**
 * Malformed JSON text. The message reads {@code source:line:column: problem}, where the problem
 * says what was expected and what was found.
 */
public class JsonException extends RecsysException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String problem;
    private final String duplicateKey;

    JsonException(String source, int line, int column, String problem, String duplicateKey) {
        super(source + ":" + line + ":" + column + ": " + problem);
        this.source = source;
        this.line = line;
        this.column = column;
        this.problem = problem;
        this.duplicateKey = duplicateKey;
    }

    /** Name of the text that failed (a file name, or {@code <json>}). */
    public String source() {
        return source;
    }

    /** 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** 1-based column (in UTF-16 characters) of the problem. */
    public int column() {
        return column;
    }

    /** The problem without the position. */
    public String problem() {
        return problem;
    }

    /** The repeated key when the problem is a key that occurs twice in one object, else null. */
    public String duplicateKey() {
        return duplicateKey;
    }
}
