package dev.recsys.serve;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop HTTP/1.1 load test: {@code connections} threads each keep one connection open and
 * send one request at a time (cycling through the given bodies) until {@code duration} has passed
 * or {@code maxRequests} have been sent, whichever comes first. Meant for loopback addresses.
 *
 * <p>The client is a blocking socket per connection that writes pre-encoded requests and reads
 * the status line, the headers and the body (by {@code Content-Length} or chunked), no more. It
 * replaced the JDK's {@code HttpClient}, whose selector and executor threads took about a fifth of
 * the CPU of a run on a two-core machine where client and server share the cores (docs/RESULTS.md,
 * "The load generator"), so that the numbers measure the server rather than the client.
 */
public final class LoadGenerator {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private LoadGenerator() {}

    /**
     * @param requests        requests answered (any status)
     * @param failed          answers other than 200 plus transport errors
     * @param byStatus        answers by HTTP status
     * @param transportErrors requests that got no answer (connection refused, reset, client timeout)
     * @param seconds         wall time of the run
     * @param latencyMillis   sorted latencies of the answered requests
     */
    public record Result(
            long requests,
            long failed,
            Map<Integer, Long> byStatus,
            long transportErrors,
            double seconds,
            double[] latencyMillis) {
        public double perSecond() {
            return requests / seconds;
        }

        /** The q-quantile of the latencies (nearest rank), 0 when none. */
        public double quantile(double q) {
            if (latencyMillis.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * latencyMillis.length) - 1;
            return latencyMillis[Math.max(0, Math.min(latencyMillis.length - 1, i))];
        }

        public double max() {
            return latencyMillis.length == 0 ? 0 : latencyMillis[latencyMillis.length - 1];
        }

        /** Runs one after another as one: counts and wall times added, latencies merged. */
        public static Result combined(List<Result> runs) {
            long requests = 0;
            long failed = 0;
            long transport = 0;
            double seconds = 0;
            Map<Integer, Long> statuses = new TreeMap<>();
            int n = 0;
            for (Result r : runs) {
                requests += r.requests;
                failed += r.failed;
                transport += r.transportErrors;
                seconds += r.seconds;
                r.byStatus.forEach((k, v) -> statuses.merge(k, v, Long::sum));
                n += r.latencyMillis.length;
            }
            double[] lat = new double[n];
            int at = 0;
            for (Result r : runs) {
                System.arraycopy(r.latencyMillis, 0, lat, at, r.latencyMillis.length);
                at += r.latencyMillis.length;
            }
            Arrays.sort(lat);
            return new Result(requests, failed, statuses, transport, seconds, lat);
        }
    }

    /**
     * Runs the load.
     *
     * @param target      the http URL each request is POSTed to
     * @param bodies      JSON bodies, used in turn
     * @param connections concurrent clients, &gt;= 1
     * @param duration    how long at most
     * @param maxRequests how many at most
     */
    public static Result run(URI target, List<String> bodies, int connections, Duration duration, long maxRequests)
            throws InterruptedException {
        return run(target, bodies, connections, duration, maxRequests, 0);
    }

