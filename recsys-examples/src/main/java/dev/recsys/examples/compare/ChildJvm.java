package dev.recsys.examples.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts a main class in a child JVM with this JVM's class path, memory and system-property
 * settings and environment, so that a backend's memory is measured on its own. The child's
 * standard output and error are merged and passed on line by line.
 */
final class ChildJvm {
    /** Outcome: exit code and the last lines the child printed. */
    record Result(int exitCode, List<String> lastLines) {}

    /** System-property prefixes passed on to the child with their current values. */
    static final List<String> FORWARDED = List.of("org.slf4j.", "ai.djl.", "recsys.", "org.bytedeco.", "org.nd4j.");

    private ChildJvm() {}

    /** The java command line for {@code mainClass args}. */
    static List<String> command(Class<?> mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Map<String, String> props = new LinkedHashMap<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // memory settings and -D properties carry over; agents, debuggers and module patches do not
            if (a.startsWith("-Xmx")
                    || a.startsWith("-Xms")
                    || a.startsWith("-Xss")
                    || a.startsWith("-XX:MaxDirectMemorySize")) {
                cmd.add(a);
            } else if (a.startsWith("-D") && !a.startsWith("-Djava.class.path")) {
                int eq = a.indexOf('=');
                props.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
            }
        }
        // settings made at run time (log level, engine options) carry over too
        for (String k : System.getProperties().stringPropertyNames()) {
            for (String prefix : FORWARDED) {
                if (k.startsWith(prefix)) {
                    props.put(k, System.getProperty(k));
                }
            }
        }
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        return cmd;
    }

    /** Runs the child to completion, passing each output line to {@code lines}. */
    static Result run(Class<?> mainClass, List<String> args, Consumer<String> lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(mainClass, args)).redirectErrorStream(true);
        Process p = pb.start();
        Deque<String> last = new ArrayDeque<>();
        boolean done = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.accept(line);
                last.addLast(line);
                if (last.size() > 20) {
                    last.removeFirst();
                }
            }
            done = true;
        } finally {
            if (!done) {
                p.destroyForcibly();
            }
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the child JVM", e);
            }
        }
        return new Result(p.exitValue(), List.copyOf(last));
    }
}
