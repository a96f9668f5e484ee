package org.ocfcloudbridge.config;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;
import org.ocfcloudbridge.store.DataFolder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Derives the embedded H2 file database URL from {@code bridge.data-dir} when no JDBC URL is configured, so that an
 * operator sets one folder and nothing else. H2 refuses a relative path that does not start with "./", and a
 * configured folder may be relative: the path is made absolute here.
 */
@Priority(3000)
public class EmbeddedDatabaseUrl implements ConfigSourceInterceptor {

    static final String URL_KEY = "quarkus.datasource.jdbc.url";
    static final String KIND_KEY = "quarkus.datasource.db-kind";
    static final String DATA_DIR_KEY = "bridge.data-dir";
    static final String DEFAULT_DATA_DIR = "data";

    /**
     * H2 in PostgreSQL mode keeps one set of Flyway migrations valid on both databases. H2's own trace file is off:
     * errors reach our log through JDBC, and a trace file it cannot write makes H2 print stack traces on its own.
     * H2 does not close itself at JVM exit: by default its own shutdown hook closes the database while the daemon's
     * stop still records presence and deletes delivered notifications; the datasource closes it last, when its last
     * connection closes (see ops.StopOrder). H2 keeps the parsed plain SELECTs and INSERTs of a connection in a cache
     * of 8 by default, fewer than the statements one hot path runs; 64 per pooled connection holds them (parsing was 13%
     * of the event path's CPU in the profile of 2026-12-05, part of it statements H2 never caches: FOR UPDATE, UPDATE).
     */
    static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;TRACE_LEVEL_FILE=0"
            + ";DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=64";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (value != null || !URL_KEY.equals(name)) {
            return value;
        }
        ConfigValue kind = context.proceed(KIND_KEY);
        if (kind != null && kind.getValue() != null && !"h2".equals(kind.getValue())) {
            return null;
        }
        ConfigValue dir = context.proceed(DATA_DIR_KEY);
        String folder = dir == null || dir.getValue() == null || dir.getValue().isBlank() ? DEFAULT_DATA_DIR : dir.getValue();
        secureBeforeH2Opens(Path.of(folder));
        return ConfigValue.builder()
                .withName(URL_KEY)
                .withValue(h2FileUrl(Path.of(folder)))
                .withConfigSourceName("derived from " + DATA_DIR_KEY)
                .build();
    }

    /**
     * H2 creates its file with the process umask's mode (often 0644) and Java cannot change the umask: a folder made
     * 0700 before the database opens keeps the file out of others' reach from its first byte. Only when the daemon
     * runs, not while it is being built (the build reads configuration too).
     */
    private static void secureBeforeH2Opens(Path folder) {
        if (ExecutionMode.current() == ExecutionMode.UNSET) {
            return;
        }
        try {
            DataFolder.prepare(folder);
        } catch (IOException | RuntimeException e) {
            // H2 reports a folder it cannot use in its own words; the start-up check narrows what it can later.
        }
    }

    public static String h2FileUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("bridge") + H2_OPTIONS;
    }
}
