package dev.recsys.api;

/** Bad input data: a malformed line, an unknown id, an empty history. Names file and line. */
public class DataException extends RecsysException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A malformed line: {@code file:line: what was expected, what was found}. */
    public static DataException atLine(String file, long line, String problem) {
        return new DataException(file + ":" + line + ": " + problem);
    }
}