    /**
     * Runs the load, each client closing its connection and opening a new one after every
     * {@code reconnectEvery} answers (0 = keep it open). New connections take paths through the
     * server (and its JIT-compiled code) that kept-alive ones never do.
     *
     * @param reconnectEvery answers per connection before it is replaced, &gt;= 0
     */
    public static Result run(
            URI target, List<String> bodies, int connections, Duration duration, long maxRequests, int reconnectEvery)
            throws InterruptedException {
        if (connections < 1 || maxRequests < 1 || bodies.isEmpty() || reconnectEvery < 0) {
            throw new IllegalArgumentException("connections and maxRequests must be >= 1, bodies non-empty and"
                    + " reconnectEvery >= 0, found " + connections + ", " + maxRequests + ", " + bodies.size() + ", "
                    + reconnectEvery);
        }
        if (!"http".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("the load generator speaks plain http to a host, found " + target);
        }
        InetSocketAddress address =
                new InetSocketAddress(target.getHost(), target.getPort() < 0 ? 80 : target.getPort());
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (target.getRawQuery() != null) {
            path += "?" + target.getRawQuery();
        }
        byte[][] encoded = new byte[bodies.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = request(path, address, bodies.get(i));
        }
        AtomicLong tickets = new AtomicLong();
        LongAdder transport = new LongAdder();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            parts.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                int answered = 0;
                Connection conn = null;
                try {
                    while (System.nanoTime() < end) {
                        long t = tickets.getAndIncrement();
                        if (t >= maxRequests) {
                            break;
                        }
                        byte[] r = encoded[(int) (t % encoded.length)];
                        long s = System.nanoTime();
                        try {
                            if (conn == null) {
                                conn = new Connection(address);
                                answered = 0;
                            }
                            int status = conn.exchange(r);
                            long e = System.nanoTime() - s;
                            statuses.computeIfAbsent(status, k -> new LongAdder())
                                    .increment();
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = e;
                            answered++;
                            if (conn.closeAfter || (reconnectEvery > 0 && answered % reconnectEvery == 0)) {
                                conn.close();
                                conn = null;
                            }
                        } catch (IOException e) {
                            transport.increment();
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                        }
                    }
                } finally {
                    if (conn != null) {
                        conn.close();
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        pool.shutdown();
        List<long[]> all = new ArrayList<>();
        try {
            for (Future<long[]> f : parts) {
                all.add(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int total = all.stream().mapToInt(a -> a.length).sum();
        double[] ms = new double[total];
        int i = 0;
        for (long[] a : all) {
            for (long v : a) {
                ms[i++] = v / 1e6;
            }
        }
        Arrays.sort(ms);
        Map<Integer, Long> by = new TreeMap<>();
        statuses.forEach((k, v) -> by.put(k, v.sum()));
        long ok = by.getOrDefault(200, 0L);
        return new Result(total, total - ok + transport.sum(), by, transport.sum(), seconds, ms);
    }

    private static byte[] request(String path, InetSocketAddress address, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + b.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return all;
    }

    /** One kept-alive HTTP/1.1 connection: a request out, its answer read and dropped. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final StringBuilder line = new StringBuilder(128);
        private final byte[] skip = new byte[8192];
        boolean closeAfter;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.connect(address, 5000);
            out = new BufferedOutputStream(socket.getOutputStream(), 16384);
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        /** Sends the request and reads its whole answer; returns the status. */
        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = readLine();
            // "HTTP/1.1 200 OK"
            int sp = status.indexOf(' ');
            if (!status.startsWith("HTTP/1.") || sp < 0 || status.length() < sp + 4) {
                throw new IOException("not an HTTP answer: " + status);
            }
            int code = Integer.parseInt(status.substring(sp + 1, sp + 4));
            long length = -1;
            boolean chunked = false;
            closeAfter = status.startsWith("HTTP/1.0");
            for (String h = readLine(); !h.isEmpty(); h = readLine()) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" ->
                        chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                    default -> {}
                }
            }
            if (chunked) {
                for (long size = chunk(); size > 0; size = chunk()) {
                    discard(size);
                    readLine();
                }
                for (String t = readLine(); !t.isEmpty(); t = readLine()) {
                    // trailers
                }
            } else if (length >= 0) {
                discard(length);
            } else {
                closeAfter = true; // the body runs to the end of the connection
                while (in.read(skip) >= 0) {
                    // drain
                }
            }
            return code;
        }

        private long chunk() throws IOException {
            String s = readLine();
            int semi = s.indexOf(';');
            return Long.parseLong((semi < 0 ? s : s.substring(0, semi)).trim(), 16);
        }

        private void discard(long n) throws IOException {
            while (n > 0) {
                int r = in.read(skip, 0, (int) Math.min(skip.length, n));
                if (r < 0) {
                    throw new IOException("connection closed in the middle of an answer");
                }
                n -= r;
            }
        }

        private String readLine() throws IOException {
            line.setLength(0);
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed before the end of the answer's head");
                }
                if (c == '\n') {
                    int last = line.length() - 1;
                    if (last >= 0 && line.charAt(last) == '\r') {
                        line.setLength(last);
                    }
                    return line.toString();
                }
                line.append((char) c);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to keep
            }
        }
    }
}
