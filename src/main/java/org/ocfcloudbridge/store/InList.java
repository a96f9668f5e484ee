package org.ocfcloudbridge.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;

/**
 * A padded in-list for the plain JDBC hot paths: {@code n} rounded up to a power of two (the last value repeated fills
 * it), so that a batch of any size is one of a few SQL texts, which PostgreSQL keeps prepared per connection and H2
 * per session.
 */
public final class InList {

    private InList() {
    }

    public static int padded(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** {@code ?, ?, …}: {@link #padded} markers for {@code n} values. */
    public static String markers(int n) {
        return String.join(", ", Collections.nCopies(padded(n), "?"));
    }

    /** Binds {@code values} from parameter {@code first} on, padded as {@link #markers}; returns the next index. */
    public static int bind(PreparedStatement ps, int first, List<?> values) throws SQLException {
        int n = padded(values.size());
        for (int i = 0; i < n; i++) {
            ps.setObject(first + i, values.get(Math.min(i, values.size() - 1)));
        }
        return first + n;
    }
}
