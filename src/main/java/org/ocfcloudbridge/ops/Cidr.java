package org.ocfcloudbridge.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP network in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}); a bare address is a network of that one
 * address. Parsing is strict (dotted decimal IPv4 only, no bits set beyond the prefix) so that a typo in a setting that
 * opens networks fails at start instead of opening something else.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty network");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException(t + " is not an IPv4 or IPv6 network (like 10.0.0.0/8 or fd00::/8)");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException(t + " has a prefix length that is not 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        Cidr c = new Cidr(bytes, prefix);
        if (!Arrays.equals(bytes, c.masked(bytes))) {
            throw new IllegalArgumentException(t + " has bits set beyond its prefix length (the network is "
                    + c.canonicalNetwork() + "/" + prefix + ")");
        }
        return c;
    }

    /**
     * The bytes of an IP address literal: dotted decimal IPv4 (four numbers 0 to 255, no leading zeros) or IPv6 (an
     * IPv4-mapped one kept as 16 bytes); {@code null} for anything else. Never asks a name service.
     */
    public static byte[] literal(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return dottedDecimal(text);
        }
        // Only hex digits, colons and dots get to InetAddress: with those it parses a literal and never resolves a name.
        if (!text.matches("[0-9A-Fa-f:.]{2,45}")) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            byte[] b = a.getAddress();
            if (b.length == 4) {
                // Java reads ::ffff:a.b.c.d as the IPv4 address; the network asked for is the 16-byte one.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(b, 0, mapped, 12, 4);
                return mapped;
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * Four decimal numbers 0 to 255 without leading zeros, or {@code null}. Read by hand: this runs on every outbound
     * request, where split and matches compiled two regular expressions each time (4–8% of all allocation in a profile).
     */
    static byte[] dottedDecimal(String text) {
        byte[] b = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return null; // a leading zero: octal in some parsers, so refused rather than guessed
                }
                value = (digits == 0 ? 0 : value) * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && part < 4) {
                b[part++] = (byte) value;
                digits = 0;
                value = -1;
            } else {
                return null;
            }
        }
        return part == 4 ? b : null;
    }

    public boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(network, masked(address));
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    public int prefix() {
        return prefix;
    }

    /** Whether this is an IPv4 network. */
    public boolean ipv4() {
        return network.length == 4;
    }

    private byte[] masked(byte[] address) {
        byte[] m = address.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] &= (byte) (0xff << (8 - keep));
        }
        return m;
    }

    private String canonicalNetwork() {
        try {
            return InetAddress.getByAddress(masked(network)).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    @Override
    public String toString() {
        return canonicalNetwork() + "/" + prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }
}
