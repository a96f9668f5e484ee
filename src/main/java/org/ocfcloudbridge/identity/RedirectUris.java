package org.ocfcloudbridge.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which redirect URIs a client may register, and authorize may send a browser to: {@code http} or {@code https} with a
 * host, or a private-use scheme of a native app (RFC 8252 §7.1: a reverse domain name, so it has a dot, e.g.
 * {@code com.example.app:/cb}). Everything else a browser would run or open itself ({@code javascript:}, {@code data:},
 * {@code file:}, {@code blob:}, …) is refused; none of those names has a dot.
 */
public final class RedirectUris {

    /** RFC 3986 scheme syntax, at least two dot-separated labels. */
    private static final Pattern PRIVATE_USE = Pattern.compile("[a-z][a-z0-9+-]*(\\.[a-z][a-z0-9+-]*)+");

    private RedirectUris() {
    }

    /** Why {@code uri} is not an acceptable redirect URI, or empty when it is. */
    public static Optional<String> problem(String uri) {
        if (uri == null || uri.isBlank()) {
            return Optional.of("redirect URI must not be empty");
        }
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return Optional.of("redirect URI must be absolute and without fragment: " + uri);
        }
        if (!u.isAbsolute() || u.getRawFragment() != null || uri.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("redirect URI must be absolute and without fragment: " + uri);
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            if (u.getRawAuthority() == null || u.getHost() == null || u.getRawUserInfo() != null) {
                return Optional.of("an http(s) redirect URI needs a host and no user info: " + uri);
            }
            return Optional.empty();
        }
        if (PRIVATE_USE.matcher(scheme).matches()) {
            return Optional.empty();
        }
        return Optional.of("redirect URI scheme must be http, https or a private-use scheme in reverse domain form"
                + " such as com.example.app (RFC 8252 §7.1): " + uri);
    }
}
