package org.ocfcloudbridge.targetcloud.coap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import org.eclipse.californium.core.coap.CoAPMessageFormatException;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.serialization.TcpDataParser;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * RFC 8323 §5 signalling, which Californium 3.14 lacks (it bans a peer whose CSM arrives). Sits between TLS and
 * Californium's framer and sees the plain byte stream:
 * <ul>
 * <li>sends our CSM first (Max-Message-Size, Block-Wise-Transfer), with a token so the frame is at least 6 bytes —
 * some device stacks read a fixed 6-byte header;</li>
 * <li>does not wait for the peer's CSM (some stacks never send one), but takes its Max-Message-Size;</li>
 * <li>answers Ping with Pong at once, closes on Release and Abort, and swallows every 7.xx frame and every Empty
 * message (0.00);</li>
 * <li>refuses a frame larger than our Max-Message-Size: 4.13 to a request, its bytes skipped, the connection kept;</li>
 * <li>closes the connection on a frame that cannot be CoAP (reserved token length);</li>
 * <li>refuses a request Californium would drop or throw on: an option outside its defined length or an unknown
 * critical one (4.02 Bad Option, RFC 7252 §5.4.1, §5.4.3), a Block1 whose payload is larger than its block size
 * (4.00, RFC 7959 §2.3) or with a Size1 of 0 (4.00), a Size1 or Size2 above 2^31-1 (4.02; Californium overflows
 * on it) or another malformed request (4.00); a malformed response from the device side is dropped;</li>
 * <li>closes a connection whose TLS fails (garbage, a failed handshake) with one short, rate-limited line.</li>
 * </ul>
 * Other frames go on to Californium whole, one per read.
 */
public class Signalling extends ChannelDuplexHandler {

    public static final AttributeKey<Integer> PEER_MAX_MESSAGE_SIZE = AttributeKey.valueOf("ocf.peerMaxMessageSize");
    /** System.nanoTime() of the last Pong received: a device side's keep-alive reads it. */
    public static final AttributeKey<Long> LAST_PONG = AttributeKey.valueOf("ocf.lastPong");

    static final int CSM = 0xE1;
    static final int PING = 0xE2;
    static final int PONG = 0xE3;
    static final int RELEASE = 0xE4;
    static final int ABORT = 0xE5;
    private static final int OPTION_MAX_MESSAGE_SIZE = 2;
    private static final int OPTION_BLOCK_WISE_TRANSFER = 4;
    private static final int OPTION_SIZE1 = 60;
    private static final int REQUEST_ENTITY_TOO_LARGE = 0x8D; // 4.13
    private static final int BAD_REQUEST = 0x80; // 4.00
    private static final int BAD_OPTION = 0x82; // 4.02
    private static final int OPTION_CONTENT_FORMAT = 12;
    /** Californium's own parser with our option registry: what it refuses here, it would refuse later with no answer. */
    private static final TcpDataParser PARSER = new TcpDataParser(CoapGateway.OPTIONS);
    private static final Logger LOG = Logger.getLogger(Signalling.class);

    private final int maxMessageSize;
    private ByteBuf pending;
    /** Bytes of an oversized frame still to drop. */
    private long skip;

