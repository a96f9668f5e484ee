package org.ocfcloudbridge.ops;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Generated networks, addresses and spellings against the CIDR matcher and the address policy. */
class AddressPolicyPropertiesTest {

    static byte[] bytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static String dotted(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    static byte[] mapped(int v) {
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(bytes(v), 0, m, 12, 4);
        return m;
    }

    /** A network holds an address exactly when their first {@code prefix} bits agree. */
    @Property(tries = 3000)
    void anIpv4NetworkHoldsExactlyTheAddressesSharingItsPrefix(@ForAll int network, @ForAll @IntRange(max = 32) int prefix,
                                                               @ForAll int address) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        Cidr c = Cidr.parse(dotted(network & mask) + "/" + prefix);
        assertEquals((network & mask) == (address & mask), c.contains(bytes(address)));
        assertTrue(c.contains(bytes(network)), "a network holds the address it was made from");
        assertFalse(c.contains(mapped(address)), "an IPv4 network never holds a 16-byte address itself");
    }

    /** Only the network address itself may be written with a prefix: anything with host bits is a typo. */
    @Property(tries = 2000)
    void hostBitsBeyondThePrefixAreRefused(@ForAll int address, @ForAll @IntRange(max = 31) int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        String text = dotted(address) + "/" + prefix;
        if ((address & ~mask) == 0) {
            assertEquals(text, Cidr.parse(text).toString());
        } else {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        }
    }

    /** An IPv4 address and its IPv4-mapped IPv6 form are one destination: the policy answers alike for both. */
    @Property(tries = 5000)
    void theMappedFormOfAnAddressIsJudgedLikeTheAddress(@ForAll int address) {
        AddressPolicy p = new AddressPolicy(List.of());
        Optional<String> plain = p.refusal(bytes(address));
        Optional<String> viaMapped = p.refusal(mapped(address));
        assertEquals(plain.isPresent(), viaMapped.isPresent(), dotted(address));
        plain.ifPresent(why -> assertEquals("an IPv4-mapped form of " + why, viaMapped.get()));
    }

    /** Allowing a network opens it and nothing else: outside it the default answer stands. */
    @Property(tries = 3000)
    void anAllowedNetworkOpensOnlyItself(@ForAll("privateAddresses") int inside, @ForAll @IntRange(min = 8, max = 32) int prefix,
                                         @ForAll int other) {
        int mask = -1 << (32 - prefix);
        Cidr opened = Cidr.parse(dotted(inside & mask) + "/" + prefix);
        AddressPolicy p = new AddressPolicy(List.of(opened));
        assertEquals(Optional.empty(), p.refusal(bytes(inside)));
        if (!opened.contains(bytes(other))) {
            assertEquals(new AddressPolicy(List.of()).refusal(bytes(other)), p.refusal(bytes(other)));
        }
    }

    /**
     * Any number written the ways C resolvers and browsers read as an IPv4 address (one decimal, hex or octal number,
     * or fewer than four parts) is never taken for a name to resolve, nor for some other address.
     */
    @Property(tries = 5000)
    void numericSpellingsOtherThanDottedDecimalAreNeverNames(@ForAll int address, @ForAll("spellings") int how) {
        long v = Integer.toUnsignedLong(address);
        String host = switch (how) {
            case 0 -> Long.toString(v);
            case 1 -> "0x" + Long.toHexString(v);
            case 2 -> "0" + Long.toOctalString(v);
            case 3 -> (v >>> 24) + "." + (v & 0xffffff);
            case 4 -> "0x" + Long.toHexString(v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + (v & 0xffff);
            default -> "0" + Long.toOctalString(v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
        };
        assertThrows(IllegalArgumentException.class, () -> AddressPolicy.host(host), host);
    }

    @Provide
    Arbitrary<Integer> spellings() {
        return Arbitraries.integers().between(0, 5);
    }

    @Provide
    Arbitrary<Integer> privateAddresses() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0x0a000000, 0x0affffff),
                Arbitraries.integers().between(0xc0a80000, 0xc0a8ffff), Arbitraries.integers().between(0x7f000000, 0x7fffffff));
    }
}
