package org.ocfcloudbridge.ops;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;
import java.util.UUID;

/**
 * A form or path whose percent-encoding is broken ({@code %ZZ}, a lone {@code %}, bytes that are not UTF-8) is the
 * client's mistake: 400, not the 500 the framework's decoder failure became (found by the fuzz tests on the token
 * endpoint), and so is a media type header the framework cannot parse. Any other IllegalArgumentException is still
 * a bug of ours: 500, logged with its stack trace.
 */
public class MalformedFormMapper {

    private static final Logger LOG = Logger.getLogger(MalformedFormMapper.class);

    @ServerExceptionMapper
    public Response map(IllegalArgumentException e) {
        if (fromUrlDecoding(e)) {
            return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("error", "invalid_request", "error_description", "malformed percent-encoding")).build();
        }
        if (fromMediaTypeParsing(e)) {
            // A header the framework could not read (Accept: ",,,;") is the client's mistake too.
            return Response.status(400).type(MediaType.TEXT_PLAIN_TYPE).entity("malformed media type in a header").build();
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "request failed (error id %s)", id);
        return Response.status(500).type(MediaType.TEXT_PLAIN_TYPE).entity("internal error, id " + id).build();
    }

    private static boolean fromMediaTypeParsing(Throwable e) {
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(3, frames.length); i++) {
            if (frames[i].getClassName().equals("org.jboss.resteasy.reactive.common.headers.MediaTypeHeaderDelegate")) {
                return true;
            }
        }
        return false;
    }

    private static boolean fromUrlDecoding(Throwable e) {
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(3, frames.length); i++) {
            if (frames[i].getClassName().endsWith(".URLUtils") && frames[i].getClassName().startsWith("org.jboss.resteasy.reactive")) {
                return true;
            }
        }
        return false;
    }
}
