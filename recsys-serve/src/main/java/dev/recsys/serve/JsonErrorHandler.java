package dev.recsys.serve;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (a request line or URI it cannot parse, headers too large, a request refused
 * while stopping) as {@code {"error": …, "status": …}} instead of Jetty's HTML page, never with a
 * stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, RecsysServer.JSON_TYPE);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, RecsysServer.JSON_TYPE);
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int code, String message) {
        String m = switch (code) {
            case 400 ->
                "bad request: the HTTP request line, URI or headers could not be parsed ("
                        + (message == null ? "malformed" : message) + ")";
            case 413 -> "request body too large";
            case 414 -> "request URI too long";
            case 431 -> "request headers too large";
            case 503 -> "the server is shutting down; retry on another instance";
            default -> message == null ? "HTTP error " + code : message;
        };
        return RecsysServer.errorJson(code, m);
    }
}