    public Signalling(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(csm(maxMessageSize)));
        super.channelActive(ctx);
    }

    /** Our CSM: token 0x0C5B, Max-Message-Size, Block-Wise-Transfer. */
    static byte[] csm(int maxMessageSize) {
        byte[] size = uint(maxMessageSize);
        byte[] frame = new byte[2 + 2 + 1 + size.length + 1];
        int optionsLength = 1 + size.length + 1;
        frame[0] = (byte) ((optionsLength << 4) | 2);
        frame[1] = (byte) CSM;
        frame[2] = 0x0C;
        frame[3] = 0x5B;
        frame[4] = (byte) ((OPTION_MAX_MESSAGE_SIZE << 4) | size.length);
        System.arraycopy(size, 0, frame, 5, size.length);
        frame[5 + size.length] = (byte) ((OPTION_BLOCK_WISE_TRANSFER - OPTION_MAX_MESSAGE_SIZE) << 4);
        return frame;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debugf("closing %s: silent for longer than the idle timeout", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf;
        if (pending == null) {
            buf = in;
        } else {
            pending.writeBytes(in);
            in.release();
            buf = pending;
            pending = null;
        }
        try {
            process(ctx, buf);
        } finally {
            if (buf.isReadable() && ctx.channel().isOpen()) {
                pending = ctx.alloc().buffer(buf.readableBytes() + 256);
                pending.writeBytes(buf);
            }
            buf.release();
        }
    }

    private void process(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.isReadable()) {
            if (skip > 0) {
                int n = (int) Math.min(skip, buf.readableBytes());
                buf.skipBytes(n);
                skip -= n;
                continue;
            }
            int start = buf.readerIndex();
            int first = buf.getUnsignedByte(start);
            int lengthNibble = first >>> 4;
            int tkl = first & 0x0F;
            if (tkl > 8) {
                LOG.debugf("closing %s: token length %d is reserved", ctx.channel().remoteAddress(), tkl);
                abort(ctx);
                return;
            }
            int extended = lengthNibble == 13 ? 1 : lengthNibble == 14 ? 2 : lengthNibble == 15 ? 4 : 0;
            int headerSize = 1 + extended + 1 + tkl;
            if (buf.readableBytes() < headerSize) {
                return;
            }
            long bodyLength = switch (extended) {
                case 1 -> buf.getUnsignedByte(start + 1) + 13L;
                case 2 -> buf.getUnsignedShort(start + 1) + 269L;
                case 4 -> buf.getUnsignedInt(start + 1) + 65805L;
                default -> lengthNibble;
            };
            int code = buf.getUnsignedByte(start + 1 + extended);
            if (headerSize + bodyLength > maxMessageSize) {
                byte[] token = new byte[tkl];
                buf.getBytes(start + 2 + extended, token);
                buf.skipBytes(headerSize);
                skip = bodyLength;
                LOG.debugf("%s sent a %d-byte frame, more than %d", ctx.channel().remoteAddress(), headerSize + bodyLength, maxMessageSize);
                if (code >= 0x01 && code <= 0x1F) {
                    answer(ctx, tooLarge(token));
                }
                continue;
            }
            if (buf.readableBytes() < headerSize + bodyLength) {
                return;
            }
            int frameLength = (int) (headerSize + bodyLength);
            if (code == 0) {
                // RFC 8323: an Empty message is always allowed and ignored by its recipient. Californium would throw
                // on one that carries bytes (a stack trace in the log per frame), so it never gets there.
                buf.skipBytes(frameLength);
            } else if (code >= 0xE0) {
                ByteBuf frame = buf.readSlice(frameLength);
                signal(ctx, code, frame, headerSize, tkl);
            } else {
                byte[] token = new byte[tkl];
                buf.getBytes(start + 2 + extended, token);
                byte[] refusal = refusal(ctx, buf, start, frameLength, code, token);
                if (refusal == null) {
                    ctx.fireChannelRead(buf.readRetainedSlice(frameLength));
                } else {
                    buf.skipBytes(frameLength);
                    if (refusal.length > 0) {
                        answer(ctx, refusal);
                    }
                }
            }
        }
    }

    /**
     * What Californium cannot take, checked before it gets the frame: it drops a request with a malformed option
     * without an answer (the device waits for nothing), and throws on a Block1 payload larger than the block size (a
     * stack trace per request, and no answer either). Returns the answer to send instead, an empty array to drop the
     * frame (a malformed response or signal-less frame nobody waits for), or null to pass the frame on.
     */
    private static byte[] refusal(ChannelHandlerContext ctx, ByteBuf buf, int start, int frameLength, int code, byte[] token) {
        byte[] frame = new byte[frameLength];
        buf.getBytes(start, frame);
        try {
            Message m = PARSER.parseMessage(frame);
            try {
                // Californium keeps Size1 and Size2 as a signed int: a 4-byte value of 2^31 or more turns negative and
                // throws when anything later lists the options (our handler did: a 5.00 and a stack trace).
                m.getOptions().asSortedList();
            } catch (IllegalArgumentException e) {
                String which = m.getOptions().hasSize2() && m.getOptions().getSize2() < 0 ? "Size2"
                        : m.getOptions().hasSize1() && m.getOptions().getSize1() < 0 ? "Size1" : "an option";
                return !(m instanceof Request) ? new byte[0]
                        : error(token, BAD_OPTION, which + " values above " + Integer.MAX_VALUE + " are not supported");
            }
            if (m instanceof Request r && r.getOptions().hasBlock1() && r.getOptions().hasSize1() && r.getOptions().getSize1() == 0) {
                // Californium sizes its reassembly buffer by Size1 and throws on 0 (a stack trace per request, no answer).
                return error(token, BAD_REQUEST, "Size1 0 with Block1: a body sent in blocks is not empty");
            }
            return null;
        } catch (RuntimeException e) {
            if (code < 0x01 || code > 0x1F) {
                LOG.debugf("dropping a malformed frame from %s: %s", ctx.channel().remoteAddress(), e.getMessage());
                return new byte[0];
            }
            if (e instanceof CoAPMessageFormatException f && f.getErrorCode() != null) {
                return error(token, (f.getErrorCode().codeClass << 5) | f.getErrorCode().codeDetail, f.getMessage());
            }
            // Californium checks a Block1 payload against the block size while it parses (IllegalStateException).
            return error(token, BAD_REQUEST, e.getMessage());
        }
    }

    /** An error answer with a short text/plain diagnostic. */
    static byte[] error(byte[] token, int code, String diagnostic) {
        byte[] text = diagnostic == null ? new byte[0] : diagnostic.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (text.length > 200) {
            // Cut at a character boundary: a diagnostic payload is UTF-8 (RFC 7252 §5.5.2).
            int cut = 200;
            while (cut > 0 && (text[cut] & 0xC0) == 0x80) {
                cut--;
            }
            text = java.util.Arrays.copyOf(text, cut);
        }
        java.io.ByteArrayOutputStream rest = new java.io.ByteArrayOutputStream();
        if (text.length > 0) {
            // Content-Format 0 (text/plain; charset=utf-8) is the empty value. No payload marker without a payload: a
            // marker followed by nothing is a message format error (RFC 7252 §3).
            rest.write(OPTION_CONTENT_FORMAT << 4);
            rest.write(0xFF);
            rest.writeBytes(text);
        }
        byte[] body = rest.toByteArray();
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
        int len = body.length;
        if (len < 13) {
            f.write((len << 4) | token.length);
        } else {
            // body.length is at most 202 here: one extended length byte.
            f.write((13 << 4) | token.length);
            f.write(len - 13);
        }
        f.write(code);
        f.writeBytes(token);
        f.writeBytes(body);
        return f.toByteArray();
    }

    private void signal(ChannelHandlerContext ctx, int code, ByteBuf frame, int headerSize, int tkl) {
        switch (code) {
            case PING -> {
                byte[] pong = new byte[2 + tkl];
                pong[0] = (byte) tkl;
                pong[1] = (byte) PONG;
                frame.getBytes(headerSize - tkl, pong, 2, tkl);
                answer(ctx, pong);
            }
            case CSM -> {
                Integer size = maxMessageSizeOption(frame, headerSize);
                if (size != null) {
                    ctx.channel().attr(PEER_MAX_MESSAGE_SIZE).set(size);
                }
            }
            case RELEASE, ABORT -> {
                LOG.debugf("%s ended the connection (%s)", ctx.channel().remoteAddress(), code == RELEASE ? "Release" : "Abort");
                ctx.close();
            }
            case PONG -> ctx.channel().attr(LAST_PONG).set(System.nanoTime());
            default -> {
                // Unknown signals need no answer.
            }
        }
    }

    /** Sends a Ping (7.02) with a one-byte token; the Pong's arrival is recorded in {@link #LAST_PONG}. */
    public static void ping(io.netty.channel.Channel channel) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, (byte) PING, 0x50}));
    }

    /** Reads option 2 (Max-Message-Size) of a CSM; null when absent or malformed. */
    static Integer maxMessageSizeOption(ByteBuf frame, int offset) {
        int i = offset;
        int number = 0;
        int end = frame.writerIndex();
        while (i < end) {
            int b = frame.getUnsignedByte(i++);
            if (b == 0xFF) {
                return null;
            }
            int delta = b >>> 4;
            int length = b & 0x0F;
            if (delta == 13) {
                delta = frame.getUnsignedByte(i++) + 13;
            } else if (delta == 14) {
                delta = frame.getUnsignedShort(i) + 269;
                i += 2;
            } else if (delta == 15) {
                return null;
            }
            if (length == 13) {
                length = frame.getUnsignedByte(i++) + 13;
            } else if (length == 14) {
                length = frame.getUnsignedShort(i) + 269;
                i += 2;
            } else if (length == 15) {
                return null;
            }
            number += delta;
            if (i + length > end) {
                return null;
            }
            if (number == OPTION_MAX_MESSAGE_SIZE && length <= 4) {
                long v = 0;
                for (int k = 0; k < length; k++) {
                    v = (v << 8) | frame.getUnsignedByte(i + k);
                }
                return (int) Math.min(v, Integer.MAX_VALUE);
            }
            i += length;
        }
        return null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf out) {
            // Only a limit the peer announced is enforced: stacks that send no CSM take larger frames than 1152 bytes.
            Integer peerMax = ctx.channel().attr(PEER_MAX_MESSAGE_SIZE).get();
            if (peerMax != null && out.readableBytes() > peerMax) {
                out.release();
                promise.setFailure(new IOException("message of " + out.readableBytes() + " bytes exceeds the peer's Max-Message-Size "
                        + peerMax));
                return;
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        // What TLS below us refuses ends here, in one short line; anything else is ours or Californium's to report.
        if (BrokenConnections.handled(ctx.channel().remoteAddress(), cause)) {
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Sends an answer of this handler's own (a refusal, a Pong) unless the peer is not reading what it was sent: a
     * client that sends small bad frames and never reads would otherwise grow the connection's outbound queue on the
     * heap by tens of bytes per byte it sends. Dropped answers are what it did not read anyway.
     */
    private static void answer(ChannelHandlerContext ctx, byte[] bytes) {
        if (!ctx.channel().isWritable()) {
            LOG.debugf("%s does not read its answers: one dropped", ctx.channel().remoteAddress());
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    private void abort(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0, (byte) ABORT})).addListener(f -> ctx.close());
    }

    /** 4.13 with Size1 (option 60) telling the largest frame we take. */
    private byte[] tooLarge(byte[] token) {
        byte[] size = uint(maxMessageSize);
        int optionsLength = 2 + size.length;
        byte[] frame = new byte[2 + token.length + optionsLength];
        frame[0] = (byte) ((optionsLength << 4) | token.length);
        frame[1] = (byte) REQUEST_ENTITY_TOO_LARGE;
        System.arraycopy(token, 0, frame, 2, token.length);
        int o = 2 + token.length;
        frame[o] = (byte) ((13 << 4) | size.length);
        frame[o + 1] = (byte) (OPTION_SIZE1 - 13);
        System.arraycopy(size, 0, frame, o + 2, size.length);
        return frame;
    }

    private static byte[] uint(int v) {
        if (v == 0) {
            return new byte[0];
        }
        int n = v > 0xFFFFFF ? 4 : v > 0xFFFF ? 3 : v > 0xFF ? 2 : 1;
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
