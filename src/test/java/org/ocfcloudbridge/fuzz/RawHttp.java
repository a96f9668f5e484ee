package org.ocfcloudbridge.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A keep-alive, pipelining HTTP/1.1 client over a plain socket, which sends whatever bytes it is given (a framework
 * client would refuse or repair hostile headers). Requests are written in batches and their answers read in order; a
 * connection the server closes is reopened and the requests it left unanswered are sent again.
 */
public final class RawHttp implements Closeable {

    /** An answer: a status, or 0 when the server closed the connection instead of answering. */
    public record Answer(int status, String body, boolean closing) {
        public boolean closed() {
            return status == 0;
        }
    }

    /** The server kept a request without an answer or a close for longer than the timeout. */
    public static final class Hang extends IOException {
        /** Index of the request left without an answer, in the list given to {@link #send}. */
        public final int unanswered;

        Hang(String m, int unanswered) {
            super(m);
            this.unanswered = unanswered;
        }
    }

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public RawHttp(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    private void open() throws IOException {
        close();
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    /** One answer per request, in order. */
    public List<Answer> send(List<byte[]> requests) throws IOException {
        List<Answer> answers = new ArrayList<>(requests.size());
        int next = 0;
        int reopened = 0;
        while (next < requests.size()) {
            if (socket == null) {
                open();
            }
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = next; i < requests.size(); i++) {
                batch.write(requests.get(i));
            }
            try {
                out.write(batch.toByteArray());
                out.flush();
            } catch (IOException e) {
                // Closed under our write: the answers already sent may still be readable.
            }
            boolean closed = false;
            while (next < requests.size()) {
                Answer a;
                try {
                    a = read();
                } catch (SocketTimeoutException e) {
                    throw new Hang("no answer and no close within " + timeoutMillis + " ms", next);
                } catch (IOException e) {
                    a = null;
                }
                if (a == null) {
                    // The server closed: the first unanswered request is answered by that close, the rest go again.
                    answers.add(new Answer(0, "", true));
                    next++;
                    closed = true;
                    break;
                }
                answers.add(a);
                next++;
                if (a.closing()) {
                    closed = true;
                    break;
                }
            }
            if (closed) {
                close();
                if (++reopened > requests.size() + 1) {
                    throw new IOException("the server closes every connection");
                }
            }
        }
        return answers;
    }

    /** Sends bytes that end the request stream (a truncated or lying request), then reads until answer or close. */
    public Answer sendAndHalfClose(byte[] request) throws IOException {
        open();
        try {
            out.write(request);
            out.flush();
            socket.shutdownOutput();
        } catch (IOException e) {
            // closed under our write
        }
        try {
            Answer a = read();
            return a == null ? new Answer(0, "", true) : a;
        } catch (SocketTimeoutException e) {
            throw new Hang("no answer and no close within " + timeoutMillis + " ms after the request stream ended", 0);
        } catch (IOException e) {
            return new Answer(0, "", true);
        } finally {
            close();
        }
    }

    private Answer read() throws IOException {
        while (true) {
            Answer a = readOne();
            // An interim answer (100 Continue to an Expect header) comes before the real one.
            if (a == null || a.status() >= 200 || a.status() == 101) {
                return a;
            }
        }
    }

    private Answer readOne() throws IOException {
        String status = line();
        if (status == null) {
            return null;
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String h;
        while ((h = line()) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        if (h == null) {
            return null;
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                if (size == null) {
                    return null;
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while ((h = line()) != null && !h.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                b.write(in.readNBytes(n));
                line();
            }
            body = b.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                return null;
            }
        } else if (close) {
            body = in.readAllBytes();
        } else {
            body = new byte[0];
        }
        return new Answer(code, new String(body, 0, Math.min(body.length, 2000), StandardCharsets.UTF_8), close);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] l = b.toByteArray();
                int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 65536) {
                throw new IOException("header line too long");
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
