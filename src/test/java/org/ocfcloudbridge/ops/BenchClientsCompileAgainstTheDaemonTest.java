package org.ocfcloudbridge.ops;

import org.junit.jupiter.api.Test;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench load clients (bench/java) are not in the product jar: the bench scripts compile them against the built
 * daemon (bench/clients.sh). This compiles them against the daemon's classes and libraries here, so that a change to
 * what they use (the device simulator, the signing code, Protocol) fails the build instead of the next bench run.
 */
class BenchClientsCompileAgainstTheDaemonTest {

    @Test
    void theBenchClientsCompileAgainstTheDaemonsClasses() throws Exception {
        Path root = Path.of("bench/java");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() >= 3, "bench sources in " + root.toAbsolutePath());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK, not a JRE, runs the tests");
        Path out = Files.createDirectories(Path.of("target/bench-compile-check"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            // The test class path is the daemon's classes and all its libraries, as target/quarkus-app has them.
            boolean compiled = javac.getTask(null, files, diagnostics, List.of("-proc:none", "-nowarn", "--release", "17", "-d",
                    out.toString(), "-cp", System.getProperty("java.class.path")), null, files.getJavaFileObjectsFromPaths(sources)).call();
            assertTrue(compiled, () -> diagnostics.getDiagnostics().stream().map(Object::toString).collect(Collectors.joining("\n")));
        }
    }
}
