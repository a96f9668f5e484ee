package org.ocfcloudbridge.ops;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound address policy on addresses and URL hosts alone: nothing here resolves a name or opens a connection
 * (the HTTP client's side is {@code OutboundHttpPolicyTest}).
 */
class AddressPolicyTest {

    static final AddressPolicy DEFAULT = new AddressPolicy(List.of());

    /** The policy's answer for a URL host as {@link java.net.URI} spells it; a name gives "name". */
    static String judge(AddressPolicy policy, String host) {
        AddressPolicy.Host h;
        try {
            h = AddressPolicy.host(host);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (h instanceof AddressPolicy.Name) {
            return "name";
        }
        return policy.refusal(((AddressPolicy.Literal) h).address()).orElse("allowed");
    }

    @Test
    void everyAddressSpellingOfTheIssueAndItsRelativesIsRefusedByDefault() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("127.0.0.1", "a loopback address");
        expected.put("127.255.255.254", "a loopback address");
        expected.put("0.0.0.0", "an unspecified address");
        expected.put("0.1.2.3", "a this-network (0.0.0.0/8) address");
        expected.put("2130706433", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("0x7f.1", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("0x7f000001", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("017700000001", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("0177.0.0.1", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("127.1", "spells an IPv4 address other than in dotted decimal (a.b.c.d)");
        expected.put("127.0.0.1.", "a loopback address");
        expected.put("169.254.169.254", "a link-local address");
        expected.put("10.0.0.1", "a private (RFC 1918) address");
        expected.put("172.16.0.1", "a private (RFC 1918) address");
        expected.put("172.31.255.255", "a private (RFC 1918) address");
        expected.put("192.168.1.1", "a private (RFC 1918) address");
        expected.put("100.64.0.1", "a shared (RFC 6598) address");
        expected.put("224.0.0.1", "a multicast address");
        expected.put("239.255.255.250", "a multicast address");
        expected.put("255.255.255.255", "a broadcast address");
        expected.put("240.0.0.1", "a reserved (240.0.0.0/4) address");
        expected.put("192.0.0.170", "an IETF protocol (192.0.0.0/24) address");
        expected.put("192.0.2.1", "a documentation address");
        expected.put("198.18.0.1", "a benchmarking address");
        expected.put("[::]", "an unspecified address");
        expected.put("[::1]", "a loopback address");
        expected.put("[0:0:0:0:0:0:0:1]", "a loopback address");
        expected.put("[fd00:ec2::254]", "a unique-local address");
        expected.put("[fc00::1]", "a unique-local address");
        expected.put("[fe80::1]", "a link-local address");
        expected.put("[fec0::1]", "a site-local address");
        expected.put("[ff02::1]", "a multicast address");
        expected.put("[2001:db8::1]", "a documentation address");
        expected.put("[::ffff:127.0.0.1]", "an IPv4-mapped form of a loopback address");
        expected.put("[::ffff:7f00:1]", "an IPv4-mapped form of a loopback address");
        expected.put("[::ffff:169.254.169.254]", "an IPv4-mapped form of a link-local address");
        expected.put("[::ffff:a00:1]", "an IPv4-mapped form of a private (RFC 1918) address");
        expected.put("[::127.0.0.1]", "an IPv4-compatible form of a loopback address");
        expected.put("[::8.8.8.8]", "a deprecated IPv4-compatible address");
        expected.put("[64:ff9b::a9fe:a9fe]", "a NAT64 form of a link-local address");
        expected.put("[2002:7f00:1::]", "a 6to4 form of a loopback address");
        expected.put("[fe80::1%25eth0]", "has an IPv6 host that is not a plain address");
        expected.put("[::ffff:127.0.0.1", "has an IPv6 host that is not a plain address");
        expected.put("", "has no host");
        expected.put(null, "has no host");
        expected.put("exa mple", "has a host that is not a DNS name");
        expected.forEach((host, why) -> assertEquals(why, judge(DEFAULT, host), host));
    }

    @Test
    void publicAddressesAndNamesPass() {
        for (String host : List.of("93.184.216.34", "8.8.8.8", "1.1.1.1", "[2606:4700::1111]", "[::ffff:8.8.8.8]",
                "[64:ff9b::808:808]", "[2002:808:808::1]", "172.32.0.1", "100.128.0.1", "11.0.0.1")) {
            assertEquals("allowed", judge(DEFAULT, host), host);
        }
        // Names are resolved elsewhere and the address judged then; here they are only names.
        for (String host : List.of("localhost", "metadata.google.internal", "example.com", "localhost.", "a-1.b_2.example")) {
            assertInstanceOf(AddressPolicy.Name.class, AddressPolicy.host(host), host);
        }
    }

    @Test
    void allowedNetworksOpenExactlyTheirRangesAndTheIpv6FormsOfThem() {
        AddressPolicy loopback = new AddressPolicy(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
        for (String host : List.of("127.0.0.1", "127.9.9.9", "[::1]", "[::ffff:127.0.0.1]", "[::127.0.0.1]")) {
            assertEquals("allowed", judge(loopback, host), host);
        }
        assertEquals("an unspecified address", judge(loopback, "0.0.0.0"), "0.0.0.0 is not loopback");
        assertEquals("a private (RFC 1918) address", judge(loopback, "10.0.0.1"));
        assertEquals("a link-local address", judge(loopback, "169.254.169.254"));
        assertEquals("spells an IPv4 address other than in dotted decimal (a.b.c.d)", judge(loopback, "2130706433"),
                "an odd spelling stays refused even where its address is allowed");

        AddressPolicy lab = new AddressPolicy(List.of(Cidr.parse("10.20.0.0/16"), Cidr.parse("fd00:1::/32")));
        assertEquals("allowed", judge(lab, "10.20.3.4"));
        assertEquals("a private (RFC 1918) address", judge(lab, "10.21.0.1"));
        assertEquals("allowed", judge(lab, "[fd00:1:2::3]"));
        assertEquals("a unique-local address", judge(lab, "[fd00:2::3]"));
        assertEquals("a loopback address", judge(lab, "127.0.0.1"));
    }

    @Test
    void networksAreReadStrictly() {
        assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
        assertEquals("1.2.3.4/32", Cidr.parse(" 1.2.3.4 ").toString());
        assertEquals(128, Cidr.parse("::1").prefix());
        assertEquals(0, Cidr.parse("0.0.0.0/0").prefix());
        assertTrue(Cidr.parse("fd00::/8").contains(Cidr.literal("fdff::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("203.0.113.9")));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("10.0.0.1/8", "has bits set beyond its prefix length (the network is 10.0.0.0/8)");
        bad.put("10.0.0.0/33", "has a prefix length that is not 0 to 32");
        bad.put("fd00::/129", "has a prefix length that is not 0 to 128");
        bad.put("10.0.0.0/", "has a prefix length that is not 0 to 32");
        bad.put("10.0.0.0/-1", "has a prefix length that is not 0 to 32");
        bad.put("010.0.0.0/8", "is not an IPv4 or IPv6 network");
        bad.put("10.0.0/8", "is not an IPv4 or IPv6 network");
        bad.put("localhost/8", "is not an IPv4 or IPv6 network");
        bad.put("fe80::1%eth0/64", "is not an IPv4 or IPv6 network");
        bad.put("", "an empty network");
        bad.forEach((text, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text), text);
            assertTrue(e.getMessage().contains(why), text + ": " + e.getMessage());
        });
    }

    @Test
    void authoritiesGiveTheirHostWithoutPortOrBrackets() {
        assertEquals("127.0.0.1", OutboundPolicy.hostOf("127.0.0.1:8080"));
        assertEquals("0x7f.1", OutboundPolicy.hostOf("0x7f.1:80"));
        assertEquals("[::1]", OutboundPolicy.hostOf("[::1]:80"));
        assertEquals("[::1]", OutboundPolicy.hostOf("[::1]"));
        assertEquals("example.com", OutboundPolicy.hostOf("example.com:"));
        assertEquals(Optional.empty(), Optional.ofNullable(OutboundPolicy.hostOf(null)));
    }
}
