package org.ocfcloudbridge.ocf;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OcfCodecTest {

    private final OcfCodec codec = OcfCodec.get();

    @Test
    void unknownKeysAreKeptAtEveryLevelThroughCborAndJson() {
        String json = """
                {"di":"e61c3e6b-9c54-4b81-8ce5-f9039c1d04d9","ttl":0,"x.vendor":{"a":[1,2.5,"s"]},
                 "links":[{"href":"/light","rt":["oic.r.switch.binary"],"if":["oic.if.a"],"x.org.iotivity.tcp":5683,
                           "p":{"bm":3,"sec":true},"eps":[{"ep":"coaps+tcp://[::1]:1","pri":1,"x.tag":"t"}]}]}""";
        RdPublish fromJson = codec.decode(json.getBytes(StandardCharsets.UTF_8), RdPublish.class, OcfFormat.JSON);
        assertEquals(3, fromJson.links.get(0).p.bm);
        assertTrue(fromJson.links.get(0).p.observable());

        byte[] cbor = codec.encode(fromJson, OcfFormat.OCF_CBOR);
        RdPublish fromCbor = codec.decode(cbor, RdPublish.class, OcfFormat.OCF_CBOR);
        JsonNode expected = codec.decodeTree(json.getBytes(StandardCharsets.UTF_8), OcfFormat.JSON);
        assertEquals(expected, codec.decodeTree(codec.encode(fromCbor, OcfFormat.JSON), OcfFormat.JSON));
        assertEquals(5683, fromCbor.links.get(0).extra().get("x.org.iotivity.tcp").intValue());
        assertTrue(fromCbor.links.get(0).p.extra().get("sec").booleanValue());
        assertEquals("t", fromCbor.links.get(0).eps.get(0).extra().get("x.tag").textValue());
    }

    @Test
    void indefiniteLengthMapsAndArraysFromDevicesDecode() {
        // {_ "di": "d1", "links": [_ {_ "href": "/a", "rt": [_ "x"], "if": ["oic.if.r"]}], "ttl": 0}
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0xbf);
        text(b, "di");
        text(b, "d1");
        text(b, "links");
        b.write(0x9f);
        b.write(0xbf);
        text(b, "href");
        text(b, "/a");
        text(b, "rt");
        b.write(0x9f);
        text(b, "x");
        b.write(0xff);
        text(b, "if");
        b.write(0x81);
        text(b, "oic.if.r");
        b.write(0xff);
        b.write(0xff);
        text(b, "ttl");
        b.write(0x00);
        b.write(0xff);

        RdPublish p = codec.decode(b.toByteArray(), RdPublish.class, OcfFormat.OCF_CBOR);
        assertEquals("d1", p.di);
        assertEquals(0L, p.ttl);
        assertEquals("/a", p.links.get(0).href);
        assertEquals(List.of("x"), p.links.get(0).rt);
        assertEquals(List.of("oic.if.r"), p.links.get(0).interfaces);
    }

    @Test
    void cborByteStringsAndNumberTypesSurviveARepresentationRoundTrip() throws Exception {
        // {"data": h'0102ff', "f": 1.5 (half float), "n": -3, "big": 4294967296}
        byte[] cbor = HexFormat.of().parseHex("a46464617461430102ff6166f93e00616e22636269671b0000000100000000");
        Representation rep = codec.decode(cbor, Representation.class, OcfFormat.OCF_CBOR);
        assertTrue(rep.body().get("data").isBinary());
        assertEquals(1.5, rep.body().get("f").doubleValue());
        assertEquals(-3, rep.body().get("n").intValue());
        assertEquals(4294967296L, rep.body().get("big").longValue());
        Representation again = codec.decode(codec.encode(rep, OcfFormat.OCF_CBOR), Representation.class, OcfFormat.OCF_CBOR);
        assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, again.body().get("data").binaryValue());
        assertEquals(4294967296L, again.body().get("big").longValue());
    }

    @Test
    void legacyAliasesThatDevicesSendAreAccepted() {
        SignUpRequest signUp = codec.decode("{\"di\":\"d\",\"authcode\":\"c0de\",\"devicetype\":\"device\"}".getBytes(StandardCharsets.UTF_8),
                SignUpRequest.class, OcfFormat.JSON);
        assertEquals("c0de", signUp.accesstoken);
        assertEquals("device", signUp.devicetype);
        RdPublish publish = codec.decode("{\"di\":\"d\",\"lt\":600,\"links\":[]}".getBytes(StandardCharsets.UTF_8),
                RdPublish.class, OcfFormat.JSON);
        assertEquals(600L, publish.ttl);
    }

    @Test
    void mapsAndArraysAreWrittenWithTheirLength() {
        RdPublish p = new RdPublish();
        p.di = "d";
        Link l = new Link();
        l.href = "/a";
        l.rt = List.of("x");
        p.links = List.of(l);
        byte[] cbor = codec.encode(p, OcfFormat.OCF_CBOR);
        assertEquals(0xA2, cbor[0] & 0xFF, "a definite-length map of 2, not 0xBF");
        for (byte b : cbor) {
            assertTrue((b & 0xFF) != 0xBF && (b & 0xFF) != 0x9F && (b & 0xFF) != 0xFF, "no indefinite-length item");
        }
    }

    @Test
    void absentKeysStayAbsentWhenEncoded() {
        SignUpResponse r = new SignUpResponse();
        r.accesstoken = "a";
        JsonNode tree = codec.decodeTree(codec.encode(r, OcfFormat.OCF_CBOR), OcfFormat.OCF_CBOR);
        assertEquals(1, tree.size());
        assertNull(tree.get("redirecturi"));
    }

    @Test
    void badPayloadsGiveAShortClearError() {
        OcfCodecException empty = assertThrows(OcfCodecException.class,
                () -> codec.decode(new byte[0], SessionRequest.class, OcfFormat.OCF_CBOR));
        assertEquals("empty payload, expected SessionRequest", empty.getMessage());

        OcfCodecException garbage = assertThrows(OcfCodecException.class,
                () -> codec.decode(new byte[] {(byte) 0xa2, 0x61}, SessionRequest.class, OcfFormat.OCF_CBOR));
        assertTrue(garbage.getMessage().startsWith("payload is not a valid application/vnd.ocf+cbor SessionRequest: "),
                garbage.getMessage());
        assertTrue(garbage.getMessage().length() < 200, garbage.getMessage());

        OcfCodecException wrongShape = assertThrows(OcfCodecException.class,
                () -> codec.decode("[1,2]".getBytes(StandardCharsets.UTF_8), SessionRequest.class, OcfFormat.JSON));
        assertTrue(wrongShape.getMessage().contains("SessionRequest"), wrongShape.getMessage());

        OcfCodecException wrongType = assertThrows(OcfCodecException.class,
                () -> codec.decode("{\"login\":{}}".getBytes(StandardCharsets.UTF_8), SessionRequest.class, OcfFormat.JSON));
        assertTrue(wrongType.getMessage().contains("SessionRequest"), wrongType.getMessage());
    }

    @Test
    void aMapWithTheSameKeyTwiceIsRefused() {
        // {"uid":"a","uid":"b"}
        byte[] cbor = HexFormat.of().parseHex("a2637569646161637569646162");
        assertThrows(OcfCodecException.class, () -> codec.decode(cbor, SessionRequest.class, OcfFormat.OCF_CBOR));
        assertThrows(OcfCodecException.class, () -> codec.decode("{\"uid\":\"a\",\"uid\":\"b\"}".getBytes(StandardCharsets.UTF_8),
                SessionRequest.class, OcfFormat.JSON));
    }

    @Test
    void formatsAreFoundByMediaTypeAndContentFormat() {
        assertEquals(OcfFormat.OCF_CBOR, OcfFormat.ofMediaType("application/vnd.ocf+cbor").orElseThrow());
        assertEquals(OcfFormat.JSON, OcfFormat.ofMediaType("Application/JSON; charset=utf-8").orElseThrow());
        assertTrue(OcfFormat.ofMediaType("text/plain").isEmpty());
        assertEquals(OcfFormat.OCF_CBOR, OcfFormat.ofContentFormat(10000).orElseThrow());
        assertEquals(OcfFormat.CBOR, OcfFormat.ofContentFormat(60).orElseThrow());
        assertTrue(OcfFormat.ofContentFormat(0).isEmpty());
    }

    private static void text(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.write(0x60 + bytes.length);
        b.writeBytes(bytes);
    }
}
