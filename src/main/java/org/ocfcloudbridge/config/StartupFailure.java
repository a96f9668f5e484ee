package org.ocfcloudbridge.config;

import io.smallrye.config.ConfigValidationException;

import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns whatever stopped start-up into one readable line, naming the configuration key when there is one. */
public final class StartupFailure {

    private static final Pattern MESSAGE_CODE = Pattern.compile("\\b[A-Z]{2,8}\\d{3,6}: ");
    private static final Pattern EXCEPTION_PREFIX = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ");
    private static final Pattern CONVERSION = Pattern.compile(
            "The config property (\\S+) with the config value (\".*?\") threw an Exception whilst being converted:? ?(.*)");
    private static final Pattern UNKNOWN_KEY = Pattern.compile("(\\S+) in \\S+ does not map to any root");
    private static final String URL_KEY = "quarkus.datasource.jdbc.url";
    private static final String KIND_KEY = "quarkus.datasource.db-kind";
    private static final int MAX_LENGTH = 600;

    private StartupFailure() {
    }

    public static String describe(Throwable failure) {
        return describe(failure, StartupFailure::configValue);
    }

    static String describe(Throwable failure, Function<String, Optional<String>> config) {
        Set<String> problems = new LinkedHashSet<>();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigValidationException validation) {
                for (int i = 0; i < validation.getProblemCount(); i++) {
                    problems.add(clean(validation.getProblem(i).getMessage()));
                }
                break;
            }
            if (t instanceof BridgeConfigException bad) {
                problems.add(bad.getMessage());
                break;
            }
        }
        if (problems.isEmpty()) {
            database(failure, config).ifPresent(problems::add);
        }
        if (problems.isEmpty()) {
            problems.add(clean(rootMessage(failure)));
        }
        String line = String.join("; ", new ArrayList<>(problems));
        return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "…" : line;
    }

    /** Database trouble named with the URL (options and credentials cut off) and the driver's own first line. */
    private static Optional<String> database(Throwable failure, Function<String, Optional<String>> config) {
        SQLException deepest = null;
        boolean inactiveDataSource = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                deepest = sql;
            }
            String m = t.getMessage();
            inactiveDataSource |= m != null && m.contains("Bean is not active") && m.contains("AgroalDataSource");
        }
        Optional<String> url = config.apply(URL_KEY).map(StartupFailure::redact);
        if (deepest != null) {
            String why = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : firstLine(deepest.getMessage());
            String hint = url.filter(u -> u.startsWith("jdbc:h2:file:")).isPresent() ? " (check bridge.data-dir)" : "";
            return Optional.of("cannot use the database " + url.orElse("(no URL)") + ": " + why + hint);
        }
        if (inactiveDataSource && url.isEmpty()) {
            String kind = config.apply(KIND_KEY).orElse("?");
            return Optional.of(URL_KEY + " is not set: this build is for " + kind
                    + " and needs a database URL (environment QUARKUS_DATASOURCE_JDBC_URL, see README)");
        }
        return Optional.empty();
    }

    /** JDBC URLs may carry passwords in their options: keep the part before them. */
    static String redact(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', ';'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return url.substring(0, cut).replaceAll("//[^/@]*@", "//");
    }

    private static Optional<String> configValue(String key) {
        try {
            return ConfigProvider.getConfig().getOptionalValue(key, String.class);
        } catch (RuntimeException unavailable) {
            return Optional.empty();
        }
    }

    private static String rootMessage(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        // The deepest cause with a message says what really happened ("Connection refused"); the outer ones say
        // where. Keep the outermost that names something and the root.
        Throwable root = chain.get(chain.size() - 1);
        String rootText = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        for (Throwable t : chain) {
            String m = t.getMessage();
            if (t != root && m != null && !m.isBlank() && !m.contains(rootText) && !m.startsWith("java.")
                    && !m.startsWith("Failed to start quarkus")) {
                return firstLine(m) + ": " + firstLine(rootText);
            }
        }
        return firstLine(rootText);
    }

    private static String firstLine(String s) {
        String trimmed = s.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }

    private static String clean(String message) {
        String one = message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
        one = EXCEPTION_PREFIX.matcher(MESSAGE_CODE.matcher(one).replaceAll("")).replaceAll("");
        Matcher conversion = CONVERSION.matcher(one);
        if (conversion.matches()) {
            // Our range and form checks (Checked) say what the value must be: the key and that read as one sentence.
            if (conversion.group(3).startsWith("must ")) {
                return conversion.group(1) + " " + conversion.group(3) + " (got " + conversion.group(2) + ")";
            }
            return conversion.group(1) + " has an invalid value " + conversion.group(2) + ": " + conversion.group(3);
        }
        Matcher unknown = UNKNOWN_KEY.matcher(one);
        if (unknown.matches()) {
            return unknown.group(1) + " is not a known setting (misspelt?)";
        }
        return one;
    }
}
