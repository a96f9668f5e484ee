package org.ocfcloudbridge.identity;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/** OAuth2 scope strings (space-separated, RFC 6749 §3.3). */
public final class Scopes {

    public static final String ADMIN = "admin";

    private Scopes() {
    }

    public static Set<String> parse(String scope) {
        if (scope == null || scope.isBlank()) {
            return new LinkedHashSet<>();
        }
        return Arrays.stream(scope.trim().split("\\s+")).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public static String format(Collection<String> scopes) {
        return String.join(" ", scopes);
    }
}
