package org.ocfcloudbridge.ops;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses the daemon may connect to when it calls a URL someone else gave it: everything but loopback,
 * unspecified, link-local, private, shared, unique-local, multicast and the other special-purpose ranges (RFC 6890 and
 * its updates), including the IPv6 forms that carry one of those IPv4 addresses inside (mapped, compatible, NAT64,
 * 6to4) — unless one of the allowed networks holds the address. Pure: the names are resolved elsewhere, and what is
 * judged here is the address that is then connected to.
 */
public final class AddressPolicy {

    private record Rule(Cidr network, String what) {
    }

    /** First match wins: the narrow ranges come before the wide ones they lie in. */
    private static final List<Rule> IPV4 = List.of(
            rule("0.0.0.0/32", "an unspecified address"),
            rule("0.0.0.0/8", "a this-network (0.0.0.0/8) address"),
            rule("127.0.0.0/8", "a loopback address"),
            rule("10.0.0.0/8", "a private (RFC 1918) address"),
            rule("172.16.0.0/12", "a private (RFC 1918) address"),
            rule("192.168.0.0/16", "a private (RFC 1918) address"),
            rule("100.64.0.0/10", "a shared (RFC 6598) address"),
            rule("169.254.0.0/16", "a link-local address"),
            rule("192.0.0.0/24", "an IETF protocol (192.0.0.0/24) address"),
            rule("192.0.2.0/24", "a documentation address"),
            rule("198.51.100.0/24", "a documentation address"),
            rule("203.0.113.0/24", "a documentation address"),
            rule("192.88.99.0/24", "a reserved (6to4 relay) address"),
            rule("198.18.0.0/15", "a benchmarking address"),
            rule("224.0.0.0/4", "a multicast address"),
            rule("255.255.255.255/32", "a broadcast address"),
            rule("240.0.0.0/4", "a reserved (240.0.0.0/4) address"));

    private static final List<Rule> IPV6 = List.of(
            rule("::/128", "an unspecified address"),
            rule("::1/128", "a loopback address"),
            rule("64:ff9b:1::/48", "a local-use NAT64 address"),
            rule("100::/64", "a discard-only address"),
            rule("2001:db8::/32", "a documentation address"),
            rule("2001::/23", "an IETF protocol (2001::/23) address"),
            rule("3fff::/20", "a documentation address"),
            rule("5f00::/16", "a segment-routing address"),
            rule("fc00::/7", "a unique-local address"),
            rule("fe80::/10", "a link-local address"),
            rule("fec0::/10", "a site-local address"),
            rule("ff00::/8", "a multicast address"));

    /** IPv6 ranges whose last (or, for 6to4, second to fifth) bytes are an IPv4 address that is what gets reached. */
    // Compiled once: hosts are judged on every outbound request.
    private static final java.util.regex.Pattern NUMERIC_LABEL = java.util.regex.Pattern.compile("\\d+|0[xX][0-9A-Fa-f]*");
    private static final java.util.regex.Pattern DNS_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})");
    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final List<Cidr> allowed;

    public AddressPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    private static Rule rule(String cidr, String what) {
        return new Rule(Cidr.parse(cidr), what);
    }

    public List<Cidr> allowed() {
        return allowed;
    }

    /** Why {@code address} may not be connected to (e.g. "a loopback address"), or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        return refusal(address.getAddress());
    }

    public Optional<String> refusal(byte[] address) {
        byte[] inner = embeddedIpv4(address);
        for (Cidr c : allowed) {
            if (c.contains(address) || inner != null && c.contains(inner)) {
                return Optional.empty();
            }
        }
        if (address.length == 4) {
            return match(IPV4, address);
        }
        Optional<String> own = match(IPV6, address);
        if (own.isPresent()) {
            return own;
        }
        if (inner == null) {
            return Optional.empty();
        }
        String form = MAPPED.contains(address) ? "an IPv4-mapped" : COMPATIBLE.contains(address) ? "an IPv4-compatible"
                : NAT64.contains(address) ? "a NAT64" : "a 6to4";
        Optional<String> carried = match(IPV4, inner);
        if (carried.isPresent()) {
            return Optional.of(form + " form of " + carried.get());
        }
        // Deprecated by RFC 4291 §2.5.5.1: nothing legitimate is reached that way.
        return COMPATIBLE.contains(address) ? Optional.of("a deprecated IPv4-compatible address") : Optional.empty();
    }

    /** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), or {@code null}. */
    static byte[] embeddedIpv4(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        if (MAPPED.contains(a) || COMPATIBLE.contains(a) || NAT64.contains(a)) {
            return java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (SIX_TO_FOUR.contains(a)) {
            return java.util.Arrays.copyOfRange(a, 2, 6);
        }
        return null;
    }

    private static Optional<String> match(List<Rule> rules, byte[] address) {
        for (Rule r : rules) {
            if (r.network().contains(address)) {
                return Optional.of(r.what());
            }
        }
        return Optional.empty();
    }

    /** A URL's host as the policy reads it: an address literal, or a name to resolve. */
    public sealed interface Host permits Literal, Name {
    }

    public record Literal(byte[] address) implements Host {
    }

    public record Name(String name) implements Host {
    }

    /**
     * Reads a URL host ({@code [v6]} in brackets, as {@link java.net.URI#getHost()} gives it). A host whose last label
     * is a number is an IPv4 address to browsers and to C resolvers ({@code 2130706433}, {@code 0x7f.1},
     * {@code 017700000001}, {@code 127.1} are all 127.0.0.1): only plain dotted decimal is taken, never guessed at.
     *
     * @throws IllegalArgumentException saying why the host is not usable
     */
    public static Host host(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.indexOf('%') >= 0) {
                throw new IllegalArgumentException("has an IPv6 host that is not a plain address");
            }
            byte[] a = Cidr.literal(host.substring(1, host.length() - 1));
            if (a == null || a.length != 16) {
                throw new IllegalArgumentException("has an IPv6 host that is not a plain address");
            }
            return new Literal(a);
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        if (NUMERIC_LABEL.matcher(last).matches()) {
            byte[] a = Cidr.dottedDecimal(h);
            if (a == null) {
                throw new IllegalArgumentException("spells an IPv4 address other than in dotted decimal (a.b.c.d)");
            }
            return new Literal(a);
        }
        if (!DNS_NAME.matcher(h).matches()) {
            throw new IllegalArgumentException("has a host that is not a DNS name");
        }
        return new Name(h);
    }
}
