package org.ocfcloudbridge.targetcloud.coap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The RFC 8323 signalling handler on netty's in-memory channel: bytes in, bytes out. */
class SignallingTest {

    private static ByteBuf hex(String h) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(h));
    }

    private static String out(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        if (b == null) {
            return null;
        }
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    private static String in(EmbeddedChannel ch) {
        ByteBuf b = ch.readInbound();
        if (b == null) {
            return null;
        }
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void ourCsmGoesOutFirstAndIsAtLeastSixBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        // len 4, tkl 2 | 7.01 | token 0c5b | Max-Message-Size (2) = 0x4000 | Block-Wise-Transfer (4)
        assertEquals("42e10c5b22400020", out(ch));
        assertTrue(Signalling.csm(16384).length >= 6);
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingItsToken() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        ch.writeInbound(hex("02e2abcd"));
        assertEquals("02e3abcd", out(ch));
        assertNull(in(ch), "signals are not passed to Californium");
    }

    @Test
    void thePeersCsmIsTakenButNotRequired() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        assertNull(ch.attr(Signalling.PEER_MAX_MESSAGE_SIZE).get());
        // CSM with Max-Message-Size 2048 (0x0800)
        ch.writeInbound(hex("30e1220800"));
        assertEquals(2048, ch.attr(Signalling.PEER_MAX_MESSAGE_SIZE).get());
        // A request before any CSM works as well: passed on whole.
        EmbeddedChannel other = new EmbeddedChannel(new Signalling(16384));
        other.writeInbound(hex("4101" + "aa" + "b3726573"));
        assertEquals("4101aab3726573", in(other));
    }

    @Test
    void framesSplitAcrossReadsOrGluedTogetherArePassedOnOneByOne() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        // GET /res (tkl 1) split in two reads, then a ping and a second request glued in one read.
        ch.writeInbound(hex("4101aa"));
        assertNull(in(ch));
        ch.writeInbound(hex("b37265" + "73" + "01e2ee" + "4101bbb3726573"));
        assertEquals("4101aab3726573", in(ch));
        assertEquals("4101bbb3726573", in(ch));
        assertEquals("01e3ee", out(ch));
    }

    @Test
    void anOversizedRequestIsAnswered413AndSkippedWithoutClosing() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(1152));
        out(ch);
        // POST, tkl 1, extended length (14: 2 bytes) = 2000 - 269 = 1731 = 0x06c3
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            body.append("00");
        }
        ch.writeInbound(hex("e106c302" + "aa" + body.substring(0, 1000)));
        // 4.13 with Size1 (option 60) = 1152 (0x0480)
        assertEquals("418daad22f0480", out(ch));
        ch.writeInbound(hex(body.substring(1000) + "4101bbb3726573"));
        assertEquals("4101bbb3726573", in(ch), "the connection goes on after the skipped frame");
        assertTrue(ch.isOpen());
    }

    @Test
    void aPeerThatDoesNotReadItsAnswersGetsNoMoreQueued() {
        // A client sending small bad frames without reading would grow our outbound queue by tens of bytes per byte.
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        ch.writeInbound(hex("02e2abcd"));
        assertNull(out(ch), "no Pong queued for a peer that is not reading");
        assertTrue(ch.isOpen());
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.writeInbound(hex("02e2abcd"));
        assertEquals("02e3abcd", out(ch), "answered again once it reads");
    }

    @Test
    void anErrorAnswerWithoutDiagnosticHasNoPayloadMarkerAndALongOneIsCutAtACharacterBoundary() {
        // len 0, tkl 1 | 4.00 | token 05: no Content-Format, no 0xFF marker with nothing after it (RFC 7252 §3).
        assertEquals("0180" + "05", HexFormat.of().formatHex(Signalling.error(new byte[] {5}, 0x80, null)));
        byte[] answer = Signalling.error(new byte[] {5}, 0x80, "a".repeat(199) + "\u00e9\u00e9");
        // header (2) + extended length (1) + token (1) + Content-Format option (1) + marker (1), then the text
        String text = new String(answer, 6, answer.length - 6, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("a".repeat(199), text, "the two-byte character at 199-200 is left out whole");
    }

    @Test
    void releaseAndAbortCloseTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        ch.writeInbound(hex("00e4"));
        assertFalse(ch.isOpen());
        EmbeddedChannel ch2 = new EmbeddedChannel(new Signalling(16384));
        ch2.writeInbound(hex("00e5"));
        assertFalse(ch2.isOpen());
    }

    @Test
    void aReservedTokenLengthIsNotCoapAndEndsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        ch.writeInbound(hex("0901"));
        assertEquals("00e5", out(ch), "Abort");
        assertFalse(ch.isOpen());
    }

    @Test
    void aFrameLargerThanThePeerAnnouncedIsNotSent() {
        EmbeddedChannel ch = new EmbeddedChannel(new Signalling(16384));
        out(ch);
        ch.writeInbound(hex("30e1220010")); // peer takes 16 bytes
        var future = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[32]));
        assertFalse(future.isSuccess());
        assertNull(out(ch));
        assertTrue(ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[8])).isSuccess());
    }
}
