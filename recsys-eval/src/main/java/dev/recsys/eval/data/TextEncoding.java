package dev.recsys.eval.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encoding checks for metadata files. The original MovieLens {@code u.item} and {@code movies.dat}
 * are ISO-8859-1; copies found in the wild are sometimes re-encoded to UTF-8, and decoding those
 * as ISO-8859-1 would silently turn "Misérables" into "MisÃ©rables". {@link #latin1OrUtf8(Path)}
 * tells them apart: a file whose non-ASCII bytes all form valid UTF-8 sequences is (with
 * overwhelming likelihood) UTF-8, since ISO-8859-1 text almost never happens to be valid UTF-8.
 */
public final class TextEncoding {
    private static final Logger LOG = LoggerFactory.getLogger(TextEncoding.class);

    private TextEncoding() {}

    /** What the bytes of a file look like. */
    public enum Kind {
        /** Only bytes 0..127. */
        ASCII,
        /** Non-ASCII bytes that all form valid UTF-8 sequences. */
        UTF8,
        /** Non-ASCII bytes that are not valid UTF-8 (e.g. ISO-8859-1). */
        NOT_UTF8
    }

    /** Classifies {@code bytes}. */
    public static Kind classify(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return Kind.ASCII;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return Kind.UTF8;
        } catch (CharacterCodingException e) {
            return Kind.NOT_UTF8;
        }
    }

    /**
     * The charset to read a file that the format declares ISO-8859-1: ISO-8859-1, unless its bytes
     * are valid UTF-8 with non-ASCII content (then UTF-8, with a warning).
     */
    public static Charset latin1OrUtf8(Path file) throws IOException {
        Kind k = classify(Files.readAllBytes(DataPaths.requireFile(file, "a text file")));
        if (k == Kind.UTF8) {
            LOG.warn(
                    "{} is declared ISO-8859-1 but its bytes are valid UTF-8 (a re-encoded copy?); reading it as UTF-8",
                    file);
            return StandardCharsets.UTF_8;
        }
        return StandardCharsets.ISO_8859_1;
    }
}
